//! `cargo xtask bench --ops`: the per-operation table of docs/benchmarks.md, from the `client_ops` bench
//! (crates/rusteron-client/benches/client_ops.rs), which runs every hot operation through our API and the
//! same C call made directly through `aeron-sys`, on the same publication, subscription or image.
//!
//! 1. **instructions**: the bench runs each operation `CALLGRIND_OPS` times (polls of 10 fragments a tenth
//!    of that) under `valgrind --tool=callgrind`; each operation is its own `#[inline(never)]` function,
//!    and its inclusive instructions divided by its calls are the instructions per operation;
//! 2. **time** (unless `--ops-callgrind-only`): the same bench under criterion, median ns per operation.
//!
//! The rows (label, criterion group, the C and our function) come from the bench itself
//! (`RUSTERON_OPS_LIST=1`), so a new operation only needs a row there.

use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::build::cargo_executable;
use super::callgrind_file::Profile;
use super::report::Machine;
use crate::tools::ToolEnv;

pub const BEGIN: &str = "<!-- cargo xtask bench --ops: generated from here -->";
pub const END: &str = "<!-- cargo xtask bench --ops: generated up to here -->";

/// Operations per function under callgrind (polls of 10 fragments: a tenth).
const CALLGRIND_OPS: u64 = 2560;

/// One row of the bench's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub group: String,
    pub c: String,
    pub ours: String,
}

/// A row's figures: instructions per operation and, when timed, median ns per operation (C, ours).
#[derive(Debug, Clone)]
pub struct Figures {
    pub row: Row,
    pub instructions: (f64, f64),
    pub nanos: Option<(f64, f64)>,
}

/// What the run measured.
pub struct Results {
    pub rows: Vec<Figures>,
    pub valgrind: String,
    pub load: (String, String),
}

/// Parses `RUSTERON_OPS_LIST=1` output: `label \t group \t c \t ours` per line.
pub fn parse_rows(text: &str) -> Result<Vec<Row>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            match f.as_slice() {
                [label, group, c, ours] => Ok(Row {
                    label: label.to_string(),
                    group: group.to_string(),
                    c: c.to_string(),
                    ours: ours.to_string(),
                }),
                _ => bail!("unexpected row from the bench: {l:?}"),
            }
        })
        .collect()
}

/// Inclusive instructions per call of `client_ops::<function>`.
fn per_call(p: &Profile, function: &str) -> Result<f64> {
    let name = format!("client_ops::{function}");
    let calls = p.calls_of(&name);
    if calls == 0 {
        bail!("{name} was not called under callgrind");
    }
    let inclusive = p.inclusive.get(&name).copied().unwrap_or(0);
    Ok(inclusive as f64 / calls as f64)
}

