//! `cargo xtask conformance`: Aeron's own C archive client test suites (`aeron-archive/src/test/c/` of
//! the Aeron 1.54.0 tree `aeron-sys` builds from, compiled unchanged) against `rusteron-archive-server`.
//!
//! The tests start their archive as Java users do (`java ... -D<props> -cp <jar> <main class>`, with an
//! empty environment); `JAVA_EXECUTABLE` is a stand-in script running our server binary with those
//! arguments. Every test program runs serially (they use fixed UDP ports), with nothing filtered or
//! skipped; a table per program (run / passed / failed) is printed and written to
//! `target/conformance/last-run.md`, and any failure, skipped test or crash fails the command.

mod build;
mod gtest;

use anyhow::{bail, Result};
use std::fmt::Write as _;
use std::time::Instant;

use crate::{paths, tools};
use gtest::Outcome;

/// Options of `cargo xtask conformance`.
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Run the whole suite this many times in a row (stops at the first red run).
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
    /// Re-run each failed test once by itself; a test that then passes is reported as FLAKY and does
    /// not fail the command (CI's mode, so that a known flake does not hide everything else; a run
    /// with flakes is not a green run for the "zero flakes").
    #[arg(long)]
    pub retry_failed: bool,
    /// Run the archive server in this threading mode (`SHARED` or `DEDICATED`): the `java` stand-in adds
    /// `-Daeron.archive.threading.mode=<mode>` after the tests' own properties (they ask for SHARED).
    #[arg(long, value_parser = ["SHARED", "DEDICATED"])]
    pub threading_mode: Option<String>,
}

/// Builds the test programs and runs all of them.
pub fn run(opts: &Options) -> Result<()> {
    let started = Instant::now();
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: false,
    })?;
    let work = paths::target_dir().join("conformance");
    let extra: Vec<String> = opts
        .threading_mode
        .iter()
        .map(|m| format!("-Daeron.archive.threading.mode={m}"))
        .collect();
    let built = build::all(&env, &work, &extra)?;
    if let Some(mode) = &opts.threading_mode {
        println!("xtask conformance: archive server in {mode} threading mode");
    }
    println!(
        "xtask conformance: built in {:.0} s; server {}",
        started.elapsed().as_secs_f64(),
        built.server.display()
    );
    let logs = work.join("logs");
    std::fs::create_dir_all(&logs)?;
    for round in 1..=opts.repeat.max(1) {
        let round_start = Instant::now();
        let mut outcomes = Vec::new();
        let mut flaky: Vec<String> = Vec::new();
        for name in &built.tests {
            println!("xtask conformance: run {round}: {name} ...");
            let o = gtest::run(&built.build_dir, name, &logs.join(format!("{name}.log")))?;
            println!(
                "xtask conformance: run {round}: {name}: {} run, {} passed, {} failed, {} not run in {:.0} s{}",
                o.run,
                o.passed,
                o.failed.len(),
                o.not_run,
                o.seconds,
                o.program_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
            );
            for f in &o.failed {
                println!("xtask conformance:     FAILED {f}");
            }
            let mut o = o;
            if opts.retry_failed && !o.failed.is_empty() && o.program_error.is_none() {
                let again = gtest::rerun(
                    &built.build_dir,
                    name,
                    &logs.join(format!("{name}-retry.log")),
                    &o.failed,
                )?;
                if again.green() && again.run == o.failed.len() as u64 {
                    for f in &o.failed {
                        println!("xtask conformance:     FLAKY {f}: failed, then passed when re-run alone");
                    }
                    o.passed += o.failed.len() as u64;
                    flaky.extend(o.failed.drain(..).map(|f| format!("{name}: {f}")));
                } else {
                    println!(
                        "xtask conformance:     the re-run failed too: {:?}",
                        again.failed
                    );
                }
            }
            outcomes.push(o);
        }
        let mut table = table(&outcomes);
        if !flaky.is_empty() {
            table.push_str(&format!(
                "\nFlaky (failed, then passed when re-run alone): {}\n",
                flaky.join("; ")
            ));
        }
        println!(
            "\nxtask conformance: run {round} of {}:\n{table}",
            opts.repeat.max(1)
        );
        let doc = format!(
            "Run {round} of {}, {:.0} s for the tests ({:.0} s in all including the build).\n\n{table}",
            opts.repeat.max(1),
            round_start.elapsed().as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        std::fs::write(work.join("last-run.md"), doc)?;
        if !outcomes.iter().all(Outcome::green) {
            bail!(
                "conformance run {round} failed: see the table above and the logs in {}",
                logs.display()
            );
        }
    }
    println!(
        "xtask conformance: {} green run(s) in a row, {:.0} s in all",
        opts.repeat.max(1),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The per-program table (Markdown).
fn table(outcomes: &[Outcome]) -> String {
    let mut t = String::from("| test program | run | passed | failed | not run | seconds |\n|---|---:|---:|---:|---:|---:|\n");
    for o in outcomes {
        let name = match &o.program_error {
            Some(e) => format!("{} ({e})", o.name),
            None => o.name.clone(),
        };
        let _ = writeln!(
            t,
            "| {name} | {} | {} | {} | {} | {:.0} |",
            o.run,
            o.passed,
            o.failed.len(),
            o.not_run,
            o.seconds
        );
    }
    let sum = |f: fn(&Outcome) -> u64| outcomes.iter().map(f).sum::<u64>();
    let _ = writeln!(
        t,
        "| **total** | {} | {} | {} | {} | {:.0} |",
        sum(|o| o.run),
        sum(|o| o.passed),
        sum(|o| o.failed.len() as u64),
        sum(|o| o.not_run),
        outcomes.iter().map(|o| o.seconds).sum::<f64>()
    );
    t
}
