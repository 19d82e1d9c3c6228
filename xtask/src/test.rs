//! `cargo xtask test`: the whole set-up of a fresh machine, then the workspace tests, then the archive
//! server's tests and the archive client's tests (which run against the server) once more with the server
//! in its other threading mode: `cargo test --workspace` runs them in the default mode (DEDICATED, as
//! Java's), the second run in SHARED (`RUSTERON_ARCHIVE_THREADING_MODE`, read by `TestArchive`).

use anyhow::{bail, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::{codegen, paths, tools};

/// The environment variable `TestArchive` takes the archive server's threading mode from.
const THREADING_MODE_ENV: &str = "RUSTERON_ARCHIVE_THREADING_MODE";

/// The crates whose tests run against the archive server, run again in SHARED mode.
const SERVER_TEST_CRATES: [&str; 2] = ["rusteron-archive-server", "rusteron-archive"];

/// Installs what is missing, checks generated code for drift, runs `cargo test --workspace`, then the
/// archive server's test matrix (its tests and the archive client's in SHARED mode too).
pub fn run(cargo_args: &[String]) -> Result<()> {
    println!("xtask test: step 1/4: build tools");
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: true,
    })?;
    println!("xtask test: step 2/4: cargo xtask codegen --check");
    codegen::run(&env, true)?;
    println!("xtask test: step 3/4: cargo test --workspace (archive server in its default threading mode, DEDICATED)");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(paths::root())
        .args(["test", "--workspace"])
        .args(cargo_args);
    cmd.env_remove(THREADING_MODE_ENV);
    env.apply(&mut cmd);
    let mut totals = run_counting(&mut cmd)?;
    println!("xtask test: step 4/4: the archive server's and archive client's tests with the server in SHARED mode");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(paths::root()).arg("test");
    for krate in SERVER_TEST_CRATES {
        cmd.args(["-p", krate]);
    }
    cmd.args(cargo_args).env(THREADING_MODE_ENV, "SHARED");
    env.apply(&mut cmd);
    let shared = run_counting(&mut cmd)?;
    totals.passed += shared.passed;
    totals.failed += shared.failed;
    totals.ignored += shared.ignored;
    totals.ok &= shared.ok;
    println!("xtask test: summary of all test binaries:");
    println!(
        "summary: {} passed, {} failed, {} skipped",
        totals.passed, totals.failed, totals.ignored
    );
    if !totals.ok || totals.failed > 0 {
        bail!("cargo test failed");
    }
    if totals.passed == 0 {
        bail!("cargo test ran no test");
    }
    Ok(())
}

/// Test counts summed over every `test result:` line of `cargo test`.
#[derive(Debug, Default, PartialEq)]
struct Totals {
    passed: u64,
    failed: u64,
    ignored: u64,
    ok: bool,
}

/// Runs `cargo test`, echoing its output, and adds up the per-binary results.
fn run_counting(cmd: &mut Command) -> Result<Totals> {
    println!("xtask: $ {cmd:?}");
    let mut child = cmd.stdout(Stdio::piped()).spawn()?;
    let mut totals = Totals::default();
    for line in BufReader::new(child.stdout.take().expect("piped stdout")).lines() {
        let line = line?;
        println!("{line}");
        add_result_line(&mut totals, &line);
    }
    totals.ok = child.wait()?.success();
    Ok(totals)
}

/// Parses `test result: ok. 3 passed; 0 failed; 1 ignored; ...` into `totals`.
fn add_result_line(totals: &mut Totals, line: &str) {
    let Some(rest) = line.trim().strip_prefix("test result: ") else {
        return;
    };
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let (Some(kind), Some(n)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        match kind {
            "passed" => totals.passed += n,
            "failed" => totals.failed += n,
            "ignored" => totals.ignored += n,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_are_summed() {
        let mut t = Totals::default();
        add_result_line(&mut t, "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.1s");
        add_result_line(
            &mut t,
            "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out",
        );
        add_result_line(&mut t, "running 3 tests");
        assert_eq!((t.passed, t.failed, t.ignored), (5, 1, 1));
    }
}
