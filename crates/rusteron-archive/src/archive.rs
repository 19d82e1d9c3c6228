//! [`AeronArchive`]: a connected archive client, and its hand-written operations (listings with
//! descriptor callbacks, replays, replication, recorded publications, error polling).

use std::cell::Cell;
use std::ffi::c_char;

use rusteron_client::bindings::*;
use rusteron_client::{
    Aeron, AeronCError, AeronExclusivePublication, AeronPublication, AeronSubscription,
    ArchiveClientErrorCode,
};

use crate::context::ContextClaim;
use crate::generated::handlers::{
    aeron_archive_recording_descriptor_consumer_func_trampoline,
    aeron_archive_recording_subscription_descriptor_consumer_func_trampoline,
};
use crate::reentry::Busy;
use crate::util::{check, cstring};
use crate::{
    AeronArchiveContext, AeronArchiveRecordingDescriptor,
    AeronArchiveRecordingDescriptorConsumerFuncCallback,
    AeronArchiveRecordingDescriptorConsumerFuncClosure,
    AeronArchiveRecordingSubscriptionDescriptor,
    AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback,
    AeronArchiveRecordingSubscriptionDescriptorConsumerFuncClosure, AeronArchiveReplayParams,
    AeronArchiveReplicationParams,
};

/// A connected archive client (`aeron_archive_t`).
///
/// `Send` but not `Sync`: the C archive client is driven by one thread at a time (a connection has a single
/// response stream, and handlers run on the calling thread). It holds a clone of its [`Aeron`] client and
/// of its [`AeronArchiveContext`] (with the handlers set on it), so both outlive it whatever the user drops
/// first. Dropping it closes the connection (`aeron_archive_close`); subscriptions and publications it
/// returned ([`replay`](Self::replay), [`add_recorded_publication`](Self::add_recorded_publication)) hold the
/// client themselves and stay usable.
///
/// Methods take `&self`. Handlers of the context (recording signal consumer, error handler, idle strategy,
/// delegating invoker) and descriptor consumers run on the calling thread during the call; a panic in one
/// of them is resumed when the C call has returned. A command called from inside one of these handlers of
/// this archive (or of a [`AeronArchiveReplayMerge`](crate::AeronArchiveReplayMerge) using it) is refused
/// with the C client's re-entrant call error, kind `ArchiveClient(ReentrantCall)`
/// ([`ArchiveClientErrorCode`](rusteron_client::ArchiveClientErrorCode)): C refuses it only inside
/// descriptor consumers, this wrapper in every handler, since a nested command would poll the control
/// response stream from inside that stream's own poll (docs/safety.md). Once the archive's responses
/// stopped, calls fail with `NotConnected`, then `IllegalState`: drop the archive and connect again.
pub struct AeronArchive {
    ptr: *mut aeron_archive_t,
    aeron: Aeron,
    /// True while a C call of this archive that may run its handlers is in progress.
    busy: Cell<bool>,
    // Keeps the context (and its handlers, which the C archive's context duplicate points at) alive and
    // marked in use until after `aeron_archive_close`.
    claim: ContextClaim,
}

// SAFETY: the C archive client keeps no thread-affine state (it guards its state with its own mutex and
// uses the thread-local error only within each call); the handlers it calls are `Send`. Not `Sync`: one
// thread at a time (no `Sync` impl; the raw pointer and the `busy` cell make it !Sync).
unsafe impl Send for AeronArchive {}

impl Drop for AeronArchive {
    fn drop(&mut self) {
        // SAFETY: ptr came from a successful connect and is closed once. The client and the context it points
        // at are still alive: the fields are dropped after this.
        crate::panic::call_in_drop(|| unsafe { aeron_archive_close(self.ptr) });
    }
}

impl std::fmt::Debug for AeronArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchive")
            .field("archive_id", &self.get_archive_id())
            .field("control_session_id", &self.control_session_id())
            .finish()
    }
}

/// The trampoline for descriptor consumers of type `H`.
fn descriptor_fn<H: AeronArchiveRecordingDescriptorConsumerFuncCallback>(
    _: &H,
) -> aeron_archive_recording_descriptor_consumer_func_t {
    Some(aeron_archive_recording_descriptor_consumer_func_trampoline::<H>)
}

/// The trampoline for subscription descriptor consumers of type `H`.
fn subscription_descriptor_fn<
    H: AeronArchiveRecordingSubscriptionDescriptorConsumerFuncCallback,
>(
    _: &H,
) -> aeron_archive_recording_subscription_descriptor_consumer_func_t {
    Some(aeron_archive_recording_subscription_descriptor_consumer_func_trampoline::<H>)
}

