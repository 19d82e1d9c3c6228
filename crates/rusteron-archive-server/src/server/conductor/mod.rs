//! The conductor agent: polls the control channels, runs the control sessions and answers their requests,
//! owns the catalog and the recording subscriptions, runs replications (as Java's archive runs them on its
//! conductor), and hands recordings to the recorder agent and replays to the replayer agent through the
//! queues of [`handoff`](crate::server::handoff).
//!
//! Its parts: [`requests`] (decoding and dispatch, catalog queries), [`recording`] (recording
//! subscriptions, start/extend/stop, signals), [`replay`] (replay validation, tokens), [`segments`]
//! (truncate, purge, detach, attach, migrate) and [`replication`].

pub(crate) mod recording;
pub(crate) mod replay;
pub(crate) mod replication;
pub(crate) mod requests;
mod segments;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

use rusteron_client::{
    epoch_clock, Aeron, AeronAvailableImageClosure, AeronCounter, AeronExclusivePublication,
    AeronFragmentAssembler, AeronFragmentHandlerCallback, AeronHeader, AeronImageRef,
    AeronSubscription, AeronUnavailableImageClosure, Handlers,
};

use crate::config::ArchiveConfig;
use crate::error::ServerError;
use crate::server::auth::Authenticator;
use crate::server::authorise::Authoriser;
use crate::server::control_session::{ControlSession, ImageKey, SessionState};
use crate::server::handoff::{
    ConductorEnd, RecorderCommand, RecorderEvent, ReplayerCommand, ReplayerEvent,
};
use crate::storage::catalog::Catalog;
use recording::Recordings;
use replay::Replays;
use replication::Replications;

/// What the client conductor thread tells the archive conductor about images.
#[derive(Debug)]
pub(crate) enum ImageEvent {
    /// A request image appeared on control subscription `index`.
    ControlAvailable { index: usize, info: ImageInfo },
    /// A request image went away.
    ControlUnavailable { index: usize, session_id: i32 },
    /// An image appeared on recording subscription `subscription_id`.
    RecordingAvailable {
        subscription_id: i64,
        info: ImageInfo,
    },
}

/// The constants of an image, copied out of the callback.
#[derive(Debug, Clone)]
pub(crate) struct ImageInfo {
    pub session_id: i32,
    pub correlation_id: i64,
    pub join_position: i64,
    pub initial_term_id: i32,
    pub term_length: i32,
    pub mtu_length: i32,
    pub source_identity: String,
}

impl ImageInfo {
    pub fn from_image(image: &AeronImageRef<'_>) -> Option<ImageInfo> {
        let c = image.constants().ok()?;
        let source_identity = if c.source_identity.is_null() {
            String::new()
        } else {
            // SAFETY: the C client gives a NUL-terminated string owned by the image, alive during the callback.
            unsafe { std::ffi::CStr::from_ptr(c.source_identity) }
                .to_string_lossy()
                .into_owned()
        };
        Some(ImageInfo {
            session_id: c.session_id,
            correlation_id: c.correlation_id,
            join_position: c.join_position,
            initial_term_id: c.initial_term_id,
            term_length: c.term_buffer_length as i32,
            mtu_length: c.mtu_length as i32,
            source_identity,
        })
    }
}

/// Collects whole control messages during a poll, to be handled once the poll returns.
#[derive(Default)]
pub(crate) struct Collector {
    pub messages: Vec<(i32, Vec<u8>)>,
}

impl AeronFragmentHandlerCallback for Collector {
    fn handle_aeron_fragment_handler(&mut self, buffer: &[u8], header: AeronHeader<'_>) {
        self.messages.push((header.session_id(), buffer.to_vec()));
    }
}

/// A control request subscription (UDP control channel or local IPC channel).
pub(crate) struct ControlChannel {
    pub subscription: AeronSubscription,
    pub assembler: AeronFragmentAssembler<Collector>,
}

