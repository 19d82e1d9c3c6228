//! Builds what the benchmark runs: our programs (release), the Aeron C samples (CMake, from the same Aeron
//! source as `aeron-sys`), and rusteron-client 0.2.16 in its own throw-away workspace.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::legacy;
use crate::tools::{self, ToolEnv};
use crate::{locate, paths};

/// The Aeron C samples used.
pub struct CSamples {
    pub cping: PathBuf,
    pub cpong: PathBuf,
    pub publisher: PathBuf,
    pub subscriber: PathBuf,
}

/// Every executable of the benchmark.
pub struct Bins {
    /// Our `wire` bench programs (crates/rusteron-client/benches/wire).
    pub wire: PathBuf,
    /// `rusteron-media-driver`.
    pub driver: PathBuf,
    pub c: CSamples,
    /// The 0.2.16 `wire` programs, or why they could not be built.
    pub legacy: Result<PathBuf, String>,
}

/// Builds everything; a failing 0.2.16 build is recorded, not fatal.
pub fn all(env: &ToolEnv, bench_dir: &Path, with_legacy: bool) -> Result<Bins> {
    let wire = cargo_executable(&["-p", "rusteron-client", "--bench", "wire"], "wire", env)?;
    let driver = cargo_executable(
        &[
            "-p",
            "rusteron-media-driver",
            "--bin",
            "rusteron-media-driver",
        ],
        "rusteron-media-driver",
        env,
    )?;
    let c = c_samples(env, bench_dir)?;
    let legacy = if with_legacy {
        legacy::build(env, &bench_dir.join("rusteron-0.2.16")).map_err(|e| format!("{e:#}"))
    } else {
        Err("left out with --skip-legacy".to_string())
    };
    if let Err(e) = &legacy {
        println!("xtask bench: rusteron-client 0.2.16 is not measured: {e}");
    }
    Ok(Bins {
        wire,
        driver,
        c,
        legacy,
    })
}

/// `cargo build --release <args>` in our workspace; returns the executable of target `name`.
pub(crate) fn cargo_executable(args: &[&str], name: &str, env: &ToolEnv) -> Result<PathBuf> {
    cargo_executable_profile(args, name, env, true)
}

/// `cargo build [--release] <args>` in our workspace; returns the executable of target `name`.
pub(crate) fn cargo_executable_profile(
    args: &[&str],
    name: &str,
    env: &ToolEnv,
    release: bool,
) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    let profile: &[&str] = if release { &["--release"] } else { &[] };
    cmd.current_dir(paths::root())
        .args(["build", "--message-format=json-render-diagnostics"])
        .args(profile)
        .args(args)
        .stdout(Stdio::piped());
    env.apply(&mut cmd);
    println!(
        "xtask: $ cargo build {}{}",
        if release { "--release " } else { "" },
        args.join(" ")
    );
    let mut child = cmd.spawn().context("starting cargo")?;
    let mut exe = None;
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let v: serde_json::Value = match serde_json::from_str(&line?) {
            Ok(v) => v,
            Err(_) => continue,
        };
        if v["reason"] == "compiler-artifact" && v["target"]["name"] == name {
            if let Some(path) = v["executable"].as_str() {
                exe = Some(PathBuf::from(path));
            }
        }
    }
    if !child.wait()?.success() {
        bail!("cargo build {} failed", args.join(" "));
    }
    exe.with_context(|| format!("cargo built no executable named {name}"))
}

/// Configures Aeron with its samples under `bench_dir/aeron-c` and builds the four samples used.
fn c_samples(env: &ToolEnv, bench_dir: &Path) -> Result<CSamples> {
    let source = locate::locate(&bench_dir.join("locate"), &paths::root().join("aeron-sys"))
        .map_err(|e| anyhow::anyhow!(e))?;
    println!(
        "xtask bench: Aeron C samples from {} ({})",
        source.root.display(),
        source.origin
    );
    let build = bench_dir.join("aeron-c");
    let cmake = env.cmake.clone().unwrap_or_else(|| "cmake".into());
    tools::run(
        Command::new(&cmake)
            .arg("-S")
            .arg(&source.root)
            .arg("-B")
            .arg(&build)
            .args([
                "-DCMAKE_BUILD_TYPE=Release",
                "-DAERON_BUILD_SAMPLES=ON",
                "-DAERON_TESTS=OFF",
                "-DAERON_SYSTEM_TESTS=OFF",
                "-DBUILD_AERON_DRIVER=OFF",
                "-DBUILD_AERON_ARCHIVE_API=OFF",
                "-DAERON_BUILD_DOCUMENTATION=OFF",
            ])
            .stdout(Stdio::null()),
    )?;
    let targets = [
        "cping",
        "cpong",
        "streaming_exclusive_publisher",
        "rate_subscriber",
    ];
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .to_string();
    tools::run(
        Command::new(&cmake)
            .arg("--build")
            .arg(&build)
            .arg("--target")
            .args(targets)
            .args(["-j", &jobs]),
    )?;
    let bin = |name: &str| -> Result<PathBuf> {
        let p = build.join("binaries").join(name);
        if !p.is_file() {
            bail!("{} was not built", p.display());
        }
        Ok(p)
    };
    Ok(CSamples {
        cping: bin("cping")?,
        cpong: bin("cpong")?,
        publisher: bin("streaming_exclusive_publisher")?,
        subscriber: bin("rate_subscriber")?,
    })
}
