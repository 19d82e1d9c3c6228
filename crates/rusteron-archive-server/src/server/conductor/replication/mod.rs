//! Replication (ReplicateRequest2, and the older Replicate/TaggedReplicate requests mapped onto it) and
//! StopReplication, as Java's `ArchiveConductor.replicate`/`stopReplication`. Each replication is a
//! [`session::ReplicationSession`] stepped from the conductor's duty cycle: plain, live-destination (merge),
//! tagged and response-channel replications.

mod channels;
mod merge;
mod replay;
mod session;
mod setup;
mod source_client;

use std::collections::BTreeMap;

use rusteron_archive_codecs::RecordingSignal;
use rusteron_client::AeronAsyncDestination;

use super::Conductor;
use crate::channel::ChannelUri;
use crate::server::codes;
use session::{ReplicationSession, State};

/// Replication channel used when neither the request nor the configuration gives one.
const DEFAULT_REPLICATION_CHANNEL: &str = "aeron:udp?endpoint=localhost:0";
/// Response channel of the source-archive client when none is configured.
const DEFAULT_RESPONSE_CHANNEL: &str = "aeron:udp?endpoint=localhost:0";

/// The fields of a replicate request.
#[derive(Debug, Clone)]
pub(crate) struct ReplicateParams {
    pub src_recording_id: i64,
    pub dst_recording_id: i64,
    pub stop_position: i64,
    /// Channel tag of the recording subscription (-1: none; tagged replication).
    pub channel_tag_id: i64,
    /// Subscription tag of the recording subscription (-1: none; tagged replication).
    pub subscription_tag_id: i64,
    pub src_control_stream_id: i32,
    pub file_io_max_length: i32,
    pub replication_session_id: i32,
    pub src_control_channel: String,
    pub live_destination: String,
    pub replication_channel: String,
    pub credentials: Vec<u8>,
    pub src_response_channel: String,
}

/// Running replications by replication id.
#[derive(Default)]
pub(crate) struct Replications {
    sessions: BTreeMap<i64, ReplicationSession>,
    /// Destination adds/removes on recording subscriptions not yet acknowledged by the driver.
    destinations: Vec<AeronAsyncDestination>,
}

impl Replications {
    /// Keeps a destination add/remove until the driver has applied it.
    fn track_destination(&mut self, pending: AeronAsyncDestination) {
        self.destinations.push(pending);
    }

    /// Polls the pending destination adds/removes; drops the finished ones.
    fn poll_destinations(&mut self) -> usize {
        let before = self.destinations.len();
        self.destinations.retain(|d| match d.poll() {
            Ok(done) => !done,
            Err(e) => {
                log::warn!(
                    "replication destination {} failed: {e}",
                    d.registration_id()
                );
                false
            }
        });
        before - self.destinations.len()
    }
}

