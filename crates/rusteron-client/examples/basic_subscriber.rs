//! Receives `--count` messages on `--channel`/`--stream-id` and prints them.

#[path = "support/mod.rs"]
mod support;

use rusteron_client::*;
use std::time::{Duration, Instant};
use support::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let channel: String = arg("channel", "aeron:udp?endpoint=127.0.0.1:20121".to_string());
    let stream_id: i32 = arg("stream-id", 1001);
    let count: usize = arg("count", 10);
    let c = connect()?;
    let subscription = c
        .aeron
        .async_add_subscription(
            &channel,
            stream_id,
            Some(AeronAvailableImageLogger),
            Some(AeronUnavailableImageLogger),
        )?
        .poll_blocking(TIMEOUT)?;
    println!("subscribed to {channel} stream {stream_id}");
    let mut received = 0;
    let mut idle = BackoffIdleStrategy::default();
    let start = Instant::now();
    while received < count {
        let n = subscription.poll_once(
            |msg, header| {
                println!(
                    "received from session {}: {}",
                    header.session_id(),
                    String::from_utf8_lossy(msg)
                );
                received += 1;
            },
            10,
        )?;
        idle.idle(n);
        if start.elapsed() > Duration::from_secs(60) {
            return Err(format!("received only {received} of {count}").into());
        }
    }
    println!("received {received} messages");
    Ok(())
}
