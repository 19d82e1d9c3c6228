//! Replication (ReplicateRequest2 and the older Replicate/TaggedReplicate requests).
//!
//! Not implemented yet: requests are answered with a GENERIC error; StopReplication answers
//! UNKNOWN_REPLICATION as Java does for an unknown id.

use super::conductor::Conductor;
use super::requests::codes;

/// The fields of a replicate request.
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub(crate) struct ReplicateParams {
    pub src_recording_id: i64,
    pub dst_recording_id: i64,
    pub stop_position: i64,
    pub src_control_stream_id: i32,
    pub file_io_max_length: i32,
    pub replication_session_id: i32,
    pub src_control_channel: String,
    pub live_destination: String,
    pub replication_channel: String,
    pub credentials: Vec<u8>,
    pub src_response_channel: String,
}

/// Running replications.
#[derive(Default)]
pub(crate) struct Replications {}

impl Conductor {
    /// Replicate request.
    pub(crate) fn replicate(&mut self, csid: i64, corr: i64, _request: ReplicateParams) {
        self.error(csid, corr, codes::GENERIC, "replication is not supported by this archive yet");
    }

    /// StopReplication.
    pub(crate) fn stop_replication(&mut self, csid: i64, corr: i64, replication_id: i64) {
        self.error(csid, corr, codes::UNKNOWN_REPLICATION, &format!("unknown replication id {replication_id}"));
    }

    /// One duty cycle of the replications.
    pub(crate) fn replication_work(&mut self, _now_ms: i64) -> usize {
        0
    }

    /// Stops every replication at shutdown.
    pub(crate) fn replication_shutdown(&mut self) {}
}
