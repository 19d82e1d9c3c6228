//! The archive server: [`ArchiveServer`] launches three agents, each owning its state and talking to the
//! others only through the queues of the `handoff` module:
//!
//! * the **conductor** (`conductor/`): control channels and sessions, requests, catalog, recording
//!   subscriptions, replications;
//! * the **recorder** (`recorder.rs`): the recording sessions (image → segment files);
//! * the **replayer** (`replayer.rs`): the replay sessions (segment files → replay publications).
//!
//! `runner.rs` runs them per `aeron.archive.threading.mode`: a thread each (DEDICATED), one thread for all
//! three (SHARED), or the application's thread through [`ArchiveServer::invoke`] (INVOKER).

mod auth;
mod authorise;
pub mod codes;
mod conductor;
mod control_session;
mod counters;
mod handoff;
mod proxy;
mod recorded_image;
mod recorder;
mod replay_checksum;
mod replayer;
mod runner;
mod storage_space;
pub mod suppliers;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use rusteron_client::{Aeron, AeronContext, AeronErrorHandlerClosure};

pub use auth::{AcceptAllAuthenticator, AuthDecision, Authenticator, SampleAuthenticator};
pub use authorise::{AllowAllAuthoriser, Authoriser, DenyAllAuthoriser};
pub use codes as error_codes;
pub use counters::{CONTROL_SESSIONS_TYPE_ID, CONTROL_SESSION_TYPE_ID, RECORDING_POSITION_TYPE_ID};
pub use proxy::{PROTOCOL_MAJOR_VERSION, PROTOCOL_SEMANTIC_VERSION};

use crate::config::ArchiveConfig;
use crate::error::ServerError;
use crate::threading::ThreadingMode;
use conductor::{Conductor, Lifecycle};
use recorder::Recorder;
use replayer::Replayer;
use runner::{Agent, SharedAgents};

/// A running archive. Dropping it (or [`close`](Self::close)) stops its agents: the recorder stops the
/// recordings (their stop positions set in the catalog), the replayer revokes the replays, the conductor
/// closes the control sessions and syncs the catalog; every thread the archive started has ended when
/// `close` returns.
pub struct ArchiveServer {
    config: ArchiveConfig,
    archive_id: i64,
    stop: Arc<AtomicBool>,
    /// The agents' threads (DEDICATED: three, SHARED: one, INVOKER: none).
    threads: Vec<JoinHandle<()>>,
    /// INVOKER mode: the agents, run by [`invoke`](Self::invoke).
    invoker: Option<std::sync::Mutex<Box<SharedAgents>>>,
    /// Errors reported by the archive's Aeron client (logged and counted, never fatal).
    error_count: Arc<AtomicU64>,
    /// The first fatal error of the archive's Aeron client (see [`ArchiveServer::fatal_client_error`]).
    fatal_error: Arc<std::sync::Mutex<Option<String>>>,
    /// Refreshes `archive-mark.dat`; stopped (activity timestamp -1) after the conductor.
    mark_file: Option<crate::storage::mark_keeper::MarkFileKeeper>,
}

impl std::fmt::Debug for ArchiveServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveServer")
            .field("archive_id", &self.archive_id)
            .field("archive_dir", &self.config.archive_dir)
            .finish()
    }
}

impl ArchiveServer {
    /// Launches an archive with the authenticator and authoriser named by the configuration
    /// (`aeron.archive.authenticator.supplier`, `aeron.archive.authorisation.service.supplier`; by default
    /// everyone is accepted and every request allowed; see [`suppliers`]). Connects its own Aeron client to
    /// `config.aeron_dir`.
    pub fn launch(config: ArchiveConfig) -> Result<ArchiveServer, ServerError> {
        let authenticator = suppliers::authenticator_for(config.authenticator_supplier.as_deref())?;
        Self::launch_with_authenticator(config, authenticator)
    }

    /// Launches an archive that authenticates control sessions with `authenticator`, and authorises their
    /// requests as the configuration names (`aeron.archive.authorisation.service.supplier`; default: allow
    /// every request).
    pub fn launch_with_authenticator(
        config: ArchiveConfig,
        authenticator: Box<dyn Authenticator>,
    ) -> Result<ArchiveServer, ServerError> {
        let authoriser =
            suppliers::authoriser_for(config.authorisation_service_supplier.as_deref())?;
        Self::launch_with(config, authenticator, authoriser)
    }