/// Adapts a descriptor closure to the generated trampoline.
macro_rules! consumer {
    ($closure:ident, $f:expr) => {
        $closure::new($f)
    };
}

impl AeronArchive {
    pub(crate) fn from_parts(ptr: *mut aeron_archive_t, aeron: Aeron, claim: ContextClaim) -> Self {
        AeronArchive {
            ptr,
            aeron,
            claim,
            busy: Cell::new(false),
        }
    }

    /// Runs a C call of this archive that may call its handlers, with the `busy` flag set; refuses with the
    /// C client's re-entrant call error (`ArchiveClient(ReentrantCall)`, -2000) when called from inside such a
    /// call (a handler calling back). The flag is cleared
    /// also when a handler panic is resumed.
    #[inline]
    pub(crate) fn enter<R>(&self, f: impl FnOnce() -> R) -> Result<R, AeronCError> {
        let _busy = Busy::enter_or(&self.busy, || {
            AeronCError::with_message(
                -ArchiveClientErrorCode::ReentrantCall.client_code(),
                "reentrant calls not permitted during callbacks: a handler of a call of this archive called it",
            )
        })?;
        Ok(crate::panic::call(f))
    }

    pub(crate) fn ptr(&self) -> *mut aeron_archive_t {
        self.ptr
    }

    /// The raw archive client, for code layered on this crate.
    ///
    /// # Safety
    /// Valid while this archive lives. The caller must not close it, must use it from the thread that
    /// owns this `AeronArchive`, and must not take ownership of anything it holds (`get_and_own_*`).
    pub unsafe fn as_raw(&self) -> *mut aeron_archive_t {
        self.ptr
    }

    /// The client this archive uses.
    pub fn aeron(&self) -> &Aeron {
        &self.aeron
    }

    /// The context this archive was connected with.
    pub fn context(&self) -> &AeronArchiveContext {
        &self.claim.ctx
    }

    /// Lists up to `record_count` recording descriptors from `from_recording_id` on
    /// (`aeron_archive_list_recordings`), calling `consumer` for each. Returns how many were listed.
    pub fn list_recordings(
        &self,
        from_recording_id: i64,
        record_count: i32,
        consumer: impl FnMut(&AeronArchiveRecordingDescriptor),
    ) -> Result<i32, AeronCError> {
        let mut h = consumer!(AeronArchiveRecordingDescriptorConsumerFuncClosure, consumer);
        let mut count = 0;
        // SAFETY: live archive; the trampoline matches the closure's type and the closure outlives the call
        // (C only calls it during it).
        check(self.enter(|| unsafe {
            aeron_archive_list_recordings(
                &mut count,
                self.ptr,
                from_recording_id,
                record_count,
                descriptor_fn(&h),
                &mut h as *mut _ as *mut std::ffi::c_void,
            )
        })?)?;
        Ok(count)
    }

    /// Lists up to `record_count` recordings from `from_recording_id` on whose original channel contains
    /// `channel_fragment` and whose stream id is `stream_id` (`aeron_archive_list_recordings_for_uri`).
    pub fn list_recordings_for_uri(
        &self,
        from_recording_id: i64,
        record_count: i32,
        channel_fragment: &str,
        stream_id: i32,
        consumer: impl FnMut(&AeronArchiveRecordingDescriptor),
    ) -> Result<i32, AeronCError> {
        let fragment = cstring(channel_fragment)?;
        let mut h = consumer!(AeronArchiveRecordingDescriptorConsumerFuncClosure, consumer);
        let mut count = 0;
        // SAFETY: as in `list_recordings`; the string outlives the call.
        check(self.enter(|| unsafe {
            aeron_archive_list_recordings_for_uri(
                &mut count,
                self.ptr,
                from_recording_id,
                record_count,
                fragment.as_ptr(),
                stream_id,
                descriptor_fn(&h),
                &mut h as *mut _ as *mut std::ffi::c_void,
            )
        })?)?;
        Ok(count)
    }

    /// Lists the descriptor of `recording_id` (`aeron_archive_list_recording`); returns 1 if found, 0 if
    /// not.
    pub fn list_recording(
        &self,
        recording_id: i64,
        consumer: impl FnMut(&AeronArchiveRecordingDescriptor),
    ) -> Result<i32, AeronCError> {
        let mut h = consumer!(AeronArchiveRecordingDescriptorConsumerFuncClosure, consumer);
        let mut count = 0;
        // SAFETY: as in `list_recordings`.
        check(self.enter(|| unsafe {
            aeron_archive_list_recording(
                &mut count,
                self.ptr,
                recording_id,
                descriptor_fn(&h),
                &mut h as *mut _ as *mut std::ffi::c_void,
            )
        })?)?;
        Ok(count)
    }

