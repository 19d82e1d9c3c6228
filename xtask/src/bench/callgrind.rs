//! `cargo xtask bench --callgrind`: instructions per message of each side of each scenario, for the Aeron C
//! samples, our `wire` programs and rusteron-client 0.2.16, counted by callgrind (which does not depend on
//! the machine's load).
//!
//! Method, per (scenario, side, implementation):
//! 1. the measured side runs under `valgrind --tool=callgrind --separate-threads=yes`, its partner natively
//!    (same implementation), both with a message count that does not run out, on the shared driver (outside
//!    valgrind);
//! 2. **window A**: once messages flow, the counters are zeroed (`callgrind_control -z`) and dumped
//!    (`callgrind_control -d`) `--callgrind-window` seconds later; only the main thread (the one that
//!    offers or polls; the client conductor is another thread) is read: its instructions `I_A`, and from
//!    the call counts of the C functions every implementation ends up calling, the messages `n` and the
//!    loop iterations that did no work (`empty`: back-pressured claims, polls that found nothing);
//! 3. **window B**: the partner is stopped (SIGSTOP), so every iteration of the measured loop is empty; its
//!    instructions per iteration are the cost `e` of one idle iteration (failed call + idle strategy);
//! 4. instructions per message = `(I_A − e · empty) / n`: everything the main thread does per message, the
//!    wrapper and the C client included, without the idle spinning, whatever the scheduling was.
//!
//! Messages and iterations per role (the C functions are the same for all three implementations):
//! publisher: `aeron_buffer_claim_commit` (ours commits inline: `aeron_exclusive_publication_try_claim`
//! calls minus `aeron_idle_strategy_busy_spinning_idle` calls, which every back-pressured claim makes) /
//! `aeron_exclusive_publication_try_claim`; subscriber:
//! `aeron_fragment_assembler_handler` / `aeron_subscription_poll` (the subscriber is slower under
//! valgrind than the native publisher, so it is backlogged: polls that return fewer than the fragment limit
//! are counted as empty, exact when every non-empty poll is full); ping and pong: the fragment assemblers'
//! handlers / `aeron_image_poll` (one message in flight, so every non-empty poll delivers exactly one).

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::build::Bins;
use super::callgrind_file::Profile;
use super::driver::Driver;
use super::proc::Proc;
use super::scenario::{command, Impl, Role, SCENARIOS};

/// Fragments per poll of every subscriber (the samples' and ours' default).
const FRAGMENT_LIMIT: u64 = 10;
/// A message count no measured run reaches.
const ENDLESS: u64 = 1_000_000_000_000;

/// One measured side.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// Instructions per message, idle iterations taken out.
    pub per_message: f64,
    /// Instructions of one idle iteration (window B).
    pub per_idle: f64,
    /// Messages in window A.
    pub messages: u64,
    /// Idle iterations in window A.
    pub empty: u64,
}

/// Results per (scenario index, role, implementation).
pub struct Results {
    pub impls: Vec<Impl>,
    pub sides: BTreeMap<(usize, Role, Impl), Result<Measurement, String>>,
    pub window: Duration,
    pub valgrind: String,
}

/// True when the program commits claims without calling `aeron_buffer_claim_commit` (ours: the commit is an
/// inline release store), judged from its measuring window.
fn inline_commit(p: &Profile) -> bool {
    p.calls_of("aeron_buffer_claim_commit") == 0
}

/// What one dump says for a role: (messages, loop iterations, iterations that did no work).
fn counts(role: Role, p: &Profile, inline_commit: bool) -> (u64, u64, u64) {
    match role {
        Role::Publisher => {
            let it = p.calls_of("aeron_exclusive_publication_try_claim");
            // C and 0.2.16 call `aeron_buffer_claim_commit` per message; our commit is inline (a release
            // store, no call), so for us the messages are the claims that were not back-pressured: every
            // back-pressured claim calls the C idle strategy, as in the C sample.
            let n = if inline_commit {
                it.saturating_sub(p.calls_of("aeron_idle_strategy_busy_spinning_idle"))
            } else {
                p.calls_of("aeron_buffer_claim_commit")
            };
            (n, it, it.saturating_sub(n))
        }
        Role::Subscriber => {
            let n = p.calls_of("aeron_fragment_assembler_handler");
            let it = p.calls_of("aeron_subscription_poll");
            (n, it, it.saturating_sub(n.div_ceil(FRAGMENT_LIMIT)))
        }
        Role::Ping | Role::Pong => {
            let n = p.calls_of("aeron_image_fragment_assembler_handler")
                + p.calls_of("aeron_fragment_assembler_handler");
            let it = p.calls_of("aeron_image_poll");
            (n, it, it.saturating_sub(n))
        }
    }
}

