//! `cargo xtask test-driver [--release] [--keep] [-- <command...>]`: an embedded media driver plus the Rust
//! archive server on a temporary directory, for trying clients against.
//!
//! Builds the `rusteron-archive-server` binary and starts it in ArchivingMediaDriver drop-in mode (`-D`
//! properties: shared driver threading with a sleeping idle strategy, control channel and recording events on
//! free UDP ports of 127.0.0.1). Once it prints its readiness line, the Aeron directory and channels are
//! printed as `NAME=value` lines, the environment variables the official C archive client (and the
//! `rusteron-archive` wrapper) read by default. Then either waits for Ctrl-C, or runs `<command...>` with
//! those variables set. Either way the archive is stopped with SIGTERM, the temporary directory is removed
//! (unless `--keep`) and the command's exit code is returned.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use crate::{paths, tools};

/// The line the server prints once its mark file is written.
const READY_PREFIX: &str = "rusteron-archive-server ready:";
/// How long the server may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Options of `cargo xtask test-driver`.
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Build and run the server in release mode.
    #[arg(long)]
    release: bool,
    /// Keep the temporary directory (Aeron dir, archive dir) afterwards.
    #[arg(long)]
    keep: bool,
    /// Command to run against the archive (after `--`); without it, waits for Ctrl-C.
    #[arg(last = true)]
    command: Vec<String>,
}

fn free_udp_port() -> Result<u16> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The environment handed to clients, in print order.
fn environment(base: &Path, control_port: u16, events_port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("AERON_DIR", base.join("aeron").display().to_string()),
        (
            "AERON_ARCHIVE_CONTROL_CHANNEL",
            format!("aeron:udp?endpoint=127.0.0.1:{control_port}"),
        ),
        ("AERON_ARCHIVE_CONTROL_STREAM_ID", "10".into()),
        (
            "AERON_ARCHIVE_CONTROL_RESPONSE_CHANNEL",
            "aeron:udp?endpoint=127.0.0.1:0".into(),
        ),
        ("AERON_ARCHIVE_CONTROL_RESPONSE_STREAM_ID", "20".into()),
        (
            "AERON_ARCHIVE_LOCAL_CONTROL_CHANNEL",
            "aeron:ipc?term-length=64k".into(),
        ),
        ("AERON_ARCHIVE_LOCAL_CONTROL_STREAM_ID", "10".into()),
        (
            "AERON_ARCHIVE_RECORDING_EVENTS_CHANNEL",
            format!("aeron:udp?control-mode=dynamic|control=127.0.0.1:{events_port}"),
        ),
        ("AERON_ARCHIVE_RECORDING_EVENTS_STREAM_ID", "30".into()),
        (
            "AERON_ARCHIVE_DIR",
            base.join("archive").display().to_string(),
        ),
    ]
}

