//! The recorder agent: owns the recording sessions (one per recorded image) and runs them: block poll of
//! the image → segment files → live position (RecordingPos counter and [`RecordingPosition`]). It gets new
//! sessions and stop requests from the conductor ([`RecorderCommand`]) and reports every stopped recording
//! back ([`RecorderEvent::Stopped`]); the conductor owns the catalog, the subscriptions and the control
//! sessions, and sends the signals and responses.

use std::path::PathBuf;
use std::sync::mpsc::TryRecvError;
use std::sync::Arc;

use rusteron_client::AeronCounter;

use super::handoff::{AgentEnd, RecorderCommand, RecorderEvent, RecordingPosition};
use super::recorded_image::RecordedImage;
use super::storage_space::recording_write_error;
use crate::storage::segment::SegmentWriter;

/// How many blocks a stop drains from an image at most before the recording stops (bytes the publisher
/// offered before the stop request are recorded; a publisher that keeps offering cannot hold the stop).
const STOP_DRAIN_BLOCKS: usize = 64;

/// One image being recorded, built by the conductor and handed over in [`RecorderCommand::Start`].
pub(crate) struct RecordingSession {
    /// Catalog id.
    pub recording_id: i64,
    /// The image (None: it was gone before the recording started; the recording stops at once).
    image: Option<RecordedImage>,
    writer: SegmentWriter,
    counter: AeronCounter,
    position: Arc<RecordingPosition>,
    /// Largest block written at once (`aeron.archive.file.io.max.length`, at most the term length).
    block_length_limit: usize,
    /// Archive error code and message the recording stops with (a failed write).
    error: Option<(i64, String)>,
}

impl RecordingSession {
    /// A session recording `image` through `writer` (its first segment file created), publishing its
    /// position to `counter` and `position`.
    pub fn new(
        recording_id: i64,
        image: Option<RecordedImage>,
        writer: SegmentWriter,
        counter: AeronCounter,
        position: Arc<RecordingPosition>,
        block_length_limit: usize,
    ) -> RecordingSession {
        RecordingSession {
            recording_id,
            image,
            writer,
            counter,
            position,
            block_length_limit,
            error: None,
        }
    }

    /// One block poll: writes what the image has (up to the block limit). Returns the bytes written.
    #[inline]
    fn poll(&mut self, archive_dir: &std::path::Path) -> usize {
        let Some(image) = self.image.as_mut() else {
            return 0;
        };
        let writer = &mut self.writer;
        let error = &mut self.error;
        let mut write = |block: &[u8]| {
            if error.is_none() {
                if let Err(e) = writer.write_block(block) {
                    log::error!("recording write failed: {e}");
                    *error = Some(recording_write_error(&e, archive_dir, block.len()));
                }
            }
        };
        let n = match image.block_poll(&mut write, self.block_length_limit) {
            Ok(n) => n,
            Err(e) => {
                self.error = Some((super::codes::GENERIC, format!("ERROR - {e}")));
                0
            }
        };
        if n > 0 {
            let position = self.writer.position();
            self.counter.set(position);
            self.position.set(position);
        }
        n
    }

    /// `true` once the recording cannot go on: its image ended or closed with nothing left, or a write
    /// failed.
    fn ended(&self, polled: usize) -> bool {
        match &self.image {
            None => true,
            Some(image) => {
                self.error.is_some()
                    || (polled == 0 && (image.is_end_of_stream() || image.is_closed()))
            }
        }
    }
}

/// The recorder agent (one thread in DEDICATED mode, one of three duty cycles in SHARED mode).
pub(crate) struct Recorder {
    sessions: Vec<RecordingSession>,
    queues: AgentEnd<RecorderCommand, RecorderEvent>,
    archive_dir: PathBuf,
    closed: bool,
}

impl Recorder {
    /// A recorder taking commands from (and reporting to) the conductor through `queues`.
    pub fn new(queues: AgentEnd<RecorderCommand, RecorderEvent>, archive_dir: PathBuf) -> Recorder {
        Recorder {
            sessions: Vec::new(),
            queues,
            archive_dir,
            closed: false,
        }
    }

    /// `true` once the recorder stopped every recording after [`RecorderCommand::Close`] (or after the
    /// conductor went away).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// One duty cycle: records what every image has, then applies the conductor's commands (a stop that
    /// arrives with the last messages then finds them recorded).
    pub fn do_work(&mut self) -> usize {
        if self.closed {
            return 0;
        }
        let mut work = self.recorder_work();
        loop {
            match self.queues.commands.try_recv() {
                Ok(command) => {
                    work += 1;
                    self.on_command(command);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    // The conductor is gone: stop every recording (positions synced) and end.
                    self.close();
                    break;
                }
            }
        }
        work
    }

    fn on_command(&mut self, command: RecorderCommand) {
        match command {
            RecorderCommand::Start(session) => self.sessions.push(*session),
            RecorderCommand::Stop { recording_id } => {
                if let Some(index) = self
                    .sessions
                    .iter()
                    .position(|s| s.recording_id == recording_id)
                {
                    self.drain_and_finish(index);
                }
            }
            RecorderCommand::Close => self.close(),
        }
    }

    fn close(&mut self) {
        while !self.sessions.is_empty() {
            self.drain_and_finish(self.sessions.len() - 1);
        }
        let _ = self.queues.events.send(RecorderEvent::Closed);
        self.closed = true;
    }

    /// Records what the image still has (bounded), then stops the recording.
    fn drain_and_finish(&mut self, index: usize) {
        let session = &mut self.sessions[index];
        for _ in 0..STOP_DRAIN_BLOCKS {
            if session.poll(&self.archive_dir) == 0 || session.error.is_some() {
                break;
            }
        }
        self.finish(index);
    }

    /// Polls every recorded image once; stops the recordings whose image ended.
    ///
    /// Never inlined: it is the function whose instructions `cargo xtask bench-archive` counts under
    /// callgrind (the recording path's instructions per recorded MiB).
    #[inline(never)]
    pub fn recorder_work(&mut self) -> usize {
        let mut work = 0;
        let mut index = 0;
        while index < self.sessions.len() {
            let session = &mut self.sessions[index];
            let polled = session.poll(&self.archive_dir);
            if polled > 0 {
                work += 1;
            }
            if session.ended(polled) {
                self.finish(index);
                work += 1;
            } else {
                index += 1;
            }
        }
        work
    }

    /// Stops the session at `index`: syncs, publishes the stop position, reports it.
    fn finish(&mut self, index: usize) {
        let session = self.sessions.swap_remove(index);
        let recording_id = session.recording_id;
        let stop_position = session.writer.position();
        if let Err(e) = session.writer.sync_data() {
            log::warn!("sync of recording {recording_id} failed: {e}");
        }
        session.position.set(stop_position);
        session.position.stop();
        let error = session.error;
        drop(session.image);
        drop(session.counter);
        log::debug!("recording {recording_id} stopped at {stop_position}");
        let _ = self.queues.events.send(RecorderEvent::Stopped {
            recording_id,
            stop_position,
            error,
        });
    }
}
