//! Child processes of the benchmark: started with their output in a log file, stopped by id.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A started program whose stdout and stderr go to `log`.
pub struct Proc {
    child: Child,
    name: String,
    log: PathBuf,
}

impl Proc {
    /// Starts `cmd` with its output appended to `log`.
    pub fn spawn(name: &str, cmd: &mut Command, log: &Path) -> Result<Self> {
        let out =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {name}: {cmd:?}"))?;
        Ok(Proc {
            child,
            name: name.to_string(),
            log: log.to_path_buf(),
        })
    }

    /// Process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `timeout`; `Some(success)` if it exited.
    pub fn wait_for(&mut self, timeout: Duration) -> Result<Option<bool>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status.success()));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for a successful exit and returns the log, or fails (killing it after `timeout`).
    pub fn finish(mut self, timeout: Duration) -> Result<String> {
        match self.wait_for(timeout)? {
            Some(true) => self.output(),
            Some(false) => bail!(
                "{} failed; its output is in {}:\n{}",
                self.name,
                self.log.display(),
                self.output()?
            ),
            None => {
                self.stop(Duration::from_secs(2))?;
                bail!(
                    "{} did not finish within {timeout:?}; its output is in {}",
                    self.name,
                    self.log.display()
                )
            }
        }
    }

    /// Asks the process to stop (SIGINT, as Ctrl-C: the C samples and the driver then close cleanly), and
    /// kills it if it is still there after `grace`.
    pub fn stop(&mut self, grace: Duration) -> Result<()> {
        if self.child.try_wait()?.is_some() {
            return Ok(());
        }
        let _ = Command::new("kill")
            .args(["-INT", &self.id().to_string()])
            .status();
        if self.wait_for(grace)?.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        Ok(())
    }

    /// What the process wrote so far.
    pub fn output(&self) -> Result<String> {
        Ok(std::fs::read_to_string(&self.log)?)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.stop(Duration::from_secs(2));
    }
}
