//! The scenarios, the implementations, and one measured run of each pair.

use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::build::Bins;
use super::driver::Driver;
use super::pin;
use super::proc::Proc;
use super::{parse, Options, MESSAGE_LENGTH};

/// An implementation under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impl {
    /// The Aeron C samples.
    C,
    /// This workspace's client.
    Rusteron,
    /// rusteron-client 0.2.16 from crates.io.
    Legacy,
}

impl Impl {
    /// Name in tables and logs.
    pub fn label(self) -> &'static str {
        match self {
            Impl::C => "Aeron C",
            Impl::Rusteron => "rusteron (this workspace)",
            Impl::Legacy => "rusteron-client 0.2.16",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Impl::C => "c",
            Impl::Rusteron => "rusteron",
            Impl::Legacy => "legacy",
        }
    }
}

/// What a scenario measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Ping-pong round trips: p50, p90, p99, p99.9, max in µs.
    Rtt,
    /// One-way streaming: messages per second.
    Throughput,
}

/// One measured situation.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    pub slug: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// Ping channel, or the streaming channel.
    pub channel: &'static str,
    /// Pong channel (ping-pong only).
    pub pong_channel: &'static str,
}

/// The four scenarios (UDP on 127.0.0.1, ports chosen away from the tests' usual ones).
pub const SCENARIOS: [Scenario; 4] = [
    Scenario {
        slug: "rtt-ipc",
        label: "RTT, IPC",
        kind: Kind::Rtt,
        channel: "aeron:ipc",
        pong_channel: "aeron:ipc",
    },
    Scenario {
        slug: "rtt-udp",
        label: "RTT, UDP",
        kind: Kind::Rtt,
        channel: "aeron:udp?endpoint=127.0.0.1:40123",
        pong_channel: "aeron:udp?endpoint=127.0.0.1:40124",
    },
    Scenario {
        slug: "tput-ipc",
        label: "throughput, IPC",
        kind: Kind::Throughput,
        channel: "aeron:ipc",
        pong_channel: "",
    },
    Scenario {
        slug: "tput-udp",
        label: "throughput, UDP",
        kind: Kind::Throughput,
        channel: "aeron:udp?endpoint=127.0.0.1:40125",
        pong_channel: "",
    },
];

/// Every measurement: per (scenario index, implementation), one metric vector per repetition.
pub struct Results {
    pub impls: Vec<Impl>,
    pub runs: BTreeMap<(usize, Impl), Vec<Vec<f64>>>,
    /// Why 0.2.16 is missing, if it is.
    pub legacy_missing: Option<String>,
    /// `/proc/loadavg` before and after measuring.
    pub load_before: String,
    pub load_after: String,
    pub reps: usize,
}

/// Runs every scenario for every implementation, alternating, `opts.reps` times, on one driver.
pub fn run_all(opts: &Options, bins: &Bins, bench_dir: &Path) -> Result<Results> {
    let logs = bench_dir.join("logs");
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs)?;
    let mut impls = vec![Impl::C, Impl::Rusteron];
    if bins.legacy.is_ok() {
        impls.push(Impl::Legacy);
    }
    let driver = Driver::start(&bins.driver, &logs.join("driver.log"))?;
    let load_before = loadavg();
    let mut runs: BTreeMap<(usize, Impl), Vec<Vec<f64>>> = BTreeMap::new();
    let mut stream = 20_000;
    for rep in 0..opts.reps {
        // Rotate who goes first (A B C, B C A, C A B, ...): still alternating, but no implementation always
        // runs right after the same neighbour or first after a scenario change.
        let mut order = impls.clone();
        order.rotate_left(rep % impls.len());
        for (si, sc) in SCENARIOS.iter().enumerate() {
            for &imp in &order {
                let mut attempt = 0;
                let values = loop {
                    stream += 2; // fresh streams: nothing left over from an earlier run can interfere
                    let log = |role: &str| {
                        logs.join(format!(
                            "{rep}-{}-{}-{role}-{attempt}.log",
                            sc.slug,
                            imp.slug()
                        ))
                    };
                    match run_one(opts, bins, &driver.dir, sc, imp, stream, &log) {
                        Ok(v) => break v,
                        Err(e) if attempt < 2 => {
                            println!(
                                "xtask bench: {} / {} failed ({e:#}); retrying",
                                sc.slug,
                                imp.label()
                            );
                            attempt += 1;
                        }
                        Err(e) => return Err(e),
                    }
                };
                println!(
                    "xtask bench: rep {}/{} {:<9} {:<26} {}",
                    rep + 1,
                    opts.reps,
                    sc.slug,
                    imp.label(),
                    show(&values)
                );
                runs.entry((si, imp)).or_default().push(values);
            }
        }
    }
    let load_after = loadavg();
    driver.stop()?;
    Ok(Results {
        impls,
        runs,
        legacy_missing: bins.legacy.clone().err(),
        load_before,
        load_after,
        reps: opts.reps,
    })
}

