//! `cargo xtask soak [--minutes N] [--seed S] [--threading-mode SHARED|DEDICATED]`: the fault soak of the
//! archive server (docs/archive-server.md, "The fault soak").
//!
//! Builds `rusteron-archive-server`, `rusteron-archive-tool` and the soak's client program
//! (`xtask/soak-worker`: publishers, replays, replication, replay checks against the reference), then runs:
//!
//! 1. the main soak ([`runner`]) for most of the time: fault cycles with `kill -9` of the archive (with its
//!    embedded driver, alone, or its separate media driver), a replica archive replicating from it;
//! 2. the slow-disk run: the same cycles with file and catalog sync level 2 (an `fsync` per write);
//! 3. the ENOSPC run ([`enospc`]): the archive on a small tmpfs that fills up.
//!
//! Prints a table (kills, restarts, bytes verified, bytes lost) and fails on any lost byte or error.
//! The seed is printed; the same seed replays the same fault schedule (timing still varies).

mod checks;
mod enospc;
mod procs;
mod report;
mod rng;
mod runner;
mod setup;

use anyhow::{bail, Result};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::bench::build::cargo_executable_profile;
use crate::{paths, tools};
use report::Totals;
use runner::{Fault, Runner};
use setup::ArchiveSetup;

/// Options of `cargo xtask soak`.
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Minutes to run in total (the main soak gets about 70%, the slow-disk run 20%, ENOSPC the rest).
    #[arg(long, default_value_t = 2.0)]
    pub minutes: f64,
    /// Seed of the fault schedule and the payloads (default: from the clock; printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The archive's `aeron.archive.threading.mode`.
    #[arg(long, default_value = "SHARED", value_parser = ["SHARED", "DEDICATED"])]
    pub threading_mode: String,
    /// Build and run the release binaries.
    #[arg(long)]
    pub release: bool,
    /// Leave out the ENOSPC run.
    #[arg(long)]
    pub skip_enospc: bool,
    /// Keep the soak's directory (logs, archives) even when it passes.
    #[arg(long)]
    pub keep: bool,
}

/// The programs the soak runs.
pub struct Bins {
    /// `rusteron-archive-server`.
    pub server: PathBuf,
    /// `rusteron-archive-tool`.
    pub tool: PathBuf,
    /// `rusteron-soak-worker`.
    pub worker: PathBuf,
}

fn build(release: bool) -> Result<Bins> {
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: false,
    })?;
    let server = cargo_executable_profile(
        &[
            "-p",
            "rusteron-archive-server",
            "--bin",
            "rusteron-archive-server",
            "--bin",
            "rusteron-archive-tool",
        ],
        "rusteron-archive-server",
        &env,
        release,
    )?;
    let tool = server.with_file_name("rusteron-archive-tool");
    let worker = cargo_executable_profile(
        &["-p", "rusteron-soak-worker"],
        "rusteron-soak-worker",
        &env,
        release,
    )?;
    Ok(Bins {
        server,
        tool,
        worker,
    })
}

/// Runs fault cycles of `r` until `until`.
fn cycles(r: &mut Runner, until: Instant, rng: &mut rng::Rng) -> Result<()> {
    loop {
        r.cycle(Duration::from_millis(rng.range(1500, 6000)))?;
        println!(
            "xtask soak: {}: cycle {} done: {} kills, {} bytes verified, {} lost",
            r.totals.name,
            r.totals.cycles,
            r.totals.archive_kills + r.totals.driver_kills,
            r.totals.bytes_verified,
            r.totals.bytes_lost
        );
        if Instant::now() >= until {
            return Ok(());
        }
    }
}

/// Runs the soak.
pub fn run(opts: &Options) -> Result<()> {
    let seed = opts.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    let bins = build(opts.release)?;
    let base = paths::target_dir().join("soak").join(seed.to_string());
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base)?;
    println!("xtask soak: seed {seed} (rerun with --seed {seed}), {} minutes, archive threading mode {}, files in {}",
        opts.minutes, opts.threading_mode, base.display());
    let start = Instant::now();
    let total = Duration::from_secs_f64(opts.minutes * 60.0);
    let mut rng = rng::Rng::new(seed ^ 0x5eed);
    let mut runs: Vec<Totals> = Vec::new();

    // 1. The main soak.
    let main_base = base.join("main");
    std::fs::create_dir_all(&main_base)?;
    let setup = ArchiveSetup::new(
        "archive",
        &main_base,
        main_base.join("archive"),
        &opts.threading_mode,
    );
    let faults = vec![
        Fault::KillEmbedded,
        Fault::KillEmbedded,
        Fault::KillArchive,
        Fault::KillDriver,
    ];
    let mut r = Runner::new(
        &bins,
        "kill -9 (sync level 1)",
        seed,
        main_base,
        setup,
        faults.clone(),
    );
    r.start_replica(&opts.threading_mode)?;
    cycles(&mut r, start + total.mul_f64(0.7), &mut rng)?;
    r.finish()?;
    runs.push(std::mem::take(&mut r.totals));

    // 2. The slow disk: an fsync per write (file and catalog sync level 2).
    let slow_base = base.join("slow-disk");
    std::fs::create_dir_all(&slow_base)?;
    let mut setup = ArchiveSetup::new(
        "archive",
        &slow_base,
        slow_base.join("archive"),
        &opts.threading_mode,
    );
    setup.sync_level = 2;
    let mut r = Runner::new(
        &bins,
        "slow disk (sync level 2)",
        seed ^ 1,
        slow_base,
        setup,
        faults,
    );
    r.start_replica(&opts.threading_mode)?;
    cycles(&mut r, start + total.mul_f64(0.9), &mut rng)?;
    r.finish()?;
    runs.push(std::mem::take(&mut r.totals));

    // 3. ENOSPC.
    if opts.skip_enospc {
        println!("xtask soak: ENOSPC run left out (--skip-enospc)");
    } else {
        match enospc::run(&bins, seed ^ 2, &base.join("enospc"), &opts.threading_mode)? {
            Ok(mut r) => runs.push(std::mem::take(&mut r.totals)),
            Err(why) => println!(
                "xtask soak: ENOSPC run skipped: no small filesystem on this machine ({why})"
            ),
        }
    }

    println!(
        "\nxtask soak: seed {seed}, {:.1} minutes\n{}",
        start.elapsed().as_secs_f64() / 60.0,
        report::table(&runs)
    );
    let lost: i64 = runs.iter().map(|t| t.bytes_lost).sum();
    let errors: usize = runs.iter().map(|t| t.errors.len()).sum();
    if lost > 0 || errors > 0 {
        bail!(
            "the soak failed: {lost} bytes lost, {errors} error(s); seed {seed}; files kept in {}",
            base.display()
        );
    }
    if !opts.keep {
        let _ = std::fs::remove_dir_all(&base);
    }
    println!("xtask soak: passed");
    Ok(())
}