/// The server's `-D` arguments for `env`.
fn server_args(env: &[(&'static str, String)]) -> Vec<String> {
    let get = |k: &str| {
        env.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    vec![
        format!("-Daeron.dir={}", get("AERON_DIR")),
        "-Daeron.threading.mode=SHARED".into(),
        "-Daeron.shared.idle.strategy=sleeping".into(),
        "-Daeron.dir.delete.on.start=true".into(),
        "-Daeron.dir.delete.on.shutdown=true".into(),
        "-Daeron.spies.simulate.connection=true".into(),
        format!("-Daeron.archive.dir={}", get("AERON_ARCHIVE_DIR")),
        format!(
            "-Daeron.archive.control.channel={}",
            get("AERON_ARCHIVE_CONTROL_CHANNEL")
        ),
        format!(
            "-Daeron.archive.recording.events.channel={}",
            get("AERON_ARCHIVE_RECORDING_EVENTS_CHANNEL")
        ),
        "-Daeron.archive.recording.events.enabled=true".into(),
        "-Daeron.archive.replication.channel=aeron:udp?endpoint=127.0.0.1:0".into(),
        "-Daeron.archive.control.response.channel=aeron:udp?endpoint=127.0.0.1:0".into(),
    ]
}

/// Builds the server binary and returns its path.
fn build_server(release: bool) -> Result<PathBuf> {
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: false,
    })?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(paths::root()).args([
        "build",
        "--package",
        "rusteron-archive-server",
        "--bin",
        "rusteron-archive-server",
    ]);
    if release {
        cmd.arg("--release");
    }
    env.apply(&mut cmd);
    tools::run(&mut cmd)?;
    let exe = paths::target_dir()
        .join(if release { "release" } else { "debug" })
        .join("rusteron-archive-server");
    if !exe.is_file() {
        bail!("built server not found at {}", exe.display());
    }
    Ok(exe)
}

/// Sends SIGTERM to `child` and waits for it (SIGKILL after 20 s).
fn terminate(child: &mut Child) -> Result<()> {
    if child.try_wait()?.is_none() {
        let pid = libc::pid_t::try_from(child.id()).context("pid out of range")?;
        // SAFETY: plain kill(2) on the pid of our own, not yet reaped child.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        for _ in 0..400 {
            if child.try_wait()?.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if child.try_wait()?.is_none() {
            eprintln!("xtask test-driver: server did not stop within 20 s; killing it");
            child.kill()?;
        }
    }
    let status = child.wait()?;
    if !status.success() {
        eprintln!("xtask test-driver: server exited with {status}");
    }
    Ok(())
}

/// Waits for the readiness line, forwarding the server's stdout afterwards.
fn await_ready(child: &mut Child) -> Result<String> {
    let stdout = child.stdout.take().context("server stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            if line.starts_with(READY_PREFIX) {
                let _ = tx.send(line);
            } else {
                println!("{line}");
            }
        }
    });
    match rx.recv_timeout(START_TIMEOUT) {
        Ok(line) => Ok(line),
        Err(_) => bail!("the archive server did not become ready within {START_TIMEOUT:?}"),
    }
}

/// Runs the test driver; exits the process with the command's exit code.
pub fn run(opts: &Options) -> Result<()> {
    let exe = build_server(opts.release)?;
    let base = std::env::temp_dir().join(format!("rusteron-test-driver-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    let env = environment(&base, free_udp_port()?, free_udp_port()?);

    let interrupted = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, interrupted.clone())?;
    }
    let mut server = Command::new(&exe)
        .args(server_args(&env))
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let code = match await_ready(&mut server) {
        Ok(ready) => {
            println!("xtask test-driver: {ready}");
            for (k, v) in &env {
                println!("{k}={v}");
            }
            let code = if opts.command.is_empty() {
                println!("xtask test-driver: running; press Ctrl-C to stop");
                while !interrupted.load(Ordering::Acquire) && server.try_wait()?.is_none() {
                    std::thread::sleep(Duration::from_millis(100));
                }
                0
            } else {
                let status = Command::new(&opts.command[0])
                    .args(&opts.command[1..])
                    .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                    .status()
                    .with_context(|| format!("running {:?}", opts.command))?;
                status.code().unwrap_or(1)
            };
            terminate(&mut server)?;
            code
        }
        Err(e) => {
            terminate(&mut server)?;
            eprintln!("xtask test-driver: {e:#}");
            1
        }
    };
    if opts.keep {
        println!("xtask test-driver: kept {}", base.display());
    } else if let Err(e) = std::fs::remove_dir_all(&base) {
        eprintln!("xtask test-driver: removing {}: {e}", base.display());
    }
    std::process::exit(code);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_args_are_drop_in_properties_matching_the_environment() {
        let env = environment(Path::new("/tmp/x"), 1234, 5678);
        let args = server_args(&env);
        assert!(args.iter().all(|a| a.starts_with("-D")));
        assert!(args.contains(&"-Daeron.dir=/tmp/x/aeron".to_owned()));
        assert!(args.contains(
            &"-Daeron.archive.control.channel=aeron:udp?endpoint=127.0.0.1:1234".to_owned()
        ));
        assert!(args.iter().any(|a| a.ends_with("control=127.0.0.1:5678")));
    }
}
