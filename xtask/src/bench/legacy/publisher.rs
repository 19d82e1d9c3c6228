//! `publisher` with rusteron-client 0.2.16: the counterpart of `streaming_exclusive_publisher.c`.

use std::time::{Duration, Instant};

use crate::args::Args;
use crate::client::{busy_spin_idle, c, connect};

pub fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "Streaming {} messages of payload length {} bytes to {} on stream id {}",
        args.messages, args.length, args.channel, args.stream
    );
    let aeron = connect(args)?;
    let publication = aeron
        .async_add_exclusive_publication(&c(&args.channel), args.stream)?
        .poll_blocking(Duration::from_secs(10))?;
    let length = args.length.max(8);
    let (mut back_pressure, mut sent) = (0u64, 0u64);
    let start = Instant::now();
    let mut i = 0u64;
    while i < args.messages {
        match publication.try_claim_owned(length) {
            Ok(mut claim) => {
                claim.data()[..8].copy_from_slice(&i.to_le_bytes());
                claim.commit()?;
                sent += 1;
                i += 1;
            }
            Err(e) if e.is_retryable() => {
                back_pressure += 1;
                busy_spin_idle(0);
            }
            Err(e) => return Err(format!("try_claim: {e:?}").into()),
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
