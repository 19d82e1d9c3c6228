//! Ping: sends messages on the ping channel and waits for each echo from `pong` on the pong channel, then
//! prints round-trip percentiles; Aeron's `cping` sample, with its options and defaults. Over IPC
//! (`aeron:ipc`) or UDP.
//!
//! `cargo run --release --example pong` in one shell, `cargo run --release --example ping` in another (both
//! on the media driver of the default Aeron directory); `--help` lists the options.

#[path = "support/mod.rs"]
mod support;

use clap::Parser;
use rusteron_client::*;
use std::time::{Duration, Instant};
use support::*;

/// Measures round trips through a pong, like Aeron's cping sample.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    /// Channel to send pings on
    #[arg(short = 'c', long, default_value = defaults::PING_CHANNEL)]
    ping_channel: String,
    /// Stream id of the ping channel
    #[arg(short = 's', long, default_value_t = defaults::PING_STREAM_ID)]
    ping_stream_id: i32,
    /// Channel to receive the echoes on
    #[arg(short = 'C', long, default_value = defaults::PONG_CHANNEL)]
    pong_channel: String,
    /// Stream id of the pong channel
    #[arg(short = 'S', long, default_value_t = defaults::PONG_STREAM_ID)]
    pong_stream_id: i32,
    /// Number of measured messages
    #[arg(short = 'm', long, default_value_t = defaults::MESSAGES)]
    messages: u64,
    /// Number of warm-up messages, sent first and not measured
    #[arg(short = 'w', long, default_value_t = defaults::WARM_UP_MESSAGES)]
    warm_up_messages: u64,
    /// Length of each message in bytes (at least 8)
    #[arg(short = 'L', long, default_value_t = defaults::MESSAGE_LENGTH as u64, value_parser = clap::value_parser!(u64).range(8..))]
    length: u64,
    #[command(flatten)]
    driver: DriverArgs,
}

/// Records which message was echoed (a trait handler: no allocation per poll).
struct Echo {
    last: Option<u64>,
}

impl AeronFragmentHandlerCallback for Echo {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
        if let Some(seq) = msg.get(..8) {
            self.last = Some(u64::from_le_bytes(seq.try_into().unwrap()));
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let c = connect(&o.driver)?;
    let publication = c
        .aeron
        .async_add_exclusive_publication(&o.ping_channel, o.ping_stream_id)?
        .poll_blocking(TIMEOUT)?;
    let subscription = c
        .aeron
        .add_subscription(&o.pong_channel, o.pong_stream_id, TIMEOUT)?;
    println!(
        "ping: {} on {} stream {}, echoes on {} stream {}",
        o.messages, o.ping_channel, o.ping_stream_id, o.pong_channel, o.pong_stream_id
    );
    let start = Instant::now();
    while !(publication.is_connected() && subscription.is_connected()) {
        if start.elapsed() > Duration::from_secs(30) {
            return Err("pong is not connected".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut echo = Echo { last: None };
    let mut payload = vec![0u8; o.length as usize];
    let mut round_trip = |seq: u64| -> Result<Duration, Box<dyn std::error::Error>> {
        payload[..8].copy_from_slice(&seq.to_le_bytes());
        let sent = Instant::now();
        while publication.offer(&payload, Handlers::no_reserved_value_supplier_handler()) < 0 {
            std::hint::spin_loop();
        }
        while echo.last != Some(seq) {
            subscription.poll(&mut echo, 1)?;
            if sent.elapsed() > Duration::from_secs(10) {
                return Err(format!("no echo of message {seq} from pong").into());
            }
        }
        Ok(sent.elapsed())
    };
    for seq in 0..o.warm_up_messages {
        round_trip(seq)?;
    }
    let mut rtts = Vec::with_capacity(o.messages as usize);
    for seq in o.warm_up_messages..o.warm_up_messages + o.messages {
        rtts.push(round_trip(seq)?);
    }
    if rtts.is_empty() {
        return Ok(());
    }
    rtts.sort();
    let p = |q: f64| rtts[((rtts.len() as f64 - 1.0) * q) as usize];
    println!(
        "ping: {} round trips of {} bytes, p50 {:?}, p99 {:?}, max {:?}",
        o.messages,
        o.length,
        p(0.5),
        p(0.99),
        p(1.0)
    );
    Ok(())
}
