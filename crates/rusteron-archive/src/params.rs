//! Replay and replication parameters, as plain Rust values.

use std::ffi::CString;

use rusteron_client::bindings::*;
use rusteron_client::AeronCError;

use crate::util::{check, cstring};

/// Parameters of a replay (`aeron_archive_replay_params_t`). [`Default`] gives the C defaults: replay the
/// whole recording from its start, unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AeronArchiveReplayParams {
    /// Counter id bounding the replay (a bounded replay when set); `AERON_NULL_VALUE` (-1) for none.
    pub bounding_limit_counter_id: i32,
    /// Maximum size of a file read of the replay; `AERON_NULL_VALUE` for the archive's default.
    pub file_io_max_length: i32,
    /// Position to start from; `AERON_NULL_VALUE` for the recording's start.
    pub position: i64,
    /// Length to replay; `AERON_NULL_VALUE` (or `i64::MAX`) follows a live recording,
    /// `ARCHIVE_REPLAY_ALL_AND_STOP` stops at the current limit.
    pub length: i64,
    /// Token for replays to a response channel not made by this archive connection.
    pub replay_token: i64,
    /// Registration id of an existing response channel subscription.
    pub subscription_registration_id: i64,
}

impl Default for AeronArchiveReplayParams {
    fn default() -> Self {
        // SAFETY: the struct is plain data; init only writes its fields.
        let mut raw: aeron_archive_replay_params_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer to the struct.
        unsafe { aeron_archive_replay_params_init(&mut raw) };
        AeronArchiveReplayParams::from(raw)
    }
}

impl From<aeron_archive_replay_params_t> for AeronArchiveReplayParams {
    fn from(raw: aeron_archive_replay_params_t) -> Self {
        AeronArchiveReplayParams {
            bounding_limit_counter_id: raw.bounding_limit_counter_id,
            file_io_max_length: raw.file_io_max_length,
            position: raw.position,
            length: raw.length,
            replay_token: raw.replay_token,
            subscription_registration_id: raw.subscription_registration_id,
        }
    }
}

impl AeronArchiveReplayParams {
    /// Parameters with every field given (the seed's constructor).
    pub fn new(
        bounding_limit_counter_id: i32,
        file_io_max_length: i32,
        position: i64,
        length: i64,
        replay_token: i64,
        subscription_registration_id: i64,
    ) -> Result<Self, AeronCError> {
        Ok(AeronArchiveReplayParams {
            bounding_limit_counter_id,
            file_io_max_length,
            position,
            length,
            replay_token,
            subscription_registration_id,
        })
    }

    /// Replays `length` bytes from `position`.
    pub fn range(position: i64, length: i64) -> Self {
        AeronArchiveReplayParams {
            position,
            length,
            ..Default::default()
        }
    }

    /// The C struct.
    pub fn to_raw(&self) -> aeron_archive_replay_params_t {
        aeron_archive_replay_params_t {
            bounding_limit_counter_id: self.bounding_limit_counter_id,
            file_io_max_length: self.file_io_max_length,
            position: self.position,
            length: self.length,
            replay_token: self.replay_token,
            subscription_registration_id: self.subscription_registration_id,
        }
    }
}

/// Parameters of a replication (`aeron_archive_replication_params_t`), with owned strings. [`Default`]
/// gives the C defaults: a continuous replication into a new recording, on the archive's replication
/// channel, without merge or credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AeronArchiveReplicationParams {
    /// Stop position; `AERON_NULL_VALUE` (-1) replicates continuously.
    pub stop_position: i64,
    /// Recording of the destination archive to extend; `AERON_NULL_VALUE` creates a new one.
    pub dst_recording_id: i64,
    /// Live destination to merge with; empty for none.
    pub live_destination: String,
    /// Channel to replicate on; empty for the destination archive's default.
    pub replication_channel: String,
    /// Control address of the source archive when response channels are used; empty for none.
    pub src_response_channel: String,
    /// Channel tag of the replication subscription; `AERON_NULL_VALUE` for none.
    pub channel_tag_id: i64,
    /// Subscription tag of the replication subscription; `AERON_NULL_VALUE` for none.
    pub subscription_tag_id: i64,
    /// Maximum file io length of the replay; `AERON_NULL_VALUE` for the default.
    pub file_io_max_length: i32,
    /// Session id for the replicated recording; `AERON_NULL_VALUE` keeps the source's.
    pub replication_session_id: i32,
    /// Credentials for the source archive (simple authentication only).
    pub encoded_credentials: Option<Vec<u8>>,
}

impl Default for AeronArchiveReplicationParams {
    fn default() -> Self {
        // SAFETY: the struct is plain data (NULL pointers are valid); init only writes its fields.
        let mut raw: aeron_archive_replication_params_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer to the struct.
        unsafe { aeron_archive_replication_params_init(&mut raw) };
        AeronArchiveReplicationParams {
            stop_position: raw.stop_position,
            dst_recording_id: raw.dst_recording_id,
            live_destination: String::new(),
            replication_channel: String::new(),
            src_response_channel: String::new(),
            channel_tag_id: raw.channel_tag_id,
            subscription_tag_id: raw.subscription_tag_id,
            file_io_max_length: raw.file_io_max_length,
            replication_session_id: raw.replication_session_id,
            encoded_credentials: None,
        }
    }
}

/// The C struct and the storage its pointers refer to; valid while this value lives.
pub(crate) struct RawReplicationParams {
    pub(crate) raw: aeron_archive_replication_params_t,
    _strings: [CString; 3],
    _credentials: Option<Box<(aeron_archive_encoded_credentials_t, Vec<u8>)>>,
}

impl AeronArchiveReplicationParams {
    /// The C struct, with its strings and credentials kept alive by the returned value.
    pub(crate) fn to_raw(&self) -> Result<RawReplicationParams, AeronCError> {
        // SAFETY: plain data; init writes every field.
        let mut raw: aeron_archive_replication_params_t = unsafe { std::mem::zeroed() };
        // SAFETY: valid pointer to the struct.
        check(unsafe { aeron_archive_replication_params_init(&mut raw) })?;
        let strings = [
            cstring(&self.live_destination)?,
            cstring(&self.replication_channel)?,
            cstring(&self.src_response_channel)?,
        ];
        raw.stop_position = self.stop_position;
        raw.dst_recording_id = self.dst_recording_id;
        raw.live_destination = strings[0].as_ptr();
        raw.replication_channel = strings[1].as_ptr();
        raw.src_response_channel = strings[2].as_ptr();
        raw.channel_tag_id = self.channel_tag_id;
        raw.subscription_tag_id = self.subscription_tag_id;
        raw.file_io_max_length = self.file_io_max_length;
        raw.replication_session_id = self.replication_session_id;
        let mut credentials = self.encoded_credentials.clone().map(|data| {
            let c = aeron_archive_encoded_credentials_t {
                data: data.as_ptr() as *const std::ffi::c_char,
                length: data.len() as u32,
            };
            Box::new((c, data))
        });
        if let Some(b) = credentials.as_mut() {
            raw.encoded_credentials = &mut b.0;
        }
        Ok(RawReplicationParams {
            raw,
            _strings: strings,
            _credentials: credentials,
        })
    }
}
