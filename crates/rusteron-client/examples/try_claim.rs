//! Zero-copy publishing with `try_claim`: each message is written straight into the log buffer, and read
//! back by a subscription of the same process.
//!
//! `cargo run --example try_claim -- --embedded-driver -m 1000`

#[path = "support/mod.rs"]
mod support;

use clap::Parser;
use std::time::{Duration, Instant};
use support::*;

/// Publishes numbered 8-byte messages with try_claim and checks that all of them arrive.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    /// Channel to publish on and subscribe to
    #[arg(short = 'c', long, default_value = "aeron:ipc")]
    channel: String,
    /// Stream id
    #[arg(short = 's', long, default_value_t = defaults::STREAM_ID)]
    stream_id: i32,
    /// Number of messages to send
    #[arg(short = 'm', long, default_value_t = 100)]
    messages: u64,
    #[command(flatten)]
    driver: DriverArgs,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let count = o.messages;
    let c = connect(&o.driver)?;
    let publication = c.aeron.add_publication(&o.channel, o.stream_id, TIMEOUT)?;
    let subscription = c.aeron.add_subscription(&o.channel, o.stream_id, TIMEOUT)?;
    while !publication.is_connected() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut sum = 0u64;
    let mut received = 0u64;
    let start = Instant::now();
    for i in 0..count {
        loop {
            match publication.try_claim(8) {
                Ok(mut claim) => {
                    claim.data().copy_from_slice(&i.to_le_bytes());
                    claim.commit()?; // an uncommitted claim would be aborted on drop
                    break;
                }
                Err(e) if e.kind().is_back_pressured_or_admin_action() => {
                    subscription.poll_once(
                        |m, _| {
                            sum += u64::from_le_bytes(m.try_into().unwrap());
                            received += 1;
                        },
                        defaults::FRAGMENT_COUNT_LIMIT,
                    )?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    while received < count && start.elapsed() < Duration::from_secs(30) {
        subscription.poll_once(
            |m, _| {
                sum += u64::from_le_bytes(m.try_into().unwrap());
                received += 1;
            },
            defaults::FRAGMENT_COUNT_LIMIT,
        )?;
    }
    println!("try_claim: {received} messages, checksum {sum}");
    if received != count || sum != count * count.saturating_sub(1) / 2 {
        return Err("wrong messages".into());
    }
    Ok(())
}
