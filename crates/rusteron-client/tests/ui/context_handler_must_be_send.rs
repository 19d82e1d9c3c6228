// Context handlers run on the client conductor thread, so they must be Send.
use rusteron_client::{AeronContext, AeronErrorHandlerClosure};
use std::rc::Rc;

fn not_send_error_handler(ctx: &AeronContext) {
    let rc = Rc::new(0);
    ctx.set_error_handler(Some(AeronErrorHandlerClosure::new(move |_code: i32, _msg: &str| {
        let _ = &rc;
    })))
    .unwrap();
}

fn main() {}