impl Conductor {
    /// Replicate request: validates, answers OK with the replication id and starts the session.
    pub(crate) fn replicate(&mut self, csid: i64, corr: i64, request: ReplicateParams) {
        let replication_channel = if request.replication_channel.is_empty() {
            self.config
                .replication_channel
                .clone()
                .unwrap_or_else(|| DEFAULT_REPLICATION_CHANNEL.to_owned())
        } else {
            request.replication_channel.clone()
        };
        let uri = match ChannelUri::parse(&replication_channel) {
            Ok(u) => u,
            Err(e) => {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!("invalid replication channel: {e}"),
                );
                return;
            }
        };
        let response_mode = uri.get("control-mode") == Some("response");
        if response_mode && !request.live_destination.is_empty() {
            self.error(
                csid,
                corr,
                codes::GENERIC,
                "response channels can't be used with live destinations",
            );
            return;
        }
        if response_mode && (request.channel_tag_id != -1 || request.subscription_tag_id != -1) {
            self.error(
                csid,
                corr,
                codes::GENERIC,
                "response channels can't be used with tagged replication",
            );
            return;
        }
        let dst = request.dst_recording_id;
        let has_recording = self.catalog.has_recording(dst);
        if dst != -1 && !has_recording {
            self.error(
                csid,
                corr,
                codes::UNKNOWN_RECORDING,
                &format!("unknown destination recording id {dst}"),
            );
            return;
        }
        let mut summary = None;
        if has_recording {
            let Some(d) = self.catalog.get(dst) else {
                return;
            };
            if d.stop_position == -1 || self.recordings.is_active(dst) {
                self.error(
                    csid,
                    corr,
                    codes::ACTIVE_RECORDING,
                    &format!("cannot replicate to active recording {dst}"),
                );
                return;
            }
            summary = Some(d);
        }
        let response_channel = if request.src_response_channel.is_empty() {
            self.config
                .control_response_channel
                .clone()
                .unwrap_or_else(|| DEFAULT_RESPONSE_CHANNEL.to_owned())
        } else {
            request.src_response_channel.clone()
        };
        let replication_id = self.next_session_id;
        self.next_session_id += 1;
        let now = rusteron_client::epoch_clock();
        let session = ReplicationSession::new(
            replication_id,
            csid,
            request,
            replication_channel,
            response_channel,
            summary,
            now,
            self.timeout.as_millis() as i64,
        );
        self.replications.sessions.insert(replication_id, session);
        self.ok(csid, corr, replication_id);
    }

    /// StopReplication: aborts the session (it closes, with REPLICATE_END, on the next duty cycle).
    pub(crate) fn stop_replication(&mut self, csid: i64, corr: i64, replication_id: i64) {
        match self
            .replications
            .sessions
            .get_mut(&replication_id)
            .filter(|s| !s.stop_requested)
        {
            Some(session) => {
                session.stop_requested = true;
                session.set_state(
                    State::Done,
                    "stop replication",
                    rusteron_client::epoch_clock(),
                );
                self.ok(csid, corr, 0);
            }
            None => self.error(
                csid,
                corr,
                codes::UNKNOWN_REPLICATION,
                &format!("unknown replication id {replication_id}"),
            ),
        }
    }

    /// One duty cycle of the replications: steps each session, closes the finished ones.
    pub(crate) fn replication_work(&mut self, now_ms: i64) -> usize {
        let mut work = self.replications.poll_destinations();
        if self.replications.sessions.is_empty() {
            return work;
        }
        let ids: Vec<i64> = self.replications.sessions.keys().copied().collect();
        for id in ids {
            let Some(mut session) = self.replications.sessions.remove(&id) else {
                continue;
            };
            if session.state != State::Done && self.session(session.control_session_id).is_none() {
                session.set_state(State::Done, "control session closed", now_ms);
            }
            work += self.replication_step(&mut session, now_ms);
            if session.state == State::Done {
                self.close_replication(session);
                work += 1;
            } else {
                self.replications.sessions.insert(id, session);
            }
        }
        work
    }

    /// Closes a finished replication as Java's `ReplicationSession.close`: stops the destination
    /// recording (unless merged onto its live stream), stops the source replay, closes the source client and
    /// the response-channel request publication, sends REPLICATE_END.
    fn close_replication(&mut self, mut session: ReplicationSession) {
        if let Some(sub_id) = session.recording_subscription_id.take() {
            // As Java's stopRecordingSubscription: the subscription closes now and its recording is aborted;
            // the recorder stops it (STOP signal) on its next duty cycle, so after REPLICATE_END.
            self.stop_subscription(sub_id, None);
        }
        if let Some(mut source) = session.source.take() {
            if session.src_replay_session_id != -1 {
                source.stop_replay(session.src_replay_session_id);
            }
            source.close();
        }
        session.response_publication = None;
        session.pending_response_publication = None;
        log::debug!("replication {} closed", session.id);
        self.replication_signal(&session, -1, RecordingSignal::ReplicateEnd);
    }

    /// Sends a recording signal of a replication (correlation id = replication id) to its control session.
    pub(super) fn replication_signal(
        &mut self,
        session: &ReplicationSession,
        position: i64,
        signal: RecordingSignal,
    ) {
        let subscription_id = session.recording_subscription_id.unwrap_or(-1);
        let (csid, id, dst) = (
            session.control_session_id,
            session.id,
            session.dst_recording_id,
        );
        if let Some(s) = self.session(csid) {
            s.send_signal(id, dst, subscription_id, position, signal);
        }
    }

    /// Stops every replication at shutdown.
    pub(crate) fn replication_shutdown(&mut self) {
        let sessions = std::mem::take(&mut self.replications.sessions);
        for (_, session) in sessions {
            self.close_replication(session);
        }
    }
}