/// Instructions per message from window A and the idle cost from window B.
pub fn per_message(role: Role, a: &Profile, b: &Profile) -> Result<Measurement> {
    let inline = inline_commit(a);
    let (n, _, empty) = counts(role, a, inline);
    let (nb, itb, _) = counts(role, b, inline);
    if n == 0 {
        bail!("no message in the measuring window");
    }
    if itb == 0 || nb > 0 {
        bail!("the idle window had {itb} iterations and {nb} messages (expected only idle iterations)");
    }
    let per_idle = b.instructions as f64 / itb as f64;
    let per_message = (a.instructions as f64 - per_idle * empty as f64) / n as f64;
    Ok(Measurement {
        per_message,
        per_idle,
        messages: n,
        empty,
    })
}

/// Measures every side of every scenario for every implementation.
pub fn run_all(
    bins: &Bins,
    impls: &[Impl],
    window: Duration,
    bench_dir: &Path,
    only: Option<&str>,
) -> Result<Results> {
    let out = bench_dir.join("callgrind");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    let driver = Driver::start(&bins.driver, &out.join("driver.log"))?;
    let valgrind = Command::new("valgrind")
        .arg("--version")
        .output()
        .context("valgrind is needed (apt-get install valgrind)")?;
    let valgrind = String::from_utf8_lossy(&valgrind.stdout).trim().to_string();
    let mut sides = BTreeMap::new();
    let mut stream = 40_000;
    for (si, sc) in SCENARIOS.iter().enumerate() {
        if only.is_some_and(|o| !sc.slug.starts_with(o)) {
            continue;
        }
        let (a, b) = sc.kind.roles();
        for role in [b, a] {
            for &imp in impls {
                stream += 2;
                let tag = format!("{}-{}-{}", sc.slug, role.label(), imp.slug());
                let r = measure(bins, &driver.dir, si, role, imp, stream, window, &out, &tag);
                match &r {
                    Ok(m) => println!(
                        "xtask bench --callgrind: {tag:<34} {:>8.1} instructions/message ({} messages, {} idle iterations of {:.1})",
                        m.per_message, m.messages, m.empty, m.per_idle
                    ),
                    Err(e) => println!("xtask bench --callgrind: {tag}: failed: {e:#}"),
                }
                sides.insert((si, role, imp), r.map_err(|e| format!("{e:#}")));
            }
        }
    }
    driver.stop()?;
    Ok(Results {
        impls: impls.to_vec(),
        sides,
        window,
        valgrind,
    })
}

/// One side: start both, wait for messages, window A, stop the partner, window B.
#[allow(clippy::too_many_arguments)]
fn measure(
    bins: &Bins,
    dir: &Path,
    si: usize,
    role: Role,
    imp: Impl,
    stream: i32,
    window: Duration,
    out: &Path,
    tag: &str,
) -> Result<Measurement> {
    let sc = &SCENARIOS[si];
    let (partner_role, measuring_role) = sc.kind.roles();
    let other = if role == measuring_role {
        partner_role
    } else {
        measuring_role
    };
    let measured_cmd = command(bins, dir, sc, imp, role, stream, ENDLESS, 0)?;
    let mut partner_cmd = command(bins, dir, sc, imp, other, stream, ENDLESS, 0)?;
    let prefix = out.join(format!("cg-{tag}"));
    let mut vg = Command::new("valgrind");
    vg.args([
        "--tool=callgrind",
        "--separate-threads=yes",
        "--compress-strings=no",
        "--compress-pos=no",
    ])
    .arg(format!("--callgrind-out-file={}.%p", prefix.display()))
    .arg(measured_cmd.get_program())
    .args(measured_cmd.get_args());
    // Receivers first (under valgrind they take seconds to start), then senders.
    let receiver_measured = matches!(role, Role::Subscriber | Role::Pong);
    let (measured, partner) = if receiver_measured {
        let m = Proc::spawn(tag, &mut vg, &out.join(format!("{tag}.log")))?;
        std::thread::sleep(Duration::from_secs(2));
        let p = Proc::spawn(
            other.label(),
            &mut partner_cmd,
            &out.join(format!("{tag}-partner.log")),
        )?;
        (m, p)
    } else {
        let p = Proc::spawn(
            other.label(),
            &mut partner_cmd,
            &out.join(format!("{tag}-partner.log")),
        )?;
        std::thread::sleep(Duration::from_millis(500));
        let m = Proc::spawn(tag, &mut vg, &out.join(format!("{tag}.log")))?;
        (m, p)
    };
    let pid = measured.id();
    let window_of = |d: Duration| -> Result<Profile> {
        control(pid, "-z")?;
        std::thread::sleep(d);
        control(pid, "-d")?;
        Profile::read(&latest_main_thread_dump(&prefix, pid)?)
    };
    // Steady state: a short window in which messages flowed.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let p = window_of(Duration::from_secs(1))?;
        if counts(role, &p, inline_commit(&p)).0 > 100 {
            break;
        }
        if Instant::now() > deadline {
            bail!("no messages flowed within 120 s; logs in {}", out.display());
        }
    }
    let a = window_of(window)?;
    signal(partner.id(), "-STOP")?;
    std::thread::sleep(Duration::from_secs(1));
    let b = window_of(window.min(Duration::from_secs(2)));
    signal(partner.id(), "-CONT")?;
    drop(measured);
    drop(partner);
    per_message(role, &a, &b?)
}

