//! Replay: validation of replay requests (as Java's `ArchiveConductor.startReplay`), the replay publication
//! at the recording's exact term layout, and replay sessions that read segment files and `offer_block`
//! whole frames (session and stream ids rewritten), bounded by length, a limit counter or the live end of
//! an active recording.

use std::collections::HashMap;

use rusteron_client::{epoch_clock, AeronExclusivePublication};

use super::conductor::Conductor;
use super::control_session::ImageKey;
use super::replay_checksum;
use super::requests::codes;
use crate::channel::ChannelUri;
use crate::storage::checksum::Checksum;
use crate::storage::frame;
use crate::storage::positions;
use crate::storage::segment::{RecordingLayout, SegmentReader};

/// Replay the whole recording and follow it while it is live (`length = -1`).
pub const REPLAY_ALL_AND_FOLLOW: i64 = -1;
/// Replay up to the position at the time of the request (`length = -2`).
pub const REPLAY_ALL_AND_STOP: i64 = -2;

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

/// Where a replay ends.
#[derive(Debug, Clone, Copy)]
enum Limit {
    /// A fixed stop position.
    Fixed(i64),
    /// The live position of an active recording.
    Recording(i64),
    /// The value of a counter (bounded replay).
    Counter(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReplayState {
    /// Waiting for the first segment file; the OK is not sent yet.
    Init,
    /// OK sent; waiting for the subscriber.
    Connecting,
    Replaying,
}

/// One replay.
pub(crate) struct ReplaySession {
    pub id: i64,
    pub recording_id: i64,
    control_session_id: i64,
    correlation_id: i64,
    publication: Option<AeronExclusivePublication>,
    reader: SegmentReader,
    term_length: i64,
    stream_id: i32,
    replay_stream_id: i32,
    publication_session_id: i32,
    initial_term_id: i32,
    position: i64,
    start_position: i64,
    replay_limit: i64,
    limit: Limit,
    buffer: Vec<u8>,
    state: ReplayState,
    deadline_ms: i64,
    validate_frame: bool,
    channel: String,
    aborted: bool,
    layout: RecordingLayout,
    checksum: Option<Checksum>,
}

struct Token {
    control_session_id: i64,
    recording_id: i64,
    deadline_ms: i64,
}

/// All replays and replay tokens.
pub(crate) struct Replayer {
    pub sessions: HashMap<i64, ReplaySession>,
    next_replay_id: i64,
    tokens: HashMap<i64, Token>,
    token_seed: u64,
}

impl Default for Replayer {
    fn default() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Replayer { sessions: HashMap::new(), next_replay_id: 1, tokens: HashMap::new(), token_seed: seed | 1 }
    }
}

impl Replayer {
    /// Aborts one replay (unknown ids are ignored, as Java does).
    pub fn abort(&mut self, replay_session_id: i64) {
        if let Some(s) = self.sessions.get_mut(&replay_session_id) {
            s.aborted = true;
        }
    }

    /// Aborts every replay of `recording_id` (-1: all replays).
    pub fn abort_all(&mut self, recording_id: i64) {
        for s in self.sessions.values_mut() {
            if recording_id == -1 || s.recording_id == recording_id {
                s.aborted = true;
            }
        }
    }

    /// The running replay of `recording_id` reading the lowest segment below `new_start` (Java's detach
    /// check): `(segment base, description for the error message)`.
    pub fn min_replay_below(&self, recording_id: i64, new_start: i64, layout: &RecordingLayout) -> Option<(i64, String)> {
        self.sessions
            .values()
            .filter(|s| s.recording_id == recording_id && !s.aborted)
            .map(|s| (layout.segment_base(s.position.max(layout.start_position)), s))
            .filter(|(base, _)| new_start > *base)
            .min_by_key(|(base, _)| *base)
            .map(|(base, s)| {
                let state = match s.state {
                    ReplayState::Init => "INIT",
                    ReplayState::Connecting => "CONNECTING",
                    ReplayState::Replaying => "REPLAY",
                };
                let detail = format!(
                    " state={state} newStartPosition={new_start} upperBound={base} sessionId={} streamId={} channel={}",
                    s.id as i32, s.replay_stream_id, s.channel
                );
                (base, detail)
            })
    }

