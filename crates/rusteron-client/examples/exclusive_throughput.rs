//! Throughput of an exclusive publication to a subscriber thread in the same process (Aeron's
//! `streaming_exclusive_publisher` with its subscriber in-process).
//!
//! `cargo run --release --example exclusive_throughput -- --embedded-driver -m 10000000 -L 32`

#[path = "support/mod.rs"]
mod support;

use clap::Parser;
use rusteron_client::*;
use std::time::{Duration, Instant};
use support::*;

/// Streams messages through an exclusive publication to an in-process subscriber and prints the rate.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    /// Channel to stream on
    #[arg(short = 'c', long, default_value = "aeron:ipc")]
    channel: String,
    /// Stream id to stream on
    #[arg(short = 's', long, default_value_t = defaults::STREAM_ID)]
    stream_id: i32,
    /// Number of messages to send
    #[arg(short = 'm', long, default_value_t = defaults::MESSAGES)]
    messages: u64,
    /// Length of each message in bytes
    #[arg(short = 'L', long, default_value_t = defaults::MESSAGE_LENGTH)]
    length: usize,
    #[command(flatten)]
    driver: DriverArgs,
}

struct Count(u64);

impl AeronFragmentHandlerCallback for Count {
    fn handle_aeron_fragment_handler(&mut self, _msg: &[u8], _header: AeronHeader<'_>) {
        self.0 += 1;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let count = o.messages;
    let c = connect(&o.driver)?;
    let publication = c
        .aeron
        .add_exclusive_publication(&o.channel, o.stream_id, TIMEOUT)?;
    let subscription = c.aeron.add_subscription(&o.channel, o.stream_id, TIMEOUT)?;
    // The subscription is Send (not Sync): it moves to the reader thread.
    let reader = std::thread::spawn(move || -> Result<u64, AeronCError> {
        let mut counter = Count(0);
        let mut last = Instant::now();
        while counter.0 < count {
            if subscription.poll(&mut counter, 256)? == 0 {
                if last.elapsed() > Duration::from_secs(30) {
                    break;
                }
                std::thread::yield_now();
            } else {
                last = Instant::now();
            }
        }
        Ok(counter.0)
    });
    let msg = vec![0u8; o.length];
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
        "exclusive {}: {received} of {count} messages of {} bytes in {secs:.3}s = {:.0} msg/s ({back_pressure} back-pressured offers)",
        o.channel,
        o.length,
        received as f64 / secs
    );
    if received != count {
        return Err("not every message was received".into());
    }
    Ok(())
}
