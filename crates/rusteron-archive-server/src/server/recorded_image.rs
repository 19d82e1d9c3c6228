//! [`RecordedImage`]: an image of a recording subscription, handed by the conductor (which owns the
//! subscription, as Java's `ArchiveConductor` does) to the recorder (which alone polls it, as Java's
//! `RecordingSession` does on the recorder thread).
//!
//! `rusteron_client::AeronImage` borrows its subscription and is not `Send`, because in general a
//! subscription's owner may poll the same image. Here the archive guarantees what the general API cannot:
//! the conductor never polls a recording subscription (it only adds and removes destinations and reads
//! image positions for replication), so the recorder is the one poller of the images it is given. The
//! reference the client took for the image is kept until this value drops, so the image's memory stays
//! mapped even after the subscription closed (polls then return 0 and the image reports closed).

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use rusteron_client::bindings::{
    aeron_image_block_poll, aeron_image_is_closed, aeron_image_is_end_of_stream,
    aeron_image_release, aeron_image_t,
};
use rusteron_client::{Aeron, AeronImage};

/// One image being recorded: polled by the recorder only; released when dropped.
pub(crate) struct RecordedImage {
    ptr: *mut aeron_image_t,
    /// Keeps the client (and so the image's mapping) alive until the reference is released.
    _aeron: Aeron,
}

// SAFETY: the image is polled by one thread at a time (the recorder, which owns this value; the conductor
// never polls recording subscriptions, see the module docs). The C image's position and closed/EOS flags
// are atomics, its reference count is atomic, and the client it belongs to is kept alive by `_aeron`.
unsafe impl Send for RecordedImage {}

impl RecordedImage {
    /// Takes over the reference `image` holds (retained by `image_by_session_id`/`image_at_index`).
    pub fn take(image: AeronImage<'_>, aeron: &Aeron) -> RecordedImage {
        let ptr = image.as_raw();
        // The reference `image` took is now ours, released by our Drop instead of its own.
        std::mem::forget(image);
        RecordedImage {
            ptr,
            _aeron: aeron.clone(),
        }
    }

    /// Block poll: `handler` gets each contiguous block of whole frames (at most `limit` bytes, never
    /// across a term). Returns the number of bytes consumed (0 when nothing was available or the handler
    /// panicked; a panic is reported as `Err`).
    #[inline]
    pub fn block_poll<H: FnMut(&[u8])>(
        &mut self,
        handler: &mut H,
        limit: usize,
    ) -> Result<usize, &'static str> {
        let mut call = BlockCall {
            handler,
            panicked: false,
        };
        // SAFETY: `ptr` is a live image (we hold a reference), polled only by this thread (`&mut self`);
        // the callback gets `call` as clientd, alive for the duration of this call, and never unwinds.
        let n = unsafe {
            aeron_image_block_poll(
                self.ptr,
                Some(block_trampoline::<H>),
                &mut call as *mut BlockCall<'_, H> as *mut c_void,
                limit,
            )
        };
        if call.panicked {
            return Err("the recording block handler panicked");
        }
        Ok(n.max(0) as usize)
    }

    /// The image was closed (its publisher went away or the subscription closed).
    pub fn is_closed(&self) -> bool {
        // SAFETY: live image (we hold a reference); an atomic read.
        unsafe { aeron_image_is_closed(self.ptr) }
    }

    /// The image reached its end of stream.
    pub fn is_end_of_stream(&self) -> bool {
        // SAFETY: live image (we hold a reference); atomic reads.
        unsafe { aeron_image_is_end_of_stream(self.ptr) }
    }
}

impl Drop for RecordedImage {
    fn drop(&mut self) {
        // SAFETY: the one reference this value owns, released once; the client is still alive (`_aeron`).
        unsafe { aeron_image_release(self.ptr) };
    }
}

struct BlockCall<'a, H> {
    handler: &'a mut H,
    panicked: bool,
}

unsafe extern "C" fn block_trampoline<H: FnMut(&[u8])>(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    _session_id: i32,
    _term_id: i32,
) {
    // SAFETY: clientd is the `BlockCall` passed by `block_poll`, exclusively ours during the callback.
    let call = unsafe { &mut *(clientd as *mut BlockCall<'_, H>) };
    if call.panicked || buffer.is_null() {
        return;
    }
    // SAFETY: C gives `length` readable bytes of the term buffer at `buffer`, for the duration of the call.
    let block = unsafe { std::slice::from_raw_parts(buffer, length) };
    if catch_unwind(AssertUnwindSafe(|| (call.handler)(block))).is_err() {
        call.panicked = true;
    }
}
