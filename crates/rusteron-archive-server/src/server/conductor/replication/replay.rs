//! The replay states of a replication (Java's `ReplicationSession.replayToken`, `getArchiveProxy`, `replay`,
//! `awaitImage` and `replicate`): for a response-channel replication, get a replay token and a request
//! publication whose response correlation id is the recording subscription; ask the source archive to
//! replay; wait for the replay image; then record it until it is in sync, at the stop position, or ends.

use rusteron_archive_codecs::RecordingSignal;

use super::channels::{self, ReplayChannelParams};
use super::session::{ReplicationSession, State};
use super::source_client::ReplayRequest;
use crate::channel::ChannelUri;
use crate::server::conductor::Conductor;

impl Conductor {
    /// Response channel: a replay token from the source (Java's `replayToken`). Other replications pass.
    pub(super) fn replication_replay_token(
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        let response_mode =
            ChannelUri::parse(&s.replication_channel).is_ok_and(|u| channels::is_response_mode(&u));
        if s.replay_token != -1 || !response_mode {
            s.set_state(State::GetArchiveProxy, "", now_ms);
            return Ok(1);
        }
        if s.active_correlation_id == -1 {
            let id = s.request.src_recording_id;
            return Self::send_to_source(s, now_ms, "replay token request", |c| c.replay_token(id));
        }
        let (response, work) = Self::poll_ok_response(s)?;
        match response {
            Some(token) => {
                s.replay_token = token;
                s.set_state(State::GetArchiveProxy, "", now_ms);
                Ok(work + 1)
            }
            // Java waits without a deadline here; this archive gives up after the action timeout.
            None if s.timed_out(now_ms) => Err("failed to get a replay token".into()),
            None => Ok(work),
        }
    }

    /// Response channel: the publication the replay request goes out on (Java's `getArchiveProxy`). Other
    /// replications use the source archive's control request publication.
    pub(super) fn replication_archive_proxy(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        if s.replay_token == -1 {
            s.set_state(State::Replay, "", now_ms);
            return Ok(1);
        }
        if s.response_publication.is_none() && s.pending_response_publication.is_none() {
            let (Some(source), Some(sub_id)) = (s.source.as_ref(), s.recording_subscription_id)
            else {
                return Err("no source archive connection".into());
            };
            let channel = channels::response_publication_channel(source.request_channel(), sub_id)
                .map_err(|e| e.to_string())?;
            let pending = self
                .aeron
                .async_add_exclusive_publication(&channel, source.request_stream_id())
                .map_err(|e| format!("cannot add the replay request publication {channel}: {e}"))?;
            s.pending_response_publication = Some(pending);
            return Ok(1);
        }
        if let Some(pending) = &s.pending_response_publication {
            match pending.poll() {
                Ok(Some(publication)) => {
                    s.response_publication = Some(publication);
                    s.pending_response_publication = None;
                }
                Ok(None) => return Self::archive_proxy_wait(s, now_ms),
                Err(e) => return Err(format!("cannot add the replay request publication: {e}")),
            }
        }
        let ready = s
            .response_publication
            .as_ref()
            .is_some_and(|p| p.is_connected() && p.position_limit() > p.position());
        if !ready {
            return Self::archive_proxy_wait(s, now_ms);
        }
        s.set_state(State::Replay, "ArchiveProxy created", now_ms);
        Ok(1)
    }

    /// Java waits for the request publication without a deadline; this archive gives up after the action
    /// timeout.
    fn archive_proxy_wait(s: &ReplicationSession, now_ms: i64) -> Result<usize, String> {
        if s.timed_out(now_ms) {
            return Err("failed to connect the replay request publication".into());
        }
        Ok(0)
    }

    /// Asks the source archive to replay into the recording subscription (Java's `replay`).
    pub(super) fn replication_replay(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        if s.active_correlation_id != -1 {
            let (response, work) = Self::poll_ok_response(s)?;
            return match response {
                Some(replay_session_id) => {
                    s.src_replay_session_id = replay_session_id;
                    let reason = format!("srcReplaySessionId={replay_session_id}");
                    s.set_state(State::AwaitImage, &reason, now_ms);
                    Ok(work + 1)
                }
                None if s.timed_out(now_ms) => Err(format!(
                    "failed get acknowledgement of replay request to: {}",
                    s.replication_channel
                )),
                None => Ok(work),
            };
        }
        let subscription = self.replication_subscription(s);
        let registration_id = subscription.map_or(-1, |sub| sub.registration_id());
        let resolved = subscription.and_then(|sub| sub.resolved_endpoint().ok().flatten());
        let Some(resolved) = resolved else {
            if s.timed_out(now_ms) {
                return Err(format!(
                    "failed to resolve subscription endpoint: channel={}",
                    s.replication_channel
                ));
            }
            return Ok(0);
        };
        let channel = channels::replay_channel(
            &s.replication_channel,
            &ReplayChannelParams {
                resolved_endpoint: &resolved,
                live: s.live_destination.is_some(),
                subscription_registration_id: registration_id,
                replay_session_id: s.replay_session_id,
            },
        )
        .map_err(|e| e.to_string())?;
        let length = if s.dst_stop_position == -1 {
            -1
        } else {
            s.dst_stop_position - s.replay_position
        };
        let request = ReplayRequest {
            recording_id: s.request.src_recording_id,
            channel: &channel,
            stream_id: s.replay_stream_id,
            position: s.replay_position,
            length,
            file_io_max_length: s.request.file_io_max_length,
            replay_token: s.replay_token,
        };
        let via = s.response_publication.take();
        let result = Self::send_to_source(s, now_ms, "replay request", |c| {
            c.replay(&request, via.as_ref())
        });
        s.response_publication = via;
        result
    }

    /// Waits for the replay image on the recording subscription (Java's `awaitImage`).
    pub(super) fn replication_await_image(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        if let Some(image) = self.replication_image(s) {
            let next = if s.live_destination.is_none() {
                State::Replicate
            } else {
                State::Catchup
            };
            let reason = format!("replay image available, position={}", image.position);
            s.set_state(next, &reason, now_ms);
            return Ok(1);
        }
        if s.timed_out(now_ms) {
            return Err(format!(
                "failed get replay image for sessionId={} on channel={}",
                s.src_replay_session_id as i32, s.replication_channel
            ));
        }
        Ok(0)
    }

    /// Records the replay until in sync, at the stop position, or its end (Java's `replicate`).
    pub(super) fn replication_replicate(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> usize {
        // An image gone from the subscription counts as closed.
        let (position, eos, closed) = self.replication_image(s).map_or((-1, false, true), |i| {
            (i.position, i.is_end_of_stream, i.is_closed)
        });
        let synced = s.src_stop_position != -1 && position >= s.src_stop_position;
        let at_stop = s.dst_stop_position != -1 && position >= s.dst_stop_position;
        if !(synced || at_stop || eos || closed) {
            return 0;
        }
        if synced {
            self.replication_signal(s, position, RecordingSignal::Sync);
        }
        // The replay ended (or is no longer needed): nothing to stop on the source when it completed.
        s.src_replay_session_id = -1;
        s.set_state(State::Done, if synced { "sync" } else { "done" }, now_ms);
        1
    }
}
