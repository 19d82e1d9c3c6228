//! `subscriber` with rusteron-client 0.2.16: the counterpart of `rate_subscriber.c`.

use rusteron_client::*;
use std::time::Duration;

use crate::args::Args;
use crate::client::{busy_spin_idle, c, connect, IDLE_POLL_LIMIT};

struct Counter {
    messages: u64,
    bytes: u64,
}

impl AeronFragmentHandlerCallback for Counter {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader) {
        self.messages += 1;
        self.bytes += msg.len() as u64;
    }
}

pub fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "Subscribing to channel {} on Stream ID {}",
        args.channel, args.stream
    );
    let aeron = connect(args)?;
    let subscription = aeron
        .async_add_subscription(
            &c(&args.channel),
            args.stream,
            Handlers::NONE,
            Handlers::NONE,
        )?
        .poll_blocking(Duration::from_secs(10))?;
    let counter = Handler::new(Counter {
        messages: 0,
        bytes: 0,
    });
    let assembler = Handler::new(AeronFragmentAssembler::new(Some(&counter))?);
    let mut idle = 0u64;
    // SAFETY (0.2.16 API): read between polls on this thread.
    while unsafe { counter.get_mut() }.messages < args.messages {
        let n = subscription.poll(Some(&assembler), args.fragment_limit)?;
        busy_spin_idle(n);
        idle = if n > 0 { 0 } else { idle + 1 };
        // SAFETY: as above.
        if idle > IDLE_POLL_LIMIT && unsafe { counter.get_mut() }.messages > 0 {
            break;
        }
    }
    // SAFETY: as above.
    let c = unsafe { counter.get_mut() };
    println!("Received {} messages, {} bytes", c.messages, c.bytes);
    println!("Shutting down...");
    Ok(())
}
