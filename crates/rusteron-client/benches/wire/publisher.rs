//! `publisher`: the counterpart of Aeron's `streaming_exclusive_publisher.c` (`try_claim_with`: claim, fill, commit).

use rusteron_client::*;
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::client::{c_busy_spin_idle, connect};

/// Streams `messages` messages as fast as the subscriber takes them and prints the rate like the C sample.
pub fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "Streaming {} messages of payload length {} bytes to {} on stream id {}",
        args.messages, args.length, args.channel, args.stream
    );
    let aeron = connect(args)?;
    let publication =
        aeron.add_exclusive_publication(&args.channel, args.stream, Duration::from_secs(10))?;
    let length = args.length.max(8);
    let (mut back_pressure, mut sent) = (0u64, 0u64);
    let start = Instant::now();
    let mut i = 0u64;
    while i < args.messages {
        // try_claim_with: claim, write the sequence number in place, commit (the claim never moves).
        let result =
            publication.try_claim_with(length, |buf| buf[..8].copy_from_slice(&i.to_le_bytes()));
        if result > 0 {
            sent += 1;
            i += 1;
        } else if result == AERON_PUBLICATION_ERROR {
            return Err(AeronCError::from_code(result as i32).into());
        } else {
            back_pressure += 1;
            c_busy_spin_idle(0);
        }
    }
    let ns = start.elapsed().as_nanos() as f64;
    println!("Done sending.");
    println!(
        "Publisher back pressure ratio {}",
        back_pressure as f64 / sent as f64
    );
    println!(
        "Total: {}ms, {:.1} msgs/sec, {:.1} bytes/sec, totals {} messages {} MB payloads",
        (ns / 1e6) as u64,
        args.messages as f64 * 1e9 / ns,
        (args.messages * length as u64) as f64 * 1e9 / ns,
        args.messages,
        args.messages * length as u64 / (1024 * 1024)
    );
    Ok(())
}