    /// The descriptor of `recording_id`, if the archive knows it (a convenience over
    /// [`list_recording`](Self::list_recording)).
    pub fn recording_descriptor(
        &self,
        recording_id: i64,
    ) -> Result<Option<AeronArchiveRecordingDescriptor>, AeronCError> {
        let mut found = None;
        self.list_recording(recording_id, |d| found = Some(d.clone()))?;
        Ok(found)
    }

    /// Lists active recording subscriptions (`aeron_archive_list_recording_subscriptions`): from
    /// `pseudo_index`, at most `subscription_count`, whose channel contains `channel_fragment` (and whose
    /// stream id is `stream_id` if `apply_stream_id`).
    #[allow(clippy::too_many_arguments)]
    pub fn list_recording_subscriptions(
        &self,
        pseudo_index: i32,
        subscription_count: i32,
        channel_fragment: &str,
        stream_id: i32,
        apply_stream_id: bool,
        consumer: impl FnMut(&AeronArchiveRecordingSubscriptionDescriptor),
    ) -> Result<i32, AeronCError> {
        let fragment = cstring(channel_fragment)?;
        let mut h = consumer!(
            AeronArchiveRecordingSubscriptionDescriptorConsumerFuncClosure,
            consumer
        );
        let mut count = 0;
        // SAFETY: as in `list_recordings`.
        check(self.enter(|| unsafe {
            aeron_archive_list_recording_subscriptions(
                &mut count,
                self.ptr,
                pseudo_index,
                subscription_count,
                fragment.as_ptr(),
                stream_id,
                apply_stream_id,
                subscription_descriptor_fn(&h),
                &mut h as *mut _ as *mut std::ffi::c_void,
            )
        })?)?;
        Ok(count)
    }

    /// Starts a replay of `recording_id` to `replay_channel` / `replay_stream_id`
    /// (`aeron_archive_start_replay`) and returns the replay session id. Its lower 32 bits are the session id
    /// of the replayed image (subscribe with `session-id=<that>`); all 64 bits identify the replay for
    /// [`stop_replay`](Self::stop_replay). A `params.bounding_limit_counter_id` makes it a bounded replay.
    pub fn start_replay(
        &self,
        recording_id: i64,
        replay_channel: &str,
        replay_stream_id: i32,
        params: &AeronArchiveReplayParams,
    ) -> Result<i64, AeronCError> {
        let channel = cstring(replay_channel)?;
        let mut raw = params.to_raw();
        let mut id = 0;
        // SAFETY: live archive, valid out-pointer, params and string outlive the call.
        check(self.enter(|| unsafe {
            aeron_archive_start_replay(
                &mut id,
                self.ptr,
                recording_id,
                channel.as_ptr(),
                replay_stream_id,
                &mut raw,
            )
        })?)?;
        Ok(id)
    }

    /// Starts a replay and subscribes to it (`aeron_archive_replay`): the returned subscription receives
    /// only the replay's session. It holds the client, so it outlives this archive if kept.
    pub fn replay(
        &self,
        recording_id: i64,
        replay_channel: &str,
        replay_stream_id: i32,
        params: &AeronArchiveReplayParams,
    ) -> Result<AeronSubscription, AeronCError> {
        let channel = cstring(replay_channel)?;
        let mut raw = params.to_raw();
        let mut sub = std::ptr::null_mut();
        // SAFETY: live archive, valid out-pointer, params and string outlive the call.
        check(self.enter(|| unsafe {
            aeron_archive_replay(
                &mut sub,
                self.ptr,
                recording_id,
                channel.as_ptr(),
                replay_stream_id,
                &mut raw,
            )
        })?)?;
        // SAFETY: C added the subscription on our client without image handlers and hands it over.
        Ok(unsafe { AeronSubscription::from_raw(&self.aeron, sub) })
    }

    /// Replicates `src_recording_id` of the archive at `src_control_channel` / `src_control_stream_id` into
    /// the archive this client is connected to (`aeron_archive_replicate`); returns the replication id.
    /// Errors of the replication itself arrive later as error responses (see
    /// [`poll_for_error_response_as_string`](Self::poll_for_error_response_as_string)) and recording signals.
    pub fn replicate(
        &self,
        src_recording_id: i64,
        src_control_channel: &str,
        src_control_stream_id: i32,
        params: &AeronArchiveReplicationParams,
    ) -> Result<i64, AeronCError> {
        let channel = cstring(src_control_channel)?;
        let mut raw = params.to_raw()?;
        let mut id = 0;
        // SAFETY: live archive, valid out-pointer; the params' strings and credentials live in `raw`.
        check(self.enter(|| unsafe {
            aeron_archive_replicate(
                &mut id,
                self.ptr,
                src_recording_id,
                channel.as_ptr(),
                src_control_stream_id,
                &mut raw.raw,
            )
        })?)?;
        Ok(id)
    }

