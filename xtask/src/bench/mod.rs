//! `cargo xtask bench`: end-to-end latency and throughput of three Aeron clients on one external media
//! driver, written to `docs/benchmarks.md` with a latency chart (see that file for the method).
//!
//! 1. build: our `wire` bench programs and `rusteron-media-driver` (release), the Aeron C samples from the
//!    same Aeron source with CMake, and rusteron-client 0.2.16 in a throw-away workspace ([`legacy`]);
//! 2. start one driver (shared threading, sleeping idle) as a separate process;
//! 3. run every scenario for every implementation, alternating (A B C A B C ...), `--reps` times;
//! 4. take medians, ratios to C, and write the report and the chart.

mod build;
mod chart;
mod driver;
mod legacy;
mod parse;
mod proc;
mod report;
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
    let env = tools::ensure(tools::Need { cmake: true, libclang: !opts.skip_legacy })?;
    println!("xtask bench: step 1/3: building the three implementations and the driver");
    let bins = build::all(&env, &bench_dir, !opts.skip_legacy)?;
    println!("xtask bench: step 2/3: measuring ({} repetitions)", opts.reps);
    let machine = report::Machine::probe();
    let results = scenario::run_all(opts, &bins, &bench_dir)?;
    println!("xtask bench: step 3/3: writing {}", opts.output.display());
    let output = paths::root().join(&opts.output);
    let chart = output.with_file_name("benchmarks-latency.svg");
    std::fs::write(&chart, chart::latency_svg(&results))?;
    report::write(&output, &chart, opts, &machine, &results)?;
    print!("{}", report::table(&results));
    Ok(())
}
