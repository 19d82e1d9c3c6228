// An exclusive publication must not be shared between threads.
use rusteron_client::{AeronExclusivePublication, Handlers};

fn offer_from_two_threads(p: &AeronExclusivePublication) {
    std::thread::scope(|s| {
        s.spawn(|| p.offer(b"x", Handlers::no_reserved_value_supplier_handler()));
        s.spawn(|| p.offer(b"y", Handlers::no_reserved_value_supplier_handler()));
    });
}

fn main() {}
