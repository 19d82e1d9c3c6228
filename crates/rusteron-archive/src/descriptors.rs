//! Plain Rust values for what the archive reports: recording descriptors, recording subscription
//! descriptors and recording signals. They own their strings, so they can be kept after the callback.

use rusteron_client::bindings::*;

use crate::util::owned_str_n;

/// The details of a recording (`aeron_archive_recording_descriptor_t`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AeronArchiveRecordingDescriptor {
    /// Control session id of the request.
    pub control_session_id: i64,
    /// Correlation id of the request.
    pub correlation_id: i64,
    /// Id of the recording.
    pub recording_id: i64,
    /// Timestamp (ms since the epoch) of the recording start.
    pub start_timestamp: i64,
    /// Timestamp (ms since the epoch) of the recording stop, or -1 while active.
    pub stop_timestamp: i64,
    /// Start position of the recording against the recorded publication.
    pub start_position: i64,
    /// Highest position reached (stop position), or -1 while active.
    pub stop_position: i64,
    /// Initial term id of the recorded publication.
    pub initial_term_id: i32,
    /// Segment file length, a multiple of the term buffer length.
    pub segment_file_length: i32,
    /// Term buffer length of the recorded publication.
    pub term_buffer_length: i32,
    /// MTU length of the recorded publication.
    pub mtu_length: i32,
    /// Session id of the recorded publication.
    pub session_id: i32,
    /// Stream id of the recorded publication.
    pub stream_id: i32,
    /// Channel of the archive's recording subscription.
    pub stripped_channel: String,
    /// Channel given with the start recording request.
    pub original_channel: String,
    /// Source identity of the recorded stream.
    pub source_identity: String,
}

impl AeronArchiveRecordingDescriptor {
    /// Copies a C descriptor.
    ///
    /// # Safety
    /// `ptr` must point to a valid descriptor whose strings are valid for their lengths.
    pub(crate) unsafe fn from_raw(ptr: *mut aeron_archive_recording_descriptor_t) -> Self {
        // SAFETY: guaranteed by the caller.
        let d = unsafe { &*ptr };
        AeronArchiveRecordingDescriptor {
            control_session_id: d.control_session_id,
            correlation_id: d.correlation_id,
            recording_id: d.recording_id,
            start_timestamp: d.start_timestamp,
            stop_timestamp: d.stop_timestamp,
            start_position: d.start_position,
            stop_position: d.stop_position,
            initial_term_id: d.initial_term_id,
            segment_file_length: d.segment_file_length,
            term_buffer_length: d.term_buffer_length,
            mtu_length: d.mtu_length,
            session_id: d.session_id,
            stream_id: d.stream_id,
            // SAFETY: guaranteed by the caller (pointer and length pairs of the same descriptor).
            stripped_channel: unsafe { owned_str_n(d.stripped_channel, d.stripped_channel_length) },
            // SAFETY: as above.
            original_channel: unsafe { owned_str_n(d.original_channel, d.original_channel_length) },
            // SAFETY: as above.
            source_identity: unsafe { owned_str_n(d.source_identity, d.source_identity_length) },
        }
    }

    /// True while the recording is active (no stop position yet).
    pub fn is_active(&self) -> bool {
        self.stop_position < 0
    }
}

/// The details of an active recording subscription (`aeron_archive_recording_subscription_descriptor_t`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AeronArchiveRecordingSubscriptionDescriptor {
    /// Control session id of the request.
    pub control_session_id: i64,
    /// Correlation id of the request.
    pub correlation_id: i64,
    /// Subscription id, usable with `stop_recording_subscription`.
    pub subscription_id: i64,
    /// Stream id the subscription was registered with.
    pub stream_id: i32,
    /// Channel the subscription was registered with.
    pub stripped_channel: String,
}

impl AeronArchiveRecordingSubscriptionDescriptor {
    /// Copies a C descriptor.
    ///
    /// # Safety
    /// `ptr` must point to a valid descriptor whose channel is valid for its length.
    pub(crate) unsafe fn from_raw(
        ptr: *mut aeron_archive_recording_subscription_descriptor_t,
    ) -> Self {
        // SAFETY: guaranteed by the caller.
        let d = unsafe { &*ptr };
        AeronArchiveRecordingSubscriptionDescriptor {
            control_session_id: d.control_session_id,
            correlation_id: d.correlation_id,
            subscription_id: d.subscription_id,
            stream_id: d.stream_id,
            // SAFETY: guaranteed by the caller.
            stripped_channel: unsafe { owned_str_n(d.stripped_channel, d.stripped_channel_length) },
        }
    }
}

/// A recording's transition reported by the archive (`aeron_archive_recording_signal_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AeronArchiveRecordingSignal {
    /// Control session id of the originating session.
    pub control_session_id: i64,
    /// Id of the recording that transitioned.
    pub recording_id: i64,
    /// Id of the subscription that captured the recording.
    pub subscription_id: i64,
    /// Position of the recording at the transition.
    pub position: i64,
    /// Raw signal code (see [`signal`](Self::signal)).
    pub recording_signal_code: i32,
}

impl AeronArchiveRecordingSignal {
    /// Copies a C signal.
    ///
    /// # Safety
    /// `ptr` must point to a valid signal.
    pub(crate) unsafe fn from_raw(ptr: *mut aeron_archive_recording_signal_t) -> Self {
        // SAFETY: guaranteed by the caller.
        let s = unsafe { &*ptr };
        AeronArchiveRecordingSignal {
            control_session_id: s.control_session_id,
            recording_id: s.recording_id,
            subscription_id: s.subscription_id,
            position: s.position,
            recording_signal_code: s.recording_signal_code,
        }
    }

    /// The decoded signal, or `None` for a code this client does not know.
    pub fn signal(&self) -> Option<RecordingSignal> {
        RecordingSignal::from_code(self.recording_signal_code)
    }
}

/// The kinds of recording transitions (`aeron_archive_client_recording_signal_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordingSignal {
    /// A recording started.
    Start,
    /// A recording stopped.
    Stop,
    /// A recording was extended.
    Extend,
    /// A recording is being replicated.
    Replicate,
    /// A replicated recording merged with its live stream.
    Merge,
    /// A replication caught up with its source.
    Sync,
    /// A recording was deleted (purged or truncated to its start).
    Delete,
    /// A replication ended.
    ReplicateEnd,
}

impl RecordingSignal {
    /// Decodes a raw signal code.
    pub fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            0 => RecordingSignal::Start,
            1 => RecordingSignal::Stop,
            2 => RecordingSignal::Extend,
            3 => RecordingSignal::Replicate,
            4 => RecordingSignal::Merge,
            5 => RecordingSignal::Sync,
            6 => RecordingSignal::Delete,
            7 => RecordingSignal::ReplicateEnd,
            _ => return None,
        })
    }
}
