//! Replays a recording range and checks every message against the reference ([`crate::payload`]).

use std::error::Error;
use std::time::{Duration, Instant};

use rusteron_archive::*;

use crate::payload::Verifier;

/// Replay stream ids start here (one per replay, so replays never mix).
const REPLAY_STREAM_BASE: i32 = 20_000;

/// The outcome of one replay check.
#[derive(Debug)]
pub struct Checked {
    /// Bytes (stream positions) from the start that replayed identical to what was sent.
    pub verified: i64,
    /// Bytes below the stop position that did not (0 unless something was lost).
    pub lost: i64,
    /// Why bytes were counted as lost.
    pub error: Option<String>,
}

/// Replays `[start, stop)` of `d` on IPC and checks it; `nth` picks a unique replay stream id.
pub fn check(
    archive: &AeronArchive,
    d: &AeronArchiveRecordingDescriptor,
    stop: i64,
    seed: u64,
    nth: i32,
) -> Result<Checked, Box<dyn Error>> {
    let mut v = Verifier::new(seed, i64::from(d.term_buffer_length), d.start_position);
    if stop > d.start_position && v.error.is_none() {
        let params = AeronArchiveReplayParams::range(d.start_position, stop - d.start_position);
        let stream = REPLAY_STREAM_BASE + nth.rem_euclid(10_000);
        let sub = archive.replay(d.recording_id, "aeron:ipc?term-length=64k", stream, &params)?;
        let mut last_progress = Instant::now();
        while v.reached() < stop && v.error.is_none() {
            let before = v.position;
            sub.poll_once(|msg: &[u8], _h: AeronHeader<'_>| v.on_message(msg), 64)?;
            if v.position != before {
                last_progress = Instant::now();
            } else if last_progress.elapsed() > Duration::from_secs(15) {
                v.error = Some(format!("replay stalled at {} of {stop}", v.reached()));
            } else {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        if v.position > stop && v.error.is_none() {
            v.error = Some(format!(
                "replay passed the stop position {stop}: {}",
                v.position
            ));
        }
    }
    let verified = v.reached().min(stop) - d.start_position;
    let lost = stop - d.start_position - verified.max(0);
    Ok(Checked {
        verified: verified.max(0),
        lost,
        error: v.error,
    })
}
