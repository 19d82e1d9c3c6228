//! `ping`: the counterpart of Aeron's `cping.c` (same structure, same calls, through our safe API).

use hdrhistogram::Histogram;
use rusteron_client::*;
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::client::{busy_spin_idle, connect};
use crate::histogram::print_classic;

/// Records each echo's round trip; the send time travels in the first 8 bytes of the message.
struct PongRecorder {
    received: u64,
    histogram: Histogram<u64>,
}

impl AeronFragmentHandlerCallback for PongRecorder {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
        self.received += 1;
        let end = nano_clock() as u64;
        let mut start = [0u8; 8];
        start.copy_from_slice(&msg[..8]);
        // Out-of-range values are dropped, as `hdr_record_value` does.
        let _ = self
            .histogram
            .record(end.saturating_sub(u64::from_le_bytes(start)));
    }
}

/// Sends `count` pings, each after the previous echo arrived (`send_ping_and_receive_pong` in cping.c).
fn send_ping_and_receive_pong(
    publication: &AeronExclusivePublication,
    image: &AeronImage<'_>,
    assembler: &mut AeronImageFragmentAssembler<PongRecorder>,
    message: &mut [u8],
    count: u64,
    fragment_limit: usize,
) -> Result<(), AeronCError> {
    assembler.delegate().received = 0;
    for i in 0..count {
        loop {
            let now = nano_clock() as u64;
            message[..8].copy_from_slice(&now.to_le_bytes());
            if publication.offer(message, Handlers::no_reserved_value_supplier_handler()) >= 0 {
                break;
            }
        }
        while assembler.delegate().received < i + 1 {
            busy_spin_idle(assembler.poll_image(image, fragment_limit)?);
        }
    }
    Ok(())
}

/// Runs ping: warm-up, reset, measured run, then the percentile distribution in microseconds.
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
    let subscription = aeron.add_subscription(&args.pong_channel, args.pong_stream, timeout)?;
    let publication = aeron.add_exclusive_publication(&args.channel, args.stream, timeout)?;
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
    let recorder = PongRecorder {
        received: 0,
        histogram: Histogram::new_with_bounds(1, 10 * 1000 * 1000 * 1000, 3)?,
    };
    let mut assembler = AeronImageFragmentAssembler::new(recorder)?;

    println!(
        "Warming up the media driver with {} messages of length {} bytes",
        args.warmup, args.length
    );
    let start = Instant::now();
    send_ping_and_receive_pong(
        &publication,
        &image,
        &mut assembler,
        &mut message,
        args.warmup,
        args.fragment_limit,
    )?;
    println!("Warm up complete in {}ns", start.elapsed().as_nanos());
    println!(
        "Pinging {} messages of length {} bytes",
        args.messages, args.length
    );
    assembler.delegate().histogram.reset();
    send_ping_and_receive_pong(
        &publication,
        &image,
        &mut assembler,
        &mut message,
        args.messages,
        args.fragment_limit,
    )?;
    print_classic(&assembler.delegate().histogram);
    println!("Shutting down...");
    Ok(())
}
