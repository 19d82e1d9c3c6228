// A subscription must be polled by one thread at a time.
use rusteron_client::AeronSubscription;

fn poll_from_another_thread(sub: &AeronSubscription) {
    std::thread::scope(|s| {
        s.spawn(|| sub.poll_once(|_, _| {}, 10));
    });
}

fn main() {}
