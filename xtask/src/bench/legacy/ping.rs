//! `ping` with rusteron-client 0.2.16: the counterpart of Aeron's `cping.c`.

use hdrhistogram::Histogram;
use rusteron_client::*;
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::client::{busy_spin_idle, c, connect, nano_clock};
use crate::histogram::print_classic;

/// Records each echo's round trip; the send time travels in the first 8 bytes of the message.
struct PongRecorder {
    received: u64,
    histogram: Histogram<u64>,
}

impl AeronFragmentHandlerCallback for PongRecorder {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader) {
        self.received += 1;
        let end = nano_clock();
        let mut start = [0u8; 8];
        start.copy_from_slice(&msg[..8]);
        let _ = self
            .histogram
            .record(end.saturating_sub(u64::from_le_bytes(start)));
    }
}

fn send_ping_and_receive_pong(
    publication: &AeronExclusivePublication,
    image: &AeronImage,
    assembler: &Handler<AeronFragmentAssembler>,
    recorder: &Handler<PongRecorder>,
    message: &mut [u8],
    count: u64,
    fragment_limit: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY (0.2.16 API): the handler is only used on this thread, between polls.
    let state = || unsafe { recorder.get_mut() };
    state().received = 0;
    for i in 0..count {
        loop {
            let now = nano_clock();
            message[..8].copy_from_slice(&now.to_le_bytes());
            if publication.offer(message).is_ok() {
                break;
            }
        }
        while state().received < i + 1 {
            busy_spin_idle(image.poll(Some(assembler), fragment_limit)?);
        }
    }
    Ok(())
}

pub fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "Publishing Ping at channel {} on Stream ID {}",
        args.channel, args.stream
    );
    println!(
        "Subscribing Pong at channel {} on Stream ID {}",
        args.pong_channel, args.pong_stream
    );
    let aeron = connect(args)?;
    let timeout = Duration::from_secs(10);
    let subscription = aeron
        .async_add_subscription(
            &c(&args.pong_channel),
            args.pong_stream,
            Handlers::NONE,
            Handlers::NONE,
        )?
        .poll_blocking(timeout)?;
    let publication = aeron
        .async_add_exclusive_publication(&c(&args.channel), args.stream)?
        .poll_blocking(timeout)?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !subscription.is_connected() {
        if Instant::now() > deadline {
            return Err("pong did not connect".into());
        }
        std::thread::yield_now();
    }
    let image = subscription
        .image_at_index(0)
        .ok_or("could not find image")?;
    let mut message = vec![0u8; args.length.max(8)];
    let recorder = Handler::new(PongRecorder {
        received: 0,
        histogram: Histogram::new_with_bounds(1, 10 * 1000 * 1000 * 1000, 3)?,
    });
    let assembler = Handler::new(AeronFragmentAssembler::new(Some(&recorder))?);

    println!(
        "Warming up the media driver with {} messages of length {} bytes",
        args.warmup, args.length
    );
    let start = Instant::now();
    send_ping_and_receive_pong(
        &publication,
        &image,
        &assembler,
        &recorder,
        &mut message,
        args.warmup,
        args.fragment_limit,
    )?;
    println!("Warm up complete in {}ns", start.elapsed().as_nanos());
    println!(
        "Pinging {} messages of length {} bytes",
        args.messages, args.length
    );
    // SAFETY (0.2.16 API): not inside a poll.
    unsafe { recorder.get_mut() }.histogram.reset();
    send_ping_and_receive_pong(
        &publication,
        &image,
        &assembler,
        &recorder,
        &mut message,
        args.messages,
        args.fragment_limit,
    )?;
    // SAFETY (0.2.16 API): not inside a poll.
    print_classic(&unsafe { recorder.get_mut() }.histogram);
    println!("Shutting down...");
    Ok(())
}
