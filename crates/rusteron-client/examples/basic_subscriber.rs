//! Prints the messages received on a channel and stream; Aeron's `basic_subscriber` sample.
//!
//! `cargo run --example basic_subscriber -- --help`

#[path = "support/mod.rs"]
mod support;

use clap::Parser;
use rusteron_client::*;
use support::*;

/// Receives and prints messages, like Aeron's basic_subscriber sample.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    /// Channel to subscribe to
    #[arg(short = 'c', long, default_value = defaults::CHANNEL)]
    channel: String,
    /// Stream id to subscribe to
    #[arg(short = 's', long, default_value_t = defaults::STREAM_ID)]
    stream_id: i32,
    /// Stop after this many messages (0: run until killed, as the C sample)
    #[arg(short = 'm', long, default_value_t = 0)]
    messages: u64,
    #[command(flatten)]
    driver: DriverArgs,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let c = connect(&o.driver)?;
    let subscription = c
        .aeron
        .async_add_subscription(
            &o.channel,
            o.stream_id,
            Some(AeronAvailableImageLogger),
            Some(AeronUnavailableImageLogger),
        )?
        .poll_blocking(TIMEOUT)?;
    println!("subscribed to {} stream {}", o.channel, o.stream_id);
    let mut received = 0u64;
    let mut idle = BackoffIdleStrategy::default();
    while o.messages == 0 || received < o.messages {
        let n = subscription.poll_once(
            |msg, header| {
                println!(
                    "received from session {}: {}",
                    header.session_id(),
                    String::from_utf8_lossy(msg)
                );
                received += 1;
            },
            defaults::FRAGMENT_COUNT_LIMIT,
        )?;
        idle.idle(n);
    }
    println!("received {received} messages");
    Ok(())
}
