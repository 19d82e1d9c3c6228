//! The conductor's side of replay: validation of replay requests (as Java's `ArchiveConductor.startReplay`),
//! the replay publication at the recording's exact term layout, replay tokens of response-channel
//! replays, and what the conductor knows of the running replays (for limits, stop and detach requests).
//! The replays themselves run on the replayer agent.

use std::collections::HashMap;
use std::sync::Arc;

use rusteron_client::epoch_clock;

use super::Conductor;
use crate::channel::ChannelUri;
use crate::server::codes;
use crate::server::control_session::ImageKey;
use crate::server::handoff::{ReplayProgress, ReplayState, ReplayerCommand, ReplayerEvent};
use crate::server::replayer::{Limit, ReplaySession, REPLAY_ALL_AND_FOLLOW, REPLAY_ALL_AND_STOP};
use crate::storage::frame;
use crate::storage::positions;
use crate::storage::segment::{RecordingLayout, SegmentReader};

/// The fields of a (bounded) replay request.
#[derive(Debug, Clone)]
pub(crate) struct ReplayParams {
    pub recording_id: i64,
    pub position: i64,
    pub length: i64,
    pub limit_counter_id: Option<i32>,
    pub replay_stream_id: i32,
    pub file_io_max_length: i32,
    pub replay_token: i64,
    pub channel: String,
}

/// A replay the replayer runs, as the conductor knows it.
struct RunningReplay {
    recording_id: i64,
    replay_stream_id: i32,
    channel: String,
    progress: Arc<ReplayProgress>,
    aborted: bool,
}

struct Token {
    control_session_id: i64,
    recording_id: i64,
    deadline_ms: i64,
}

/// The conductor's replay state.
pub(crate) struct Replays {
    running: HashMap<i64, RunningReplay>,
    next_replay_id: i64,
    tokens: HashMap<i64, Token>,
    token_seed: u64,
}

impl Default for Replays {
    fn default() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Replays {
            running: HashMap::new(),
            next_replay_id: 1,
            tokens: HashMap::new(),
            token_seed: seed | 1,
        }
    }
}

impl Replays {
    /// The running replay of `recording_id` reading the lowest segment below `new_start` (Java's detach
    /// check): `(segment base, description for the error message)`.
    pub fn min_replay_below(
        &self,
        recording_id: i64,
        new_start: i64,
        layout: &RecordingLayout,
    ) -> Option<(i64, String)> {
        self.running
            .iter()
            .filter(|(_, r)| r.recording_id == recording_id && !r.aborted)
            .map(|(id, r)| (layout.segment_base(r.progress.position().max(layout.start_position)), id, r))
            .filter(|(base, _, _)| new_start > *base)
            .min_by_key(|(base, _, _)| *base)
            .map(|(base, id, r)| {
                let state = match r.progress.state() {
                    ReplayState::Init => "INIT",
                    ReplayState::Connecting => "CONNECTING",
                    ReplayState::Replaying => "REPLAY",
                };
                let detail = format!(
                    " state={state} newStartPosition={new_start} upperBound={base} sessionId={} streamId={} channel={}",
                    *id as i32, r.replay_stream_id, r.channel
                );
                (base, detail)
            })
    }

    /// `true` if a replay of `recording_id` is running.
    pub fn has_replay_of(&self, recording_id: i64) -> bool {
        self.running
            .values()
            .any(|r| r.recording_id == recording_id && !r.aborted)
    }

    /// A new replay token for a response-channel replay.
    pub fn new_token(
        &mut self,
        control_session_id: i64,
        recording_id: i64,
        deadline_ms: i64,
    ) -> i64 {
        let now = epoch_clock();
        self.tokens.retain(|_, t| t.deadline_ms >= now);
        loop {
            // xorshift64*
            let mut x = self.token_seed;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.token_seed = x;
            let token = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 1) as i64;
            if token != -1 && !self.tokens.contains_key(&token) {
                self.tokens.insert(
                    token,
                    Token {
                        control_session_id,
                        recording_id,
                        deadline_ms,
                    },
                );
                return token;
            }
        }
    }

    /// Consumes a valid token: returns the control session it belongs to.
    pub fn take_token(&mut self, token: i64, recording_id: i64, now_ms: i64) -> Option<i64> {
        let t = self.tokens.remove(&token)?;
        (t.recording_id == recording_id && t.deadline_ms >= now_ms).then_some(t.control_session_id)
    }

    /// Drops the tokens of a closed session.
    pub fn drop_tokens_of_session(&mut self, control_session_id: i64) {
        self.tokens
            .retain(|_, t| t.control_session_id != control_session_id);
    }
}

