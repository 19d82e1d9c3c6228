//! [`AeronArchiveReplayMerge`]: replay a recording into a multi-destination subscription and merge it with
//! the live stream.

use std::ffi::c_void;

use rusteron_client::bindings::*;
use rusteron_client::{
    AeronCError, AeronFragmentHandlerCallback, AeronFragmentHandlerClosure, AeronHeader,
    AeronSubscription,
};

use crate::generated::handlers::archive_aeron_fragment_handler_trampoline;
use crate::util::{check, cstring};
use crate::AeronArchive;

/// A replay merging into a live stream (`aeron_archive_replay_merge_t`).
///
/// Borrows the archive (which sends the replay requests) and the subscription (a multi-destination
/// subscription with `control-mode=manual`, polled through [`poll`](Self::poll) only) for its lifetime.
/// Dropping it closes the merge: it stops the replay if still running and removes the replay destination.
/// Neither `Send` nor `Sync` (it borrows the `!Sync` archive).
pub struct AeronArchiveReplayMerge<'a> {
    ptr: *mut aeron_archive_replay_merge_t,
    archive: &'a AeronArchive,
    subscription: &'a AeronSubscription,
}

impl Drop for AeronArchiveReplayMerge<'_> {
    fn drop(&mut self) {
        // SAFETY: ptr came from aeron_archive_replay_merge_init and is closed once; the archive and the
        // subscription it uses are borrowed for our lifetime, so still alive.
        crate::panic::call_in_drop(|| unsafe { aeron_archive_replay_merge_close(self.ptr) });
    }
}

impl std::fmt::Debug for AeronArchiveReplayMerge<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchiveReplayMerge")
            .field("is_merged", &self.is_merged())
            .field("has_failed", &self.has_failed())
            .finish()
    }
}

impl<'a> AeronArchiveReplayMerge<'a> {
    /// Starts a merge (`aeron_archive_replay_merge_init`) of `recording_id` from `start_position`: the
    /// replay is sent to `replay_channel` and received on the `replay_destination` of `subscription`, which
    /// later adds `live_destination` and drops the replay once caught up. `epoch_clock_ms` is the current
    /// time in ms since the epoch; `merge_progress_timeout_ms` how long the merge may stall
    /// (`REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        subscription: &'a AeronSubscription,
        archive: &'a AeronArchive,
        replay_channel: &str,
        replay_destination: &str,
        live_destination: &str,
        recording_id: i64,
        start_position: i64,
        epoch_clock_ms: i64,
        merge_progress_timeout_ms: i64,
    ) -> Result<Self, AeronCError> {
        let replay_channel = cstring(replay_channel)?;
        let replay_destination = cstring(replay_destination)?;
        let live_destination = cstring(live_destination)?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: valid out-pointer; the subscription and archive are live and borrowed for the merge's
        // lifetime; C copies the strings.
        check(archive.enter(|| unsafe {
            aeron_archive_replay_merge_init(
                &mut ptr,
                subscription.as_raw(),
                archive.ptr(),
                replay_channel.as_ptr(),
                replay_destination.as_ptr(),
                live_destination.as_ptr(),
                recording_id,
                start_position,
                epoch_clock_ms as std::ffi::c_longlong,
                merge_progress_timeout_ms,
            )
        })?)?;
        Ok(AeronArchiveReplayMerge {
            ptr,
            archive,
            subscription,
        })
    }

    pub(crate) fn ptr(&self) -> *mut aeron_archive_replay_merge_t {
        self.ptr
    }

    /// The archive the merge uses.
    pub fn archive(&self) -> &'a AeronArchive {
        self.archive
    }

    /// The subscription the merge polls.
    pub fn subscription(&self) -> &'a AeronSubscription {
        self.subscription
    }

    /// Runs a C call of this merge that may use its archive (and so run the archive's handlers) with the
    /// archive marked busy: refused with `ReentrantCall` from inside a handler of a call of that archive.
    #[inline]
    pub(crate) fn enter<R>(&self, f: impl FnOnce() -> R) -> Result<R, AeronCError> {
        self.archive.enter(f)
    }

    /// Does merge work, then polls up to `fragment_limit` fragments (none if negative) into `handler`;
    /// returns the number of fragments read. This is `aeron_archive_replay_merge_poll` in two steps: the
    /// merge work (`aeron_archive_replay_merge_do_work`, which sends archive commands and so runs the
    /// archive's handlers) with the archive marked busy, refused with `ReentrantCall` from inside a
    /// handler of a call of that archive; then the poll of the merge's image (`aeron_image_poll`), during
    /// which `handler` may use the archive. A handler panic is resumed once the C poll has returned.
    pub fn poll<H: AeronFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        fragment_limit: i32,
    ) -> Result<i32, AeronCError> {
        let mut work_count = 0;
        // SAFETY: live merge, valid out-pointer; its archive is marked busy for the call.
        check(
            self.enter(|| unsafe {
                aeron_archive_replay_merge_do_work(&mut work_count, self.ptr)
            })?,
        )?;
        // SAFETY: live merge.
        let image = unsafe { aeron_archive_replay_merge_image(self.ptr) };
        if image.is_null() {
            return Ok(0);
        }
        // SAFETY: the merge's image, which C retained when it found it (`aeron_subscription_image_by_session_id`)
        // and never releases while the merge lives (borrowed here); polled on the thread of the subscription
        // it belongs to (borrowed, not Sync). The trampoline matches `H`, which outlives the call.
        check(crate::panic::call(|| unsafe {
            aeron_image_poll(
                image,
                Some(archive_aeron_fragment_handler_trampoline::<H>),
                handler as *mut H as *mut c_void,
                fragment_limit.max(0) as usize,
            )
        }))
    }

    /// [`poll`](Self::poll) with a closure.
    pub fn poll_once<F: FnMut(&[u8], AeronHeader<'_>)>(
        &self,
        f: F,
        fragment_limit: i32,
    ) -> Result<i32, AeronCError> {
        self.poll(&mut AeronFragmentHandlerClosure::new(f), fragment_limit)
    }
}
