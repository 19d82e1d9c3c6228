//! The state machine of one replication (Java's `ReplicationSession`): connect to the source archive,
//! fetch the source descriptor, create or prepare the destination recording, extend it on the replication
//! channel, ask the source to replay into it, and finish when the replay reaches the source stop position
//! (SYNC), the requested stop position, or ends.

use rusteron_archive_codecs::{ControlResponseCode, RecordingSignal};

use super::source_client::{SourceArchive, SourceError, SourceResponse};
use super::ReplicateParams;
use crate::channel::ChannelUri;
use crate::server::conductor::Conductor;
use crate::server::requests::codes;
use crate::storage::catalog::RecordingDescriptor;

/// States of a replication session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// Connecting to the source archive.
    Connect,
    /// Fetching the source recording descriptor.
    ReplicateDescriptor,
    /// Extending the destination recording on the replication channel.
    Extend,
    /// Asking the source archive to replay.
    Replay,
    /// Waiting for the replay image.
    AwaitImage,
    /// Recording the replay.
    Replicate,
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
    pub state: State,
    /// Set by StopReplication (a second stop is an unknown replication).
    pub stop_requested: bool,
    pub source: Option<SourceArchive>,
    /// The destination recording subscription (extend), once created.
    pub recording_subscription_id: Option<i64>,
    /// The source replay session, while replaying.
    pub src_replay_session_id: i64,
    request: ReplicateParams,
    replication_channel: String,
    response_channel: String,
    /// Stop position requested for the destination (-1: none).
    dst_stop_position: i64,
    dst_empty: bool,
    replay_position: i64,
    replay_stream_id: i32,
    replay_session_id: i32,
    src_stop_position: i64,
    active_correlation_id: i64,
    state_time_ms: i64,
    action_timeout_ms: i64,
}

