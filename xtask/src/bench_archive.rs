//! `cargo xtask bench-archive`: who limits the archive server's recording and replay (disk, publisher or
//! archive), in one run, written into docs/archive-server.md.
//!
//! 1. builds and runs `crates/rusteron-archive-server/benches/limits.rs` (disk, write, ceiling, the floors of
//!    the recorder and the replayer, record and replay to a disk and a tmpfs dir, record while replaying,
//!    1/4/16 concurrent recordings, each repetition back to back; the method is in that file);
//! 2. runs its two callgrind programs: the archive recording ~64 MiB of 1 KiB messages (inclusive
//!    instructions of the recorder's duty cycle, `recorder_work`) and the floor of this design (a loop that
//!    only block-polls the image and `pwrite`s each block, `floor_poll`): instructions per recorded MiB.
//!    Both run in lockstep with their publisher (the archive in INVOKER mode: publish a chunk of just
//!    under 1 MiB, then run duty cycles until it is recorded), so the blocks written are the same in
//!    every run and the figures compare between commits;
//! 3. checks the targets and writes the generated section of docs/archive-server.md.

use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::bench::build::cargo_executable;
use crate::bench::callgrind_file::Profile;
use crate::bench::report::{splice, Machine};
use crate::{paths, tools};

/// Options of `cargo xtask bench-archive`.
#[derive(clap::Args, Debug, Clone)]
pub struct Options {
    /// MiB of payload per measured run.
    #[arg(long, default_value_t = 256)]
    pub mib: u64,
    /// Repetitions (each measures the references, the floors and the archive back to back; medians are reported).
    #[arg(long, default_value_t = 5)]
    pub reps: u64,
    /// Message sizes in bytes, comma-separated.
    #[arg(long, default_value = "32,256,1024,8192")]
    pub sizes: String,
    /// Leave out the callgrind instruction counts.
    #[arg(long)]
    pub skip_callgrind: bool,
    /// Where to write the report section.
    #[arg(long, default_value = "docs/archive-server.md")]
    pub output: std::path::PathBuf,
}

/// Markers around the generated section.
pub const BEGIN: &str = "<!-- cargo xtask bench-archive: generated from here -->";
pub const END: &str = "<!-- cargo xtask bench-archive: generated up to here -->";

/// Bytes of frames the callgrind programs record: 66 chunks of 992 messages of 1 KiB, 1056-byte frames.
const CALLGRIND_FRAME_BYTES: f64 = 66.0 * 992.0 * 1056.0;

