//! `subscriber`: the counterpart of Aeron's `rate_subscriber.c`; stops after `messages` messages.

use rusteron_client::*;
use std::time::Duration;

use crate::args::Args;
use crate::client::{busy_spin_idle, connect, IDLE_POLL_LIMIT};

/// Counts messages (`rate_reporter_poll_handler` in the C sample).
struct Counter {
    messages: u64,
    bytes: u64,
}

impl AeronFragmentHandlerCallback for Counter {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
        self.messages += 1;
        self.bytes += msg.len() as u64;
    }
}

/// Polls through a fragment assembler until every expected message arrived.
pub fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "Subscribing to channel {} on Stream ID {}",
        args.channel, args.stream
    );
    let aeron = connect(args)?;
    let subscription =
        aeron.add_subscription(&args.channel, args.stream, Duration::from_secs(10))?;
    let mut assembler = AeronFragmentAssembler::new(Counter {
        messages: 0,
        bytes: 0,
    })?;
    let mut idle = 0u64;
    while assembler.delegate().messages < args.messages {
        let n = assembler.poll_subscription(&subscription, args.fragment_limit)?;
        busy_spin_idle(n);
        idle = if n > 0 { 0 } else { idle + 1 };
        if idle > IDLE_POLL_LIMIT && assembler.delegate().messages > 0 {
            break;
        }
    }
    let c = assembler.delegate();
    println!("Received {} messages, {} bytes", c.messages, c.bytes);
    println!("Shutting down...");
    Ok(())
}
