// The header is only valid during the handler call.
use rusteron_client::{AeronHeader, AeronSubscription};

fn keep_header(sub: &AeronSubscription) -> Option<AeronHeader<'static>> {
    let mut kept = None;
    sub.poll_once(|_msg, header| kept = Some(header), 10).unwrap();
    kept
}

fn main() {}