/// Everything the conductor thread owns.
pub(crate) struct Conductor {
    pub config: ArchiveConfig,
    pub aeron: Aeron,
    pub archive_id: i64,
    pub catalog: Catalog,
    pub authenticator: Box<dyn Authenticator>,
    pub authoriser: Box<dyn Authoriser>,
    pub control: Vec<ControlChannel>,
    pub control_images: HashMap<ImageKey, ImageInfo>,
    pub sessions: HashMap<i64, ControlSession>,
    pub next_session_id: i64,
    /// Recording subscriptions and the recordings the recorder runs.
    pub recordings: Recordings,
    /// Replay tokens and the replays the replayer runs.
    pub replays: Replays,
    /// Queues to and from the recorder agent.
    pub recorder: ConductorEnd<RecorderCommand, RecorderEvent>,
    /// Queues to and from the replayer agent.
    pub replayer: ConductorEnd<ReplayerCommand, ReplayerEvent>,
    pub replications: Replications,
    pub image_events: Receiver<ImageEvent>,
    pub image_sender: Sender<ImageEvent>,
    pub events: Option<AeronExclusivePublication>,
    pub sessions_counter: Option<AeronCounter>,
    pub timeout: Duration,
    pub stop: Arc<AtomicBool>,
    /// Where the conductor is in its shutdown.
    pub lifecycle: Lifecycle,
}

/// Shutdown progress: the conductor asks the recorder and the replayer to close, waits for both to
/// report it, then stops the recordings in the catalog and closes the control sessions.
#[derive(Debug, Default)]
pub(crate) struct Lifecycle {
    /// Close requested (the commands were sent).
    pub closing: bool,
    /// The recorder reported [`RecorderEvent::Closed`] (or is gone).
    pub recorder_closed: bool,
    /// The replayer reported [`ReplayerEvent::Closed`] (or is gone).
    pub replayer_closed: bool,
    /// Everything is closed; the agent is done.
    pub closed: bool,
}

