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

/// Idle polls in a row after which pong and subscriber give up (roughly a minute of spinning).
pub const IDLE_POLL_LIMIT: u64 = 1_000_000_000;