    /// Adds a publication and records it (`aeron_archive_add_recorded_publication`).
    pub fn add_recorded_publication(
        &self,
        channel: &str,
        stream_id: i32,
    ) -> Result<AeronPublication, AeronCError> {
        let channel = cstring(channel)?;
        let mut p = std::ptr::null_mut();
        // SAFETY: live archive, valid out-pointer and string.
        check(self.enter(|| unsafe {
            aeron_archive_add_recorded_publication(&mut p, self.ptr, channel.as_ptr(), stream_id)
        })?)?;
        // SAFETY: C added the publication on our client and hands it over.
        Ok(unsafe { AeronPublication::from_raw(&self.aeron, p) })
    }

    /// Adds an exclusive publication and records it (`aeron_archive_add_recorded_exclusive_publication`).
    pub fn add_recorded_exclusive_publication(
        &self,
        channel: &str,
        stream_id: i32,
    ) -> Result<AeronExclusivePublication, AeronCError> {
        let channel = cstring(channel)?;
        let mut p = std::ptr::null_mut();
        // SAFETY: live archive, valid out-pointer and string.
        check(self.enter(|| unsafe {
            aeron_archive_add_recorded_exclusive_publication(
                &mut p,
                self.ptr,
                channel.as_ptr(),
                stream_id,
            )
        })?)?;
        // SAFETY: C added the publication on our client and hands it over.
        Ok(unsafe { AeronExclusivePublication::from_raw(&self.aeron, p) })
    }

    /// Stops the session-specific recording of `publication` (`aeron_archive_stop_recording_publication`).
    pub fn stop_recording_publication(
        &self,
        publication: &AeronPublication,
    ) -> Result<(), AeronCError> {
        // SAFETY: live archive and a live publication (borrowed for the call); C only reads it.
        check(self.enter(|| unsafe {
            aeron_archive_stop_recording_publication(self.ptr, publication.as_raw())
        })?)?;
        Ok(())
    }

    /// Stops the session-specific recording of `publication`
    /// (`aeron_archive_stop_recording_exclusive_publication`).
    pub fn stop_recording_exclusive_publication(
        &self,
        publication: &AeronExclusivePublication,
    ) -> Result<(), AeronCError> {
        // SAFETY: live archive and a live publication (borrowed for the call); C only reads it.
        check(self.enter(|| unsafe {
            aeron_archive_stop_recording_exclusive_publication(self.ptr, publication.as_raw())
        })?)?;
        Ok(())
    }

    /// Polls the response stream once for an error response of the archive
    /// (`aeron_archive_poll_for_error_response`): its message (at most `max_len - 1` bytes, and at most
    /// [`MAX_ERROR_RESPONSE_LENGTH`](Self::MAX_ERROR_RESPONSE_LENGTH)), or an empty string when there is
    /// none. Skips any other response, so call it only when none is expected.
    pub fn poll_for_error_response_as_string(&self, max_len: usize) -> Result<String, AeronCError> {
        // The buffer is allocated up front: an absurd `max_len` must not abort the process on allocation.
        let mut buf = vec![0u8; max_len.clamp(1, Self::MAX_ERROR_RESPONSE_LENGTH)];
        // SAFETY: live archive; the buffer is writable for its length and C NUL-terminates within it.
        check(self.enter(|| unsafe {
            aeron_archive_poll_for_error_response(
                self.ptr,
                buf.as_mut_ptr() as *mut c_char,
                buf.len(),
            )
        })?)?;
        let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
        Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
    }

    /// The largest buffer [`poll_for_error_response_as_string`](Self::poll_for_error_response_as_string)
    /// allocates (1 MiB; an error response is one control message, far shorter).
    pub const MAX_ERROR_RESPONSE_LENGTH: usize = 1 << 20;

    /// [`poll_for_error_response_as_string`](Self::poll_for_error_response_as_string) as an error: `Some` with
    /// the archive's message if it sent an error response.
    pub fn poll_for_error(&self) -> Result<Option<AeronCError>, AeronCError> {
        let msg = self.poll_for_error_response_as_string(4096)?;
        Ok((!msg.is_empty()).then(|| AeronCError::with_message(-1, msg)))
    }
}
