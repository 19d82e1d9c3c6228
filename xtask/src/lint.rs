//! `cargo xtask lint`: the style gate, CI's first step (docs/building.md).
//!
//! 1. The `rustfmt` and `clippy` toolchain components are there; missing ones are installed with
//!    `rustup component add` (or the command fails naming them when that is impossible).
//! 2. `cargo fmt --all --check`. The generated modules are `#[rustfmt::skip]` at their declarations, so
//!    rustfmt never touches what `cargo xtask codegen` wrote.
//! 3. `cargo clippy --workspace --all-targets -- -D warnings`, with CMake from `target/tools/` (clippy runs
//!    aeron-sys's build script, which builds the Aeron C libraries).
//! 4. `cargo xtask codegen --check`: the committed generated files match the generators.
//!
//! Every check runs even when an earlier one failed, so one run names every problem; a summary ends the
//! output with each check's result and time.

use anyhow::{bail, Result};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::{codegen, paths, tools};

/// The toolchain components lint needs: (component, cargo subcommand that proves it is installed).
const COMPONENTS: [(&str, &str); 2] = [("rustfmt", "fmt"), ("clippy", "clippy")];

/// The outcome of one check.
struct Outcome {
    name: &'static str,
    took: Duration,
    error: Option<String>,
}

/// Runs every check and fails if any failed.
pub fn run() -> Result<()> {
    let start = Instant::now();
    println!("xtask lint: step 1/4: rustfmt and clippy components");
    ensure_components()?;
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: true,
    })?;

    let mut outcomes = Vec::new();
    outcomes.push(check("step 2/4: cargo fmt --all --check", || {
        tools::run(cargo().args(["fmt", "--all", "--check"])).map_err(|e| {
            anyhow::anyhow!(
                "{e}\nfix: `cargo fmt --all` (run it until `cargo fmt --all --check` passes)"
            )
        })
    }));
    outcomes.push(check(
        "step 3/4: cargo clippy --workspace --all-targets -- -D warnings",
        || {
            let mut cmd = cargo();
            cmd.args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]);
            env.apply(&mut cmd);
            tools::run(&mut cmd).map_err(|e| {
                anyhow::anyhow!(
                    "{e}\nfix: the errors above (`cargo clippy --fix` applies some suggestions)"
                )
            })
        },
    ));
    outcomes.push(check("step 4/4: cargo xtask codegen --check", || {
        codegen::run(&env, true)
    }));

    println!("xtask lint: summary:");
    for o in &outcomes {
        let result = if o.error.is_none() { "ok" } else { "FAILED" };
        println!(
            "xtask lint:   {result:<6} {:>4}s  {}",
            o.took.as_secs(),
            o.name
        );
    }
    let failed = failures(&outcomes);
    if !failed.is_empty() {
        bail!("lint failed: {}", failed.join("; "));
    }
    println!(
        "xtask lint: all checks passed in {}s",
        start.elapsed().as_secs()
    );
    Ok(())
}

/// Runs one check, printing its name first and its error (if any) after.
fn check(name: &'static str, f: impl FnOnce() -> Result<()>) -> Outcome {
    println!("xtask lint: {name}");
    let start = Instant::now();
    let error = f().err().map(|e| format!("{e:#}"));
    if let Some(e) = &error {
        println!("xtask lint: {name} FAILED: {e}");
    }
    Outcome {
        name,
        took: start.elapsed(),
        error,
    }
}

/// The names of the failed checks.
fn failures(outcomes: &[Outcome]) -> Vec<&'static str> {
    outcomes
        .iter()
        .filter(|o| o.error.is_some())
        .map(|o| o.name)
        .collect()
}

/// Makes sure `cargo fmt` and `cargo clippy` work, installing the missing components with rustup.
fn ensure_components() -> Result<()> {
    let missing = missing_components(&COMPONENTS);
    if missing.is_empty() {
        println!("xtask lint: rustfmt and clippy are installed");
        return Ok(());
    }
    let list = missing.join(" ");
    println!("xtask lint: missing toolchain components: {list}; installing them with rustup");
    // `cargo xtask` runs under rustup's proxy, which sets RUSTUP_TOOLCHAIN: the components go to the
    // toolchain that runs this command.
    let added = tools::run(
        Command::new("rustup")
            .args(["component", "add"])
            .args(&missing),
    );
    let still = missing_components(&COMPONENTS);
    if let Err(e) = added {
        bail!(
            "missing toolchain components: {}; `rustup component add {list}` failed ({e:#}). \
             Install them (`rustup component add {list}`, or the distribution's rustfmt/clippy packages) \
             and run `cargo xtask lint` again",
            still.join(" ")
        );
    }
    if !still.is_empty() {
        bail!(
            "rustup installed {list} but `cargo {}` still does not run",
            still.join("`, `cargo ")
        );
    }
    Ok(())
}

/// The components whose cargo subcommand does not run (`cargo fmt --version`, `cargo clippy --version`).
fn missing_components(components: &[(&'static str, &str)]) -> Vec<&'static str> {
    components
        .iter()
        .filter(|(_, sub)| {
            !cargo()
                .args([sub, "--version"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|(component, _)| *component)
        .collect()
}

/// `cargo` (the one running xtask) in the workspace root.
fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(paths::root());
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_names_only_the_failed_checks() {
        let outcomes = [
            check("passes", || Ok(())),
            check("fails", || bail!("boom")),
            check("passes too", || Ok(())),
        ];
        assert_eq!(failures(&outcomes), ["fails"]);
        assert_eq!(outcomes[1].error.as_deref(), Some("boom"));
    }

    #[test]
    fn a_component_whose_subcommand_does_not_run_is_missing() {
        let missing = missing_components(&[("no-such-component", "no-such-subcommand-of-cargo")]);
        assert_eq!(missing, ["no-such-component"]);
    }
}