impl ReplicationSession {
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
        ReplicationSession {
            id,
            control_session_id,
            dst_recording_id: request.dst_recording_id,
            state: State::Connect,
            stop_requested: false,
            source: None,
            recording_subscription_id: None,
            src_replay_session_id: -1,
            dst_stop_position: request.stop_position,
            request,
            replication_channel,
            response_channel,
            dst_empty,
            replay_position,
            replay_stream_id,
            replay_session_id: 0,
            src_stop_position: -1,
            active_correlation_id: -1,
            state_time_ms: now_ms,
            action_timeout_ms,
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

    fn timed_out(&self, now_ms: i64) -> bool {
        now_ms >= self.state_time_ms + self.action_timeout_ms
    }

    fn track(&mut self, correlation_id: i64, now_ms: i64) {
        self.active_correlation_id = correlation_id;
        self.state_time_ms = now_ms;
    }
}

impl Conductor {
    /// One step of a replication. Returns the work done.
    pub(super) fn replication_step(&mut self, s: &mut ReplicationSession, now_ms: i64) -> usize {
        if let Some(sub_id) = s.recording_subscription_id {
            if s.state != State::Done && !self.recorder.subscriptions.contains_key(&sub_id) {
                s.recording_subscription_id = None;
                s.set_state(State::Done, "recording subscription closed", now_ms);
                return 1;
            }
        }
        let result = match s.state {
            State::Connect => self.replication_connect(s, now_ms),
            State::ReplicateDescriptor => self.replication_descriptor(s, now_ms),
            State::Extend => Ok(self.replication_extend(s, now_ms)),
            State::Replay => self.replication_replay(s, now_ms),
            State::AwaitImage => self.replication_await_image(s, now_ms),
            State::Replicate => Ok(self.replication_replicate(s, now_ms)),
            State::Done => Ok(0),
        };
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

    fn replication_connect(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        let result = match s.source.as_mut() {
            None => SourceArchive::connect(
                &self.aeron,
                &s.request.src_control_channel,
                s.request.src_control_stream_id,
                &s.response_channel,
                self.config.control_response_stream_id,
                s.request.credentials.clone(),
            )
            .map(|source| {
                s.source = Some(source);
                false
            }),
            Some(source) => source.poll_connect(),
        };
        let failure = match result {
            Ok(true) => {
                s.set_state(
                    State::ReplicateDescriptor,
                    "connected to the Archive",
                    now_ms,
                );
                return Ok(1);
            }
            Ok(false) if !s.timed_out(now_ms) => return Ok(0),
            Ok(false) => format!("connect timeout to {}", s.request.src_control_channel),
            Err(e) => e.to_string(),
        };
        s.set_state(State::Done, &failure, now_ms);
        self.error(
            s.control_session_id,
            s.id,
            codes::REPLICATION_CONNECTION_FAILURE,
            &format!("Replication connection failed={failure}"),
        );
        Ok(1)
    }

    /// Polls the source; an ERROR for this session aborts (as Java's `hasResponse`/`pollForErrorResponse`).
    fn poll_source(s: &mut ReplicationSession) -> Result<Vec<SourceResponse>, String> {
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

    fn send_to_source(
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

    fn replication_descriptor(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        if s.active_correlation_id == -1 {
            let id = s.request.src_recording_id;
            return Self::send_to_source(s, now_ms, "list remote recording descriptor", |c| {
                c.list_recording(id)
            });
        }
        let responses = Self::poll_source(s)?;
        let work = responses.len();
        for r in responses {
            match r {
                SourceResponse::Descriptor {
                    correlation_id,
                    descriptor,
                } if correlation_id == s.active_correlation_id => {
                    self.on_source_descriptor(s, descriptor, now_ms);
                    return Ok(1);
                }
                SourceResponse::Control {
                    correlation_id,
                    code: ControlResponseCode::RecordingUnknown,
                    ..
                } if correlation_id == s.active_correlation_id => {
                    let message =
                        format!("unknown src recording id {}", s.request.src_recording_id);
                    s.set_state(State::Done, &message, now_ms);
                    self.error(
                        s.control_session_id,
                        s.id,
                        codes::UNKNOWN_RECORDING,
                        &message,
                    );
                    return Ok(1);
                }
                _ => {}
            }
        }
        if work == 0 && s.timed_out(now_ms) {
            return Err("failed to fetch remote recording descriptor".into());
        }
        Ok(work)
    }

    /// The source descriptor arrived (Java's `onRecordingDescriptor`).
    fn on_source_descriptor(
        &mut self,
        s: &mut ReplicationSession,
        src: RecordingDescriptor,
        now_ms: i64,
    ) {
        s.src_stop_position = src.stop_position;
        s.replay_stream_id = src.stream_id;
        s.replay_session_id =
            if s.request.replication_session_id != -1 && s.request.live_destination.is_empty() {
                s.request.replication_session_id
            } else {
                src.session_id
            };
        let io_max = s.request.file_io_max_length;
        if io_max != -1 && io_max < src.mtu_length {
            let message = format!(
                "Replication fileIoMaxLength ({io_max}) is less than than the recording mtuLength ({})",
                src.mtu_length
            );
            s.set_state(State::Done, &message, now_ms);
            self.error(s.control_session_id, s.id, codes::GENERIC, &message);
            return;
        }
        let start = src.start_position;
        if s.dst_recording_id == -1 {
            s.replay_position = start;
            let descriptor = RecordingDescriptor {
                control_session_id: 0,
                correlation_id: 0,
                recording_id: 0,
                start_timestamp: src.start_timestamp,
                stop_timestamp: src.start_timestamp,
                start_position: start,
                stop_position: start,
                ..src.clone()
            };
            match self.catalog.add(descriptor) {
                Ok(id) => s.dst_recording_id = id,
                Err(e) => {
                    let message = format!("cannot add the replicated recording: {e}");
                    s.set_state(State::Done, &message, now_ms);
                    self.error(s.control_session_id, s.id, codes::GENERIC, &message);
                    return;
                }
            }
            self.replication_signal(s, start, RecordingSignal::Replicate);
        } else if s.dst_empty {
            // Java replaces the whole descriptor; the catalog rewrites fixed fields in place, so the channels
            // and source identity of the (empty) destination are kept.
            s.replay_position = start;
            let updated = self.catalog.update(s.dst_recording_id, |d| {
                d.start_position = start;
                d.stop_position = start;
                d.start_timestamp = src.start_timestamp;
                d.stop_timestamp = src.start_timestamp;
                d.initial_term_id = src.initial_term_id;
                d.segment_file_length = src.segment_file_length;
                d.term_buffer_length = src.term_buffer_length;
                d.mtu_length = src.mtu_length;
                d.session_id = src.session_id;
                d.stream_id = src.stream_id;
            });
            if let Err(e) = updated {
                log::warn!(
                    "replication {}: cannot reset empty recording {}: {e}",
                    s.id,
                    s.dst_recording_id
                );
            }
        }
        let dst_stop = self
            .catalog
            .get(s.dst_recording_id)
            .map_or(-2, |d| d.stop_position);
        if start == src.stop_position || src.stop_position == dst_stop {
            self.replication_signal(s, src.stop_position, RecordingSignal::Sync);
            s.set_state(State::Done, "in sync", now_ms);
            return;
        }
        s.set_state(State::Extend, "", now_ms);
    }

    fn replication_extend(&mut self, s: &mut ReplicationSession, now_ms: i64) -> usize {
        let channel = match ChannelUri::parse(&s.replication_channel) {
            Ok(mut uri) => {
                uri.set("rejoin", "false");
                uri.set("session-id", s.replay_session_id.to_string());
                uri.to_string()
            }
            Err(e) => {
                let message = format!("invalid replication channel: {e}");
                s.set_state(State::Done, &message, now_ms);
                self.error(s.control_session_id, s.id, codes::GENERIC, &message);
                return 1;
            }
        };
        // Errors are answered by extend_recording (correlation id = replication id), as Java's conductor does.
        match self.extend_recording(
            s.control_session_id,
            s.id,
            s.dst_recording_id,
            s.replay_stream_id,
            false,
            &channel,
            true,
        ) {
            Some(sub_id) => {
                s.recording_subscription_id = Some(sub_id);
                s.set_state(State::Replay, "replay destination added", now_ms);
            }
            None => s.set_state(State::Done, "extend failed", now_ms),
        }
        1
    }

    fn replication_replay(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        if s.active_correlation_id == -1 {
            let resolved = s
                .recording_subscription_id
                .and_then(|id| self.recorder.subscriptions.get(&id))
                .and_then(|sub| sub.subscription.resolved_endpoint().ok().flatten());
            let Some(resolved) = resolved else {
                if s.timed_out(now_ms) {
                    return Err(format!(
                        "failed to resolve subscription endpoint: channel={}",
                        s.replication_channel
                    ));
                }
                return Ok(0);
            };
            let mut uri = ChannelUri::parse(&s.replication_channel).map_err(|e| e.to_string())?;
            if let Some(endpoint) = uri.get("endpoint") {
                if endpoint.ends_with(":0") {
                    uri.set("endpoint", resolved);
                }
            }
            uri.set("session-id", s.replay_session_id.to_string());
            let channel = uri.to_string();
            let length = if s.dst_stop_position == -1 {
                -1
            } else {
                s.dst_stop_position - s.replay_position
            };
            let (id, stream, position, io) = (
                s.request.src_recording_id,
                s.replay_stream_id,
                s.replay_position,
                s.request.file_io_max_length,
            );
            return Self::send_to_source(s, now_ms, "replay request", |c| {
                c.replay(id, &channel, stream, position, length, io)
            });
        }
        let responses = Self::poll_source(s)?;
        for r in &responses {
            if let SourceResponse::Control {
                correlation_id,
                code: ControlResponseCode::Ok,
                relevant_id,
                ..
            } = r
            {
                if *correlation_id == s.active_correlation_id {
                    s.src_replay_session_id = *relevant_id;
                    let reason = format!("srcReplaySessionId={relevant_id}");
                    s.set_state(State::AwaitImage, &reason, now_ms);
                    return Ok(1);
                }
            }
        }
        if responses.is_empty() && s.timed_out(now_ms) {
            return Err(format!(
                "failed get acknowledgement of replay request to: {}",
                s.replication_channel
            ));
        }
        Ok(responses.len())
    }

    fn replication_await_image(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        let found = s
            .recording_subscription_id
            .and_then(|id| self.recorder.subscriptions.get(&id))
            .is_some_and(|sub| {
                sub.subscription
                    .image_by_session_id(s.src_replay_session_id as i32)
                    .is_some()
            });
        if found {
            s.set_state(State::Replicate, "replay image available", now_ms);
            return Ok(1);
        }
        if s.timed_out(now_ms) {
            return Err(format!(
                "failed get replay image for sessionId={} on channel={}",
                s.src_replay_session_id as i32, s.replication_channel
            ));
        }
        Ok(Self::poll_source(s)?.len())
    }

    fn replication_replicate(&mut self, s: &mut ReplicationSession, now_ms: i64) -> usize {
        let image_state = s
            .recording_subscription_id
            .and_then(|id| self.recorder.subscriptions.get(&id))
            .and_then(|sub| {
                sub.subscription
                    .image_by_session_id(s.src_replay_session_id as i32)
                    .map(|image| {
                        (
                            image.position(),
                            image.is_end_of_stream(),
                            image.is_closed(),
                        )
                    })
            });
        // An image gone from the subscription counts as closed.
        let (position, eos, closed) = image_state.unwrap_or((-1, false, true));
        let synced = s.src_stop_position != -1 && position >= s.src_stop_position;
        let at_stop = s.dst_stop_position != -1 && position >= s.dst_stop_position;
        if !(synced || at_stop || eos || closed) {
            if let Some(source) = s.source.as_mut() {
                source.poll();
            }
            return 0;
        }
        if synced {
            self.replication_signal(s, position, RecordingSignal::Sync);
        }
        // The replay ended (or is no longer needed): nothing to stop on the source when it completed.
        if synced || eos || closed {
            s.src_replay_session_id = -1;
        }
        s.set_state(State::Done, if synced { "sync" } else { "done" }, now_ms);
        1
    }
}
