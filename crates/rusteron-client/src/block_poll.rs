//! Block polls with every block bounded by its term.
//!
//! C's block scan (`aeron_image_block_poll`) stops a block of data frames at the end of the term, but a
//! block that *starts* with a padding frame has that frame's `frame_length` as written in the log. A log
//! buffer is written by publishers and, for a network image, rebuilt by the driver from datagrams: a bogus
//! padding length (a hostile or corrupted datagram, a damaged file) would hand a handler a slice past the
//! term and past the mapping. The C block handler gets no term offset or length, so the trampoline here
//! carries the image being polled, and bounds a padding-led block by the room left in that image's term
//! (read on that cold path only: one load and a compare per block on the hot path).
//!
//! A subscription's block poll therefore walks the images itself (`aeron_subscription_for_each_image`,
//! one walk of the image list, as `aeron_subscription_block_poll` makes) and block-polls each image with
//! its own bound.

use std::ffi::c_void;

use aeron_sys::{
    aeron_image_block_poll, aeron_image_constants, aeron_image_constants_t, aeron_image_position,
    aeron_image_t,
};

use crate::generated::AeronBlockHandlerCallback;
use crate::log_data::{FRAME_TYPE_OFFSET, HDR_TYPE_PAD, MAX_TERM_LENGTH};

/// What a block trampoline needs: the user's handler and the image C is block-polling.
pub(crate) struct BlockPoll<'h, H> {
    handler: &'h mut H,
    image: *mut aeron_image_t,
    /// The block length limit of each image poll.
    limit: usize,
    /// Bytes consumed so far (subscription poll: the sum over its images).
    consumed: i64,
    /// The first negative result of an image poll, if any.
    failed: bool,
}

impl<'h, H: AeronBlockHandlerCallback> BlockPoll<'h, H> {
    /// A block poll of `limit` bytes per image, for `handler`. The limit is capped at the largest term
    /// length (which makes no difference to C's scan, which stops at the term's end): C adds it to the term
    /// offset and casts the sum to `int64_t` and then `int32_t` (`aeron_image_block_poll`), so a limit of
    /// 2^63 or more would become a scan limit past the term's end, letting the scan run into the next
    /// partition of the log and past the mapping.
    pub(crate) fn new(handler: &'h mut H, limit: usize) -> Self {
        Self {
            handler,
            image: std::ptr::null_mut(),
            limit: limit.min(MAX_TERM_LENGTH),
            consumed: 0,
            failed: false,
        }
    }

    /// Block-polls `image` once (`aeron_image_block_poll`) with this poll's bound trampoline; returns C's
    /// result.
    ///
    /// # Safety
    /// `image` must be a live image that no other thread polls during the call.
    #[inline(always)]
    pub(crate) unsafe fn poll_image(&mut self, image: *mut aeron_image_t) -> i32 {
        self.image = image;
        let limit = self.limit;
        // SAFETY: the caller's live image; `self` outlives the call and is only used by the trampoline
        // on this thread during it.
        unsafe {
            aeron_image_block_poll(
                image,
                Some(block_trampoline::<H>),
                self as *mut Self as *mut c_void,
                limit,
            )
        }
    }

    /// Bytes consumed by the image polls made through [`BlockPoll::each_image`], or `None` if one failed.
    pub(crate) fn consumed(&self) -> Option<i64> {
        (!self.failed).then_some(self.consumed)
    }

    /// The `aeron_subscription_for_each_image` callback: block-polls each image of the walk.
    ///
    /// # Safety
    /// `clientd` must be a live `BlockPoll<H>` used by nothing else during the walk; `image` is C's.
    pub(crate) unsafe extern "C" fn each_image(image: *mut aeron_image_t, clientd: *mut c_void) {
        // SAFETY: the caller's BlockPoll (see # Safety).
        let this = unsafe { &mut *(clientd as *mut Self) };
        // SAFETY: C passes a live image of the list it walks, referenced for this call; the subscription
        // is polled by this thread only (not Sync).
        let rc = unsafe { this.poll_image(image) };
        if rc < 0 {
            this.failed = true;
        } else {
            this.consumed += i64::from(rc);
        }
    }
}

/// The bound of a block that starts with a padding frame: the room left in the image's term at its
/// subscriber position (C advances that position only after the handler returns). Cold: once per term.
#[cold]
#[inline(never)]
fn padding_bound(image: *mut aeron_image_t, length: usize) -> usize {
    // SAFETY: zeroed is a valid aeron_image_constants_t (integers and nullable pointers); `image` is the
    // live image C is block-polling on this thread (BlockPoll::poll_image).
    let mut constants: aeron_image_constants_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { aeron_image_constants(image, &mut constants) } < 0 {
        return 0;
    }
    let term_length = constants.term_buffer_length;
    if !term_length.is_power_of_two() || term_length > MAX_TERM_LENGTH {
        return 0;
    }
    // SAFETY: as above.
    let position = unsafe { aeron_image_position(image) };
    let offset = (position as usize) & (term_length - 1);
    length.min(term_length - offset)
}

/// The `aeron_block_handler_t` of [`BlockPoll`]: a data-led block is C's, capped at the largest term
/// length (C stops it at the term's end; the cap guards a length computed from a negative `int32_t`); a
/// padding-led block is bounded by the room left in the image's term.
///
/// # Safety
/// `clientd` must be the live `BlockPoll<H>` of the `aeron_image_block_poll` call that invokes this, and
/// `buffer`/`length` what that call passes.
unsafe extern "C" fn block_trampoline<H: AeronBlockHandlerCallback>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    session_id: i32,
    term_id: i32,
) {
    crate::panic::catch((), || {
        // SAFETY: the BlockPoll of this call (see # Safety), used by nothing else meanwhile.
        let this = unsafe { &mut *(clientd as *mut BlockPoll<'_, H>) };
        // SAFETY: C calls the handler only for a block of at least one whole frame (a positive multiple of
        // 32 bytes) at `term_buffer + offset`, so the first header's type field is readable.
        let frame_type =
            unsafe { std::ptr::read_unaligned(buffer.add(FRAME_TYPE_OFFSET) as *const u16) };
        let len = if frame_type == HDR_TYPE_PAD {
            padding_bound(this.image, length)
        } else if length <= MAX_TERM_LENGTH {
            length
        } else {
            0
        };
        // SAFETY: `buffer` points into the mapped term at the image's subscriber position; a data-led
        // block lies inside the term (C's scan stops there, given the limit below 2^31 that
        // `BlockPoll::new` ensures), a padding-led one was just bounded by the term's end.
        let bytes = unsafe { std::slice::from_raw_parts(buffer, len) };
        this.handler
            .handle_aeron_block_handler(bytes, session_id, term_id)
    })
}