    /// Launches an archive that authenticates control sessions with `authenticator` and asks `authoriser`
    /// about every request of an authenticated session (Java's `authenticatorSupplier` and
    /// `authorisationServiceSupplier`).
    pub fn launch_with(
        config: ArchiveConfig,
        authenticator: Box<dyn Authenticator>,
        authoriser: Box<dyn Authoriser>,
    ) -> Result<ArchiveServer, ServerError> {
        config.validate()?;
        if config.delete_archive_dir_on_start && config.archive_dir.exists() {
            std::fs::remove_dir_all(&config.archive_dir)?;
        }
        std::fs::create_dir_all(&config.archive_dir)?;

        // Mark file first (refuses to start over a live archive), then crash recovery of the catalog.
        let (mark_file, catalog) = crate::storage::startup::open_storage(&config)?;

        let context = AeronContext::new()?;
        if let Some(dir) = &config.aeron_dir {
            context.set_dir_path(dir)?;
        }
        context.set_client_name("rusteron-archive-server")?;
        // Never the C default handler, which exits the process on any client error (e.g. "Unable to map
        // raw log" when two recordings of one IPC stream follow each other): log and count like Java's
        // CountedErrorHandler.
        let error_count = Arc::new(AtomicU64::new(0));
        let errors = error_count.clone();
        let fatal_error = Arc::new(std::sync::Mutex::new(None::<String>));
        let fatal = fatal_error.clone();
        context.set_error_handler(Some(AeronErrorHandlerClosure::new(
            move |code: i32, message: &str| {
                errors.fetch_add(1, Ordering::Relaxed);
                log::error!("archive aeron client error {code}: {message}");
                if is_fatal_client_error(code) {
                    // The C client has closed itself (driver gone, or this client timed out): the archive
                    // can no longer serve anything. Kept for `fatal_client_error`, so that the process
                    // ends instead of running without a driver.
                    fatal
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .get_or_insert_with(|| format!("aeron client error {code}: {message}"));
                }
            },
        )))?;
        context.set_idle_sleep_duration_ns(1_000_000)?;
        let aeron = Aeron::connect(&context)?;
        let archive_id = config.archive_id.unwrap_or_else(|| aeron.client_id());
        let timeout = config
            .connect_timeout
            .max(std::time::Duration::from_secs(1));

        let (image_sender, image_events) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let (recorder_queues, recorder_end) = handoff::queues();
        let (replayer_queues, replayer_end) = handoff::queues();
        let recorder = Recorder::new(recorder_end, config.archive_dir.clone());
        let replayer = Replayer::new(replayer_end, aeron.counters_reader(), timeout);
        let mut conductor = Conductor {
            config: config.clone(),
            aeron,
            archive_id,
            catalog,
            authenticator,
            authoriser,
            control: Vec::new(),
            control_images: HashMap::new(),
            sessions: HashMap::new(),
            next_session_id: initial_session_id(),
            recordings: Default::default(),
            replays: Default::default(),
            recorder: recorder_queues,
            replayer: replayer_queues,
            replications: Default::default(),
            image_events,
            image_sender,
            events: None,
            sessions_counter: None,
            timeout,
            stop: stop.clone(),
            lifecycle: Lifecycle::default(),
        };
        if config.control_channel_enabled {
            if let Some(channel) = &config.control_channel {
                let channel = with_sparse(channel, config.control_term_buffer_sparse);
                conductor.add_control_channel(&channel, config.control_stream_id)?;
            }
        }
        conductor.add_control_channel(
            &config.local_control_channel,
            config.local_control_stream_id,
        )?;
        if config.recording_events_enabled {
            conductor.events = Some(conductor.aeron.add_exclusive_publication(
                &config.recording_events_channel,
                config.recording_events_stream_id,
                timeout,
            )?);
        }
        let label = format!("Archive Control Sessions - archiveId={archive_id}");
        conductor.sessions_counter = counters::add_counter(
            &conductor.aeron,
            CONTROL_SESSIONS_TYPE_ID,
            &archive_id.to_le_bytes(),
            &label,
            timeout,
        )
        .map_err(|e| log::warn!("archive control sessions counter: {e}"))
        .ok();

        let mut threads = Vec::new();
        let mut invoker = None;
        let conductor_idle = config.idle_strategy;
        match config.threading_mode {
            ThreadingMode::Dedicated => {
                let recorder_idle = config.recorder_idle_strategy.unwrap_or(conductor_idle);
                let replayer_idle = config.replayer_idle_strategy.unwrap_or(conductor_idle);
                threads.push(runner::spawn(
                    "archive-recorder",
                    recorder,
                    recorder_idle.build(),
                )?);
                threads.push(runner::spawn(
                    "archive-replayer",
                    replayer,
                    replayer_idle.build(),
                )?);
                threads.push(runner::spawn(
                    "archive-conductor",
                    conductor,
                    conductor_idle.build(),
                )?);
            }
            ThreadingMode::Shared => {
                let agents = SharedAgents {
                    conductor,
                    recorder,
                    replayer,
                };
                threads.push(runner::spawn(
                    "archive-conductor",
                    agents,
                    conductor_idle.build(),
                )?);
            }
            ThreadingMode::Invoker => {
                invoker = Some(std::sync::Mutex::new(Box::new(SharedAgents {
                    conductor,
                    recorder,
                    replayer,
                })));
            }
        }
        let mark_file = crate::storage::startup::signal_ready(mark_file, archive_id)?;
        log::info!(
            "archive {archive_id} started in {} ({} threading)",
            config.archive_dir.display(),
            config.threading_mode
        );
        Ok(ArchiveServer {
            config,
            archive_id,
            stop,
            threads,
            invoker,
            error_count,
            fatal_error,
            mark_file: Some(mark_file),
        })
    }

