//! One soak run: fault cycles against an archive (and a replica archive that replicates from it), with the
//! checks after every restart.
//!
//! A cycle: start the archive (and in some cycles a separate media driver), check what the restart
//! recovered (below), start the worker's `load` (publishers recording on IPC and UDP, replays, a
//! replication), wait a random time, then one fault: `kill -9` the archive with its embedded driver,
//! `kill -9` the archive alone (its separate driver keeps running), or `kill -9` the separate driver (the
//! archive then exits by itself or is killed too). The worker is killed with it. Before the restart,
//! `rusteron-archive-tool verify --dry-run` predicts each recording's stop position.
//!
//! After the restart: every recording of the killed cycle (and a random older one) is replayed from its
//! start to its stop position and compared with the reference; its stop position must be the predicted
//! one; `verify --dry-run` of the running archive must find nothing INVALID that was not reported before;
//! the replica's recordings replay identical too (their replication resumed in the next cycle or stopped
//! with an error response when the source died).

use anyhow::Result;
use std::path::PathBuf;
use std::time::Duration;

use super::checks::{self, Prediction};
use super::procs::Proc;
use super::report::Totals;
use super::rng::Rng;
use super::setup::{free_port, ArchiveSetup};
use super::Bins;

/// How a cycle runs the archive and which process it kills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum Fault {
    /// Archive with an embedded driver; `kill -9` of both.
    KillEmbedded,
    /// Separate media driver; `kill -9` of the archive only.
    KillArchive,
    /// Separate media driver; `kill -9` of the driver (then the archive).
    KillDriver,
}

/// A soak run's state.
pub struct Runner<'a> {
    bins: &'a Bins,
    seed: u64,
    rng: Rng,
    base: PathBuf,
    /// The archive under faults.
    pub archive: ArchiveSetup,
    /// The replica archive (not faulted) and its process.
    replica: Option<(ArchiveSetup, Proc)>,
    /// A separate media driver kept over a `KillArchive` fault.
    driver: Option<Proc>,
    /// What `verify --dry-run` predicted after the last fault.
    pending: Option<Prediction>,
    /// Recordings of the archive below this id were checked after an earlier restart.
    checked_from: i64,
    /// Replica recordings below this id were checked stopped.
    replica_checked_from: i64,
    /// Where the worker's log was read up to.
    worker_log_offset: u64,
    /// Faults allowed in this run.
    faults: Vec<Fault>,
    /// The figures.
    pub totals: Totals,
    /// The archive's filesystem may fill up: refused recordings are expected, not errors.
    pub disk_may_fill: bool,
    cycle: u32,
}

