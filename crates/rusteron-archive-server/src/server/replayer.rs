//! The replayer agent: owns the replay sessions and runs them: segment files → `offer_block` of whole
//! frames (session and stream ids rewritten) on the replay publication, bounded by length, a limit counter
//! or the live end of an active recording. The conductor validates the request, creates the publication
//! and hands the session over ([`ReplayerCommand::Start`]); the replayer reports the OK (once the first
//! segment file exists), errors and the end of each replay ([`ReplayerEvent`]).

use std::sync::mpsc::TryRecvError;
use std::sync::Arc;
use std::time::Duration;

use rusteron_client::{epoch_clock, AeronCountersReader, AeronExclusivePublication};

use super::codes;
use super::handoff::{
    AgentEnd, RecordingPosition, ReplayProgress, ReplayState, ReplayerCommand, ReplayerEvent,
};
use super::replay_checksum;
use crate::storage::checksum::Checksum;
use crate::storage::frame;
use crate::storage::positions;
use crate::storage::segment::{RecordingLayout, SegmentReader};

/// Replay the whole recording and follow it while it is live (`length = -1`).
pub const REPLAY_ALL_AND_FOLLOW: i64 = -1;
/// Replay up to the position at the time of the request (`length = -2`).
pub const REPLAY_ALL_AND_STOP: i64 = -2;

/// Where a replay ends.
#[derive(Debug, Clone)]
pub(crate) enum Limit {
    /// A fixed stop position.
    Fixed(i64),
    /// The live position of an active recording.
    Recording(Arc<RecordingPosition>),
    /// The value of a counter (bounded replay).
    Counter(i32),
}

/// One replay, built by the conductor and handed over in [`ReplayerCommand::Start`].
pub(crate) struct ReplaySession {
    /// Replay session id (`replay id << 32 | publication session id`).
    pub id: i64,
    /// Recording replayed.
    pub recording_id: i64,
    /// Control session that asked.
    pub control_session_id: i64,
    /// Correlation id of the request.
    pub correlation_id: i64,
    /// The replay publication (at the recording's term layout and the replay position).
    pub publication: Option<AeronExclusivePublication>,
    /// Reads the segment files.
    pub reader: SegmentReader,
    /// Term length of the recording.
    pub term_length: i64,
    /// Stream id of the recording (checked in the first frame).
    pub stream_id: i32,
    /// Stream id frames are sent with.
    pub replay_stream_id: i32,
    /// Session id frames are sent with.
    pub publication_session_id: i32,
    /// Initial term id of the recording.
    pub initial_term_id: i32,
    /// Next position to replay.
    pub position: i64,
    /// Replay ends here at the latest.
    pub replay_limit: i64,
    /// Where the recorded bytes end for this replay.
    pub limit: Limit,
    /// Read buffer (reused; `aeron.archive.file.io.max.length` or the request's file io length).
    pub buffer: Vec<u8>,
    /// Init, connecting or replaying.
    pub state: ReplayState,
    /// Deadline of the current state (segment file, connection).
    pub deadline_ms: i64,
    /// Check that the replay position is at a frame of the recording before the OK.
    pub validate_frame: bool,
    /// Replay channel (for messages).
    pub channel: String,
    /// Layout of the recording's segment files.
    pub layout: RecordingLayout,
    /// `aeron.archive.replay.checksum`.
    pub checksum: Option<Checksum>,
    /// Position and state shared with the conductor.
    pub progress: Arc<ReplayProgress>,
    /// Set by an abort request.
    pub aborted: bool,
}

impl ReplaySession {
    fn set_state(&mut self, state: ReplayState) {
        self.state = state;
        self.progress.set_state(state);
    }

    fn advance(&mut self, length: i64) {
        self.position += length;
        self.progress.set_position(self.position);
    }
}

/// What one step of a replay did.
enum Step {
    Continue(usize),
    Finished {
        revoke: bool,
        error: Option<(i64, String)>,
    },
}

impl Step {
    fn fail(revoke: bool, message: impl Into<String>) -> Step {
        Step::Finished {
            revoke,
            error: Some((codes::GENERIC, message.into())),
        }
    }
}

/// The replayer agent (one thread in DEDICATED mode, one of three duty cycles in SHARED mode).
pub(crate) struct Replayer {
    sessions: Vec<ReplaySession>,
    queues: AgentEnd<ReplayerCommand, ReplayerEvent>,
    counters: AeronCountersReader,
    timeout: Duration,
    closed: bool,
}

impl Replayer {
    /// A replayer taking commands from (and reporting to) the conductor through `queues`.
    pub fn new(
        queues: AgentEnd<ReplayerCommand, ReplayerEvent>,
        counters: AeronCountersReader,
        timeout: Duration,
    ) -> Replayer {
        Replayer {
            sessions: Vec::new(),
            queues,
            counters,
            timeout,
            closed: false,
        }
    }

