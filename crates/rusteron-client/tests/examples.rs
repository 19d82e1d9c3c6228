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
    // `cargo test --test examples` does not build the examples: build them once per run (a no-op when
    // they are fresh), so that a stale binary is never tested.
    static BUILT: std::sync::Once = std::sync::Once::new();
    BUILT.call_once(|| {
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
    });
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

/// Every example, and an option that only it has.
const EXAMPLES: [(&str, &str); 7] = [
    ("basic_publisher", "--linger-ms"),
    ("basic_subscriber", "--stream-id"),
    ("counters_dump", "--embedded-driver"),
    ("exclusive_throughput", "--length"),
    ("ping", "--warm-up-messages"),
    ("pong", "--pong-stream-id"),
    ("try_claim", "--messages"),
];

#[test]
fn every_example_explains_its_options() {
    for (name, own) in EXAMPLES {
        let out = run(name, &["--help"]);
        for option in [
            "-p, --dir <DIR>",
            "[env: AERON_DIR",
            "/dev/shm/aeron-<user>",
            "--embedded-driver",
            own,
        ] {
            assert!(
                out.contains(option),
                "{name} --help lacks {option:?}:\n{out}"
            );
        }
    }
    let ping = run("ping", &["--help"]);
    for default in [
        "aeron:udp?endpoint=localhost:20123",
        "aeron:udp?endpoint=localhost:20124",
        "[default: 1002]",
        "[default: 1003]",
        "[default: 32]",
    ] {
        assert!(
            ping.contains(default),
            "ping --help lacks the C sample's default {default:?}:\n{ping}"
        );
    }
}

#[test]
fn without_a_driver_the_default_aeron_dir_is_used_and_named() {
    // No --dir, no AERON_DIR, no --embedded-driver: Aeron's default directory, like the C samples.
    let out = Command::new(example("counters_dump"))
        .env_remove("AERON_DIR")
        .env("AERON_DRIVER_TIMEOUT", "300")
        .output()
        .unwrap();
    if out.status.success() {
        // A media driver runs on this machine's default directory, and the example found it there.
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("using the media driver of /dev/shm/aeron-"),
            "{text}"
        );
        return;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no media driver answers in /dev/shm/aeron-")
            && err.contains("--embedded-driver"),
        "{err}"
    );
}

#[test]
fn counters_dump() {
    let out = run("counters_dump", &["--embedded-driver"]);
    assert!(out.contains("counters"), "{out}");
}

#[test]
fn try_claim_zero_copy() {
    let out = run("try_claim", &["--embedded-driver", "-m", "200"]);
    assert!(out.contains("200 messages"), "{out}");
}

#[test]
fn exclusive_ipc_throughput() {
    let out = run(
        "exclusive_throughput",
        &["--embedded-driver", "-m", "20000", "-L", "32"],
    );
    assert!(out.contains("20000 of 20000"), "{out}");
}

#[test]
fn basic_publisher_and_subscriber_over_udp() {
    let driver = rusteron_media_driver::TestMediaDriver::launch().unwrap();
    let channel = common::udp_channel();
    let args = ["--channel", channel.as_str(), "-m", "5"];
    // The driver named by AERON_DIR (the subscriber) and by --dir (the publisher).
    let sub = spawn("basic_subscriber", &args, Some(driver.dir()));
    let publ = spawn(
        "basic_publisher",
        &[&args[..], &["--dir", driver.dir()]].concat(),
        None,
    );
    let p = finish("basic_publisher", publ);
    let s = finish("basic_subscriber", sub);
    assert!(p.contains("sent: Hello World! 4"), "{p}");
    assert!(s.contains("received 5 messages"), "{s}");
}

fn ping_pong(ping_channel: &str, pong_channel: &str) {
    let driver = rusteron_media_driver::TestMediaDriver::launch().unwrap();
    let channels = [
        "-c",
        ping_channel,
        "-s",
        "2002",
        "-C",
        pong_channel,
        "-S",
        "2003",
    ];
    // One pong, two pings one after the other: the second is a new session that pong must follow.
    let pong = spawn(
        "pong",
        &[&channels[..], &["-m", "240"]].concat(),
        Some(driver.dir()),
    );
    for _ in 0..2 {
        let ping = spawn(
            "ping",
            &[&channels[..], &["-m", "100", "-w", "20", "-L", "64"]].concat(),
            Some(driver.dir()),
        );
        let out = finish("ping", ping);
        assert!(out.contains("100 round trips of 64 bytes"), "{out}");
    }
    let out = finish("pong", pong);
    assert!(
        out.contains("echoed 240 messages from 2 ping sessions"),
        "{out}"
    );
}

#[test]
fn ping_pong_ipc() {
    ping_pong("aeron:ipc", "aeron:ipc?term-length=65536");
}

#[test]
fn ping_pong_udp() {
    ping_pong(&common::udp_channel(), &common::udp_channel());
}
