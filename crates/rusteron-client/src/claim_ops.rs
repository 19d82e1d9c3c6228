//! The two halves of a zero-copy claim shared by `try_claim` and `try_claim_with`: running C's `try_claim`
//! into an out-struct and reading it back, and committing the claimed frame.

use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicI32, Ordering};

use aeron_sys::aeron_buffer_claim_t;

use crate::log_data::HEADER_LENGTH;

/// Runs a C `try_claim` call into an uninitialised out-struct (as C code declares it) and returns its
/// result, with the claim when the result is a position (`>= 0`).
///
/// The claim is copied one 8-byte field at a time: C fills the out-struct with three 8-byte stores; a
/// plain struct copy lets LLVM reload it with 16-byte vector loads, which cannot be forwarded from those
/// stores and stall the pipeline on every `try_claim` (half of the publisher's time in a streaming loop;
/// see docs/benchmarks.md). Volatile reads stay scalar.
///
/// # Safety
/// `try_claim` must be `aeron_publication_try_claim` or `aeron_exclusive_publication_try_claim` of a live
/// (or null) publication, with the out-pointer it is given.
#[inline(always)]
pub(crate) unsafe fn claim(
    try_claim: impl FnOnce(*mut aeron_buffer_claim_t) -> i64,
) -> (i64, Option<aeron_buffer_claim_t>) {
    let mut out = MaybeUninit::<aeron_buffer_claim_t>::uninit();
    let position = try_claim(out.as_mut_ptr());
    if position < 0 {
        return (position, None);
    }
    let p = out.as_ptr();
    // SAFETY: a non-negative result means C's claim path wrote all three fields (Aeron 1.54: `aeron_claim`
    // in aeron_exclusive_publication.c, `aeron_publication_claim` in aeron_publication.c; every other path,
    // including the end of a term, returns a negative code without touching the out-struct).
    let claim = unsafe {
        aeron_buffer_claim_t {
            frame_header: std::ptr::read_volatile(&raw const (*p).frame_header),
            data: std::ptr::read_volatile(&raw const (*p).data),
            length: std::ptr::read_volatile(&raw const (*p).length),
        }
    };
    (position, Some(claim))
}

/// Publishes a claimed frame: what `aeron_buffer_claim_commit` does (Aeron 1.54, aeron_publication.c, as
/// the Java and C++ clients' `BufferClaim.commit`), inline: a release store of the frame length
/// (`length + 32`) into the frame header's first word, which subscribers read with acquire. Without the
/// call C's version needs (and its null checks, which a claim from a successful `try_claim` never hits),
/// committing costs one add and one store.
///
/// # Safety
/// `claim` must come from a successful `try_claim` ([`claim`]) and be neither committed nor aborted.
#[inline(always)]
pub(crate) unsafe fn commit(claim: &aeron_buffer_claim_t) {
    // C's max_payload_length check in try_claim bounds `length` well below i32::MAX - 32.
    let frame_length = (claim.length + HEADER_LENGTH) as i32;
    // SAFETY: `frame_header` points at the claimed frame's 32-byte header inside the mapped term, which the
    // publication (borrowed by the claim's owner) keeps mapped; frames start at 32-byte aligned term
    // offsets of a page-aligned mapping, so the i32 is aligned. The claimed frame is ours until this store
    // publishes it; every other access to its `frame_length` is an atomic (acquire) load by a reader.
    unsafe { AtomicI32::from_ptr(claim.frame_header as *mut i32) }
        .store(frame_length, Ordering::Release);
}
