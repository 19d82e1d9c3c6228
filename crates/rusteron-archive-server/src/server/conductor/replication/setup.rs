//! The first states of a replication (Java's `ReplicationSession.connect`, `replicateDescriptor`,
//! `onRecordingDescriptor`, `srcRecordingPosition` and `extend`): connect to the source archive, fetch the
//! source descriptor, create or prepare the destination recording, for a live destination fetch the source
//! live position, then extend the destination recording on the replication channel.

use rusteron_archive_codecs::{ControlResponseCode, RecordingSignal};

use super::channels;
use super::session::{ReplicationSession, State};
use super::source_client::{SourceArchive, SourceResponse};
use crate::server::codes;
use crate::server::conductor::Conductor;
use crate::storage::catalog::RecordingDescriptor;

/// The message of a live-destination replication of a recording that is not being recorded.
const NOT_LIVE: &str = "cannot live merge without active source recording";

impl Conductor {
    /// Connects to the source archive (Java's `connect`).
    pub(super) fn replication_connect(
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

    /// Fetches the source recording descriptor (Java's `replicateDescriptor`).
    pub(super) fn replication_descriptor(
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

    /// Ends the session with a GENERIC error (Java's `state(DONE, msg); error(msg, GENERIC)`).
    fn replication_fail(&mut self, s: &mut ReplicationSession, message: &str, now_ms: i64) {
        s.set_state(State::Done, message, now_ms);
        self.error(s.control_session_id, s.id, codes::GENERIC, message);
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
            if s.request.replication_session_id != -1 && s.live_destination.is_none() {
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
            self.replication_fail(s, &message, now_ms);
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
                    self.replication_fail(s, &message, now_ms);
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
        let (mut next, mut reason) = (State::Extend, String::new());
        if let Some(live) = &s.live_destination {
            if src.stop_position != -1 {
                self.replication_fail(s, NOT_LIVE, now_ms);
                return;
            }
            next = State::SrcRecordingPosition;
            reason = format!("liveDestination={live}");
        }
        let dst_stop = self
            .catalog
            .get(s.dst_recording_id)
            .map_or(-2, |d| d.stop_position);
        if start == src.stop_position || src.stop_position == dst_stop {
            self.replication_signal(s, src.stop_position, RecordingSignal::Sync);
            (next, reason) = (State::Done, "in sync".to_owned());
        }
        s.set_state(next, &reason, now_ms);
    }

    /// Live destination: the source recording's live position before the replay starts (Java's
    /// `srcRecordingPosition`).
    pub(super) fn replication_src_position(
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        if s.active_correlation_id == -1 {
            let id = s.request.src_recording_id;
            return Self::send_to_source(s, now_ms, "recording position request", |c| {
                c.recording_position(id)
            });
        }
        let (response, work) = Self::poll_ok_response(s)?;
        match response {
            Some(position) => {
                s.src_recording_position = position;
                if position == -1 && s.live_destination.is_some() {
                    return Err(NOT_LIVE.into());
                }
                s.set_state(State::Extend, "", now_ms);
                Ok(work + 1)
            }
            None if s.timed_out(now_ms) => Err("failed to get recording position".into()),
            None => Ok(work),
        }
    }

    /// Extends the destination recording (Java's `extend`). A live-destination or tagged replication
    /// subscribes to a multi-destination channel (manual control mode, tagged with the request's tags or the
    /// replication id) and adds the replay destination to it.
    pub(super) fn replication_extend(&mut self, s: &mut ReplicationSession, now_ms: i64) -> usize {
        let (channel_tag, subscription_tag) =
            (s.request.channel_tag_id, s.request.subscription_tag_id);
        let is_tagged = channel_tag != -1 || subscription_tag != -1;
        let is_mds = is_tagged || s.live_destination.is_some();
        // Untagged, both tags are the replication id (as Java).
        let tag = |t: i64| if t == -1 { s.id } else { t };
        let tags = is_mds.then_some((tag(channel_tag), tag(subscription_tag)));
        let channel =
            match channels::extend_channel(&s.replication_channel, s.replay_session_id, tags)
                .and_then(|c| Ok((c, channels::replay_destination(&s.replication_channel)?)))
            {
                Ok(v) => v,
                Err(e) => {
                    self.replication_fail(s, &format!("invalid replication channel: {e}"), now_ms);
                    return 1;
                }
            };
        let (channel, replay_destination) = channel;
        // Errors are answered by extend_recording (correlation id = replication id), as Java's conductor does.
        let Some(sub_id) = self.extend_recording(
            s.control_session_id,
            s.id,
            s.dst_recording_id,
            s.replay_stream_id,
            false,
            &channel,
            true,
        ) else {
            s.set_state(State::Done, "extend failed", now_ms);
            return 1;
        };
        s.recording_subscription_id = Some(sub_id);
        if !is_mds {
            s.set_state(State::ReplayToken, "replay destination added", now_ms);
            return 1;
        }
        match self.replication_destination(s, Destination::Add, &replay_destination) {
            Ok(()) => {
                let reason = format!("replay destination added: {replay_destination}");
                s.replay_destination = Some(replay_destination);
                s.set_state(State::ReplayToken, &reason, now_ms);
            }
            Err(e) => self.replication_fail(s, &e, now_ms),
        }
        1
    }

    /// Adds or removes a destination of the recording subscription, asynchronously (Java's
    /// `asyncAddDestination` / `asyncRemoveDestination`); the pending operation is polled with the others.
    pub(super) fn replication_destination(
        &mut self,
        s: &ReplicationSession,
        op: Destination,
        destination: &str,
    ) -> Result<(), String> {
        let Some(sub) = self.replication_subscription(s) else {
            return Err("no recording subscription".into());
        };
        let pending = match op {
            Destination::Add => sub.async_add_destination(destination),
            Destination::Remove => sub.async_remove_destination(destination),
        }
        .map_err(|e| format!("cannot {op} destination {destination}: {e}"))?;
        self.replications.track_destination(pending);
        Ok(())
    }
}

/// What [`Conductor::replication_destination`] does with a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Destination {
    /// Add it.
    Add,
    /// Remove it.
    Remove,
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Destination::Add => "add",
            Destination::Remove => "remove",
        })
    }
}