/// Median ns per iteration of criterion's `group/function` run, from its `estimates.json`.
fn criterion_median(home: &Path, group: &str, function: &str) -> Result<f64> {
    let path = home
        .join(group)
        .join(function)
        .join("new")
        .join("estimates.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    v["median"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("no median in {}", path.display()))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Builds the bench, counts instructions, and (with `timed`) runs criterion.
pub fn run(env: &ToolEnv, bench_dir: &Path, timed: bool) -> Result<Results> {
    let exe = cargo_executable(
        &["-p", "rusteron-client", "--bench", "client_ops"],
        "client_ops",
        env,
    )?;
    let list = Command::new(&exe)
        .env("RUSTERON_OPS_LIST", "1")
        .output()
        .context("listing the operations")?;
    if !list.status.success() {
        bail!("{} RUSTERON_OPS_LIST=1 failed", exe.display());
    }
    let rows = parse_rows(&String::from_utf8_lossy(&list.stdout))?;
    let valgrind = Command::new("valgrind")
        .arg("--version")
        .output()
        .context("valgrind is needed (apt-get install valgrind)")?;
    let valgrind = String::from_utf8_lossy(&valgrind.stdout).trim().to_string();
    let before = load_average();

    let out = bench_dir.join("ops.callgrind");
    println!("xtask bench --ops: instructions per operation under callgrind");
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(&exe)
        .env("RUSTERON_OPS_CALLGRIND", CALLGRIND_OPS.to_string())
        .status()
        .context("running valgrind")?;
    if !status.success() {
        bail!("client_ops under callgrind failed ({status})");
    }
    let profile = Profile::read(&out)?;

    let home = bench_dir.join("ops-criterion");
    if timed {
        println!("xtask bench --ops: criterion (a few minutes)");
        let status = Command::new(&exe)
            .arg("--bench")
            .env("CRITERION_HOME", &home)
            .status()
            .context("running criterion")?;
        if !status.success() {
            bail!("client_ops under criterion failed ({status})");
        }
    }
    let mut figures = Vec::new();
    for row in rows {
        let instructions = (per_call(&profile, &row.c)?, per_call(&profile, &row.ours)?);
        let nanos = if timed {
            Some((
                criterion_median(&home, &row.group, "c")?,
                criterion_median(&home, &row.group, "rusteron")?,
            ))
        } else {
            None
        };
        figures.push(Figures {
            row,
            instructions,
            nanos,
        });
    }
    Ok(Results {
        rows: figures,
        valgrind,
        load: (before, load_average()),
    })
}

/// The markdown table.
pub fn table(r: &Results) -> String {
    let timed = r.rows.iter().all(|f| f.nanos.is_some());
    let mut s = String::new();
    if timed {
        s.push_str("| operation | C instructions | ours | ×C | C ns | ours ns | ×C |\n|---|---:|---:|---:|---:|---:|---:|\n");
    } else {
        s.push_str("| operation | C instructions | ours | ×C |\n|---|---:|---:|---:|\n");
    }
    for f in &r.rows {
        let (c, o) = f.instructions;
        let _ = write!(
            s,
            "| {} | {} | {} | {:.3} |",
            f.row.label,
            fmt(c),
            fmt(o),
            o / c
        );
        if let Some((cn, on)) = f.nanos {
            let _ = write!(s, " {cn:.2} | {on:.2} | {:.3} |", on / cn);
        }
        s.push('\n');
    }
    s
}

/// Whole numbers without decimals (most rows), others with one.
fn fmt(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The generated section of docs/benchmarks.md.
pub fn generated(r: &Results, machine: &Machine) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{BEGIN}\n");
    let timed = r.rows.iter().all(|f| f.nanos.is_some());
    let _ = writeln!(
        s,
        "Measured {} on `nproc` = {}, {} ({}); load average (1, 5, 15 min) before: {}, after: {}. \
         Instructions: inclusive instructions per call of each `op_*` function ({CALLGRIND_OPS} calls, polls \
         of 10 fragments {}), including the C client's own. {}\n",
        machine.date,
        machine.nproc,
        machine.cpu,
        r.valgrind,
        r.load.0,
        r.load.1,
        CALLGRIND_OPS / 10,
        if timed {
            "Time: criterion median ns per operation (30 samples; wall clock, noisy on a shared machine)."
        } else {
            "Time: not measured in this run (`--ops-callgrind-only`)."
        }
    );
    s.push_str(&table(r));
    let _ = writeln!(s, "\n{END}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_table() {
        let rows = parse_rows("`offer`\toffer\top_c\top_ours\n\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].ours, "op_ours");
        assert!(parse_rows("two\tfields\n").is_err());
        let r = Results {
            rows: vec![Figures {
                row: rows[0].clone(),
                instructions: (125.0, 131.5),
                nanos: Some((8.0, 9.0)),
            }],
            valgrind: "valgrind-3.19.0".into(),
            load: ("1".into(), "2".into()),
        };
        let t = table(&r);
        assert!(
            t.contains("| `offer` | 125 | 131.5 | 1.052 | 8.00 | 9.00 | 1.125 |"),
            "{t}"
        );
    }

    #[test]
    fn per_call_divides_inclusive_by_calls() {
        let p = Profile::parse(
            "summary: 100\nfn=(1) main\ncfn=(2) client_ops::op_x\ncalls=4 1\n1 40\nfn=(2)\n1 40\ntotals: 100\n",
        )
        .unwrap();
        assert_eq!(per_call(&p, "op_x").unwrap(), 10.0);
        assert!(per_call(&p, "op_y").is_err());
    }
}