/// Runs the benchmark and writes the report.
pub fn run(opts: &Options) -> Result<()> {
    let env = tools::ensure(tools::Need {
        cmake: true,
        libclang: false,
    })?;
    let out_dir = paths::target_dir().join("bench-archive");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir)?;
    println!("xtask bench-archive: step 1/3: building the `limits` benchmark");
    let exe = cargo_executable(
        &["-p", "rusteron-archive-server", "--bench", "limits"],
        "limits",
        &env,
    )?;
    let machine = Machine::probe();
    let load_before = loadavg();
    println!(
        "xtask bench-archive: step 2/3: measuring ({} MiB per run, {} runs each)",
        opts.mib, opts.reps
    );
    let table_file = out_dir.join("table.md");
    let status = Command::new(&exe)
        .env("RUSTERON_BENCH_MIB", opts.mib.to_string())
        .env("RUSTERON_BENCH_REPS", opts.reps.to_string())
        .env("RUSTERON_BENCH_SIZES", &opts.sizes)
        .env("RUSTERON_BENCH_OUT", &table_file)
        .status()
        .context("running the limits benchmark")?;
    if !status.success() {
        bail!("the limits benchmark failed ({status})");
    }
    let load_after = loadavg();
    let table = std::fs::read_to_string(&table_file)?;
    let instructions = if opts.skip_callgrind {
        None
    } else {
        println!("xtask bench-archive: step 3/3: instructions per recorded MiB under callgrind");
        let record = callgrind(&exe, "callgrind-record", "::recorder_work", &out_dir)?;
        let floor = callgrind(&exe, "callgrind-floor", "::floor_poll", &out_dir)?;
        Some((record, floor))
    };
    let mut s = String::new();
    let _ = writeln!(s, "{BEGIN}\n");
    let _ = writeln!(
        s,
        "Measured {} on `nproc` = {}, {} (Linux {}); load average (1, 5, 15 min) before: {load_before}, after: \
         {load_after}.\n",
        machine.date, machine.nproc, machine.cpu, machine.kernel
    );
    s.push_str(&table);
    if let Some((record, floor)) = instructions {
        let _ = writeln!(
            s,
            "\nInstructions per recorded MiB (callgrind, user space, 65472 messages of 1 KiB in 66 chunks of just under \
             1 MiB, each published then recorded in lockstep (archive in INVOKER mode), everything in one process \
             under valgrind):\n\n| code | instructions / MiB | × floor |\n|---|---:|---:|\n\
             | archive recorder (`recorder_work`, inclusive) | {record:.0} | {:.2} |\n\
             | floor: block poll + `pwrite` per block (`floor_poll`, inclusive) | {floor:.0} | 1.00 |",
            record / floor
        );
    }
    let _ = writeln!(s, "\nTargets:\n");
    for (what, ok) in targets(&table, instructions) {
        let _ = writeln!(s, "- {} {what}", if ok { "met:" } else { "**missed:**" });
    }
    let _ = writeln!(s, "\n{END}");
    let output = paths::root().join(&opts.output);
    let old = std::fs::read_to_string(&output).unwrap_or_default();
    std::fs::write(&output, splice(&old, BEGIN, END, &s))?;
    println!("{s}");
    Ok(())
}

/// Runs `exe <program> <dir>` under callgrind; inclusive instructions of `function` per recorded MiB.
fn callgrind(exe: &Path, program: &str, function: &str, out_dir: &Path) -> Result<f64> {
    let file = out_dir.join(format!("{program}.callgrind"));
    let status = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--compress-strings=no",
            "--compress-pos=no",
        ])
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .arg(program)
        .arg(out_dir.join(program))
        .status()
        .context("valgrind is needed (apt-get install valgrind)")?;
    if !status.success() {
        bail!("{program} under callgrind failed ({status})");
    }
    let p = Profile::read(&file)?;
    let ir = p.inclusive_of(function);
    if ir == 0 {
        bail!(
            "no instructions of a function ending in {function} in {}",
            file.display()
        );
    }
    Ok(ir as f64 / (CALLGRIND_FRAME_BYTES / (1024.0 * 1024.0)))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One row of the benchmark's table.
struct TableRow {
    what: String,
    size: u64,
    mbs: f64,
    /// Payload rate over the row's reference.
    ratio: Option<f64>,
    /// Payload rate over the floor of the archive's design measured in the same run.
    floor: Option<f64>,
}

/// The benchmark's table rows.
fn rows(table: &str) -> Vec<TableRow> {
    table
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let size = cols.get(1)?.strip_suffix(" B")?.parse().ok()?;
            let mbs = cols.get(2)?.parse().ok()?;
            let number = |i: usize| cols.get(i).and_then(|r| r.parse().ok());
            Some(TableRow {
                what: cols[0].to_string(),
                size,
                mbs,
                ratio: number(5),
                floor: number(6),
            })
        })
        .collect()
}

