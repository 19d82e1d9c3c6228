//! The `rusteron-stat` binary against a real embedded driver.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::*;

fn stat(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_rusteron-stat"))
        .args(args)
        .env_remove("AERON_DIR")
        .output()
        .expect("run rusteron-stat");
    println!(
        "$ rusteron-stat {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout)
    );
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn stdout_of(args: &[&str]) -> String {
    let out = stat(args);
    assert!(
        out.status.success(),
        "rusteron-stat {args:?} failed: {out:?}"
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The table rows (after the header and column titles, before the count), split into columns.
fn rows(table: &str) -> Vec<(i32, i32, String, i64, String)> {
    table
        .lines()
        .skip(2)
        .filter(|l| !l.ends_with(" counters"))
        .map(|l| {
            let mut it = l.split_whitespace();
            let id = it.next().unwrap().parse().unwrap();
            let type_id = it.next().unwrap().parse().unwrap();
            let name = it.next().unwrap().to_owned();
            let value = it.next().unwrap().replace(',', "").parse().unwrap();
            let label = it.collect::<Vec<_>>().join(" ");
            (id, type_id, name, value, label)
        })
        .collect()
}

#[test]
fn once_prints_the_counter_rows() {
    let env = env();
    let ipc = stream(&env.aeron, "aeron:ipc", 1001);
    let end = ipc.send(20, 100);
    let udp_channel = udp_channel();
    let udp = stream(&env.aeron, &udp_channel, 1002);
    let udp_end = udp.send(30, 300);
    // The driver updates publisher positions on its duty cycle: wait for it before reading.
    let reader = env.aeron.counters_reader();
    wait_for("pub-pos", || {
        let counters = rusteron_metrics::read_counters(&reader);
        let at = |type_id: i32, stream_id: i32, value: i64| {
            counters.iter().any(|c| {
                c.type_id == type_id && c.key.stream_id() == Some(stream_id) && c.value == value
            })
        };
        (at(12, 1001, end) && at(12, 1002, udp_end) && at(2, 1002, udp_end)).then_some(())
    });

    let table = stdout_of(&["--dir", env.driver.dir(), "--once"]);
    let header = table.lines().next().unwrap();
    assert!(
        header.contains(env.driver.dir()) && header.contains("driver pid"),
        "{header}"
    );
    let all = rows(&table);
    assert!(
        all.contains(&(0, 0, "system".into(), all[0].3, "Bytes sent".into())),
        "{all:?}"
    );
    assert!(all.iter().any(|r| r.1 == 0 && r.4 == "NAKs received"));
    let pub_pos: Vec<_> = all.iter().filter(|r| r.2 == "pub-pos").collect();
    assert!(
        pub_pos
            .iter()
            .any(|r| r.3 == end && r.4.ends_with(" 1001 aeron:ipc")),
        "{pub_pos:?}"
    );
    assert!(all.iter().any(|r| r.2 == "sub-pos" && r.3 == end));
    assert!(all
        .iter()
        .any(|r| r.2 == "snd-pos" && r.3 == udp_end && r.4.contains(&udp_channel)));
    assert!(all
        .iter()
        .any(|r| r.2 == "rcv-channel" && r.4.contains(&udp_channel)));

    // Filters: by type (name or id) and stream.
    let filtered = stdout_of(&[
        "--dir",
        env.driver.dir(),
        "--once",
        "--type",
        "pub-pos",
        "--type",
        "4",
        "--stream",
        "1001",
    ]);
    let picked = rows(&filtered);
    assert_eq!(picked.len(), 2, "{filtered}");
    assert!(picked
        .iter()
        .all(|r| (r.2 == "pub-pos" || r.2 == "sub-pos") && r.3 == end));
    assert!(filtered.ends_with("2 counters\n"));

    let bad = stat(&["--dir", env.driver.dir(), "--once", "--type", "nope"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown counter type \"nope\""));
}

#[test]
fn errors_shows_a_driver_error_and_loss_reads_the_report() {
    let env = env();
    let before = stdout_of(&["--dir", env.driver.dir(), "--errors"]);
    assert!(
        before.ends_with("0 distinct errors observed.\n"),
        "{before}"
    );

    // A publication the driver cannot create: an interface that does not exist on this host.
    let bad = "aeron:udp?endpoint=127.0.0.1:40999|interface=10.255.255.254";
    let err = env.aeron.add_publication(bad, 5, TIMEOUT).unwrap_err();
    println!("client error: {err}");

    let errors = wait_for("the driver to log the error", || {
        let out = stdout_of(&["--dir", env.driver.dir(), "--errors"]);
        out.contains("1 distinct errors observed.").then_some(out)
    });
    let mut lines = errors.lines();
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("1 observations from ") && first.ends_with(" for:"),
        "{first}"
    );
    assert!(errors.contains("10.255.255.254"), "{errors}");

    let loss = stdout_of(&["--dir", env.driver.dir(), "--loss"]);
    assert!(
        loss.starts_with("#OBSERVATION_COUNT,TOTAL_BYTES_LOST,"),
        "{loss}"
    );
    assert!(loss.ends_with("0 loss entries.\n"), "{loss}");
}

/// Kills the child process on drop.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/plain\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn prometheus_endpoint_serves_the_counters() {
    let env = env();
    let ipc = stream(&env.aeron, "aeron:ipc", 1001);
    let end = ipc.send(20, 100);
    let udp_channel = udp_channel();
    let udp = stream(&env.aeron, &udp_channel, 1002);
    let udp_end = udp.send(20, 100);

    let child = Command::new(env!("CARGO_BIN_EXE_rusteron-stat"))
        .args([
            "--dir",
            env.driver.dir(),
            "--prometheus",
            "127.0.0.1:0",
            "--interval-ms",
            "50",
        ])
        .args(["--metric-label", "driver=test"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("serving http://")
        .and_then(|s| s.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();

    let wanted = format!(
        "aeron_subscriber_position{{stream_id=\"1001\",session_id=\"{}\",channel=\"aeron:ipc\"",
        ipc.publication.session_id()
    );
    let udp_wanted = format!(
        "aeron_sender_position{{stream_id=\"1002\",session_id=\"{}\",channel=\"{udp_channel}\"",
        udp.publication.session_id()
    );
    let response = wait_for("the metrics", || {
        let r = http_get(&addr, "/metrics");
        let has = |prefix: &str, value: i64| {
            r.lines()
                .any(|l| l.starts_with(prefix) && l.ends_with(&format!(" {value}")))
        };
        // Bytes sent is read before the positions in a pass: it catches up a pass later.
        let bytes_sent = r
            .lines()
            .find_map(|l| l.strip_prefix("aeron_bytes_sent{driver=\"test\"} "))
            .and_then(|v| v.parse::<i64>().ok());
        (has(&wanted, end) && has(&udp_wanted, udp_end) && bytes_sent >= Some(udp_end)).then_some(r)
    });
    println!("{response}");
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("Content-Type: text/plain; version=0.0.4"));
    assert!(response.contains("# TYPE aeron_bytes_sent counter\n"));
    assert!(response.contains("# HELP aeron_bytes_sent Bytes sent\n"));
    assert!(response.contains("# TYPE aeron_publisher_position gauge\n"));

    assert!(http_get(&addr, "/nope").starts_with("HTTP/1.1 404"));
    let refused = stat(&["--dir", env.driver.dir(), "--prometheus", "0.0.0.0:0"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("only loopback"));
}

#[test]
fn loss_lists_a_gap() {
    let env = env();
    let relay = relay::UdpRelay::start_dropping(Some(2));
    let pub_channel = format!("aeron:udp?endpoint=127.0.0.1:{}", relay.listen_port);
    let sub_channel = format!("aeron:udp?endpoint=127.0.0.1:{}", relay.subscriber_port);
    let udp = stream_between(&env.aeron, &pub_channel, &sub_channel, 1005);
    udp.send(20, 100);

    let loss = wait_for("a loss entry", || {
        let out = stdout_of(&["--dir", env.driver.dir(), "--loss"]);
        out.ends_with("1 loss entries.\n").then_some(out)
    });
    let entry = loss.lines().nth(1).unwrap();
    let fields: Vec<&str> = entry.split(',').collect();
    assert_eq!(fields.len(), 8, "{entry}");
    assert_eq!(fields[4], udp.publication.session_id().to_string());
    assert_eq!(fields[5], "1005");
    assert_eq!(fields[6], sub_channel);
    assert!(fields[7].starts_with("127.0.0.1:"), "{entry}");

    let naks = stdout_of(&[
        "--dir",
        env.driver.dir(),
        "--once",
        "--type",
        "rcv-naks-sent",
        "--stream",
        "1005",
    ]);
    let naks = rows(&naks);
    assert_eq!(naks.len(), 1);
    assert!(naks[0].3 >= 1, "{naks:?}");
}