impl Conductor {
    /// Aborts one replay (unknown ids are ignored, as Java does).
    pub(crate) fn abort_replay(&mut self, replay_session_id: i64) {
        if let Some(r) = self.replays.running.get_mut(&replay_session_id) {
            r.aborted = true;
        }
        self.replayer
            .send(ReplayerCommand::Abort { replay_session_id });
    }

    /// Aborts every replay of `recording_id` (-1: all replays).
    pub(crate) fn abort_replays(&mut self, recording_id: i64) {
        for r in self.replays.running.values_mut() {
            if recording_id == -1 || r.recording_id == recording_id {
                r.aborted = true;
            }
        }
        self.replayer
            .send(ReplayerCommand::AbortAll { recording_id });
    }

    /// Handles what the replayer reports.
    pub(crate) fn process_replayer_events(&mut self) -> usize {
        let mut work = 0;
        while let Some(event) = self
            .replayer
            .next_event(&mut self.lifecycle.replayer_closed)
        {
            work += 1;
            match event {
                ReplayerEvent::Ok {
                    control_session_id,
                    correlation_id,
                    relevant_id,
                } => self.ok(control_session_id, correlation_id, relevant_id),
                ReplayerEvent::Error {
                    control_session_id,
                    correlation_id,
                    code,
                    message,
                } => self.error(control_session_id, correlation_id, code, &message),
                ReplayerEvent::Ended { replay_session_id } => {
                    self.replays.running.remove(&replay_session_id);
                }
                ReplayerEvent::Closed => self.lifecycle.replayer_closed = true,
            }
        }
        work
    }

