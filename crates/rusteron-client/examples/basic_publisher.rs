//! Publishes messages ("Hello World! <n>") once a subscriber is connected; Aeron's `basic_publisher` sample.
//!
//! `cargo run --example basic_publisher -- --help`

#[path = "support/mod.rs"]
mod support;

use clap::Parser;
use rusteron_client::*;
use std::time::{Duration, Instant};
use support::*;

/// Publishes messages on a channel and stream, like Aeron's basic_publisher sample.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    /// Channel to publish on
    #[arg(short = 'c', long, default_value = defaults::CHANNEL)]
    channel: String,
    /// Stream id to publish on
    #[arg(short = 's', long, default_value_t = defaults::STREAM_ID)]
    stream_id: i32,
    /// Number of messages to send
    #[arg(short = 'm', long, default_value_t = 10)]
    messages: u64,
    /// Linger at the end of publishing for this many milliseconds
    #[arg(short = 'l', long, default_value_t = 0)]
    linger_ms: u64,
    #[command(flatten)]
    driver: DriverArgs,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let c = connect(&o.driver)?;
    let publication = c
        .aeron
        .async_add_publication(&o.channel, o.stream_id)?
        .poll_blocking(TIMEOUT)?;
    println!(
        "publishing {} messages on {} stream {}",
        o.messages, o.channel, o.stream_id
    );
    let start = Instant::now();
    while !publication.is_connected() {
        if start.elapsed() > Duration::from_secs(30) {
            return Err("no subscriber connected".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    for i in 0..o.messages {
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
    std::thread::sleep(Duration::from_millis(o.linger_ms));
    Ok(())
}
