//! The state machine of one replication (Java's `ReplicationSession`): its states and fields, the step
//! dispatcher and the helpers every state uses to talk to the source archive. The states themselves are in
//! `setup` (connect, descriptor, source position, extend), `replay` (replay token, request publication,
//! replay, image, replicate) and `merge` (catch-up and live join of a live-destination replication).

use rusteron_archive_codecs::ControlResponseCode;
use rusteron_client::{
    AeronAsyncAddExclusivePublication, AeronExclusivePublication, AeronSubscription,
};

use super::source_client::{SourceArchive, SourceError, SourceResponse};
use super::ReplicateParams;
use crate::server::codes;
use crate::server::conductor::Conductor;
use crate::storage::catalog::RecordingDescriptor;

/// Attempts at getting the source recording position while joining the live stream (Java's 3).
pub(super) const RETRY_ATTEMPTS: u32 = 3;
/// How often the source archive is polled for errors while no request is pending (Java's 100 ms).
const SOURCE_ARCHIVE_POLL_INTERVAL_MS: i64 = 100;

/// States of a replication session, in Java's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Connecting to the source archive.
    Connect,
    /// Fetching the source recording descriptor.
    ReplicateDescriptor,
    /// Live destination: fetching the source recording's live position.
    SrcRecordingPosition,
    /// Extending the destination recording on the replication channel.
    Extend,
    /// Response channel: asking the source archive for a replay token.
    ReplayToken,
    /// Response channel: creating the publication the replay request goes out on.
    GetArchiveProxy,
    /// Asking the source archive to replay.
    Replay,
    /// Waiting for the replay image.
    AwaitImage,
    /// Recording the replay.
    Replicate,
    /// Live destination: the replay catches up with the source position seen before the replay.
    Catchup,
    /// Live destination: adding the live destination, then merging onto it.
    AttemptLiveJoin,
    /// Finished; closed on the next duty cycle.
    Done,
}

/// One replication.
pub(crate) struct ReplicationSession {
    /// The replication id (from the control session id sequence).
    pub id: i64,
    /// The control session that asked for it (receives its signals and errors).
    pub control_session_id: i64,
    /// Destination recording id (-1 until created).
    pub dst_recording_id: i64,
    /// The current state.
    pub state: State,
    /// Set by StopReplication (a second stop is an unknown replication).
    pub stop_requested: bool,
    /// The source-archive client, once connecting.
    pub source: Option<SourceArchive>,
    /// The destination recording subscription (extend), once created; `None` again after a merge.
    pub recording_subscription_id: Option<i64>,
    /// The source replay session, while replaying.
    pub src_replay_session_id: i64,
    /// Response channel: the publication replay requests go out on, and its pending creation.
    pub response_publication: Option<AeronExclusivePublication>,
    pub(super) pending_response_publication: Option<AeronAsyncAddExclusivePublication>,
    pub(super) request: ReplicateParams,
    pub(super) replication_channel: String,
    pub(super) response_channel: String,
    /// The live destination (merge replication), if any.
    pub(super) live_destination: Option<String>,
    /// The replay destination of a multi-destination recording subscription (removed at the merge).
    pub(super) replay_destination: Option<String>,
    pub(super) is_live_added: bool,
    pub(super) retry_attempts: u32,
    /// Stop position requested for the destination (-1: none).
    pub(super) dst_stop_position: i64,
    pub(super) dst_empty: bool,
    pub(super) replay_position: i64,
    pub(super) replay_stream_id: i32,
    pub(super) replay_session_id: i32,
    pub(super) src_stop_position: i64,
    pub(super) src_recording_position: i64,
    pub(super) replay_token: i64,
    pub(super) active_correlation_id: i64,
    pub(super) state_time_ms: i64,
    pub(super) action_timeout_ms: i64,
    last_source_poll_ms: i64,
}

