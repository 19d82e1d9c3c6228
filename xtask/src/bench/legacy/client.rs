//! Connecting with rusteron-client 0.2.16 to the external driver, with the client defaults.
//! (Written by `cargo xtask bench` into a throw-away workspace; see docs/benchmarks.md.)

use rusteron_client::{Aeron, AeronCError, AeronContext};
use std::ffi::CString;

use crate::args::Args;

/// A started client on `--dir` (or Aeron's default directory).
pub fn connect(args: &Args) -> Result<Aeron, AeronCError> {
    let ctx = AeronContext::new()?;
    if let Some(dir) = &args.dir {
        let dir = CString::new(dir.as_str()).expect("no NUL in the directory");
        ctx.set_dir(&dir)?;
    }
    let aeron = Aeron::new(&ctx)?;
    aeron.start()?;
    Ok(aeron)
}

/// A channel as the C string this version takes.
pub fn c(channel: &str) -> CString {
    CString::new(channel).expect("no NUL in the channel")
}

/// Spins like `aeron_idle_strategy_busy_spinning_idle`: a pause instruction when no work was done.
#[inline]
pub fn busy_spin_idle(work_count: i32) {
    if work_count <= 0 {
        std::hint::spin_loop();
    }
}

/// Idle polls in a row after which pong and subscriber give up (roughly a minute of spinning).
pub const IDLE_POLL_LIMIT: u64 = 1_000_000_000;

/// Aeron's monotonic clock in nanoseconds, as `cping.c` reads it (`aeron_nano_clock`).
#[inline]
pub fn nano_clock() -> u64 {
    // SAFETY: aeron_nano_clock takes no arguments and only reads the monotonic clock.
    unsafe { rusteron_client::bindings::aeron_nano_clock() as u64 }
}
