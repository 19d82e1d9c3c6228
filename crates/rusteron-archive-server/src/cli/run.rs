//! Runs a [`Launch`]: embedded media driver (if asked), then the archive (unless only a media driver was
//! asked for); prints the readiness line once the mark file is written; waits for SIGTERM or SIGINT; stops
//! the archive, then the driver.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusteron_media_driver::{MediaDriver, MediaDriverBuilder};

use super::{driver_env_var, Launch};
use crate::storage::mark_file::MARK_FILE_NAME;
use crate::{ArchiveServer, ServerError};

/// Prefix of the line printed on stdout when the archive is ready.
pub const READY_PREFIX: &str = "rusteron-archive-server ready:";

/// Starts everything, runs until a termination signal, then stops cleanly.
pub fn run(launch: Launch) -> Result<(), ServerError> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, stop.clone())?;
    }
    let (server, driver) = start(launch)?;
    while !stop.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(50));
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
    let Launch { mut config, embedded_driver, driver_properties, mode } = launch;
    let driver = if embedded_driver {
        for (name, value) in &driver_properties {
            // The C driver reads its configuration from AERON_* variables when its context is created.
            // Set here, on the main thread, before the driver or any client thread exists.
            std::env::set_var(driver_env_var(name), value);
        }
        let driver = MediaDriverBuilder::new().launch().map_err(|e| ServerError::Driver(e.to_string()))?;
        log::info!("embedded media driver running in {}", driver.dir());
        if config.aeron_dir.is_none() {
            config.aeron_dir = Some(driver.dir().into());
        }
        Some(driver)
    } else {
        None
    };
    if !mode.runs_archive() {
        println!("{READY_PREFIX} mode={mode:?} aeron_dir={}", driver.as_ref().map(|d| d.dir()).unwrap_or("-"));
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
