//! `pong`: the counterpart of Aeron's `cpong.c`; stops by itself after `messages + warmup` echoes.

use rusteron_client::*;
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::client::{busy_spin_idle, connect, IDLE_POLL_LIMIT};

/// Echoes each message on the pong publication (`ping_poll_handler` in cpong.c).
struct Echo<'a> {
    publication: &'a AeronExclusivePublication,
    echoed: u64,
}

impl AeronFragmentHandlerCallback for Echo<'_> {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
        while self
            .publication
            .offer(msg, Handlers::no_reserved_value_supplier_handler())
            < 0
        {
            busy_spin_idle(0);
        }
        self.echoed += 1;
    }
}

/// Runs pong until every expected message was echoed (or nothing arrived for a long while).
pub fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "Subscribing Ping at channel {} on Stream ID {}",
        args.channel, args.stream
    );
    println!(
        "Publishing Pong at channel {} on Stream ID {}",
        args.pong_channel, args.pong_stream
    );
    let aeron = connect(args)?;
    let timeout = Duration::from_secs(10);
    let subscription = aeron.add_subscription(&args.channel, args.stream, timeout)?;
    let publication =
        aeron.add_exclusive_publication(&args.pong_channel, args.pong_stream, timeout)?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !subscription.is_connected() {
        if Instant::now() > deadline {
            return Err("ping did not connect".into());
        }
        std::thread::yield_now();
    }
    let image = subscription
        .image_at_index(0)
        .ok_or("could not find image")?;
    let mut assembler = AeronImageFragmentAssembler::new(Echo {
        publication: &publication,
        echoed: 0,
    })?;
    let expected = args.messages + args.warmup;
    // No clock in the loop (cpong has none): give up after this many idle polls in a row (tens of seconds).
    let mut idle = 0u64;
    while assembler.delegate().echoed < expected {
        let n = assembler.poll_image(&image, args.fragment_limit)?;
        busy_spin_idle(n);
        idle = if n > 0 { 0 } else { idle + 1 };
        if idle > IDLE_POLL_LIMIT {
            return Err(format!(
                "only {} of {expected} messages echoed",
                assembler.delegate().echoed
            )
            .into());
        }
    }
    println!("Shutting down...");
    Ok(())
}
