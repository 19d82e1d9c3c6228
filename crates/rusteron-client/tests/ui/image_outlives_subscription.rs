// An image borrows its subscription.
use rusteron_client::AeronSubscription;

fn image_after_close(sub: AeronSubscription) {
    let image = sub.image_at_index(0);
    drop(sub);
    drop(image);
}

fn main() {}
