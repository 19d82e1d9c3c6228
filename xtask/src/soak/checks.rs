//! What is checked around every fault: the tool's prediction on the dead archive (`verify --dry-run`),
//! the tool's verdicts on the restarted one, and the worker's replays against the reference.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

use super::procs;
use super::setup::ArchiveSetup;
use super::Bins;

/// The tool's `verify --dry-run` of a dead archive: the stop position recovery will give each recording.
#[derive(Debug, Default)]
pub struct Prediction {
    /// recording id -> predicted stop position.
    pub stops: BTreeMap<i64, i64>,
    /// Bytes of torn frames recovery will cut.
    pub torn_bytes: i64,
    /// Recordings `verify` found INVALID, with the reason.
    pub invalid: Vec<String>,
}

fn tool_json(bins: &Bins, dir: &Path, args: &[&str]) -> Result<Value> {
    let mut a = vec![dir.display().to_string(), "--json".to_owned()];
    a.extend(args.iter().map(|s| s.to_string()));
    let (code, out, err) = procs::output(&bins.tool, &a)?;
    let json: Value = serde_json::from_str(&out).with_context(|| {
        format!(
            "rusteron-archive-tool {} (exit {code}) printed no JSON: {out}{err}",
            a.join(" ")
        )
    })?;
    Ok(json)
}

fn invalid_of(json: &Value) -> Vec<String> {
    let mut invalid = Vec::new();
    for r in json["recordings"].as_array().into_iter().flatten() {
        if r["status"] != "VALID" {
            invalid.push(format!(
                "recording {}: {} {}",
                r["recordingId"], r["status"], r["reason"]
            ));
        }
    }
    if let Some(p) = json["catalogProblems"].as_array().filter(|p| !p.is_empty()) {
        invalid.push(format!("catalog: {p:?}"));
    }
    invalid
}

/// `verify --dry-run` on the (dead) archive: what recovery will do.
pub fn predict(bins: &Bins, a: &ArchiveSetup) -> Result<Prediction> {
    let mut args = vec!["verify", "--dry-run"];
    if let Some(c) = a.record_checksum {
        args.extend(["-checksum", c]);
    }
    let json = tool_json(bins, &a.archive_dir, &args)?;
    let mut p = Prediction {
        invalid: invalid_of(&json),
        ..Prediction::default()
    };
    for r in json["recordings"].as_array().into_iter().flatten() {
        let id = r["recordingId"].as_i64().context("recordingId")?;
        let stop = r["newStopPosition"]
            .as_i64()
            .or_else(|| r["stopPosition"].as_i64())
            .context("stopPosition")?;
        p.stops.insert(id, stop);
        p.torn_bytes += r["tornFrame"]["length"].as_i64().unwrap_or(0);
    }
    Ok(p)
}

/// `verify --dry-run` (optionally `-a`) on a running or stopped archive: the INVALID recordings with reasons.
pub fn verify(bins: &Bins, a: &ArchiveSetup, all_segments: bool) -> Result<Vec<String>> {
    let mut args = vec!["verify", "--dry-run"];
    if all_segments {
        args.push("-a");
    }
    if let Some(c) = a.record_checksum {
        args.extend(["-checksum", c]);
    }
    Ok(invalid_of(&tool_json(bins, &a.archive_dir, &args)?))
}

/// One recording as the worker's `check` replayed it.
#[derive(Debug)]
pub struct Replayed {
    pub id: i64,
    pub stop: i64,
    pub verified: i64,
    pub lost: i64,
    pub error: Option<String>,
}

/// Runs the worker's `check` against `a` (from recording `from_id` on, plus `also`), after waiting up to
/// `wait_stopped_secs` for every recording to be stopped.
pub fn replay_all(
    bins: &Bins,
    a: &ArchiveSetup,
    seed: u64,
    from_id: i64,
    also: &[i64],
    wait_stopped_secs: u64,
) -> Result<Vec<Replayed>> {
    let mut args = vec![
        "check".to_owned(),
        format!("--aeron-dir={}", a.aeron_dir.display()),
        format!("--control={}", a.control),
        format!("--seed={seed}"),
        format!("--from-id={from_id}"),
        format!("--wait-stopped-secs={wait_stopped_secs}"),
    ];
    if !also.is_empty() {
        args.push(format!(
            "--also={}",
            also.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    let (code, out, err) = procs::output(&bins.worker, &args)?;
    if code != 0 {
        bail!(
            "the replay check of the {} failed (exit {code}): {err}",
            a.name
        );
    }
    let mut all = Vec::new();
    for line in out.lines() {
        let v: Value =
            serde_json::from_str(line).with_context(|| format!("worker check printed {line}"))?;
        if v["summary"] == true {
            continue;
        }
        all.push(Replayed {
            id: v["recordingId"].as_i64().context("recordingId")?,
            stop: v["stop"].as_i64().context("stop")?,
            verified: v["verified"].as_i64().context("verified")?,
            lost: v["lost"].as_i64().context("lost")?,
            error: v["error"].as_str().map(str::to_owned),
        });
    }
    Ok(all)
}
