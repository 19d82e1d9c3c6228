//! Runs every example with small counts so that they cannot rot.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/examples-<hash> -> target/<profile>/examples/<name>
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(name);
    if !path.exists() {
        // `cargo test --test examples` does not build the examples; build them once.
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "rusteron-client", "--examples"]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        assert!(
            cmd.status().unwrap().success(),
            "building the examples failed"
        );
    }
    assert!(path.exists(), "{} not found", path.display());
    path
}

fn spawn(name: &str, args: &[&str], dir: Option<&str>) -> Child {
    let mut cmd = Command::new(example(name));
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("AERON_DIR");
    if let Some(d) = dir {
        cmd.env("AERON_DIR", d);
    }
    cmd.spawn().unwrap()
}

fn finish(name: &str, child: Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut child = child;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{name} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&stdout).into_owned();
    assert!(
        status.success(),
        "{name} failed: {status}\nstdout:\n{out}\nstderr:\n{}",
        String::from_utf8_lossy(&stderr)
    );
    out
}

fn run(name: &str, args: &[&str]) -> String {
    finish(name, spawn(name, args, None))
}

#[test]
fn counters_dump() {
    let out = run("counters_dump", &[]);
    assert!(out.contains("counters"), "{out}");
}

#[test]
fn try_claim_zero_copy() {
    let out = run("try_claim", &["--count", "200"]);
    assert!(out.contains("200 messages"), "{out}");
}

#[test]
fn exclusive_ipc_throughput() {
    let out = run(
        "exclusive_throughput",
        &["--count", "20000", "--size", "32"],
    );
    assert!(out.contains("20000 of 20000"), "{out}");
}

#[test]
fn basic_publisher_and_subscriber_over_udp() {
    let driver = rusteron_media_driver::TestMediaDriver::launch().unwrap();
    let channel = common::udp_channel();
    let args = ["--channel", channel.as_str(), "--count", "5"];
    let sub = spawn("basic_subscriber", &args, Some(driver.dir()));
    let publ = spawn("basic_publisher", &args, Some(driver.dir()));
    let p = finish("basic_publisher", publ);
    let s = finish("basic_subscriber", sub);
    assert!(p.contains("sent: Hello World! 4"), "{p}");
    assert!(s.contains("received 5 messages"), "{s}");
}

fn ping_pong(ping_channel: &str, pong_channel: &str) {
    let driver = rusteron_media_driver::TestMediaDriver::launch().unwrap();
    let args = [
        "--ping-channel",
        ping_channel,
        "--pong-channel",
        pong_channel,
        "--count",
        "200",
    ];
    let pong = spawn("pong", &args, Some(driver.dir()));
    let ping = spawn("ping", &args, Some(driver.dir()));
    let out = finish("ping", ping);
    finish("pong", pong);
    assert!(out.contains("200 round trips"), "{out}");
}

#[test]
fn ping_pong_ipc() {
    ping_pong("aeron:ipc", "aeron:ipc?term-length=65536");
}

#[test]
fn ping_pong_udp() {
    ping_pong(&common::udp_channel(), &common::udp_channel());
}
