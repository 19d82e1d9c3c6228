//! The one media driver all implementations talk to: our `rusteron-media-driver` binary (the C driver of
//! the same Aeron source), started as a separate process.

use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::proc::Proc;

/// Driver arguments: shared threading and the sleeping idle strategy suit a 2-core machine; 1 MiB terms.
pub const DRIVER_ARGS: &[&str] = &[
    "--threading-mode",
    "shared",
    "--idle-strategy",
    "sleeping",
    "--term-length",
    "1048576",
    "--ipc-term-length",
    "1048576",
    "--delete-on-start",
    "--delete-on-shutdown",
];

/// A running driver; stopped (SIGINT, clean shutdown) on drop.
pub struct Driver {
    proc: Proc,
    /// Its Aeron directory.
    pub dir: PathBuf,
}

impl Driver {
    /// Starts the driver on a fresh directory (in /dev/shm when available) and waits for its CnC file.
    pub fn start(exe: &Path, log: &Path) -> Result<Self> {
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("rusteron-bench-{}", std::process::id()));
        let mut cmd = Command::new(exe);
        cmd.arg("--dir").arg(&dir).args(DRIVER_ARGS);
        let mut cmd = super::pin::wrap(cmd, super::pin::current().map(|p| p.driver));
        let mut proc = Proc::spawn("media driver", &mut cmd, log)?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while !dir.join("cnc.dat").is_file() {
            if proc.wait_for(Duration::from_millis(50))?.is_some() || Instant::now() > deadline {
                bail!("the media driver did not start:\n{}", proc.output()?);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
        Ok(Driver { proc, dir })
    }

    /// Stops the driver.
    pub fn stop(mut self) -> Result<()> {
        self.proc.stop(Duration::from_secs(10))
    }
}
