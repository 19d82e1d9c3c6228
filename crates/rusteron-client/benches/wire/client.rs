//! Connecting to the external driver with the client defaults, as the C samples do.

use rusteron_client::{Aeron, AeronCError, AeronContext};

use crate::args::Args;

/// A started client on `--dir` (or Aeron's default directory).
pub fn connect(args: &Args) -> Result<Aeron, AeronCError> {
    let ctx = AeronContext::new()?;
    if let Some(dir) = &args.dir {
        ctx.set_dir(dir)?;
    }
    let aeron = Aeron::new(&ctx)?;
    aeron.start()?;
    Ok(aeron)
}

/// Spins like `aeron_idle_strategy_busy_spinning_idle`: a pause instruction when no work was done.
#[inline]
pub fn busy_spin_idle(work_count: i32) {
    if work_count <= 0 {
        std::hint::spin_loop();
    }
}

extern "C" {
    /// Aeron's busy-spin idle strategy (`aeron_agent.h`; not declared in `aeronc.h`, exported by the C
    /// client library that `aeron-sys` links).
    fn aeron_idle_strategy_busy_spinning_idle(
        state: *mut std::ffi::c_void,
        work_count: std::ffi::c_int,
    );
}

/// The C idle strategy itself, called where the C sample calls it (the publisher, on back pressure): under
/// `cargo xtask bench --callgrind` its calls count the back-pressured claims, since our commit is inline
/// and makes no call that would count the messages (xtask/src/bench/callgrind.rs).
pub fn c_busy_spin_idle(work_count: i32) {
    // SAFETY: the busy-spin strategy ignores its state pointer; a pause instruction when work_count <= 0.
    unsafe { aeron_idle_strategy_busy_spinning_idle(std::ptr::null_mut(), work_count) }
}

/// Idle polls in a row after which pong and subscriber give up (roughly a minute of spinning).
pub const IDLE_POLL_LIMIT: u64 = 1_000_000_000;
