//! The markdown report: machine, configuration, the table with ratios to C, and the targets.

use anyhow::Result;
use std::fmt::Write as _;
use std::path::Path;

use super::driver::DRIVER_ARGS;
use super::matrix::{self, Matrix};
use super::parse::QUANTILES;
use super::scenario::{Impl, Kind, Results, SCENARIOS};
use super::stats::{median, range};
use super::{legacy, Options, MESSAGE_LENGTH};

/// Markers around the generated part of the report; the rest of the file is hand-written.
pub const BEGIN: &str = "<!-- cargo xtask bench: generated from here -->";
pub const END: &str = "<!-- cargo xtask bench: generated up to here -->";

/// What the benchmark ran on.
pub struct Machine {
    pub date: String,
    pub nproc: usize,
    pub cpu: String,
    pub kernel: String,
}

impl Machine {
    /// Reads the machine's description from the system.
    pub fn probe() -> Self {
        let date = std::process::Command::new("date")
            .args(["-u", "+%Y-%m-%d %H:%M UTC"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("model name")
                    .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_string();
        let nproc = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0);
        Machine {
            date,
            nproc,
            cpu,
            kernel,
        }
    }
}

/// The metric names of a scenario kind.
fn metrics(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Rtt => QUANTILES.iter().map(|(_, l)| *l).chain(["max"]).collect(),
        Kind::Throughput => vec!["msgs/s"],
    }
}

/// Values of metric `m` over the repetitions of (scenario, implementation).
pub fn values(r: &Results, si: usize, imp: Impl, m: usize) -> Vec<f64> {
    r.runs
        .get(&(si, imp))
        .map(|runs| runs.iter().map(|v| v[m]).collect())
        .unwrap_or_default()
}

fn cell(kind: Kind, v: &[f64]) -> String {
    if v.is_empty() {
        return "–".into();
    }
    let (lo, hi) = range(v);
    match kind {
        Kind::Rtt => format!("{:.2} ({:.2}–{:.2})", median(v), lo, hi),
        Kind::Throughput => format!("{:.2} M ({:.2}–{:.2})", median(v) / 1e6, lo / 1e6, hi / 1e6),
    }
}

/// The results table: medians with (min–max) over the repetitions, and ratios to C.
pub fn table(r: &Results) -> String {
    let mut s = String::new();
    let others: Vec<Impl> = r.impls.iter().copied().filter(|i| *i != Impl::C).collect();
    let _ = write!(s, "| scenario | metric | {} |", Impl::C.label());
    for i in &others {
        let _ = write!(s, " {} | ×C | ×C paired |", i.label());
    }
    let _ = write!(s, "\n|---|---|---:|");
    for _ in &others {
        let _ = write!(s, "---:|---:|---:|");
    }
    s.push('\n');
    for (si, sc) in SCENARIOS.iter().enumerate() {
        for (m, name) in metrics(sc.kind).iter().enumerate() {
            let unit = if sc.kind == Kind::Rtt { "µs" } else { "" };
            let c = values(r, si, Impl::C, m);
            let _ = write!(
                s,
                "| {} | {name}{} | {} |",
                sc.label,
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" ({unit})")
                },
                cell(sc.kind, &c)
            );
            for &i in &others {
                let v = values(r, si, i, m);
                let paired: Vec<f64> = v.iter().zip(&c).map(|(x, y)| x / y).collect();
                let _ = write!(
                    s,
                    " {} | {:.3} | {:.3} |",
                    cell(sc.kind, &v),
                    median(&v) / median(&c),
                    median(&paired)
                );
            }
            s.push('\n');
        }
    }
    s
}

/// One target check: description and whether it holds.
pub fn targets(r: &Results) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let ratio = |si: usize, imp: Impl, base: Impl, m: usize| {
        median(&values(r, si, imp, m)) / median(&values(r, si, base, m))
    };
    for (si, sc) in SCENARIOS.iter().enumerate() {
        match sc.kind {
            Kind::Rtt => {
                let p50 = ratio(si, Impl::Rusteron, Impl::C, 0);
                out.push((
                    format!("{}: p50 ≤ 1.05 × C (measured {p50:.3})", sc.label),
                    p50 <= 1.05,
                ));
                let p99 = ratio(si, Impl::Rusteron, Impl::C, 2);
                out.push((
                    format!("{}: p99 ≤ 1.10 × C (measured {p99:.3})", sc.label),
                    p99 <= 1.10,
                ));
            }
            Kind::Throughput => {
                let t = ratio(si, Impl::Rusteron, Impl::C, 0);
                out.push((
                    format!("{}: ≥ 0.97 × C (measured {t:.3})", sc.label),
                    t >= 0.97,
                ));
            }
        }
        if r.impls.contains(&Impl::Legacy) {
            let names = metrics(sc.kind);
            let slower: Vec<&str> = (0..names.len())
                .filter(|&m| {
                    let x = ratio(si, Impl::Rusteron, Impl::Legacy, m);
                    if sc.kind == Kind::Rtt {
                        x > 1.0
                    } else {
                        x < 1.0
                    }
                })
                .map(|m| names[m])
                .collect();
            let what = if slower.is_empty() {
                "none".to_string()
            } else {
                slower.join(", ")
            };
            out.push((
                format!("{}: not slower than 0.2.16 (slower on: {what})", sc.label),
                slower.is_empty(),
            ));
        }
    }
    out
}