    /// `true` if a replay of `recording_id` is running.
    pub fn has_replay_of(&self, recording_id: i64) -> bool {
        self.sessions.values().any(|s| s.recording_id == recording_id && !s.aborted)
    }

    /// A new replay token for a response-channel replay.
    pub fn new_token(&mut self, control_session_id: i64, recording_id: i64, deadline_ms: i64) -> i64 {
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
                self.tokens.insert(token, Token { control_session_id, recording_id, deadline_ms });
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
        self.tokens.retain(|_, t| t.control_session_id != control_session_id);
    }
}

impl Conductor {
    /// Validates a replay request and starts the replay session.
    pub(crate) fn start_replay(&mut self, csid: i64, corr: i64, image: ImageKey, p: ReplayParams) {
        let max = self.config.max_concurrent_replays;
        if self.replayer.sessions.len() >= max {
            self.error(csid, corr, codes::MAX_REPLAYS, &format!("max concurrent replays reached {max}"));
            return;
        }
        let rid = p.recording_id;
        let Some(d) = self.catalog.get(rid) else {
            self.error(csid, corr, codes::UNKNOWN_RECORDING, &format!("unknown recording id: {rid}"));
            return;
        };
        let counters_reader = self.aeron.counters_reader();
        let active_position = self.recorder.active_position(rid);
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
                (Some(Limit::Counter(counter_id)), counters_reader.get_counter_value(counter_id))
            }
            None => match active_position {
                Some(pos) => (Some(Limit::Recording(rid)), pos),
                None => (None, d.stop_position),
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
            if active_position.is_none() && stop != -1 && replay_position >= stop && !(replay_position == stop && p.limit_counter_id.is_some()) {
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
                &format!("fileIoMaxLength={} < mtuLength={}", p.file_io_max_length, d.mtu_length),
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
                self.error(csid, corr, codes::GENERIC, &format!("invalid replay length={l} for recording {rid}"));
                return;
            }
            l => l.min(max_length),
        };
        let limit = match limit {
            Some(Limit::Recording(r)) if p.length == REPLAY_ALL_AND_STOP => {
                let _ = r;
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
                out.set("term-id", positions::term_id(replay_position, d.initial_term_id, term_length).to_string());
                out.set("term-offset", positions::term_offset(replay_position, term_length).to_string());
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
        let publication = match self.aeron.add_exclusive_publication(&channel, p.replay_stream_id, self.timeout) {
            Ok(p) => p,
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &format!("cannot create replay publication {channel}: {e}"));
                return;
            }
        };
        let publication_session_id = publication.constants().map(|c| c.session_id).unwrap_or(0);
        let replay_id = self.replayer.next_replay_id;
        self.replayer.next_replay_id += 1;
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
        let validate_frame = replay_position > start && active_position.map_or(true, |live| replay_position < live) && replay_position != stop;
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
            start_position: start,
            replay_limit: replay_position.saturating_add(replay_length),
            limit,
            buffer: vec![0u8; io_length.max(d.mtu_length as usize)],
            state: ReplayState::Init,
            deadline_ms: epoch_clock() + self.timeout.as_millis() as i64,
            validate_frame,
            channel,
            aborted: false,
            layout,
            checksum: self.config.replay_checksum,
        };
        log::debug!("replay {id} of recording {rid} from {replay_position} length {replay_length}");
        self.replayer.sessions.insert(id, session);
    }

    /// One duty cycle of every replay.
    pub(crate) fn replayer_work(&mut self, now_ms: i64) -> usize {
        let mut work = 0;
        let ids: Vec<i64> = self.replayer.sessions.keys().copied().collect();
        for id in ids {
            let Some(mut s) = self.replayer.sessions.remove(&id) else { continue };
            match self.replay_step(&mut s, now_ms) {
                Step::Continue(n) => {
                    work += n;
                    self.replayer.sessions.insert(id, s);
                }
                Step::Finished { revoke, error } => {
                    work += 1;
                    if let Some(msg) = error {
                        log::debug!("replay {} failed: {msg}", s.id);
                        self.error(s.control_session_id, s.correlation_id, codes::GENERIC, &msg);
                    }
                    if let Some(p) = s.publication.take() {
                        if revoke {
                            if let Err(e) = p.revoke() {
                                log::debug!("revoking replay publication: {e}");
                            }
                        } else {
                            p.close();
                        }
                    }
                }
            }
        }
        work
    }

    fn replay_step(&mut self, s: &mut ReplaySession, now_ms: i64) -> Step {
        if s.aborted {
            return Step::Finished { revoke: true, error: None };
        }
        match s.state {
            ReplayState::Init => {
                if !s.reader.segment_exists(s.position) {
                    if now_ms > s.deadline_ms {
                        return Step::Finished { revoke: true, error: Some("recording segment file not created".into()) };
                    }
                    return Step::Continue(0);
                }
                if s.validate_frame && !self.frame_at(s) {
                    let msg = format!("replayPosition={} does not point to a valid frame", s.position);
                    return Step::Finished { revoke: true, error: Some(msg) }.with_code(self, s, codes::INVALID_POSITION);
                }
                self.ok(s.control_session_id, s.correlation_id, s.id);
                s.state = ReplayState::Connecting;
                s.deadline_ms = now_ms + self.timeout.as_millis() as i64;
                Step::Continue(1)
            }
            ReplayState::Connecting => {
                let connected = s.publication.as_ref().is_some_and(|p| p.is_connected());
                if connected {
                    s.state = ReplayState::Replaying;
                    return Step::Continue(1);
                }
                if now_ms > s.deadline_ms {
                    let msg = format!(
                        "no connection established for replayChannel={}, replayStreamId={}",
                        s.channel, s.replay_stream_id
                    );
                    return Step::Finished { revoke: true, error: Some(msg) };
                }
                Step::Continue(0)
            }
            ReplayState::Replaying => self.replay(s),
        }
    }

    fn frame_at(&self, s: &mut ReplaySession) -> bool {
        let mut header = [0u8; frame::HEADER_LENGTH];
        match s.reader.read_at(s.position, &mut header) {
            Ok(n) if n == header.len() => {
                frame::frame_length(&header).is_some_and(|l| l > 0)
                    && frame::term_offset(&header) == Some(positions::term_offset(s.position, s.term_length))
                    && frame::term_id(&header) == Some(positions::term_id(s.position, s.initial_term_id, s.term_length))
                    && frame::stream_id(&header) == Some(s.stream_id)
            }
            _ => false,
        }
    }

    /// The position the replay may read up to now; `None` means the end is final.
    fn current_stop(&mut self, s: &mut ReplaySession) -> (i64, bool) {
        match s.limit {
            Limit::Fixed(p) => (p, true),
            Limit::Recording(rid) => match self.recorder.active_position(rid) {
                Some(p) => (p, false),
                None => {
                    let stop = self.catalog.get(rid).map_or(s.position, |d| d.stop_position);
                    s.limit = Limit::Fixed(stop);
                    (stop, true)
                }
            },
            Limit::Counter(id) => {
                let reader = self.aeron.counters_reader();
                let value = reader.get_counter_value(id);
                let allocated = reader.counter_state(id).ok() == Some(1);
                if !allocated {
                    s.limit = Limit::Fixed(value);
                }
                (value, !allocated)
            }
        }
    }

    fn replay(&mut self, s: &mut ReplaySession) -> Step {
        let Some(publication) = s.publication.as_ref() else {
            return Step::Finished { revoke: true, error: None };
        };
        if !publication.is_connected() {
            return Step::Finished { revoke: true, error: None };
        }
        if s.position >= s.replay_limit {
            return Step::Finished { revoke: false, error: None };
        }
        let (stop, is_final) = self.current_stop(s);
        let end = stop.min(s.replay_limit);
        if s.position >= end {
            if is_final {
                return Step::Finished { revoke: false, error: None };
            }
            return Step::Continue(0);
        }
        let publication = s.publication.as_ref().expect("checked above");
        let term_offset = positions::term_offset(s.position, s.term_length) as i64;
        let want = (end - s.position).min(s.buffer.len() as i64).min(s.term_length - term_offset) as usize;
        let read = match s.reader.read_at(s.position, &mut s.buffer[..want]) {
            Ok(n) => n,
            Err(e) => return Step::Finished { revoke: true, error: Some(e.to_string()) },
        };
        let buf = &mut s.buffer[..read];
        let mut offset = 0usize;
        let mut padding: Option<usize> = None;
        while offset + frame::HEADER_LENGTH <= buf.len() {
            let length = frame::frame_length(&buf[offset..]).unwrap_or(0);
            if length <= 0 {
                if offset == 0 {
                    let msg = format!("unexpected end of recording at position={}", s.position);
                    return Step::Finished { revoke: true, error: Some(msg) };
                }
                break;
            }
            let aligned = frame::align(length as i64) as usize;
            if frame::frame_type(&buf[offset..]) == Some(frame::TYPE_PAD) {
                if offset == 0 {
                    padding = Some(length as usize);
                }
                break;
            }
            if offset + aligned > buf.len() {
                break;
            }
            if let Some(checksum) = s.checksum.filter(|_| frame::frame_type(&buf[offset..]) == Some(frame::TYPE_DATA)) {
                // Before the ids are overwritten; a mismatch ends the replay without sending the batch.
                if let Err(msg) = replay_checksum::verify(checksum, &s.layout, s.id, s.position, buf, offset, aligned) {
                    return Step::Finished { revoke: true, error: Some(msg) };
                }
            }
            frame::set_session_and_stream(&mut buf[offset..], s.publication_session_id, s.replay_stream_id);
            offset += aligned;
        }
        if let Some(pad_length) = padding {
            let r = publication.append_padding(pad_length - frame::HEADER_LENGTH);
            return match r {
                r if r > 0 => {
                    s.position += frame::align(pad_length as i64);
                    Step::Continue(1)
                }
                -2 | -3 => Step::Continue(0),
                r => Step::Finished { revoke: true, error: (r == -6).then(|| "replay padding failed".to_owned()) },
            };
        }
        if offset == 0 {
            return Step::Continue(0);
        }
        match publication.offer_block(&buf[..offset]) {
            r if r > 0 => {
                s.position += offset as i64;
                Step::Continue(1)
            }
            -2 | -3 => Step::Continue(0),
            -1 | -4 => Step::Finished { revoke: true, error: None },
            r => Step::Finished {
                revoke: true,
                error: Some(format!("replay offer_block failed ({r}): {}", rusteron_client::errmsg())),
            },
        }
    }

    /// Aborts every replay at shutdown.
    pub(crate) fn replayer_shutdown(&mut self) {
        for (_, mut s) in self.replayer.sessions.drain() {
            if let Some(p) = s.publication.take() {
                let _ = p.revoke();
            }
        }
    }
}

enum Step {
    Continue(usize),
    Finished { revoke: bool, error: Option<String> },
}

impl Step {
    /// Sends the error now with `code` (instead of GENERIC) and returns a finished step without error.
    fn with_code(self, conductor: &mut Conductor, s: &ReplaySession, code: i64) -> Step {
        match self {
            Step::Finished { revoke, error: Some(msg) } => {
                conductor.error(s.control_session_id, s.correlation_id, code, &msg);
                Step::Finished { revoke, error: None }
            }
            other => other,
        }
    }
}

#[allow(dead_code)]
fn _unused(s: &ReplaySession) -> i64 {
    s.start_position
}
