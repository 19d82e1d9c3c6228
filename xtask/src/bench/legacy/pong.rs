//! `pong` with rusteron-client 0.2.16: the counterpart of Aeron's `cpong.c`.

use rusteron_client::*;
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::client::{busy_spin_idle, c, connect, IDLE_POLL_LIMIT};

struct Echo {
    publication: AeronExclusivePublication,
    echoed: u64,
}

impl AeronFragmentHandlerCallback for Echo {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader) {
        while self.publication.offer(msg).is_err() {
            busy_spin_idle(0);
        }
        self.echoed += 1;
    }
}

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
    let subscription = aeron
        .async_add_subscription(
            &c(&args.channel),
            args.stream,
            Handlers::NONE,
            Handlers::NONE,
        )?
        .poll_blocking(timeout)?;
    let publication = aeron
        .async_add_exclusive_publication(&c(&args.pong_channel), args.pong_stream)?
        .poll_blocking(timeout)?;
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
    let echo = Handler::new(Echo {
        publication,
        echoed: 0,
    });
    let assembler = Handler::new(AeronFragmentAssembler::new(Some(&echo))?);
    let expected = args.messages + args.warmup;
    let mut idle = 0u64;
    // SAFETY (0.2.16 API): read between polls on this thread.
    while unsafe { echo.get_mut() }.echoed < expected {
        let n = image.poll(Some(&assembler), args.fragment_limit)?;
        busy_spin_idle(n);
        idle = if n > 0 { 0 } else { idle + 1 };
        if idle > IDLE_POLL_LIMIT {
            return Err("pong: stopped receiving".into());
        }
    }
    println!("Shutting down...");
    Ok(())
}