impl Conductor {
    /// Subscribes to a control channel, with image handlers feeding [`ImageEvent`]s.
    pub fn add_control_channel(
        &mut self,
        channel: &str,
        stream_id: i32,
    ) -> Result<(), ServerError> {
        let index = self.control.len();
        let tx = self.image_sender.clone();
        let tx2 = self.image_sender.clone();
        let available = AeronAvailableImageClosure::new(move |image: AeronImageRef<'_>| {
            if let Some(info) = ImageInfo::from_image(&image) {
                let _ = tx.send(ImageEvent::ControlAvailable { index, info });
            }
        });
        let unavailable = AeronUnavailableImageClosure::new(move |image: AeronImageRef<'_>| {
            if let Ok(c) = image.constants() {
                let _ = tx2.send(ImageEvent::ControlUnavailable {
                    index,
                    session_id: c.session_id,
                });
            }
        });
        let subscription = self
            .aeron
            .async_add_subscription(channel, stream_id, Some(available), Some(unavailable))?
            .poll_blocking(self.timeout)?;
        let assembler = AeronFragmentAssembler::new(Collector::default())?;
        self.control.push(ControlChannel {
            subscription,
            assembler,
        });
        Ok(())
    }

    /// `true` once the conductor has closed everything (after the stop flag was set).
    pub fn is_closed(&self) -> bool {
        self.lifecycle.closed
    }

    /// One duty cycle. Once the stop flag is set: asks the other agents to close, keeps handling their
    /// events until they did, then closes the rest.
    pub fn do_work(&mut self) -> usize {
        if self.lifecycle.closed {
            return 0;
        }
        if self.stop.load(Ordering::Acquire) {
            return self.close_step();
        }
        let now_ms = epoch_clock();
        let mut work = self.process_image_events();
        work += self.process_recorder_events();
        work += self.poll_control();
        work += self.run_sessions(now_ms);
        work += self.process_replayer_events();
        work += self.replication_work(now_ms);
        work += self.recording_progress();
        work
    }

    fn close_step(&mut self) -> usize {
        if !self.lifecycle.closing {
            self.lifecycle.closing = true;
            self.replication_shutdown();
            // A queue whose agent already ended counts as closed.
            self.lifecycle.replayer_closed = !self.replayer.send(ReplayerCommand::Close);
            self.lifecycle.recorder_closed = !self.recorder.send(RecorderCommand::Close);
        }
        let work = self.process_recorder_events() + self.process_replayer_events();
        if self.lifecycle.recorder_closed && self.lifecycle.replayer_closed {
            self.shutdown();
            self.lifecycle.closed = true;
        }
        work.max(1)
    }

    fn process_image_events(&mut self) -> usize {
        let mut work = 0;
        while let Ok(event) = self.image_events.try_recv() {
            work += 1;
            match event {
                ImageEvent::ControlAvailable { index, info } => {
                    self.control_images.insert((index, info.session_id), info);
                }
                ImageEvent::ControlUnavailable { index, session_id } => {
                    self.control_images.remove(&(index, session_id));
                    for session in self.sessions.values_mut() {
                        if session.image == (index, session_id) {
                            session.abort("request image no longer available");
                        }
                    }
                }
                ImageEvent::RecordingAvailable {
                    subscription_id,
                    info,
                } => {
                    self.on_recording_image(subscription_id, info);
                }
            }
        }
        work
    }

    fn poll_control(&mut self) -> usize {
        let mut work = 0;
        for index in 0..self.control.len() {
            let channel = &mut self.control[index];
            match channel.subscription.poll(&mut channel.assembler, 10) {
                Ok(n) => work += n.max(0) as usize,
                Err(e) => log::warn!("polling control subscription failed: {e}"),
            }
            let messages = std::mem::take(&mut channel.assembler.delegate().messages);
            for (session_id, bytes) in messages {
                self.learn_control_image(index, session_id);
                self.on_control_message((index, session_id), &bytes);
            }
        }
        work
    }

    /// Makes sure the constants of the request image a message came from are known. The client conductor
    /// adds an image to the subscription before it calls the available-image handler, so the first
    /// request (a connect with a `control-mode=response` channel needs the image's correlation id) can be
    /// polled before its [`ImageEvent::ControlAvailable`] arrived: then they are read from the image.
    fn learn_control_image(&mut self, index: usize, session_id: i32) {
        if self.control_images.contains_key(&(index, session_id)) {
            return;
        }
        let info = self.control[index]
            .subscription
            .try_image_by_session_id(session_id)
            .ok()
            .flatten()
            .and_then(|image| ImageInfo::from_image(&image.as_ref()));
        if let Some(info) = info {
            self.control_images.insert((index, session_id), info);
        }
    }

    fn run_sessions(&mut self, now_ms: i64) -> usize {
        let mut work = 0;
        let mut done = Vec::new();
        for (id, session) in self.sessions.iter_mut() {
            work += session.do_work(now_ms, self.authenticator.as_mut());
            if session.state == SessionState::Done {
                done.push(*id);
            }
        }
        for id in done {
            if let Some(session) = self.sessions.remove(&id) {
                self.replays.drop_tokens_of_session(id);
                session.close();
            }
        }
        if let Some(c) = &self.sessions_counter {
            c.set(self.sessions.len() as i64);
        }
        work
    }

    /// Sends on the events publication (best effort).
    pub fn send_event(&self, message: Vec<u8>) {
        if let Some(p) = &self.events {
            let _ = p.offer(&message, Handlers::no_reserved_value_supplier_handler());
        }
    }

    fn shutdown(&mut self) {
        self.recordings_shutdown();
        for (_, session) in self.sessions.drain() {
            session.close();
        }
        self.control.clear();
        if let Err(e) = self.catalog.sync() {
            log::error!("syncing the catalog at shutdown failed: {e}");
        }
        log::info!("archive {} stopped", self.archive_id);
    }

    /// The session with `id` if it exists and is not done.
    pub fn session(&mut self, id: i64) -> Option<&mut ControlSession> {
        self.sessions
            .get_mut(&id)
            .filter(|s| s.state != SessionState::Done)
    }
}
