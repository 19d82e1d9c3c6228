//! The archive conductor: one thread that polls the control channels, runs the control sessions, the
//! recordings and the replays (Java's "shared" archive threading mode), idling with a back-off strategy
//! when there is nothing to do.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

use rusteron_client::{
    epoch_clock, Aeron, AeronAvailableImageClosure, AeronCounter, AeronExclusivePublication,
    AeronFragmentAssembler, AeronFragmentHandlerCallback, AeronHeader, AeronImageRef, AeronSubscription,
    AeronUnavailableImageClosure, BackoffIdleStrategy, Handlers, IdleStrategy,
};

use super::auth::Authenticator;
use super::authorise::Authoriser;
use super::control_session::{ControlSession, ImageKey, SessionState};
use super::recorder::Recorder;
use super::replayer::Replayer;
use super::replication::Replications;
use crate::config::ArchiveConfig;
use crate::error::ServerError;
use crate::storage::catalog::Catalog;

/// What the client conductor thread tells the archive conductor about images.
#[derive(Debug)]
pub(crate) enum ImageEvent {
    /// A request image appeared on control subscription `index`.
    ControlAvailable { index: usize, info: ImageInfo },
    /// A request image went away.
    ControlUnavailable { index: usize, session_id: i32 },
    /// An image appeared on recording subscription `subscription_id`.
    RecordingAvailable { subscription_id: i64, info: ImageInfo },
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
            unsafe { std::ffi::CStr::from_ptr(c.source_identity) }.to_string_lossy().into_owned()
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
    pub recorder: Recorder,
    pub replayer: Replayer,
    pub replications: Replications,
    pub image_events: Receiver<ImageEvent>,
    pub image_sender: Sender<ImageEvent>,
    pub events: Option<AeronExclusivePublication>,
    pub sessions_counter: Option<AeronCounter>,
    pub timeout: Duration,
    pub stop: Arc<AtomicBool>,
}

impl Conductor {
    /// Subscribes to a control channel, with image handlers feeding [`ImageEvent`]s.
    pub fn add_control_channel(&mut self, channel: &str, stream_id: i32) -> Result<(), ServerError> {
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
                let _ = tx2.send(ImageEvent::ControlUnavailable { index, session_id: c.session_id });
            }
        });
        let subscription = self
            .aeron
            .async_add_subscription(channel, stream_id, Some(available), Some(unavailable))?
            .poll_blocking(self.timeout)?;
        let assembler = AeronFragmentAssembler::new(Collector::default())?;
        self.control.push(ControlChannel { subscription, assembler });
        Ok(())
    }

    /// Runs until asked to stop, then closes everything.
    pub fn run(mut self) {
        let mut idle = BackoffIdleStrategy::new(10, 10, Duration::from_micros(50), Duration::from_millis(1));
        while !self.stop.load(Ordering::Acquire) {
            let work = self.do_work();
            idle.idle(work as i32);
        }
        self.shutdown();
    }

    fn do_work(&mut self) -> usize {
        let now_ms = epoch_clock();
        let mut work = self.process_image_events();
        work += self.poll_control();
        work += self.run_sessions(now_ms);
        work += self.recorder_work(now_ms);
        work += self.replayer_work(now_ms);
        work += self.replication_work(now_ms);
        work
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
                ImageEvent::RecordingAvailable { subscription_id, info } => {
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
                self.on_control_message((index, session_id), &bytes);
            }
        }
        work
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
                self.replayer.drop_tokens_of_session(id);
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
        let now_ms = epoch_clock();
        self.replication_shutdown();
        self.replayer_shutdown();
        self.recorder_shutdown(now_ms);
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
        self.sessions.get_mut(&id).filter(|s| s.state != SessionState::Done)
    }
}
