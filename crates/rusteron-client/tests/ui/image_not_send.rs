// An image is polled on its subscription's thread only.
use rusteron_client::AeronSubscription;

fn image_to_another_thread(sub: &AeronSubscription) {
    let image = sub.image_at_index(0).unwrap();
    std::thread::scope(|s| {
        s.spawn(move || drop(image));
    });
}

fn main() {}
