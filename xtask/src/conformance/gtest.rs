//! Runs one googletest program to its end and reads its JSON report (`--gtest_output=json:`).

use anyhow::{Context, Result};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A test program that takes longer than this is stopped (with its spawned archives) and counted failed.
pub const BINARY_TIMEOUT: Duration = Duration::from_secs(40 * 60);

/// What one test program did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Test program name.
    pub name: String,
    /// Tests googletest ran.
    pub run: u64,
    /// Tests that passed.
    pub passed: u64,
    /// Names of the tests that failed.
    pub failed: Vec<String>,
    /// Tests not run (disabled or skipped): must stay 0.
    pub not_run: u64,
    /// Why the program itself failed (exit status, timeout, missing report), if it did.
    pub program_error: Option<String>,
    /// Wall time.
    pub seconds: f64,
}

impl Outcome {
    /// `true` if every test ran and passed and the program exited 0.
    pub fn green(&self) -> bool {
        self.failed.is_empty() && self.not_run == 0 && self.program_error.is_none() && self.run > 0
    }
}

/// Runs `build_dir/<name>` from `build_dir`, its output going to `log`; never filters tests.
pub fn run(build_dir: &Path, name: &str, log: &Path) -> Result<Outcome> {
    run_tests(build_dir, name, log, None)
}

/// Runs only `tests` (full `Suite.Test` names) of `build_dir/<name>`: the re-run of failed tests.
pub fn rerun(build_dir: &Path, name: &str, log: &Path, tests: &[String]) -> Result<Outcome> {
    run_tests(build_dir, name, log, Some(tests.join(":")))
}

fn run_tests(build_dir: &Path, name: &str, log: &Path, filter: Option<String>) -> Result<Outcome> {
    let report = log.with_extension("json");
    let _ = std::fs::remove_file(&report);
    let log_file =
        std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let started = Instant::now();
    let mut cmd = Command::new(build_dir.join(name));
    if let Some(filter) = filter {
        cmd.arg(format!("--gtest_filter={filter}"));
    }
    let mut child = cmd
        .current_dir(build_dir)
        .arg(format!("--gtest_output=json:{}", report.display()))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        // Its own process group, so that a timeout also stops the archives it spawned.
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start {name}"))?;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > BINARY_TIMEOUT {
            // SAFETY: kill(2) on the process group of our own child.
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut outcome = match std::fs::read_to_string(&report) {
        Ok(json) => parse_report(name, &json)?,
        Err(_) => Outcome {
            name: name.to_owned(),
            ..Outcome::default()
        },
    };
    outcome.seconds = started.elapsed().as_secs_f64();
    outcome.program_error = match status {
        None => Some(format!("stopped after {} s", BINARY_TIMEOUT.as_secs())),
        Some(s) if !s.success() => Some(format!("exited with {s}")),
        Some(_) if !report.is_file() => Some("wrote no test report".into()),
        Some(_) => None,
    };
    Ok(outcome)
}

/// Reads googletest's JSON report: every test of every suite, its status (`RUN` / `NOTRUN`), result
/// (`COMPLETED` / `SKIPPED` / ...) and failures.
pub fn parse_report(name: &str, json: &str) -> Result<Outcome> {
    let v: serde_json::Value = serde_json::from_str(json).context("googletest JSON report")?;
    let mut outcome = Outcome {
        name: name.to_owned(),
        ..Outcome::default()
    };
    for suite in v["testsuites"].as_array().into_iter().flatten() {
        for test in suite["testsuite"].as_array().into_iter().flatten() {
            let full = format!(
                "{}.{}",
                suite["name"].as_str().unwrap_or("?"),
                test["name"].as_str().unwrap_or("?")
            );
            let ran = test["status"] == "RUN" && test["result"] == "COMPLETED";
            if !ran {
                outcome.not_run += 1;
                continue;
            }
            outcome.run += 1;
            if test["failures"].as_array().is_some_and(|f| !f.is_empty()) {
                outcome.failed.push(full);
            } else {
                outcome.passed += 1;
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_count_runs_failures_and_tests_not_run() {
        let json = r#"{"tests": 4, "testsuites": [
            {"name": "A", "testsuite": [
                {"name": "ok", "status": "RUN", "result": "COMPLETED"},
                {"name": "bad", "status": "RUN", "result": "COMPLETED", "failures": [{"failure": "x"}]}]},
            {"name": "P/B", "testsuite": [
                {"name": "skipped/0", "status": "RUN", "result": "SKIPPED"},
                {"name": "DISABLED_x", "status": "NOTRUN", "result": "SUPPRESSED"}]}]}"#;
        let o = parse_report("t", json).unwrap();
        assert_eq!((o.run, o.passed, o.not_run), (2, 1, 2));
        assert_eq!(o.failed, vec!["A.bad".to_owned()]);
        assert!(!o.green());
        let ok = r#"{"testsuites": [{"name": "A", "testsuite": [{"name": "ok", "status": "RUN", "result": "COMPLETED"}]}]}"#;
        assert!(parse_report("t", ok).unwrap().green());
    }
}