/// `callgrind_control <flag> <pid>`.
fn control(pid: u32, flag: &str) -> Result<()> {
    let out = Command::new("callgrind_control")
        .args([flag, &pid.to_string()])
        .output()?;
    if !out.status.success() || !String::from_utf8_lossy(&out.stdout).contains("OK") {
        bail!(
            "callgrind_control {flag} {pid}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    Ok(())
}

fn signal(pid: u32, sig: &str) -> Result<()> {
    Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()?;
    Ok(())
}

/// The newest dump of thread 1 (`<prefix>.<pid>.<n>-01`).
fn latest_main_thread_dump(prefix: &Path, pid: u32) -> Result<PathBuf> {
    let dir = prefix.parent().context("dump prefix has a folder")?;
    let stem = format!(
        "{}.{pid}.",
        prefix.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut best: Option<(u64, PathBuf)> = None;
    for e in std::fs::read_dir(dir)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&stem) else {
            continue;
        };
        let Some(n) = rest.strip_suffix("-01") else {
            continue;
        };
        if let Ok(n) = n.parse::<u64>() {
            if best.as_ref().is_none_or(|(b, _)| n > *b) {
                best = Some((n, dir.join(&name)));
            }
        }
    }
    best.map(|(_, p)| p)
        .context("callgrind wrote no dump of the main thread")
}

/// Markers around the generated callgrind table in docs/benchmarks.md.
pub const BEGIN: &str = "<!-- cargo xtask bench --callgrind: generated from here -->";
pub const END: &str = "<!-- cargo xtask bench --callgrind: generated up to here -->";

/// The table: instructions per message per side, ratios to C.
pub fn table(r: &Results) -> String {
    let mut s = String::new();
    let others: Vec<Impl> = r.impls.iter().copied().filter(|i| *i != Impl::C).collect();
    let _ = write!(s, "| scenario | side | {} |", Impl::C.label());
    for i in &others {
        let _ = write!(s, " {} | ×C |", i.label());
    }
    s.push_str("\n|---|---|---:|");
    for _ in &others {
        s.push_str("---:|---:|");
    }
    s.push('\n');
    for (si, sc) in SCENARIOS.iter().enumerate() {
        let (a, b) = sc.kind.roles();
        for role in [b, a] {
            let get = |imp| r.sides.get(&(si, role, imp));
            let cell = |m: Option<&Result<Measurement, String>>| match m {
                Some(Ok(m)) => format!("{:.1}", m.per_message),
                Some(Err(_)) => "failed".to_string(),
                None => "–".to_string(),
            };
            let c = get(Impl::C);
            let _ = write!(s, "| {} | {} | {} |", sc.label, role.label(), cell(c));
            for &i in &others {
                let m = get(i);
                let ratio = match (c, m) {
                    (Some(Ok(c)), Some(Ok(m))) => format!("{:.3}", m.per_message / c.per_message),
                    _ => "–".to_string(),
                };
                let _ = write!(s, " {} | {ratio} |", cell(m));
            }
            s.push('\n');
        }
    }
    s
}

/// The generated section: method line, table, failures.
pub fn generated(r: &Results, machine: &super::report::Machine) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{BEGIN}\n");
    let _ = writeln!(
        s,
        "Measured {} on `nproc` = {}, {} ({}); windows of {} s; instructions per message of the main \
         thread, idle iterations taken out (method above). The driver runs natively with the wall-clock \
         configuration.\n",
        machine.date,
        machine.nproc,
        machine.cpu,
        r.valgrind,
        r.window.as_secs_f64()
    );
    s.push_str(&table(r));
    let failed: Vec<String> = r
        .sides
        .iter()
        .filter_map(|((si, role, imp), m)| {
            m.as_ref().err().map(|e| {
                format!(
                    "- {} {} {}: {e}",
                    SCENARIOS[*si].label,
                    role.label(),
                    imp.label()
                )
            })
        })
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(s, "\nFailed measurements:\n\n{}", failed.join("\n"));
    }
    let details: Vec<String> = r
        .sides
        .iter()
        .filter_map(|((si, role, imp), m)| {
            m.as_ref().ok().map(|m| {
                format!(
                    "| {} | {} | {} | {} | {} | {:.1} |",
                    SCENARIOS[*si].label,
                    role.label(),
                    imp.label(),
                    m.messages,
                    m.empty,
                    m.per_idle
                )
            })
        })
        .collect();
    let _ = writeln!(
        s,
        "\nWindow A details (messages counted, idle iterations subtracted, instructions per idle iteration \
         from window B):\n\n| scenario | side | implementation | messages | idle iterations | instructions per idle iteration |\n|---|---|---|---:|---:|---:|\n{}",
        details.join("\n")
    );
    let _ = writeln!(s, "\n{END}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(instructions: u64, calls: &[(&str, u64)]) -> Profile {
        Profile {
            instructions,
            calls: calls.iter().map(|(n, c)| (n.to_string(), *c)).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn idle_iterations_are_taken_out() {
        // 1000 pongs, 3000 polls of which 2000 empty at 20 instructions each, 100 per message.
        let a = profile(
            1000 * 100 + 2000 * 20,
            &[
                ("aeron_image_poll", 3000),
                ("aeron_image_fragment_assembler_handler", 1000),
            ],
        );
        let b = profile(500 * 20, &[("aeron_image_poll", 500)]);
        let m = per_message(Role::Pong, &a, &b).unwrap();
        assert_eq!((m.per_message, m.per_idle, m.empty), (100.0, 20.0, 2000));
    }

    #[test]
    fn backlogged_subscriber_has_no_idle_and_failed_claims_are_idle() {
        let a = profile(
            10_000,
            &[
                ("aeron_subscription_poll", 10),
                ("aeron_fragment_assembler_handler", 100),
            ],
        );
        let b = profile(300, &[("aeron_subscription_poll", 10)]);
        assert_eq!(
            per_message(Role::Subscriber, &a, &b).unwrap().per_message,
            100.0
        );
        let a = profile(
            1000 + 5 * 40,
            &[
                ("aeron_exclusive_publication_try_claim", 15),
                ("aeron_buffer_claim_commit", 10),
            ],
        );
        let b = profile(400, &[("aeron_exclusive_publication_try_claim", 10)]);
        assert_eq!(
            per_message(Role::Publisher, &a, &b).unwrap().per_message,
            100.0
        );
    }

    #[test]
    fn an_inline_commit_counts_the_claims_that_did_not_idle() {
        // 15 claims, 5 back-pressured (each calls the C idle strategy), no commit calls.
        let idle = "aeron_idle_strategy_busy_spinning_idle";
        let a = profile(
            1000 + 5 * 40,
            &[("aeron_exclusive_publication_try_claim", 15), (idle, 5)],
        );
        let b = profile(
            400,
            &[("aeron_exclusive_publication_try_claim", 10), (idle, 10)],
        );
        let m = per_message(Role::Publisher, &a, &b).unwrap();
        assert_eq!((m.messages, m.empty, m.per_message), (10, 5, 100.0));
        // An idle window whose claims did not all idle has messages: refused.
        let b = profile(
            400,
            &[("aeron_exclusive_publication_try_claim", 10), (idle, 9)],
        );
        assert!(per_message(Role::Publisher, &a, &b).is_err());
    }

    #[test]
    fn an_idle_window_with_messages_is_refused() {
        let a = profile(
            100,
            &[
                ("aeron_image_poll", 1),
                ("aeron_image_fragment_assembler_handler", 1),
            ],
        );
        assert!(per_message(Role::Ping, &a, &a).is_err());
    }
}
