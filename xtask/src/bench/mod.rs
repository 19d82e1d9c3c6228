//! `cargo xtask bench`: end-to-end latency and throughput of three Aeron clients on one external media
//! driver, written to `docs/benchmarks.md` with a latency chart (see that file for the method).
//!
//! 1. build: our `wire` bench programs and `rusteron-media-driver` (release), the Aeron C samples from the
//!    same Aeron source with CMake, and rusteron-client 0.2.16 in a throw-away workspace ([`legacy`]);
//! 2. start one driver (shared threading, sleeping idle) as a separate process;
//! 3. run every scenario for every implementation, alternating (A B C A B C ...), `--reps` times;
//! 4. take medians, ratios to C, and write the report and the chart.
//!
//! `--callgrind` counts instructions per message of the same programs instead (`callgrind`), `--ops` the
//! instructions and time of each hot operation against the raw C call (`ops`).

pub(crate) mod build;
mod callgrind;
pub(crate) mod callgrind_file;
mod chart;
mod driver;
mod legacy;
mod matrix;
mod ops;
mod parse;
mod pin;
mod proc;
pub(crate) mod report;
mod scenario;
mod stats;

use anyhow::Result;
use std::path::PathBuf;

use crate::{paths, tools};

/// Options of `cargo xtask bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// Repetitions of every scenario per implementation (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    /// Measured round trips per ping-pong run.
    #[arg(long, default_value_t = 50_000)]
    pub rtt_messages: u64,
    /// Warm-up round trips before each measured ping-pong run.
    #[arg(long, default_value_t = 10_000)]
    pub rtt_warmup: u64,
    /// Messages per UDP throughput run.
    #[arg(long, default_value_t = 5_000_000)]
    pub throughput_messages: u64,
    /// Messages per IPC throughput run (IPC streams several times faster; longer runs average out
    /// scheduling hiccups on a shared machine).
    #[arg(long, default_value_t = 20_000_000)]
    pub ipc_throughput_messages: u64,
    /// Leave out rusteron-client 0.2.16 (for example when it cannot be built).
    #[arg(long)]
    pub skip_legacy: bool,
    /// Leave out the publisher × subscriber matrix of IPC throughput.
    #[arg(long)]
    pub skip_matrix: bool,
    /// Count instructions per message under callgrind instead of measuring wall-clock time (see
    /// `bench/callgrind.rs` for the method); writes its own section of the report.
    #[arg(long)]
    pub callgrind: bool,
    /// The per-operation table instead: every hot operation of the `client_ops` bench through our API and
    /// as the raw C call, in instructions (callgrind) and ns (criterion); writes its own section of the
    /// report (see `bench/ops.rs`).
    #[arg(long)]
    pub ops: bool,
    /// With --ops: instructions only, no criterion run.
    #[arg(long)]
    pub ops_callgrind_only: bool,
    /// With --callgrind: only the scenarios whose slug starts with this (rtt-ipc, rtt-udp, tput-ipc, tput-udp).
    #[arg(long)]
    pub only: Option<String>,
    /// Length in seconds of each callgrind measuring window.
    #[arg(long, default_value_t = 3)]
    pub callgrind_window: u64,
    /// Where to write the report (the chart goes next to it).
    #[arg(long, default_value = "docs/benchmarks.md")]
    pub output: PathBuf,
}

/// Message length of every benchmark, in bytes.
pub const MESSAGE_LENGTH: usize = 32;

/// Runs the whole benchmark.
pub fn run(opts: &Options) -> Result<()> {
    let bench_dir = paths::target_dir().join("bench");
    std::fs::create_dir_all(&bench_dir)?;
    if opts.ops {
        let env = tools::ensure(tools::Need {
            cmake: true,
            libclang: false,
        })?;
        let machine = report::Machine::probe();
        let results = ops::run(&env, &bench_dir, !opts.ops_callgrind_only)?;
        let output = paths::root().join(&opts.output);
        println!("xtask bench --ops: writing {}", opts.output.display());
        let old = std::fs::read_to_string(&output).unwrap_or_default();
        std::fs::write(
            &output,
            report::splice(
                &old,
                ops::BEGIN,
                ops::END,
                &ops::generated(&results, &machine),
            ),
        )?;
        print!("{}", ops::table(&results));
        return Ok(());
    }
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: !opts.skip_legacy,
    })?;
    println!("xtask bench: step 1/3: building the three implementations and the driver");
    let bins = build::all(&env, &bench_dir, !opts.skip_legacy)?;
    let machine = report::Machine::probe();
    let output = paths::root().join(&opts.output);
    let mut impls = vec![scenario::Impl::C, scenario::Impl::Rusteron];
    if bins.legacy.is_ok() {
        impls.push(scenario::Impl::Legacy);
    }
    if opts.callgrind {
        println!("xtask bench: step 2/3: instructions per message under callgrind");
        let window = std::time::Duration::from_secs(opts.callgrind_window.max(1));
        let results = callgrind::run_all(&bins, &impls, window, &bench_dir, opts.only.as_deref())?;
        println!("xtask bench: step 3/3: writing {}", opts.output.display());
        let old = std::fs::read_to_string(&output).unwrap_or_default();
        let new = report::splice(
            &old,
            callgrind::BEGIN,
            callgrind::END,
            &callgrind::generated(&results, &machine),
        );
        std::fs::write(&output, new)?;
        print!("{}", callgrind::table(&results));
        return Ok(());
    }
    println!(
        "xtask bench: step 2/3: measuring ({} repetitions)",
        opts.reps
    );
    let results = scenario::run_all(opts, &bins, &bench_dir)?;
    let matrix = if opts.skip_matrix {
        None
    } else {
        println!(
            "xtask bench: publisher × subscriber matrix of IPC throughput ({} repetitions)",
            opts.reps
        );
        Some(matrix::run(opts, &bins, &impls, &bench_dir.join("logs"))?)
    };
    println!("xtask bench: step 3/3: writing {}", opts.output.display());
    let chart = output.with_file_name("benchmarks-latency.svg");
    std::fs::write(&chart, chart::latency_svg(&results))?;
    report::write(&output, &chart, opts, &machine, &results, matrix.as_ref())?;
    print!("{}", report::table(&results));
    if let Some(m) = &matrix {
        print!("{}", matrix::table(m));
    }
    Ok(())
}