    /// INVOKER mode: runs one duty cycle of the conductor, the recorder and the replayer on the calling
    /// thread and returns the work done (0: nothing to do; the caller may idle), as Java's
    /// `Archive.invoker().invoke()`. Does nothing and returns 0 in the other modes, whose agents run on
    /// their own threads, and while another thread is in `invoke` (one duty cycle at a time).
    pub fn invoke(&self) -> usize {
        match self.invoker.as_ref().and_then(|m| m.try_lock().ok()) {
            Some(mut agents) => agents.do_work(),
            None => 0,
        }
    }

    /// The configuration the archive runs with.
    pub fn config(&self) -> &ArchiveConfig {
        &self.config
    }

    /// The archive id (configured, or the archive's Aeron client id).
    pub fn archive_id(&self) -> i64 {
        self.archive_id
    }

    /// Number of errors the archive's own Aeron client reported (each is also logged).
    pub fn client_error_count(&self) -> u64 {
        self.error_count.load(Ordering::Relaxed)
    }

    /// The error that closed the archive's own Aeron client, if one did: the media driver stopped
    /// answering (`AERON_CLIENT_ERROR_DRIVER_TIMEOUT`), or the driver timed this client out
    /// (`AERON_CLIENT_ERROR_CLIENT_TIMEOUT`, `AERON_CLIENT_ERROR_CONDUCTOR_SERVICE_TIMEOUT`). The archive
    /// serves nothing after that; its owner should close it (the `rusteron-archive-server` binary then
    /// exits with status 1, naming the error).
    pub fn fatal_client_error(&self) -> Option<String> {
        self.fatal_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The threading mode the archive runs in.
    pub fn threading_mode(&self) -> ThreadingMode {
        self.config.threading_mode
    }

    /// Stops the archive and waits for its threads (INVOKER mode: runs the agents' duty cycles on this
    /// thread until they have closed).
    pub fn close(self) {}

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(agents) = self.invoker.take() {
            // A panic in an earlier duty cycle poisoned the lock; the agents still close what they own.
            let mut agents = agents
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut idle = self.config.idle_strategy.build();
            runner::run_agent(agents.as_mut(), idle.as_mut());
        }
        for t in self.threads.drain(..) {
            let name = t.thread().name().unwrap_or("archive").to_owned();
            if t.join().is_err() {
                log::error!("{name} thread panicked");
            }
        }
        if let Some(mark_file) = self.mark_file.take() {
            mark_file.stop();
        }
    }
}

impl Drop for ArchiveServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Adds `sparse=` to a channel that does not set it.
fn with_sparse(channel: &str, sparse: bool) -> String {
    if channel.contains("sparse=") {
        channel.to_owned()
    } else if channel.contains('?') {
        format!("{channel}|sparse={sparse}")
    } else {
        format!("{channel}?sparse={sparse}")
    }
}

/// A random non-negative 31-bit seed for control session ids (as Java seeds its session id counter).
fn initial_session_id() -> i64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64 ^ d.as_secs())
        .unwrap_or(0);
    let mixed = nanos.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(std::process::id());
    ((mixed >> 33) & 0x3FFF_FFFF) as i64
}

/// Whether a C client error code means the client has closed itself (`aeronc.h`: driver timeout 1000,
/// client timeout 1001, conductor service timeout 1002).
fn is_fatal_client_error(code: i32) -> bool {
    matches!(code, 1000..=1002)
}