/// The generated part of the report.
pub fn generated(
    chart: &Path,
    opts: &Options,
    m: &Machine,
    r: &Results,
    matrix: Option<&Matrix>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{BEGIN}\n");
    let _ = writeln!(
        s,
        "Measured {} on `nproc` = {}, {} (Linux {}).",
        m.date, m.nproc, m.cpu, m.kernel
    );
    let _ = writeln!(
        s,
        "Load average (1, 5, 15 min) before measuring: {}; after: {}.\n",
        r.load_before, r.load_after
    );
    let _ = writeln!(
        s,
        "Configuration: one `rusteron-media-driver {}` process for all; {MESSAGE_LENGTH}-byte messages; \
         ping-pong {} warm-up + {} measured round trips per run; throughput {} messages per IPC run and {} per \
         UDP run; \
         {} alternating repetitions (each runs every scenario for every implementation in turn, the first \
         one rotating: A B C, B C A, C A B, ...), each value the median \
         with (min–max) over the repetitions. ×C is the ratio of the medians; ×C paired the median of \
         the ratios within each repetition (runs next to each other in time), steadier on a loaded machine.\n",
        DRIVER_ARGS.join(" "),
        opts.rtt_warmup,
        opts.rtt_messages,
        opts.ipc_throughput_messages,
        opts.throughput_messages,
        r.reps,
    );
    let _ = writeln!(
        s,
        "Cores: {}.\n",
        super::pin::describe(super::pin::current())
    );
    if let Some(why) = &r.legacy_missing {
        let _ = writeln!(
            s,
            "rusteron-client {} was not measured: {why}\n",
            legacy::VERSION
        );
    }
    s.push_str(&table(r));
    let name = chart
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "\n![round-trip latency percentiles per implementation]({name})\n"
    );
    let _ = writeln!(s, "Targets (ratios of medians measured in this run):\n");
    for (what, ok) in targets(r) {
        let _ = writeln!(s, "- {} {what}", if ok { "met:" } else { "**missed:**" });
    }
    if let Some(matrix) = matrix {
        let _ = writeln!(
            s,
            "\n**Who limits the IPC stream** (publisher × subscriber, same driver and counts as above; M msgs/s, \
             median (min–max) and ratio to C → C; a side's effect is the median over the other side of its \
             row or column divided by C's):\n"
        );
        s.push_str(&matrix::table(matrix));
    }
    let _ = writeln!(s, "\n{END}");
    s
}

/// Writes the generated part into `path` between the markers, keeping the hand-written rest.
pub fn write(
    path: &Path,
    chart: &Path,
    opts: &Options,
    m: &Machine,
    r: &Results,
    matrix: Option<&Matrix>,
) -> Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    std::fs::write(
        path,
        splice(&old, BEGIN, END, &generated(chart, opts, m, r, matrix)),
    )?;
    Ok(())
}

/// `old` with the text between `begin` and `end` replaced by `generated` (which carries the markers);
/// appended when `old` has no such markers.
pub fn splice(old: &str, begin: &str, end: &str, generated: &str) -> String {
    match (old.find(begin), old.find(end)) {
        (Some(b), Some(e)) if b < e => format!(
            "{}{}{}",
            &old[..b],
            generated.trim_end(),
            &old[e + end.len()..]
        ),
        _ if old.is_empty() => format!("# Benchmarks\n\n{generated}"),
        _ => format!("{}\n\n{generated}", old.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_keeps_the_hand_written_parts() {
        let old = format!("intro\n{BEGIN}\nold table\n{END}\noutro\n");
        let new = splice(&old, BEGIN, END, &format!("{BEGIN}\nnew table\n{END}\n"));
        assert_eq!(new, format!("intro\n{BEGIN}\nnew table\n{END}\noutro\n"));
        assert!(splice("", BEGIN, END, "x").starts_with("# Benchmarks"));
        assert_eq!(splice("no markers", BEGIN, END, "x"), "no markers\n\nx");
    }
}
