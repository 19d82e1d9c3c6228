//! Runs a [`Launch`]: embedded media driver (if asked), then the archive (unless only a media driver was
//! asked for); prints the readiness line once the mark file is written; waits for SIGTERM or SIGINT (or a
//! client's driver termination request, allowed by `aeron.driver.termination.validator`); stops the
//! archive, then the driver.

use std::ffi::c_void;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusteron_client::bindings::aeron_driver_context_set_driver_termination_hook;
use rusteron_media_driver::{MediaDriver, MediaDriverBuilder};

use super::{driver_env_var, Launch};
use crate::error::ServerError;
use crate::server::ArchiveServer;
use crate::storage::mark_file::MARK_FILE_NAME;
use crate::threading::ThreadingMode;

/// Prefix of the line printed on stdout when the archive is ready.
pub const READY_PREFIX: &str = "rusteron-archive-server ready:";

/// Set by the embedded driver's termination hook: a client asked the driver to terminate (through its
/// termination validator), which ends the process as it does Java's `MediaDriver` and
/// `ArchivingMediaDriver`.
static DRIVER_TERMINATED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_driver_termination(_state: *mut c_void) {
    DRIVER_TERMINATED.store(true, Ordering::Release);
}

/// Starts everything, runs until a termination signal (or a driver termination request), then stops cleanly.
pub fn run(launch: Launch) -> Result<(), ServerError> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, stop.clone())?;
    }
    let (server, driver) = start(launch)?;
    // INVOKER mode: this thread runs the archive's duty cycle.
    let invoker = server
        .as_ref()
        .filter(|s| s.threading_mode() == ThreadingMode::Invoker);
    let mut idle = server.as_ref().map(|s| s.config().idle_strategy.build());
    let mut fatal = None;
    while !stop.load(Ordering::Acquire) && !DRIVER_TERMINATED.load(Ordering::Acquire) {
        match (invoker, idle.as_mut()) {
            (Some(server), Some(idle)) => idle.idle(server.invoke().min(i32::MAX as usize) as i32),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
        // An archive whose Aeron client has closed itself (its media driver gone) serves nothing more:
        // stop, and exit non-zero so that a supervisor restarts it with its driver.
        fatal = server.as_ref().and_then(ArchiveServer::fatal_client_error);
        if fatal.is_some() {
            break;
        }
    }
    if let Some(error) = fatal {
        log::error!("the archive's Aeron client has closed ({error}): stopping");
        drop(server);
        drop(driver);
        return Err(ServerError::ClientClosed(error));
    }
    if DRIVER_TERMINATED.load(Ordering::Acquire) {
        log::info!("media driver termination requested: stopping");
    }
    log::info!("termination signal: stopping the archive");
    drop(server);
    drop(driver);
    println!("rusteron-archive-server stopped");
    Ok(())
}

/// Starts the embedded driver (if asked) and the archive (unless the mode is a media driver alone), and
/// prints the readiness line.
pub fn start(launch: Launch) -> Result<(Option<ArchiveServer>, Option<MediaDriver>), ServerError> {
    let Launch {
        mut config,
        embedded_driver,
        driver_properties,
        mode,
    } = launch;
    let driver = if embedded_driver {
        for (name, value) in &driver_properties {
            // The C driver reads its configuration from AERON_* variables when its context is created.
            // Set here, on the main thread, before the driver or any client thread exists.
            std::env::set_var(driver_env_var(name), value);
        }
        let driver = MediaDriverBuilder::new()
            .configure(|ctx| {
                // SAFETY: the context is live during this closure; the hook is a plain function that only
                // stores to a static, valid for the whole process, and needs no state.
                let rc = unsafe {
                    aeron_driver_context_set_driver_termination_hook(
                        ctx.as_raw(),
                        Some(on_driver_termination),
                        std::ptr::null_mut(),
                    )
                };
                if rc < 0 {
                    log::warn!("cannot set the media driver termination hook (rc {rc})");
                }
                Ok(())
            })
            .launch()
            .map_err(|e| ServerError::Driver(e.to_string()))?;
        log::info!("embedded media driver running in {}", driver.dir());
        if config.aeron_dir.is_none() {
            config.aeron_dir = Some(driver.dir().into());
        }
        Some(driver)
    } else {
        None
    };
    if !mode.runs_archive() {
        println!(
            "{READY_PREFIX} mode={mode:?} aeron_dir={}",
            driver.as_ref().map(|d| d.dir()).unwrap_or("-")
        );
        let _ = std::io::stdout().flush();
        return Ok((None, driver));
    }
    let server = ArchiveServer::launch(config)?;
    let c = server.config();
    let mark = c.mark_file_dir().join(MARK_FILE_NAME);
    println!(
        "{READY_PREFIX} archive_id={} mode={mode:?} aeron_dir={} archive_dir={} mark_file={} control_channel={} \
         control_stream_id={} local_control_channel={} recording_events_channel={}",
        server.archive_id(),
        crate::storage::startup::aeron_directory(c),
        c.archive_dir.display(),
        mark.display(),
        c.control_channel.as_deref().unwrap_or("-"),
        c.control_stream_id,
        c.local_control_channel,
        c.recording_events_channel,
    );
    let _ = std::io::stdout().flush();
    Ok((Some(server), driver))
}
