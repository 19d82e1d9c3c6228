//! Pong: echoes every message received on the ping channel back on the pong channel; Aeron's `cpong`
//! sample, with its options and defaults. It follows every ping: messages of any image (a ping that
//! restarts is a new session) are echoed, and each new session is reported.
//!
//! `cargo run --release --example pong -- --help`

#[path = "support/mod.rs"]
mod support;

use clap::Parser;
use rusteron_client::*;
use std::collections::HashSet;
use support::*;

/// Echoes pings back, like Aeron's cpong sample.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    /// Channel to receive pings on
    #[arg(short = 'c', long, default_value = defaults::PING_CHANNEL)]
    ping_channel: String,
    /// Stream id of the ping channel
    #[arg(short = 's', long, default_value_t = defaults::PING_STREAM_ID)]
    ping_stream_id: i32,
    /// Channel to send the echoes on
    #[arg(short = 'C', long, default_value = defaults::PONG_CHANNEL)]
    pong_channel: String,
    /// Stream id of the pong channel
    #[arg(short = 'S', long, default_value_t = defaults::PONG_STREAM_ID)]
    pong_stream_id: i32,
    /// Stop after echoing this many messages (0: run until killed, as the C sample)
    #[arg(short = 'm', long, default_value_t = 0)]
    messages: u64,
    #[command(flatten)]
    driver: DriverArgs,
}

/// Echoes each fragment on the publication it holds.
struct Echo<'a> {
    publication: &'a AeronPublication,
    echoed: u64,
    sessions: HashSet<i32>,
}

impl AeronFragmentHandlerCallback for Echo<'_> {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], header: AeronHeader<'_>) {
        if self.sessions.insert(header.session_id()) {
            println!("pong: following ping session {}", header.session_id());
        }
        while self
            .publication
            .offer(msg, Handlers::no_reserved_value_supplier_handler())
            < 0
        {
            std::hint::spin_loop();
        }
        self.echoed += 1;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = Options::parse();
    let c = connect(&o.driver)?;
    let subscription = c
        .aeron
        .add_subscription(&o.ping_channel, o.ping_stream_id, TIMEOUT)?;
    let publication = c
        .aeron
        .async_add_publication(&o.pong_channel, o.pong_stream_id)?
        .poll_blocking(TIMEOUT)?;
    println!(
        "pong: echoing {} stream {} to {} stream {}",
        o.ping_channel, o.ping_stream_id, o.pong_channel, o.pong_stream_id
    );
    let mut echo = Echo {
        publication: &publication,
        echoed: 0,
        sessions: HashSet::new(),
    };
    let mut idle = BackoffIdleStrategy::default();
    while o.messages == 0 || echo.echoed < o.messages {
        // Polls every image of the subscription: whichever ping is connected, old or new.
        let n = subscription.poll(&mut echo, defaults::FRAGMENT_COUNT_LIMIT)?;
        idle.idle(n);
    }
    println!(
        "pong: echoed {} messages from {} ping sessions",
        echo.echoed,
        echo.sessions.len()
    );
    // Let the last echo drain before closing.
    std::thread::sleep(std::time::Duration::from_millis(100));
    Ok(())
}
