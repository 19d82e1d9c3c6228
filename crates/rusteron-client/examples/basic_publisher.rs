//! Publishes `--count` messages on `--channel`/`--stream-id` once a subscriber is connected.
//!
//! `cargo run --example basic_publisher -- --count 10 --channel aeron:udp?endpoint=127.0.0.1:20121`

#[path = "support/mod.rs"]
mod support;

use rusteron_client::*;
use std::time::{Duration, Instant};
use support::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let channel: String = arg("channel", "aeron:udp?endpoint=127.0.0.1:20121".to_string());
    let stream_id: i32 = arg("stream-id", 1001);
    let count: u64 = arg("count", 10);
    let c = connect()?;
    let publication = c
        .aeron
        .async_add_publication(&channel, stream_id)?
        .poll_blocking(TIMEOUT)?;
    println!("publishing {count} messages on {channel} stream {stream_id}");
    let start = Instant::now();
    while !publication.is_connected() {
        if start.elapsed() > Duration::from_secs(30) {
            return Err("no subscriber connected".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for i in 0..count {
        let msg = format!("Hello World! {i}");
        loop {
            let r = publication.offer(
                msg.as_bytes(),
                Handlers::no_reserved_value_supplier_handler(),
            );
            if r > 0 {
                break;
            }
            match AeronCError::publication_result(r) {
                Err(e)
                    if e.kind().is_back_pressured_or_admin_action()
                        || e.kind() == AeronErrorType::PublicationNotConnected =>
                {
                    std::thread::sleep(Duration::from_millis(1))
                }
                Err(e) => return Err(e.into()),
                Ok(_) => unreachable!(),
            }
        }
        println!("sent: {msg}");
    }
    Ok(())
}
