//! `cargo xtask test`: the whole set-up of a fresh machine, then the workspace tests.

use anyhow::{bail, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::{codegen, paths, tools};

/// Installs what is missing, checks generated code for drift, and runs `cargo test --workspace`.
pub fn run(cargo_args: &[String]) -> Result<()> {
    println!("xtask test: step 1/3: build tools");
    let env = tools::ensure(tools::Need { cmake: true, libclang: true })?;
    println!("xtask test: step 2/3: cargo xtask codegen --check");
    codegen::run(&env, true)?;
    println!("xtask test: step 3/3: cargo test --workspace");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(paths::root()).args(["test", "--workspace"]).args(cargo_args);
    env.apply(&mut cmd);
    let totals = run_counting(&mut cmd)?;
    println!("xtask test: summary of all test binaries:");
    println!("summary: {} passed, {} failed, {} skipped", totals.passed, totals.failed, totals.ignored);
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
    let Some(rest) = line.trim().strip_prefix("test result: ") else { return };
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let (Some(kind), Some(n)) = (words.next(), words.next()) else { continue };
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
        add_result_line(&mut t, "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out");
        add_result_line(&mut t, "running 3 tests");
        assert_eq!((t.passed, t.failed, t.ignored), (5, 1, 1));
    }
}