impl<'a> Runner<'a> {
    /// A run named `name` below `base`, the archive's files in `archive_dir`.
    pub fn new(
        bins: &'a Bins,
        name: &str,
        seed: u64,
        base: PathBuf,
        archive: ArchiveSetup,
        faults: Vec<Fault>,
    ) -> Runner<'a> {
        Runner {
            bins,
            seed,
            rng: Rng::new(seed),
            base,
            archive,
            replica: None,
            driver: None,
            pending: None,
            checked_from: 0,
            replica_checked_from: 0,
            worker_log_offset: 0,
            faults,
            totals: Totals {
                name: name.to_owned(),
                ..Totals::default()
            },
            disk_may_fill: false,
            cycle: 0,
        }
    }

    /// Starts the replica archive (record checksum CRC-32C) that the worker replicates into.
    pub fn start_replica(&mut self, threading_mode: &str) -> Result<()> {
        let mut r = ArchiveSetup::new(
            "replica",
            &self.base,
            self.base.join("replica"),
            threading_mode,
        );
        r.record_checksum = Some("CRC-32C");
        let p = Proc::spawn(
            "replica",
            &self.bins.server,
            &r.embedded_args(),
            &r.log,
            true,
        )?;
        self.replica = Some((r, p));
        Ok(())
    }

    fn worker_log(&self) -> PathBuf {
        self.base.join("worker.log")
    }

    /// Starts the archive for `fault`: `(driver, archive)`.
    fn start(&mut self, fault: Fault) -> Result<(Option<Proc>, Proc)> {
        let a = &self.archive;
        if fault == Fault::KillEmbedded {
            if let Some(mut d) = self.driver.take() {
                d.terminate();
            }
            return Ok((
                None,
                Proc::spawn(
                    "archive",
                    &self.bins.server,
                    &a.embedded_args(),
                    &a.log,
                    true,
                )?,
            ));
        }
        let driver = match self.driver.take() {
            Some(d) => d,
            None => Proc::spawn("driver", &self.bins.server, &a.driver_args(), &a.log, true)?,
        };
        Ok((
            Some(driver),
            Proc::spawn(
                "archive",
                &self.bins.server,
                &a.archive_args(),
                &a.log,
                true,
            )?,
        ))
    }

    /// One fault cycle with the worker's load running for `load` before the fault.
    pub fn cycle(&mut self, load: Duration) -> Result<()> {
        let fault = self.faults[self.rng.range(0, self.faults.len() as u64) as usize];
        let (mut driver, mut archive) = self.start(fault)?;
        if let Some(p) = self.pending.take() {
            self.totals.restarts += 1;
            self.after_restart(&p)?;
        }
        let mut worker = self.start_worker()?;
        // The load time counts from the first message sent (set-up is slow on a busy machine).
        let waited = std::time::Instant::now();
        while worker.alive()
            && waited.elapsed() < Duration::from_secs(60)
            && !self.worker_has_sent()?
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(load);
        let worker_alive = worker.alive();
        // What the worker logged before the fault is checked; after it, its errors are the fault's.
        let log_at_fault = std::fs::metadata(self.worker_log())
            .map(|m| m.len())
            .unwrap_or(0);
        if !archive.alive() {
            let status = archive.wait_exit(Duration::ZERO);
            self.error(format!(
                "cycle {}: the archive exited before the fault ({status:?}); see {}",
                self.cycle,
                self.archive.log.display()
            ));
        }
        match fault {
            Fault::KillEmbedded => {
                archive.kill9();
                self.totals.archive_kills += 1;
            }
            Fault::KillArchive => {
                archive.kill9();
                self.totals.archive_kills += 1;
                self.driver = driver.take();
            }
            Fault::KillDriver => {
                if let Some(d) = driver.as_mut() {
                    d.kill9();
                }
                self.totals.driver_kills += 1;
                match archive.wait_exit(Duration::from_secs(5)) {
                    Some(status) => self.note(format!(
                        "archive exited by itself {status} after its driver was killed"
                    )),
                    None => {
                        archive.kill9();
                        self.totals.archive_kills += 1;
                    }
                }
            }
        }
        worker.kill9();
        self.scan_worker_log(worker_alive, log_at_fault)?;
        let p = checks::predict(self.bins, &self.archive)?;
        self.totals.bytes_cut += p.torn_bytes;
        for i in &p.invalid {
            self.note(format!(
                "verify --dry-run before restart {}: {i}",
                self.totals.restarts + 1
            ));
        }
        self.pending = Some(p);
        self.totals.cycles += 1;
        self.cycle += 1;
        Ok(())
    }

    fn note(&mut self, n: String) {
        println!("xtask soak: note: {n}");
        self.totals.notes.push(n);
    }

    fn error(&mut self, e: String) {
        println!("xtask soak: ERROR: {e}");
        self.totals.errors.push(e);
    }

    fn start_worker(&mut self) -> Result<Proc> {
        let mut args = vec![
            "load".to_owned(),
            format!("--aeron-dir={}", self.archive.aeron_dir.display()),
            format!("--control={}", self.archive.control),
            format!("--seed={}", self.seed),
            format!("--cycle={}", self.cycle),
            "--stream=aeron:ipc?term-length=64k@1001".to_owned(),
            format!(
                "--stream=aeron:udp?endpoint=127.0.0.1:{}|term-length=64k@1002",
                free_port()
            ),
            "--stream=aeron:ipc?term-length=128k@1003".to_owned(),
            format!(
                "--stream=aeron:udp?endpoint=127.0.0.1:{}|term-length=64k@1004",
                free_port()
            ),
        ];
        if let Some((r, _)) = &self.replica {
            args.push(format!("--replica={}", r.control));
        }
        Proc::spawn(
            "worker",
            &self.bins.worker,
            &args,
            &self.worker_log(),
            false,
        )
    }

    /// `true` once the running worker logged a sent message.
    fn worker_has_sent(&self) -> Result<bool> {
        use std::io::{Read, Seek};
        let mut f = std::fs::File::open(self.worker_log())?;
        f.seek(std::io::SeekFrom::Start(self.worker_log_offset))?;
        let mut new = Vec::new();
        f.read_to_end(&mut new)?;
        Ok(new.windows(6).any(|w| w == b"\nsent "))
    }

    /// Reads the worker's log of the cycle: replays during recording, replication outcomes, mismatches.
    fn scan_worker_log(&mut self, was_alive: bool, at_fault: u64) -> Result<()> {
        let text = std::fs::read(self.worker_log())?;
        let at_fault = (at_fault as usize).clamp(self.worker_log_offset as usize, text.len());
        let new =
            String::from_utf8_lossy(&text[self.worker_log_offset as usize..at_fault]).into_owned();
        let after = String::from_utf8_lossy(&text[at_fault..]).into_owned();
        self.worker_log_offset = text.len() as u64;
        let replication_errors = after
            .lines()
            .filter(|l| l.starts_with("replication error"))
            .count() as u64;
        self.totals.replication_errors += replication_errors;
        let mut sent = false;
        for line in new.lines() {
            if line.starts_with("replayed ") {
                self.totals.live_replays += 1;
            } else if line.starts_with("replicating ") {
                self.totals.replications += 1;
            } else if line.starts_with("replication error") {
                self.totals.replication_errors += 1;
            } else if line.starts_with("MISMATCH") {
                self.error(format!(
                    "cycle {}: replay during recording: {line}",
                    self.cycle
                ));
            } else if line.starts_with("sent ") {
                sent = true;
            } else if line.starts_with("rusteron-soak-worker:") && was_alive {
                self.error(format!("cycle {}: worker: {line}", self.cycle));
            }
        }
        if !was_alive {
            let last = new
                .lines()
                .filter(|l| !l.starts_with("sent ") && !l.trim().is_empty())
                .collect::<Vec<_>>();
            let last = last[last.len().saturating_sub(2)..].join(" / ");
            if self.disk_may_fill
                && (last.contains("storage space") || last.contains("No space left"))
            {
                self.note(format!(
                    "cycle {}: the archive refused or stopped recording: {last}",
                    self.cycle
                ));
            } else {
                self.error(format!(
                    "cycle {}: the worker stopped before the fault: {last}",
                    self.cycle
                ));
            }
        } else if !sent && !self.disk_may_fill {
            self.error(format!(
                "cycle {}: the worker sent nothing before the fault",
                self.cycle
            ));
        }
        Ok(())
    }

    /// The checks after a restart (see the module docs).
    fn after_restart(&mut self, p: &Prediction) -> Result<()> {
        let n = self.totals.restarts;
        let older: Vec<i64> = if self.checked_from > 0 {
            vec![self.rng.range(0, self.checked_from as u64) as i64]
        } else {
            vec![]
        };
        let replayed = match checks::replay_all(
            self.bins,
            &self.archive,
            self.seed,
            self.checked_from,
            &older,
            0,
        ) {
            Ok(r) => r,
            Err(e) => {
                self.error(format!("restart {n}: {e:#}"));
                return Ok(());
            }
        };
        for r in &replayed {
            self.totals.recordings_checked += 1;
            self.totals.bytes_verified += r.verified;
            self.totals.bytes_lost += r.lost;
            if let Some(e) = &r.error {
                self.error(format!(
                    "restart {n}: recording {} (stop {}): {} bytes lost: {e}",
                    r.id, r.stop, r.lost
                ));
            }
            match p.stops.get(&r.id) {
                Some(&predicted) if predicted != r.stop => self.error(format!(
                    "restart {n}: recording {} recovered to stop position {}, verify --dry-run predicted {predicted}",
                    r.id, r.stop
                )),
                None => self.error(format!("restart {n}: recording {} was not in verify --dry-run's output", r.id)),
                _ => {}
            }
            if r.stop < 0 {
                self.error(format!(
                    "restart {n}: recording {} is still active after the restart",
                    r.id
                ));
            }
        }
        self.checked_from = replayed
            .iter()
            .map(|r| r.id + 1)
            .max()
            .unwrap_or(self.checked_from)
            .max(self.checked_from);
        for i in checks::verify(self.bins, &self.archive, false)? {
            if !p.invalid.contains(&i) {
                self.error(format!("restart {n}: verify --dry-run of the running archive: {i} (not reported before the restart)"));
            }
        }
        self.check_replica(n, false)
    }

    /// Replays the replica's recordings not yet checked; `last` waits for the replications to stop (a
    /// replication whose source died stops when its image goes away) and reports still active ones.
    fn check_replica(&mut self, n: u64, last: bool) -> Result<()> {
        let Some((r, _)) = &self.replica else {
            return Ok(());
        };
        let r = r.clone();
        let replayed = match checks::replay_all(
            self.bins,
            &r,
            self.seed,
            self.replica_checked_from,
            &[],
            if last { 30 } else { 0 },
        ) {
            Ok(x) => x,
            Err(e) => {
                self.error(format!("restart {n}: replica: {e:#}"));
                return Ok(());
            }
        };
        let mut first_active = None;
        for x in &replayed {
            if x.stop < 0 {
                first_active.get_or_insert(x.id);
                if last {
                    self.error(format!("replica recording {} still active at the end: its replication neither resumed nor failed", x.id));
                }
                continue;
            }
            self.totals.recordings_checked += 1;
            self.totals.bytes_verified += x.verified;
            self.totals.bytes_lost += x.lost;
            if let Some(e) = &x.error {
                self.error(format!(
                    "restart {n}: replica recording {} (stop {}): {} bytes lost: {e}",
                    x.id, x.stop, x.lost
                ));
            }
        }
        let next = replayed
            .iter()
            .map(|x| x.id + 1)
            .max()
            .unwrap_or(self.replica_checked_from);
        self.replica_checked_from = first_active.unwrap_or(next).max(self.replica_checked_from);
        for i in checks::verify(self.bins, &r, false)? {
            self.error(format!("restart {n}: verify --dry-run of the replica: {i}"));
        }
        Ok(())
    }

    /// Ends the run: a last restart and its checks, a clean stop of everything, `verify -a` of both archives.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(p) = self.pending.take() {
            let (mut driver, mut archive) = self.start(Fault::KillEmbedded)?;
            self.totals.restarts += 1;
            self.after_restart(&p)?;
            self.check_replica(self.totals.restarts, true)?;
            if archive.terminate().map(|s| !s.success()).unwrap_or(true) {
                self.error("the archive did not stop cleanly on SIGTERM".into());
            }
            if let Some(d) = driver.as_mut() {
                d.terminate();
            }
        }
        if let Some((r, mut p)) = self.replica.take() {
            if p.terminate().map(|s| !s.success()).unwrap_or(true) {
                self.error("the replica did not stop cleanly on SIGTERM".into());
            }
            for i in checks::verify(self.bins, &r, true)? {
                self.error(format!("verify -a of the stopped replica: {i}"));
            }
        }
        for i in checks::verify(self.bins, &self.archive, true)? {
            self.error(format!("verify -a of the stopped archive: {i}"));
        }
        if self.totals.replication_errors > 0 {
            self.note(format!(
                "{} replication error response(s) seen by the worker",
                self.totals.replication_errors
            ));
        }
        Ok(())
    }
}
