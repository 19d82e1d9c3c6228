//! `cargo xtask memcheck [--ci]`: the safety tests and a bounded run of the API-sequence fuzzer under
//! valgrind memcheck (docs/safety.md).
//!
//! The test binaries run natively and start each scenario in a child process; `RUSTERON_SAFETY_CHILD_WRAPPER`
//! makes them start the child under `valgrind --tool=memcheck --error-exitcode=99`, with definite leaks
//! counted as errors. A child with an invalid read or write, a use of uninitialised memory in a branch, or
//! a definite leak exits with 99 and the parent test fails. `xtask/valgrind.supp` holds the only
//! suppressions (C-side noise, each one explained).

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::{paths, tools};

/// Options of `cargo xtask memcheck`.
#[derive(clap::Args)]
pub struct Options {
    /// Short run for CI: the safety tests and 2 fuzzer programs of 60 operations.
    #[arg(long)]
    ci: bool,
    /// Fuzzer programs (default: 2 with --ci, 20 otherwise).
    #[arg(long)]
    fuzz_programs: Option<u64>,
    /// Operations per fuzzer program (default: 60 with --ci, 300 otherwise).
    #[arg(long)]
    fuzz_ops: Option<u64>,
    /// First fuzzer seed.
    #[arg(long, default_value_t = 1)]
    fuzz_seed: u64,
}

/// The test targets of rusteron-client that memcheck runs, and the test names in them.
const TARGETS: &[(&str, &str)] = &[("safety", ""), ("api_fuzz", "api_sequence_fuzzer")];

pub fn run(opts: &Options) -> Result<()> {
    let start = Instant::now();
    let valgrind = which("valgrind").context(
        "valgrind is not installed (Debian: `apt-get install valgrind`); `cargo xtask memcheck` needs it",
    )?;
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: false,
    })?;
    let programs = opts.fuzz_programs.unwrap_or(if opts.ci { 2 } else { 20 });
    let ops = opts.fuzz_ops.unwrap_or(if opts.ci { 60 } else { 300 });

    println!("xtask memcheck: building the test binaries");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(&cargo);
    build.current_dir(paths::root()).args([
        "test",
        "-p",
        "rusteron-client",
        "--no-run",
        "--message-format=json",
    ]);
    for (target, _) in TARGETS {
        build.args(["--test", target]);
    }
    env.apply(&mut build);
    let out = build.output().context("running cargo test --no-run")?;
    if !out.status.success() {
        bail!(
            "building the test binaries failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let executables = executables(&String::from_utf8_lossy(&out.stdout))?;

    let supp = paths::root().join("xtask/valgrind.supp");
    let wrapper = format!(
        "{} --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite \
         --errors-for-leak-kinds=definite --track-origins=no --num-callers=30 --suppressions={}",
        valgrind.display(),
        supp.display()
    );
    let mut failed = Vec::new();
    for (target, filter) in TARGETS {
        let exe = executables
            .iter()
            .find(|(name, _)| name == target)
            .map(|(_, p)| p.clone())
            .with_context(|| format!("no executable for test target {target}"))?;
        println!("xtask memcheck: {target} (children under valgrind memcheck)");
        let t = Instant::now();
        let mut cmd = Command::new(&exe);
        cmd.current_dir(paths::root().join("crates/rusteron-client"))
            .args(["--test-threads=1", "--nocapture"])
            .env("RUSTERON_SAFETY_CHILD_WRAPPER", &wrapper)
            .env("RUSTERON_FUZZ_PROGRAMS", programs.to_string())
            .env("RUSTERON_FUZZ_OPS", ops.to_string())
            .env("RUSTERON_FUZZ_SEED", opts.fuzz_seed.to_string());
        if !filter.is_empty() {
            cmd.args([*filter, "--exact"]);
        }
        let status = cmd
            .status()
            .with_context(|| format!("running {}", exe.display()))?;
        println!(
            "xtask memcheck: {target}: {} in {:.0}s",
            if status.success() { "clean" } else { "FAILED" },
            t.elapsed().as_secs_f64()
        );
        if !status.success() {
            failed.push(*target);
        }
    }
    println!(
        "xtask memcheck: total {:.0}s ({} fuzzer programs of {ops} operations from seed {})",
        start.elapsed().as_secs_f64(),
        programs,
        opts.fuzz_seed
    );
    if !failed.is_empty() {
        bail!("memcheck found errors in: {}", failed.join(", "));
    }
    Ok(())
}

/// `(test target name, executable)` from `cargo --message-format=json` output.
fn executables(json_lines: &str) -> Result<Vec<(String, PathBuf)>> {
    let mut v = Vec::new();
    for line in json_lines.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let (Some(name), Some(exe)) = (msg["target"]["name"].as_str(), msg["executable"].as_str())
        else {
            continue;
        };
        v.push((name.to_string(), PathBuf::from(exe)));
    }
    Ok(v)
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}
