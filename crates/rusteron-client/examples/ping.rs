//! Ping: sends `--count` messages on `--ping-channel` and waits for each echo from `pong` on
//! `--pong-channel`; prints round-trip percentiles. Works over IPC (`aeron:ipc`) and UDP.

#[path = "support/mod.rs"]
mod support;

use rusteron_client::*;
use std::time::{Duration, Instant};
use support::*;

/// Records that the echo arrived (a trait handler: no allocation per poll).
struct Echo {
    received: bool,
}

impl AeronFragmentHandlerCallback for Echo {
    fn handle_aeron_fragment_handler(&mut self, _msg: &[u8], _header: AeronHeader<'_>) {
        self.received = true;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let ping_channel: String = arg(
        "ping-channel",
        "aeron:udp?endpoint=127.0.0.1:20123".to_string(),
    );
    let pong_channel: String = arg(
        "pong-channel",
        "aeron:udp?endpoint=127.0.0.1:20124".to_string(),
    );
    let count: usize = arg("count", 1000);
    let c = connect()?;
    let publication = c
        .aeron
        .async_add_exclusive_publication(&ping_channel, 1002)?
        .poll_blocking(TIMEOUT)?;
    let subscription = c.aeron.add_subscription(&pong_channel, 1003, TIMEOUT)?;
    let start = Instant::now();
    while !(publication.is_connected() && subscription.is_connected()) {
        if start.elapsed() > Duration::from_secs(30) {
            return Err("pong is not connected".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut echo = Echo { received: false };
    let mut rtts = Vec::with_capacity(count);
    for i in 0..count {
        let sent = Instant::now();
        let payload = (i as u64).to_le_bytes();
        while publication.offer(&payload, Handlers::no_reserved_value_supplier_handler()) < 0 {
            std::hint::spin_loop();
        }
        echo.received = false;
        while !echo.received {
            subscription.poll(&mut echo, 1)?;
            if sent.elapsed() > Duration::from_secs(10) {
                return Err("pong timed out".into());
            }
        }
        rtts.push(sent.elapsed());
    }
    rtts.sort();
    let p = |q: f64| rtts[((rtts.len() as f64 - 1.0) * q) as usize];
    println!(
        "ping: {count} round trips, p50 {:?}, p99 {:?}, max {:?}",
        p(0.5),
        p(0.99),
        p(1.0)
    );
    Ok(())
}
