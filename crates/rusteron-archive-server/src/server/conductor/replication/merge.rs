//! The live-destination states of a replication (Java's `ReplicationSession.catchup` and
//! `attemptLiveJoin`): the replay first catches up with the source's live position seen before it started;
//! then, asking the source for its recording position each time, the live destination is added to the
//! multi-destination recording subscription once the replay is within a quarter term (at most 32 MiB) of
//! it, and once the replay has reached it with both transports active on the image, the replay destination
//! is removed, MERGE is signalled and the replication ends, leaving the recording on the live stream.

use rusteron_archive_codecs::RecordingSignal;

use super::session::{ImageView, ReplicationSession, State, RETRY_ATTEMPTS};
use super::setup::Destination;
use crate::server::conductor::Conductor;

/// Largest gap to the live position at which the live destination is added (Java's
/// `ReplayMerge.LIVE_ADD_MAX_WINDOW`, 32 MiB).
const LIVE_ADD_MAX_WINDOW: i64 = 32 * 1024 * 1024;
/// Gap to the live position at which the replay is removed (Java's `REPLAY_REMOVE_THRESHOLD`).
const REPLAY_REMOVE_THRESHOLD: i64 = 0;
/// The error when the replay image goes away before the merge.
const IMAGE_CLOSED: &str = "replication image closed unexpectedly";

/// Java's `shouldAddLiveDestination`.
fn should_add_live_destination(s: &ReplicationSession, image: &ImageView) -> bool {
    !s.is_live_added
        && s.src_recording_position - image.position
            <= (image.term_buffer_length >> 2).min(LIVE_ADD_MAX_WINDOW)
}

/// Java's `shouldStopReplay`.
fn should_stop_replay(s: &ReplicationSession, image: &ImageView) -> bool {
    s.is_live_added
        && s.src_recording_position - image.position <= REPLAY_REMOVE_THRESHOLD
        && image.active_transport_count >= 2
}

impl Conductor {
    /// The replay catches up with the source position fetched before the replay (Java's `catchup`).
    pub(super) fn replication_catchup(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        let image = self.replication_image(s);
        match image {
            Some(i) if i.position >= s.src_recording_position => {
                let reason = format!(
                    "image position ({}) >= srcRecordingPosition ({})",
                    i.position, s.src_recording_position
                );
                s.set_state(State::AttemptLiveJoin, &reason, now_ms);
                Ok(1)
            }
            Some(i) if !i.is_closed => Ok(0),
            _ => Err(IMAGE_CLOSED.into()),
        }
    }

    /// Adds the live destination, then merges onto it (Java's `attemptLiveJoin`).
    pub(super) fn replication_attempt_live_join(
        &mut self,
        s: &mut ReplicationSession,
        now_ms: i64,
    ) -> Result<usize, String> {
        if s.active_correlation_id == -1 {
            let id = s.src_recording_id();
            return Self::send_to_source(s, now_ms, "recording position request", |c| {
                c.recording_position(id)
            });
        }
        let (response, work) = Self::poll_ok_response(s)?;
        let image = self.replication_image(s);
        let Some(position) = response else {
            if !matches!(image, Some(i) if !i.is_closed) {
                return Err(IMAGE_CLOSED.into());
            }
            if s.timed_out(now_ms) {
                s.retry_attempts -= 1;
                if s.retry_attempts == 0 {
                    return Err("failed to get recording position".into());
                }
                s.track(-1, now_ms);
            }
            return Ok(work);
        };
        s.track(-1, now_ms);
        s.retry_attempts = RETRY_ATTEMPTS;
        s.src_recording_position = position;
        if position == -1 {
            return Err("cannot live merge without active source recording".into());
        }
        let Some(image) = image else {
            return Err(IMAGE_CLOSED.into());
        };
        if should_add_live_destination(s, &image) {
            if let Some(live) = s.live_destination.clone() {
                self.replication_destination(s, Destination::Add, &live)?;
                s.is_live_added = true;
                log::debug!(
                    "replication {}: live destination {live} added at {} (source at {position})",
                    s.id,
                    image.position
                );
            }
        } else if should_stop_replay(s, &image) {
            if let Some(replay) = s.replay_destination.take() {
                self.replication_destination(s, Destination::Remove, &replay)?;
            }
            // The recording now belongs to the live stream: closing the session must not stop it.
            s.recording_subscription_id = None;
            self.replication_signal(s, image.position, RecordingSignal::Merge);
            s.set_state(State::Done, "merge", now_ms);
        }
        Ok(work + 1)
    }
}

impl ReplicationSession {
    /// The source recording id.
    fn src_recording_id(&self) -> i64 {
        self.request.src_recording_id
    }
}