fn show(v: &[f64]) -> String {
    v.iter()
        .map(|x| format!("{x:.3}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One run: start the partner (pong or subscriber), run the measuring side (ping or publisher), parse it.
fn run_one(
    opts: &Options,
    bins: &Bins,
    dir: &Path,
    sc: &Scenario,
    imp: Impl,
    stream: i32,
    log: &dyn Fn(&str) -> PathBuf,
) -> Result<Vec<f64>> {
    run_pair(opts, bins, dir, sc, (imp, imp), stream, log)
}

/// One run with the partner of implementation `imps.0` and the measuring side of `imps.1`.
pub fn run_pair(
    opts: &Options,
    bins: &Bins,
    dir: &Path,
    sc: &Scenario,
    imps: (Impl, Impl),
    stream: i32,
    log: &dyn Fn(&str) -> PathBuf,
) -> Result<Vec<f64>> {
    let (partner_imp, measure_imp) = imps;
    let n = match sc.kind {
        Kind::Rtt => opts.rtt_messages,
        Kind::Throughput if sc.channel == "aeron:ipc" => opts.ipc_throughput_messages,
        Kind::Throughput => opts.throughput_messages,
    };
    let (partner_role, measure_role) = sc.kind.roles();
    let pins = pin::current();
    let mut partner_cmd = pin::wrap(
        command(
            bins,
            dir,
            sc,
            partner_imp,
            partner_role,
            stream,
            n,
            opts.rtt_warmup,
        )?,
        pins.map(|p| p.partner),
    );
    let mut measure_cmd = pin::wrap(
        command(
            bins,
            dir,
            sc,
            measure_imp,
            measure_role,
            stream,
            n,
            opts.rtt_warmup,
        )?,
        pins.map(|p| p.measuring),
    );
    let (partner_role, measure_role) = (partner_role.label(), measure_role.label());
    let mut partner = Proc::spawn(partner_role, &mut partner_cmd, &log(partner_role))?;
    // Let the partner's subscription exist before the measuring side starts its clock.
    std::thread::sleep(Duration::from_millis(if sc.kind == Kind::Throughput {
        1000
    } else {
        200
    }));
    if partner.wait_for(Duration::ZERO)?.is_some() {
        bail!("{partner_role} exited early:\n{}", partner.output()?);
    }
    let measure = Proc::spawn(measure_role, &mut measure_cmd, &log(measure_role))?;
    let output = measure.finish(Duration::from_secs(600))?;
    // Ours stop by themselves once everything arrived; the C partners run until Ctrl-C.
    if partner_imp != Impl::C {
        partner.wait_for(Duration::from_secs(20))?;
    }
    partner.stop(Duration::from_secs(5))?;
    match sc.kind {
        Kind::Rtt => Ok(parse::rtt(&output)?.to_vec()),
        Kind::Throughput => Ok(vec![parse::throughput(&output)?]),
    }
}

/// One side of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Sends pings and measures round trips (`cping`).
    Ping,
    /// Echoes pings (`cpong`).
    Pong,
    /// Streams messages and reports the rate (`streaming_exclusive_publisher`).
    Publisher,
    /// Receives the stream (`rate_subscriber`).
    Subscriber,
}

impl Role {
    /// Name in tables and logs.
    pub fn label(self) -> &'static str {
        match self {
            Role::Ping => "ping",
            Role::Pong => "pong",
            Role::Publisher => "publisher",
            Role::Subscriber => "subscriber",
        }
    }
}

impl Kind {
    /// (partner, measuring side): the partner starts first.
    pub fn roles(self) -> (Role, Role) {
        match self {
            Kind::Rtt => (Role::Pong, Role::Ping),
            Kind::Throughput => (Role::Subscriber, Role::Publisher),
        }
    }
}

/// The command of one side: `messages` messages (round trips after `warmup` warm-up ones for ping), on
/// `stream` (and `stream + 1` for the pong direction).
#[allow(clippy::too_many_arguments)]
pub fn command(
    bins: &Bins,
    dir: &Path,
    sc: &Scenario,
    imp: Impl,
    role: Role,
    stream: i32,
    messages: u64,
    warmup: u64,
) -> Result<Command> {
    let s = stream.to_string();
    let s2 = (stream + 1).to_string();
    let len = MESSAGE_LENGTH.to_string();
    let n = messages.to_string();
    let w = if sc.kind == Kind::Rtt {
        warmup.to_string()
    } else {
        "0".to_string()
    };
    if imp == Impl::C {
        let c = &bins.c;
        let mut cmd = Command::new(match role {
            Role::Ping => &c.cping,
            Role::Pong => &c.cpong,
            Role::Publisher => &c.publisher,
            Role::Subscriber => &c.subscriber,
        });
        cmd.arg("-p").arg(dir).args(["-c", sc.channel, "-s", &s]);
        match role {
            Role::Ping => cmd.args([
                "-C",
                sc.pong_channel,
                "-S",
                &s2,
                "-m",
                &n,
                "-w",
                &w,
                "-L",
                &len,
            ]),
            Role::Pong => cmd.args(["-C", sc.pong_channel, "-S", &s2]),
            Role::Publisher => cmd.args(["-m", &n, "-L", &len]),
            Role::Subscriber => &mut cmd,
        };
        return Ok(cmd);
    }
    let exe = match (imp, &bins.legacy) {
        (Impl::Legacy, Ok(exe)) => exe.clone(),
        (Impl::Legacy, Err(e)) => bail!("0.2.16 not built: {e}"),
        _ => bins.wire.clone(),
    };
    let mut c = Command::new(&exe);
    c.arg(role.label()).arg("--dir").arg(dir);
    c.args([
        "--channel",
        sc.channel,
        "--stream",
        &s,
        "--messages",
        &n,
        "--warmup",
        &w,
        "--length",
        &len,
    ]);
    if sc.kind == Kind::Rtt {
        c.args(["--pong-channel", sc.pong_channel, "--pong-stream", &s2]);
    }
    Ok(c)
}
