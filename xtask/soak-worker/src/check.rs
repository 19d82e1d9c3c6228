//! `check`: after a restart, replays every stopped recording of an archive from its start to its stop
//! position and compares it with the reference. Prints one JSON object per recording and a summary line.

use std::error::Error;

use serde_json::json;

use crate::client;
use crate::replay;

/// Options of `check`.
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Aeron directory of a media driver to use.
    #[arg(long)]
    pub aeron_dir: String,
    /// Control request channel of the archive to check.
    #[arg(long)]
    pub control: String,
    /// Seed of the reference payloads.
    #[arg(long)]
    pub seed: u64,
    /// Only recordings with an id at least this (older ones were checked after an earlier restart).
    #[arg(long, default_value_t = 0)]
    pub from_id: i64,
    /// Also these recording ids, whatever `--from-id` says (spot checks of old recordings).
    #[arg(long, value_delimiter = ',')]
    pub also: Vec<i64>,
    /// First wait up to this many seconds for every recording to be stopped (replications whose source
    /// died stop when their image goes away).
    #[arg(long, default_value_t = 0)]
    pub wait_stopped_secs: u64,
}

/// Runs `check`.
pub fn run(o: &Options) -> Result<(), Box<dyn Error>> {
    let aeron = client::aeron(&o.aeron_dir, "soak-check")?;
    let archive = client::archive(&aeron, &o.control)?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(o.wait_stopped_secs);
    let mut all = client::recordings(&archive)?;
    while all.iter().any(|d| d.stop_position < 0) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(500));
        all = client::recordings(&archive)?;
    }
    let (mut verified, mut lost, mut active) = (0i64, 0i64, 0);
    for (n, d) in all.iter().enumerate() {
        if d.recording_id < o.from_id && !o.also.contains(&d.recording_id) {
            continue;
        }
        let stop = if d.stop_position < 0 {
            active += 1;
            archive
                .get_recording_position(d.recording_id)
                .unwrap_or(d.start_position)
        } else {
            d.stop_position
        };
        let c = replay::check(&archive, d, stop, o.seed, n as i32)?;
        verified += c.verified;
        lost += c.lost;
        println!(
            "{}",
            json!({"recordingId": d.recording_id, "streamId": d.stream_id, "channel": d.original_channel,
                   "start": d.start_position, "stop": d.stop_position, "checkedTo": stop,
                   "verified": c.verified, "lost": c.lost, "error": c.error})
        );
    }
    println!(
        "{}",
        json!({"summary": true, "recordings": all.len(), "active": active, "verified": verified, "lost": lost})
    );
    Ok(())
}
