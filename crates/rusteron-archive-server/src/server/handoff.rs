//! The hand-offs between the archive's three agents: the conductor gives work to the recorder and the
//! replayer through command queues, and they report back through event queues. Nothing else is shared,
//! apart from the live positions below (atomics, written by one agent and read by the others).
//!
//! ```text
//!              RecorderCommand                    ReplayerCommand
//!   conductor ─────────────────▶ recorder   conductor ─────────────────▶ replayer
//!             ◀───────────────── (sessions)           ◀───────────────── (sessions)
//!              RecorderEvent                      ReplayerEvent
//! ```
//!
//! The queues are `std::sync::mpsc` channels (lock-free linked blocks; one producer and one consumer
//! each). They carry control work only: starting, stopping and ending sessions. The recorded and replayed
//! bytes never pass through them: the recorder polls its images and writes the segment files itself, and
//! the replayer reads the segment files and offers to its publications itself.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use super::recorder::RecordingSession;
use super::replayer::ReplaySession;

/// The live position of one recording: written by the recorder after each block, read by the conductor
/// (recording position requests, progress events, replay limits) and the replayer (replays that follow a
/// live recording).
#[derive(Debug)]
pub(crate) struct RecordingPosition {
    position: AtomicI64,
    stopped: AtomicBool,
}

impl RecordingPosition {
    /// A live recording at `position`.
    pub fn new(position: i64) -> RecordingPosition {
        RecordingPosition {
            position: AtomicI64::new(position),
            stopped: AtomicBool::new(false),
        }
    }

    /// The position after the last byte written (and readable from the segment files).
    pub fn get(&self) -> i64 {
        self.position.load(Ordering::Acquire)
    }

    /// Publishes a new position, after its bytes were written.
    pub fn set(&self, position: i64) {
        self.position.store(position, Ordering::Release);
    }

    /// Marks the recording stopped at its current position (no more bytes will follow).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
    }

    /// `Some(stop position)` once the recording stopped.
    pub fn stopped_at(&self) -> Option<i64> {
        self.stopped.load(Ordering::Acquire).then(|| self.get())
    }
}

/// What a replay is doing, as the conductor needs to know it (detach checks name the state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum ReplayState {
    /// Waiting for the first segment file; the OK is not sent yet.
    Init = 0,
    /// OK sent; waiting for the subscriber.
    Connecting = 1,
    /// Sending.
    Replaying = 2,
}

/// The live progress of one replay: written by the replayer, read by the conductor.
#[derive(Debug)]
pub(crate) struct ReplayProgress {
    position: AtomicI64,
    state: AtomicU8,
}

impl ReplayProgress {
    /// A replay about to start at `position`.
    pub fn new(position: i64) -> ReplayProgress {
        ReplayProgress {
            position: AtomicI64::new(position),
            state: AtomicU8::new(ReplayState::Init as u8),
        }
    }

    /// The next position to be replayed.
    pub fn position(&self) -> i64 {
        self.position.load(Ordering::Acquire)
    }

    /// Publishes the next position to be replayed.
    pub fn set_position(&self, position: i64) {
        self.position.store(position, Ordering::Release);
    }

    /// The replay's state.
    pub fn state(&self) -> ReplayState {
        match self.state.load(Ordering::Acquire) {
            0 => ReplayState::Init,
            1 => ReplayState::Connecting,
            _ => ReplayState::Replaying,
        }
    }

    /// Publishes the replay's state.
    pub fn set_state(&self, state: ReplayState) {
        self.state.store(state as u8, Ordering::Release);
    }
}

/// Conductor → recorder.
pub(crate) enum RecorderCommand {
    /// Record this image from now on (the catalog entry, segment file and position counter exist).
    Start(Box<RecordingSession>),
    /// Record what the image has now, then stop (the conductor will close its subscription after the
    /// [`RecorderEvent::Stopped`]).
    Stop { recording_id: i64 },
    /// Stop every recording (as [`Stop`](Self::Stop)), report them, then report
    /// [`RecorderEvent::Closed`] and end the agent.
    Close,
}

/// Recorder → conductor.
#[derive(Debug)]
pub(crate) enum RecorderEvent {
    /// A recording stopped (image ended, stop asked, write failed): the conductor sets its stop position in
    /// the catalog, answers the error if any, sends the STOP signal and the recording-stopped event.
    Stopped {
        recording_id: i64,
        stop_position: i64,
        error: Option<(i64, String)>,
    },
    /// The recorder stopped every recording and ended.
    Closed,
}

/// Conductor → replayer.
pub(crate) enum ReplayerCommand {
    /// Run this replay (validated; its publication exists).
    Start(Box<ReplaySession>),
    /// Abort one replay (unknown ids are ignored, as Java does).
    Abort { replay_session_id: i64 },
    /// Abort every replay of a recording (-1: all).
    AbortAll { recording_id: i64 },
    /// Revoke every replay, report [`ReplayerEvent::Closed`] and end the agent.
    Close,
}

/// Replayer → conductor.
#[derive(Debug)]
pub(crate) enum ReplayerEvent {
    /// Send an OK response on a control session.
    Ok {
        control_session_id: i64,
        correlation_id: i64,
        relevant_id: i64,
    },
    /// Send an error response on a control session.
    Error {
        control_session_id: i64,
        correlation_id: i64,
        code: i64,
        message: String,
    },
    /// A replay ended (its publication is closed or revoked).
    Ended { replay_session_id: i64 },
    /// The replayer revoked every replay and ended.
    Closed,
}

/// One agent's end of a pair of queues: commands in, events out.
pub(crate) struct AgentEnd<C, E> {
    /// Commands from the conductor.
    pub commands: Receiver<C>,
    /// Events to the conductor.
    pub events: Sender<E>,
}

/// The conductor's end of a pair of queues: commands out, events in.
pub(crate) struct ConductorEnd<C, E> {
    /// Commands to the agent.
    pub commands: Sender<C>,
    /// Events from the agent.
    pub events: Receiver<E>,
}

impl<C, E> ConductorEnd<C, E> {
    /// Sends a command; `false` if the agent has ended.
    pub fn send(&self, command: C) -> bool {
        self.commands.send(command).is_ok()
    }

    /// The next event from the agent, if one is waiting. If the agent has ended without reporting it (its
    /// end of the queue is gone: it cannot take more work), sets `closed` and returns `None`.
    pub fn next_event(&self, closed: &mut bool) -> Option<E> {
        match self.events.try_recv() {
            Ok(event) => Some(event),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                *closed = true;
                None
            }
        }
    }
}

/// A new pair of queues between the conductor and one agent.
pub(crate) fn queues<C, E>() -> (ConductorEnd<C, E>, AgentEnd<C, E>) {
    let (command_tx, command_rx) = mpsc::channel();
    let (event_tx, event_rx) = mpsc::channel();
    (
        ConductorEnd {
            commands: command_tx,
            events: event_rx,
        },
        AgentEnd {
            commands: command_rx,
            events: event_tx,
        },
    )
}
