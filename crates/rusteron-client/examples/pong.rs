//! Pong: echoes every message received on `--ping-channel` back on `--pong-channel`, `--count` times.

#[path = "support/mod.rs"]
mod support;

use rusteron_client::*;
use std::time::{Duration, Instant};
use support::*;

/// Echoes each fragment on the publication it holds.
struct Echo<'a> {
    publication: &'a AeronExclusivePublication,
    echoed: usize,
}

impl AeronFragmentHandlerCallback for Echo<'_> {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
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
    let subscription = c.aeron.add_subscription(&ping_channel, 1002, TIMEOUT)?;
    let publication = c
        .aeron
        .async_add_exclusive_publication(&pong_channel, 1003)?
        .poll_blocking(TIMEOUT)?;
    println!("pong: echoing {count} messages from {ping_channel} to {pong_channel}");
    let mut echo = Echo {
        publication: &publication,
        echoed: 0,
    };
    let mut last = Instant::now();
    while echo.echoed < count {
        let n = subscription.poll(&mut echo, 10)?;
        if n > 0 {
            last = Instant::now();
        } else if last.elapsed() > Duration::from_secs(30) {
            return Err(format!("pong: only {} messages echoed", echo.echoed).into());
        }
    }
    println!("pong: echoed {} messages", echo.echoed);
    // Let the last echo drain before closing.
    std::thread::sleep(Duration::from_millis(100));
    Ok(())
}
