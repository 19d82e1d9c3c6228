//! `try_claim_with`: claim, fill and commit in one call, with the claim never leaving the caller's frame.
//!
//! [`AeronPublication::try_claim`] returns an [`AeronBufferClaim`](crate::AeronBufferClaim) by value, so the
//! three words the C call wrote are read back and moved before `commit` reads them again: two store-to-load
//! forwards in a row on every message, about 13 % of a streaming publisher's rate on IPC
//! (docs/benchmarks.md). Here the `aeron_buffer_claim_t` stays where C wrote it until the commit, exactly as
//! in C code.

use std::mem::MaybeUninit;

use aeron_sys::*;

use crate::claim_ops;
use crate::{AeronExclusivePublication, AeronPublication};

/// Aborts the claim unless disarmed: an unwinding `fill` leaves padding, never a half-written message.
struct AbortOnUnwind<'a>(&'a mut aeron_buffer_claim_t);

impl Drop for AbortOnUnwind<'_> {
    #[cold]
    fn drop(&mut self) {
        // SAFETY: a claim returned by a successful try_claim and neither committed nor aborted yet (the
        // guard is forgotten after the commit).
        unsafe { aeron_buffer_claim_abort(self.0) };
    }
}

/// Runs `try_claim` into a local claim, then `fill` on its bytes, then commits; the result is the new
/// position or the negative publication result of `try_claim`.
///
/// # Safety
/// As [`claim_ops::claim`](crate::claim_ops::claim).
#[inline(always)]
unsafe fn claim_fill_commit(
    try_claim: impl FnOnce(*mut aeron_buffer_claim_t) -> i64,
    fill: impl FnOnce(&mut [u8]),
) -> i64 {
    let mut out = MaybeUninit::<aeron_buffer_claim_t>::uninit();
    let position = try_claim(out.as_mut_ptr());
    if position < 0 {
        return position;
    }
    // SAFETY: a non-negative result means C wrote all three fields (see claim_ops::claim); the claim stays
    // where C wrote it.
    let guard = AbortOnUnwind(unsafe { out.assume_init_mut() });
    // SAFETY: try_claim succeeded, so data/length describe claimed, writable log memory that nobody else
    // writes until the commit; the publication (borrowed by the caller) keeps the log mapped.
    fill(unsafe { std::slice::from_raw_parts_mut(guard.0.data, guard.0.length) });
    // SAFETY: the claim is live and uncommitted; forgetting the guard means it is committed exactly once.
    unsafe { claim_ops::commit(guard.0) };
    std::mem::forget(guard);
    position
}

impl AeronPublication {
    /// Claims `length` bytes in the log, lets `fill` write the message in place and commits it. Returns
    /// the new stream position, or the negative publication result (`AERON_PUBLICATION_BACK_PRESSURED`, …)
    /// like [`offer`](Self::offer), in which case `fill` is not called. If `fill` panics the claim is
    /// aborted (the space becomes padding) and the panic continues. Does not allocate.
    ///
    /// The zero-copy path at the C client's cost: unlike [`try_claim`](Self::try_claim) + commit, the claim
    /// is never moved between the C calls.
    #[inline]
    pub fn try_claim_with(&self, length: usize, fill: impl FnOnce(&mut [u8])) -> i64 {
        let ptr = self.as_raw();
        // SAFETY: live publication (borrowed); claim_fill_commit passes a valid out-struct.
        unsafe {
            claim_fill_commit(
                |claim| aeron_publication_try_claim(ptr, length, claim),
                fill,
            )
        }
    }
}

impl AeronExclusivePublication {
    /// Claims `length` bytes, lets `fill` write the message in place and commits it; see
    /// [`AeronPublication::try_claim_with`].
    #[inline]
    pub fn try_claim_with(&self, length: usize, fill: impl FnOnce(&mut [u8])) -> i64 {
        let ptr = self.writer();
        // SAFETY: live publication (borrowed; or null inside its own reserved-value supplier, which C
        // refuses); claim_fill_commit passes a valid out-struct.
        unsafe {
            claim_fill_commit(
                |claim| aeron_exclusive_publication_try_claim(ptr, length, claim),
                fill,
            )
        }
    }
}