    /// Validates a replay request, creates the replay publication and hands the replay to the replayer.
    pub(crate) fn start_replay(&mut self, csid: i64, corr: i64, image: ImageKey, p: ReplayParams) {
        let max = self.config.max_concurrent_replays;
        if self.replays.running.len() >= max {
            self.error(
                csid,
                corr,
                codes::MAX_REPLAYS,
                &format!("max concurrent replays reached {max}"),
            );
            return;
        }
        let rid = p.recording_id;
        let Some(d) = self.known_recording(csid, corr, rid) else {
            return;
        };
        let counters_reader = self.aeron.counters_reader();
        let live = self.recordings.live_position(rid);
        let active_position = live.as_ref().map(|l| l.get());
        let (limit, limit_position) = match p.limit_counter_id {
            Some(counter_id) => {
                if counters_reader.counter_state(counter_id).ok() != Some(1) {
                    self.error(
                        csid,
                        corr,
                        codes::GENERIC,
                        &format!("unable to create replay limit counter id={counter_id} because it is not allocated"),
                    );
                    return;
                }
                (
                    Some(Limit::Counter(counter_id)),
                    counters_reader.get_counter_value(counter_id),
                )
            }
            None => match (&live, active_position) {
                (Some(l), Some(pos)) => (Some(Limit::Recording(l.clone())), pos),
                _ => (None, d.stop_position),
            },
        };
        let start = d.start_position;
        let stop = d.stop_position;
        let mut replay_position = start;
        if p.position != -1 {
            replay_position = p.position;
            if replay_position & (frame::FRAME_ALIGNMENT - 1) != 0 {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!("requested replay start position={replay_position} is not a multiple of FRAME_ALIGNMENT (32) for recording {rid}"),
                );
                return;
            }
            if replay_position < start {
                self.error(
                    csid,
                    corr,
                    codes::INVALID_POSITION,
                    &format!("requested replay start position={replay_position} is less than recording start position={start} for recording {rid}"),
                );
                return;
            }
            if active_position.is_none()
                && stop != -1
                && replay_position >= stop
                && !(replay_position == stop && p.limit_counter_id.is_some())
            {
                self.error(
                    csid,
                    corr,
                    codes::INVALID_POSITION,
                    &format!("requested replay start position={replay_position} must be less than the limit position={stop} for recording {rid}"),
                );
                return;
            }
        }
        if p.file_io_max_length > 0 && p.file_io_max_length < d.mtu_length {
            self.error(
                csid,
                corr,
                codes::GENERIC,
                &format!(
                    "fileIoMaxLength={} < mtuLength={}",
                    p.file_io_max_length, d.mtu_length
                ),
            );
            return;
        }
        let (stop_position, max_length) = if limit.is_some() {
            if replay_position > limit_position {
                self.error(
                    csid,
                    corr,
                    codes::INVALID_POSITION,
                    &format!("requested replay start position={replay_position} must be less than the limit position={limit_position} for recording {rid}"),
                );
                return;
            }
            (limit_position, i64::MAX - replay_position)
        } else {
            (stop, stop - replay_position)
        };
        let replay_length = match p.length {
            REPLAY_ALL_AND_FOLLOW => max_length,
            REPLAY_ALL_AND_STOP => {
                let l = stop_position - replay_position;
                if l == 0 {
                    self.error(
                        csid,
                        corr,
                        codes::EMPTY_RECORDING,
                        &format!("requested replay is empty, recordingId={rid} position={replay_position}"),
                    );
                    return;
                }
                l
            }
            l if l < 0 => {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!("invalid replay length={l} for recording {rid}"),
                );
                return;
            }
            l => l.min(max_length),
        };
        let limit = match limit {
            Some(Limit::Recording(_)) if p.length == REPLAY_ALL_AND_STOP => {
                Limit::Fixed(stop_position)
            }
            Some(l) => l,
            None => Limit::Fixed(stop),
        };

        // The replay publication, at the recording's term layout and the replay position.
        let term_length = d.term_buffer_length as i64;
        let channel = match ChannelUri::parse(&p.channel).and_then(|u| Ok((u.stripped()?, u))) {
            Ok((mut out, requested)) => {
                out.set("mtu", d.mtu_length.to_string());
                out.set("term-length", d.term_buffer_length.to_string());
                out.set("init-term-id", d.initial_term_id.to_string());
                out.set(
                    "term-id",
                    positions::term_id(replay_position, d.initial_term_id, term_length).to_string(),
                );
                out.set(
                    "term-offset",
                    positions::term_offset(replay_position, term_length).to_string(),
                );
                for key in ["eos", "sparse"] {
                    if let Some(v) = requested.get(key) {
                        out.set(key, v);
                    }
                }
                let linger = requested
                    .get("linger")
                    .map(str::to_owned)
                    .unwrap_or_else(|| self.config.replay_linger_timeout.as_nanos().to_string());
                out.set("linger", linger);
                if requested.get("control-mode") == Some("response") && p.replay_token != -1 {
                    if let Some(info) = self.control_images.get(&image) {
                        out.set("response-correlation-id", info.correlation_id.to_string());
                    }
                }
                out.to_string()
            }
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e.to_string());
                return;
            }
        };
        let publication =
            match self
                .aeron
                .add_exclusive_publication(&channel, p.replay_stream_id, self.timeout)
            {
                Ok(p) => p,
                Err(e) => {
                    self.error(
                        csid,
                        corr,
                        codes::GENERIC,
                        &format!("cannot create replay publication {channel}: {e}"),
                    );
                    return;
                }
            };
        let publication_session_id = publication.constants().map(|c| c.session_id).unwrap_or(0);
        let replay_id = self.replays.next_replay_id;
        self.replays.next_replay_id += 1;
        let id = (replay_id << 32) | (publication_session_id as u32 as i64);
        let layout = RecordingLayout {
            recording_id: rid,
            start_position: start,
            term_length,
            segment_length: d.segment_file_length as i64,
        };
        let io_length = if p.file_io_max_length > 0 {
            p.file_io_max_length as usize
        } else {
            self.config.file_io_max_length as usize
        };
        let validate_frame = replay_position > start
            && active_position.is_none_or(|live| replay_position < live)
            && replay_position != stop;
        let progress = Arc::new(ReplayProgress::new(replay_position));
        let session = ReplaySession {
            id,
            recording_id: rid,
            control_session_id: csid,
            correlation_id: corr,
            publication: Some(publication),
            reader: SegmentReader::new(&self.config.archive_dir, layout),
            term_length,
            stream_id: d.stream_id,
            replay_stream_id: p.replay_stream_id,
            publication_session_id,
            initial_term_id: d.initial_term_id,
            position: replay_position,
            replay_limit: replay_position.saturating_add(replay_length),
            limit,
            buffer: vec![0u8; io_length.max(d.mtu_length as usize)],
            state: ReplayState::Init,
            deadline_ms: epoch_clock() + self.timeout.as_millis() as i64,
            validate_frame,
            channel: channel.clone(),
            layout,
            checksum: self.config.replay_checksum,
            progress: progress.clone(),
            aborted: false,
        };
        log::debug!("replay {id} of recording {rid} from {replay_position} length {replay_length}");
        self.replays.running.insert(
            id,
            RunningReplay {
                recording_id: rid,
                replay_stream_id: p.replay_stream_id,
                channel,
                progress,
                aborted: false,
            },
        );
        if !self
            .replayer
            .send(ReplayerCommand::Start(Box::new(session)))
        {
            self.replays.running.remove(&id);
            self.error(csid, corr, codes::GENERIC, "the replayer has ended");
        }
    }
}