/// The targets, read from the table (for each threading mode measured).
fn targets(table: &str, instructions: Option<(f64, f64)>) -> Vec<(String, bool)> {
    let rows = rows(table);
    let mut out = Vec::new();
    let find = |what: &str, size: u64| rows.iter().find(|r| r.what == what && r.size == size);
    for mode in ["SHARED", "DEDICATED"] {
        for size in [1024, 8192] {
            for (what, min) in [
                ("record to tmpfs", 0.8),
                ("record to disk", 0.8),
                ("replay from disk", 0.9),
                ("replay from tmpfs", 0.9),
            ] {
                if let Some(TableRow {
                    ratio: Some(ratio),
                    floor,
                    ..
                }) = find(&format!("{what} ({mode})"), size)
                {
                    let floor = floor
                        .map(|f| format!("; {f:.2} × the floor of its design in the same run"))
                        .unwrap_or_default();
                    out.push((format!("{what} ({mode}), {size} B: ≥ {min} × reference (measured {ratio:.2}{floor})"), *ratio >= min));
                }
            }
        }
        if let (Some(one), Some(sixteen)) = (
            find(&format!("1 concurrent recording, disk ({mode})"), 1024),
            find(&format!("16 concurrent recordings, disk ({mode})"), 1024),
        ) {
            let r = sixteen.mbs / one.mbs;
            let ceilings = match (
                find(&format!("ceiling, 1 publication (no-op block-poll consumer), before disk ({mode})"), 1024),
                find(&format!("ceiling, 16 publications (no-op block-poll consumer), before disk ({mode})"), 1024),
            ) {
                (Some(c1), Some(c16)) => format!("; the ceiling of 16 publications is {:.2} × that of 1", c16.mbs / c1.mbs),
                _ => String::new(),
            };
            out.push((format!("16 concurrent recordings ≥ 0.8 × 1 recording ({mode}, measured {r:.2}{ceilings})"), r >= 0.8));
        }
    }
    if let Some((record, floor)) = instructions {
        let r = record / floor;
        out.push((
            format!("recorder instructions per MiB ≤ 1.2 × floor (measured {r:.2})"),
            r <= 1.2,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_from_the_table() {
        let table = "| measurement | message | payload MB/s | range | reference | ratio | × floor | archive CPU |\n\
            |---|---:|---:|---|---|---:|---:|---:|\n\
            | record to tmpfs (SHARED) | 1024 B | 500.0 | 400–600 | min(write, ceiling) = 1000 MB/s | 0.50 | 0.97 | 0.80 |\n\
            | replay from disk (SHARED) | 8192 B | 950.0 | 900–990 | ceiling = 1000 MB/s | 0.95 | – | 0.70 |\n\
            | 1 concurrent recording, disk (SHARED) | 1024 B | 400.0 | 1–2 | x | 0.4 | – | – |\n\
            | 16 concurrent recordings, disk (SHARED) | 1024 B | 360.0 | 1–2 | x | 0.36 | – | – |\n\
            | ceiling, 1 publication (no-op block-poll consumer), before disk (SHARED) | 1024 B | 1000.0 | 1–2 | – | – | – | – |\n\
            | ceiling, 16 publications (no-op block-poll consumer), before disk (SHARED) | 1024 B | 500.0 | 1–2 | – | – | – | – |\n\
            | ceiling, 1 publication (no-op block-poll consumer), before disk (DEDICATED) | 1024 B | 1000.0 | 1–2 | – | – | – | – |\n\
            | ceiling, 16 publications (no-op block-poll consumer), before disk (DEDICATED) | 1024 B | 250.0 | 1–2 | – | – | – | – |\n\
            | 1 concurrent recording, disk (DEDICATED) | 1024 B | 400.0 | 1–2 | x | 0.4 | – | – |\n\
            | 16 concurrent recordings, disk (DEDICATED) | 1024 B | 360.0 | 1–2 | x | 0.36 | – | – |\n";
        let t = targets(table, Some((1300.0, 1000.0)));
        assert_eq!(t.len(), 5);
        assert!(
            t[2].0.contains("16 publications is 0.50 × that of 1"),
            "{}",
            t[2].0
        );
        assert!(
            t[3].0.contains("16 publications is 0.25 × that of 1"),
            "{}",
            t[3].0
        );
        assert!(!t[0].1 && t[0].0.starts_with("record to tmpfs (SHARED), 1024 B"));
        assert!(t[0].0.contains("0.97 × the floor"), "{}", t[0].0);
        assert!(t[1].1 && t[1].0.starts_with("replay from disk (SHARED), 8192 B"));
        assert!(t[2].1 && t[3].1, "{:?}", t);
        assert!(!t[4].1);
    }
}
