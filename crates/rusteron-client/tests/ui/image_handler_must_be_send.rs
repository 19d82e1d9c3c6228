// Image handlers run on the client conductor thread, so they must be Send.
use rusteron_client::{Aeron, AeronAvailableImageClosure, AeronImageRef, Handlers};
use std::rc::Rc;

fn not_send_handler(aeron: &Aeron) {
    let rc = Rc::new(0);
    let _ = aeron.async_add_subscription(
        "aeron:ipc",
        1,
        Some(AeronAvailableImageClosure::new(move |_i: AeronImageRef<'_>| {
            let _ = &rc;
        })),
        Handlers::no_unavailable_image_handler(),
    );
}

fn main() {}
