//! Zero-copy publishing with `try_claim`: the message is written straight into the log buffer.

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};
use support::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let count: u64 = arg("count", 100);
    let c = connect()?;
    let publication = c.aeron.add_publication("aeron:ipc", 1005, TIMEOUT)?;
    let subscription = c.aeron.add_subscription("aeron:ipc", 1005, TIMEOUT)?;
    while !publication.is_connected() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut sum = 0u64;
    let mut received = 0u64;
    let start = Instant::now();
    for i in 0..count {
        loop {
            match publication.try_claim(8) {
                Ok(mut claim) => {
                    claim.data().copy_from_slice(&i.to_le_bytes());
                    claim.commit()?; // an uncommitted claim would be aborted on drop
                    break;
                }
                Err(e) if e.kind().is_back_pressured_or_admin_action() => {
                    subscription.poll_once(
                        |m, _| {
                            sum += u64::from_le_bytes(m.try_into().unwrap());
                            received += 1;
                        },
                        10,
                    )?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    while received < count && start.elapsed() < Duration::from_secs(30) {
        subscription.poll_once(
            |m, _| {
                sum += u64::from_le_bytes(m.try_into().unwrap());
                received += 1;
            },
            10,
        )?;
    }
    println!("try_claim: {received} messages, checksum {sum}");
    if received != count || sum != count * count.saturating_sub(1) / 2 {
        return Err("wrong messages".into());
    }
    Ok(())
}