    /// `true` once the replayer revoked every replay after [`ReplayerCommand::Close`] (or after the
    /// conductor went away).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// One duty cycle: the conductor's commands, then one step of every replay.
    pub fn do_work(&mut self) -> usize {
        if self.closed {
            return 0;
        }
        let mut work = 0;
        loop {
            match self.queues.commands.try_recv() {
                Ok(command) => {
                    work += 1;
                    self.on_command(command);
                    if self.closed {
                        return work;
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.close();
                    return work;
                }
            }
        }
        work + self.replayer_work(epoch_clock())
    }

    fn on_command(&mut self, command: ReplayerCommand) {
        match command {
            ReplayerCommand::Start(session) => self.sessions.push(*session),
            ReplayerCommand::Abort { replay_session_id } => {
                for s in self
                    .sessions
                    .iter_mut()
                    .filter(|s| s.id == replay_session_id)
                {
                    s.aborted = true;
                }
            }
            ReplayerCommand::AbortAll { recording_id } => {
                for s in self
                    .sessions
                    .iter_mut()
                    .filter(|s| recording_id == -1 || s.recording_id == recording_id)
                {
                    s.aborted = true;
                }
            }
            ReplayerCommand::Close => self.close(),
        }
    }

    fn close(&mut self) {
        for mut s in self.sessions.drain(..) {
            if let Some(p) = s.publication.take() {
                let _ = p.revoke();
            }
            let _ = self.queues.events.send(ReplayerEvent::Ended {
                replay_session_id: s.id,
            });
        }
        let _ = self.queues.events.send(ReplayerEvent::Closed);
        self.closed = true;
    }

    fn send(&self, event: ReplayerEvent) {
        let _ = self.queues.events.send(event);
    }

    /// One step of every replay.
    fn replayer_work(&mut self, now_ms: i64) -> usize {
        let mut work = 0;
        let mut index = 0;
        while index < self.sessions.len() {
            let step = {
                let s = &mut self.sessions[index];
                replay_step(s, now_ms, self.timeout, &self.counters, &self.queues)
            };
            match step {
                Step::Continue(n) => {
                    work += n;
                    index += 1;
                }
                Step::Finished { revoke, error } => {
                    work += 1;
                    let mut s = self.sessions.swap_remove(index);
                    if let Some((code, message)) = error {
                        log::debug!("replay {} failed: {message}", s.id);
                        self.send(ReplayerEvent::Error {
                            control_session_id: s.control_session_id,
                            correlation_id: s.correlation_id,
                            code,
                            message,
                        });
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
                    self.send(ReplayerEvent::Ended {
                        replay_session_id: s.id,
                    });
                }
            }
        }
        work
    }
}

fn replay_step(
    s: &mut ReplaySession,
    now_ms: i64,
    timeout: Duration,
    counters: &AeronCountersReader,
    queues: &AgentEnd<ReplayerCommand, ReplayerEvent>,
) -> Step {
    if s.aborted {
        return Step::Finished {
            revoke: true,
            error: None,
        };
    }
    match s.state {
        ReplayState::Init => {
            if !s.reader.segment_exists(s.position) {
                if now_ms > s.deadline_ms {
                    return Step::fail(true, "recording segment file not created");
                }
                return Step::Continue(0);
            }
            if s.validate_frame && !frame_at(s) {
                let msg = format!(
                    "replayPosition={} does not point to a valid frame",
                    s.position
                );
                return Step::Finished {
                    revoke: true,
                    error: Some((codes::INVALID_POSITION, msg)),
                };
            }
            let _ = queues.events.send(ReplayerEvent::Ok {
                control_session_id: s.control_session_id,
                correlation_id: s.correlation_id,
                relevant_id: s.id,
            });
            s.set_state(ReplayState::Connecting);
            s.deadline_ms = now_ms + timeout.as_millis() as i64;
            Step::Continue(1)
        }
        ReplayState::Connecting => {
            let connected = s.publication.as_ref().is_some_and(|p| p.is_connected());
            if connected {
                s.set_state(ReplayState::Replaying);
                return Step::Continue(1);
            }
            if now_ms > s.deadline_ms {
                let msg = format!(
                    "no connection established for replayChannel={}, replayStreamId={}",
                    s.channel, s.replay_stream_id
                );
                return Step::fail(true, msg);
            }
            Step::Continue(0)
        }
        ReplayState::Replaying => replay(s, counters),
    }
}

fn frame_at(s: &mut ReplaySession) -> bool {
    let mut header = [0u8; frame::HEADER_LENGTH];
    match s.reader.read_at(s.position, &mut header) {
        Ok(n) if n == header.len() => {
            frame::frame_length(&header).is_some_and(|l| l > 0)
                && frame::term_offset(&header)
                    == Some(positions::term_offset(s.position, s.term_length))
                && frame::term_id(&header)
                    == Some(positions::term_id(
                        s.position,
                        s.initial_term_id,
                        s.term_length,
                    ))
                && frame::stream_id(&header) == Some(s.stream_id)
        }
        _ => false,
    }
}

/// The position the replay may read up to now, and whether that end is final.
fn current_stop(s: &mut ReplaySession, counters: &AeronCountersReader) -> (i64, bool) {
    match &s.limit {
        Limit::Fixed(p) => (*p, true),
        Limit::Recording(recording) => match recording.stopped_at() {
            None => (recording.get(), false),
            Some(stop) => {
                s.limit = Limit::Fixed(stop);
                (stop, true)
            }
        },
        Limit::Counter(id) => {
            let id = *id;
            let value = counters.get_counter_value(id);
            let allocated = counters.counter_state(id).ok() == Some(1);
            if !allocated {
                s.limit = Limit::Fixed(value);
            }
            (value, !allocated)
        }
    }
}

/// Whether `publication` is at its position limit, where an `offer_block` returns BACK_PRESSURED.
/// (A publication whose position cannot be read is left to `offer_block` to report.)
fn back_pressured(publication: &AeronExclusivePublication) -> bool {
    let (position, limit) = (publication.position(), publication.position_limit());
    position >= 0 && limit >= 0 && position >= limit
}

fn replay(s: &mut ReplaySession, counters: &AeronCountersReader) -> Step {
    let connected = s.publication.as_ref().is_some_and(|p| p.is_connected());
    if !connected {
        return Step::Finished {
            revoke: true,
            error: None,
        };
    }
    if s.position >= s.replay_limit {
        return Step::Finished {
            revoke: false,
            error: None,
        };
    }
    let (stop, is_final) = current_stop(s, counters);
    let end = stop.min(s.replay_limit);
    if s.position >= end {
        if is_final {
            return Step::Finished {
                revoke: false,
                error: None,
            };
        }
        return Step::Continue(0);
    }
    if back_pressured(s.publication.as_ref().expect("checked above")) {
        // offer_block would refuse the block: reading and rewriting it now would only be thrown away (and, on
        // a machine with fewer cores than busy threads, take the CPU from the consumer that makes room).
        return Step::Continue(0);
    }
    let term_offset = positions::term_offset(s.position, s.term_length) as i64;
    let want = (end - s.position)
        .min(s.buffer.len() as i64)
        .min(s.term_length - term_offset) as usize;
    let read = match s.reader.read_at(s.position, &mut s.buffer[..want]) {
        Ok(n) => n,
        Err(e) => return Step::fail(true, e.to_string()),
    };
    let buf = &mut s.buffer[..read];
    let mut offset = 0usize;
    let mut padding: Option<usize> = None;
    while offset + frame::HEADER_LENGTH <= buf.len() {
        let length = frame::frame_length(&buf[offset..]).unwrap_or(0);
        if length <= 0 {
            if offset == 0 {
                return Step::fail(
                    true,
                    format!("unexpected end of recording at position={}", s.position),
                );
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
        if let Some(checksum) = s
            .checksum
            .filter(|_| frame::frame_type(&buf[offset..]) == Some(frame::TYPE_DATA))
        {
            // Before the ids are overwritten; a mismatch ends the replay without sending the batch.
            if let Err(msg) =
                replay_checksum::verify(checksum, &s.layout, s.id, s.position, buf, offset, aligned)
            {
                return Step::fail(true, msg);
            }
        }
        frame::set_session_and_stream(
            &mut buf[offset..],
            s.publication_session_id,
            s.replay_stream_id,
        );
        offset += aligned;
    }
    let publication = s.publication.as_ref().expect("checked above");
    if let Some(pad_length) = padding {
        let r = publication.append_padding(pad_length - frame::HEADER_LENGTH);
        return match r {
            r if r > 0 => {
                s.advance(frame::align(pad_length as i64));
                Step::Continue(1)
            }
            -2 | -3 => Step::Continue(0),
            -6 => Step::fail(true, "replay padding failed"),
            _ => Step::Finished {
                revoke: true,
                error: None,
            },
        };
    }
    if offset == 0 {
        return Step::Continue(0);
    }
    match publication.offer_block(&buf[..offset]) {
        r if r > 0 => {
            s.advance(offset as i64);
            Step::Continue(1)
        }
        -2 | -3 => Step::Continue(0),
        -1 | -4 => Step::Finished {
            revoke: true,
            error: None,
        },
        r => Step::fail(
            true,
            format!(
                "replay offer_block failed ({r}): {}",
                rusteron_client::errmsg()
            ),
        ),
    }
}