/// The replay image as a step sees it.
#[derive(Debug, Clone, Copy)]
pub(super) struct ImageView {
    pub position: i64,
    pub is_end_of_stream: bool,
    pub is_closed: bool,
    pub term_buffer_length: i64,
    pub active_transport_count: i32,
}

impl ReplicationSession {
    /// A new replication in `Connect`; `dst_summary` is the destination recording, if one was given.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: i64,
        control_session_id: i64,
        request: ReplicateParams,
        replication_channel: String,
        response_channel: String,
        dst_summary: Option<RecordingDescriptor>,
        now_ms: i64,
        action_timeout_ms: i64,
    ) -> ReplicationSession {
        let (replay_position, replay_stream_id, dst_empty) = match &dst_summary {
            Some(d) => (
                d.stop_position,
                d.stream_id,
                d.start_position == d.stop_position,
            ),
            None => (-1, 0, false),
        };
        let live_destination =
            (!request.live_destination.is_empty()).then(|| request.live_destination.clone());
        ReplicationSession {
            id,
            control_session_id,
            dst_recording_id: request.dst_recording_id,
            state: State::Connect,
            stop_requested: false,
            source: None,
            recording_subscription_id: None,
            src_replay_session_id: -1,
            response_publication: None,
            pending_response_publication: None,
            dst_stop_position: request.stop_position,
            request,
            replication_channel,
            response_channel,
            live_destination,
            replay_destination: None,
            is_live_added: false,
            retry_attempts: RETRY_ATTEMPTS,
            dst_empty,
            replay_position,
            replay_stream_id,
            replay_session_id: 0,
            src_stop_position: -1,
            src_recording_position: -1,
            replay_token: -1,
            active_correlation_id: -1,
            state_time_ms: now_ms,
            action_timeout_ms,
            last_source_poll_ms: 0,
        }
    }

    /// Moves to `state` (resetting the pending action and its timer).
    pub fn set_state(&mut self, state: State, reason: &str, now_ms: i64) {
        if self.state != state {
            log::debug!(
                "replication {}: {:?} -> {state:?} {reason}",
                self.id,
                self.state
            );
        }
        self.state = state;
        self.active_correlation_id = -1;
        self.state_time_ms = now_ms;
    }

    pub(super) fn timed_out(&self, now_ms: i64) -> bool {
        now_ms >= self.state_time_ms + self.action_timeout_ms
    }

    /// Java's `trackAction`: the pending request and the time it was sent.
    pub(super) fn track(&mut self, correlation_id: i64, now_ms: i64) {
        self.active_correlation_id = correlation_id;
        self.state_time_ms = now_ms;
    }
}

impl Conductor {
    /// One step of a replication. Returns the work done.
    pub(super) fn replication_step(&mut self, s: &mut ReplicationSession, now_ms: i64) -> usize {
        if let Some(sub_id) = s.recording_subscription_id {
            if s.state != State::Done && !self.recordings.subscriptions.contains_key(&sub_id) {
                s.recording_subscription_id = None;
                s.set_state(State::Done, "recording subscription closed", now_ms);
                return 1;
            }
        }
        let result = match s.state {
            State::Connect => self.replication_connect(s, now_ms),
            State::ReplicateDescriptor => self.replication_descriptor(s, now_ms),
            State::SrcRecordingPosition => Self::replication_src_position(s, now_ms),
            State::Extend => Ok(self.replication_extend(s, now_ms)),
            State::ReplayToken => Self::replication_replay_token(s, now_ms),
            State::GetArchiveProxy => self.replication_archive_proxy(s, now_ms),
            State::Replay => self.replication_replay(s, now_ms),
            State::AwaitImage => self.replication_await_image(s, now_ms),
            State::Replicate => Ok(self.replication_replicate(s, now_ms)),
            State::Catchup => self.replication_catchup(s, now_ms),
            State::AttemptLiveJoin => self.replication_attempt_live_join(s, now_ms),
            State::Done => Ok(0),
        }
        .and_then(|work| Ok(work + Self::poll_source_archive_events(s, now_ms)?));
        match result {
            Ok(work) => work,
            Err(message) => {
                // As Java's catch-all in ReplicationSession.doWork: DONE, then a GENERIC error.
                s.set_state(State::Done, &message, now_ms);
                self.error(s.control_session_id, s.id, codes::GENERIC, &message);
                1
            }
        }
    }

