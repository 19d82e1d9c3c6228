//! Child processes of the soak: servers and media drivers (the `rusteron-archive-server` binary) that print
//! a readiness line, and worker processes; stdout goes to a log file, kills are SIGKILL.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The line the server prints once it runs.
const READY_PREFIX: &str = "rusteron-archive-server ready:";
/// How long a start may take.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A child process whose stdout is appended to a log file.
pub struct Proc {
    child: Child,
}

impl Proc {
    /// Spawns `exe args`, stdout and stderr appended to `log`; with `ready`, waits for the readiness line.
    pub fn spawn(name: &str, exe: &Path, args: &[String], log: &Path, ready: bool) -> Result<Proc> {
        let mut file = File::options().create(true).append(true).open(log)?;
        writeln!(file, "=== {name}: {} {}", exe.display(), args.join(" "))?;
        let mut child = Command::new(exe)
            .args(args)
            .env("RUSTERON_LOG", "info")
            // Two cores shared by several builds and soaks: a starved driver thread must not look dead.
            .env("AERON_DRIVER_TIMEOUT", "30000")
            .env("AERON_CLIENT_LIVENESS_TIMEOUT", "30s")
            .env("AERON_PUBLICATION_UNBLOCK_TIMEOUT", "45s")
            .stdout(Stdio::piped())
            .stderr(file.try_clone()?)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let stdout = child.stdout.take().context("piped stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with(READY_PREFIX) {
                    let _ = tx.send(());
                }
                let _ = writeln!(file, "{line}");
            }
        });
        let mut p = Proc { child };
        if ready {
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                if rx.recv_timeout(Duration::from_millis(50)).is_ok() {
                    break;
                }
                if let Some(status) = p.child.try_wait()? {
                    bail!(
                        "{name} exited before it was ready ({status}); see {}",
                        log.display()
                    );
                }
                if Instant::now() > deadline {
                    p.kill9();
                    bail!(
                        "{name} was not ready within {START_TIMEOUT:?}; see {}",
                        log.display()
                    );
                }
            }
        }
        Ok(p)
    }

    /// `kill -9` and reap.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits up to `timeout` for the process to exit by itself; its exit status if it did.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// `true` while the process runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGTERM, then waits up to 20 s (SIGKILL after); the exit status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        if self.alive() {
            if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
                // SAFETY: kill(2) on the pid of our own child, not yet reaped.
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
        }
        let status = self.wait_exit(Duration::from_secs(20));
        if status.is_none() {
            self.kill9();
        }
        status
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.alive() {
            self.kill9();
        }
    }
}

/// Runs `exe args` to completion: (exit code, stdout).
pub fn output(exe: &Path, args: &[String]) -> Result<(i32, String, String)> {
    let out = Command::new(exe)
        .args(args)
        .output()
        .with_context(|| format!("running {}", exe.display()))?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}
