//! Throughput of an exclusive IPC publication to a subscriber thread in the same process.
//! `cargo run --release --example exclusive_throughput -- --count 10000000 --size 32`

#[path = "support/mod.rs"]
mod support;

use rusteron_client::*;
use std::time::{Duration, Instant};
use support::*;

struct Count(u64);

impl AeronFragmentHandlerCallback for Count {
    fn handle_aeron_fragment_handler(&mut self, _msg: &[u8], _header: AeronHeader<'_>) {
        self.0 += 1;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: u64 = arg("count", 1_000_000);
    let size: usize = arg("size", 32);
    let c = connect()?;
    let publication = c
        .aeron
        .add_exclusive_publication("aeron:ipc", 1004, TIMEOUT)?;
    let subscription = c.aeron.add_subscription("aeron:ipc", 1004, TIMEOUT)?;
    // The subscription is Send (not Sync): it moves to the reader thread.
    let reader = std::thread::spawn(move || -> Result<u64, AeronCError> {
        let mut counter = Count(0);
        let start = Instant::now();
        while counter.0 < count {
            if subscription.poll(&mut counter, 256)? == 0 {
                std::thread::yield_now();
            }
            if start.elapsed() > Duration::from_secs(60) {
                break;
            }
        }
        Ok(counter.0)
    });
    let msg = vec![0u8; size];
    let start = Instant::now();
    let mut back_pressure = 0u64;
    for _ in 0..count {
        while publication.offer(&msg, Handlers::no_reserved_value_supplier_handler()) < 0 {
            back_pressure += 1;
            std::thread::yield_now();
        }
    }
    let received = reader.join().expect("reader thread")?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "exclusive IPC: {received} of {count} messages of {size} bytes in {secs:.3}s = {:.0} msg/s ({back_pressure} back-pressured offers)",
        received as f64 / secs
    );
    if received != count {
        return Err("not every message was received".into());
    }
    Ok(())
}