    /// Java's `pollSourceArchiveEvents`: while no request is pending, every 100 ms, an ERROR from the
    /// source archive for this session ends the replication.
    fn poll_source_archive_events(
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        // While connecting, the source client's responses belong to its connect (Java has no source yet).
        if s.source.is_none()
            || matches!(s.state, State::Connect | State::Done)
            || s.active_correlation_id != -1
        {
            return Ok(0);
        }
        if now_ms <= s.last_source_poll_ms + SOURCE_ARCHIVE_POLL_INTERVAL_MS {
            return Ok(0);
        }
        s.last_source_poll_ms = now_ms;
        Ok(Self::poll_source(s)?.len())
    }

    /// Polls the source; an ERROR for this session aborts (as Java's `hasResponse`/`pollForErrorResponse`).
    pub(super) fn poll_source(s: &mut ReplicationSession) -> Result<Vec<SourceResponse>, String> {
        let Some(source) = s.source.as_mut() else {
            return Err("no source archive connection".into());
        };
        let responses = source.poll();
        for r in &responses {
            if let SourceResponse::Control {
                code: ControlResponseCode::Error,
                message,
                ..
            } = r
            {
                return Err(message.clone());
            }
        }
        Ok(responses)
    }

    /// Java's `hasResponse` over a poll: the `relevantId` of an OK for the pending request, if it arrived.
    pub(super) fn poll_ok_response(
        s: &mut ReplicationSession,
    ) -> Result<(Option<i64>, usize), String> {
        let responses = Self::poll_source(s)?;
        let found = responses.iter().find_map(|r| match r {
            SourceResponse::Control {
                correlation_id,
                code: ControlResponseCode::Ok,
                relevant_id,
                ..
            } if *correlation_id == s.active_correlation_id => Some(*relevant_id),
            _ => None,
        });
        Ok((found, responses.len()))
    }

    /// Sends a request to the source; tracks it when sent, fails with "failed to send `what`" after the
    /// action timeout.
    pub(super) fn send_to_source(
        s: &mut ReplicationSession,
        now_ms: i64,
        what: &str,
        send: impl FnOnce(&mut SourceArchive) -> Result<Option<i64>, SourceError>,
    ) -> Result<usize, String> {
        let Some(source) = s.source.as_mut() else {
            return Err("no source archive connection".into());
        };
        match send(source).map_err(|e| e.to_string())? {
            Some(correlation_id) => {
                s.track(correlation_id, now_ms);
                Ok(1)
            }
            None if s.timed_out(now_ms) => Err(format!("failed to send {what}")),
            None => Ok(0),
        }
    }

    /// The destination recording subscription of the session.
    pub(super) fn replication_subscription(
        &self,
        s: &ReplicationSession,
    ) -> Option<&AeronSubscription> {
        s.recording_subscription_id
            .and_then(|id| self.recordings.subscriptions.get(&id))
            .map(|sub| &sub.subscription)
    }

    /// The replay image (by the source replay session's session id), if the subscription has it.
    pub(super) fn replication_image(&self, s: &ReplicationSession) -> Option<ImageView> {
        let sub = self.replication_subscription(s)?;
        let image = sub.image_by_session_id(s.src_replay_session_id as i32)?;
        let term_buffer_length = image.constants().map_or(0, |c| c.term_buffer_length as i64);
        Some(ImageView {
            position: image.position(),
            is_end_of_stream: image.is_end_of_stream(),
            is_closed: image.is_closed(),
            term_buffer_length,
            active_transport_count: image.active_transport_count(),
        })
    }
}
