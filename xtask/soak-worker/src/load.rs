//! `load`: the traffic of one soak cycle, until the process is killed. Every `--stream` gets a recording
//! (StartRecording, local source) and an exclusive publication that sends the reference messages
//! ([`crate::payload`]) at a steady pace; a second thread replays earlier, stopped recordings and checks
//! them; with `--replica`, the first stream's live recording is replicated to the second archive, and
//! the newest stopped recording too (replication after a restart).
//!
//! stdout is the publishers' log: `sent key=K recording=R position=P index=I` lines (the position after
//! message I), `replayed ...`, `replicating ...`, and `MISMATCH ...` if a replay differed.

use std::error::Error;
use std::time::{Duration, Instant};

use rusteron_archive::*;

use crate::client::{self, retry, DEADLINE};
use crate::payload;
use crate::replay;

/// Options of `load`.
#[derive(clap::Args, Debug)]
pub struct Options {
    /// Aeron directory of the media driver.
    #[arg(long)]
    pub aeron_dir: String,
    /// Control request channel of the archive.
    #[arg(long)]
    pub control: String,
    /// Control request channel of a second archive to replicate into.
    #[arg(long)]
    pub replica: Option<String>,
    /// Seed of the reference payloads.
    #[arg(long)]
    pub seed: u64,
    /// This cycle's number: publication keys are `cycle * 100 + stream index`.
    #[arg(long)]
    pub cycle: u32,
    /// `channel@streamId` of each publication (repeat).
    #[arg(long = "stream", required = true)]
    pub streams: Vec<String>,
    /// Pause between two rounds of offers (one message per stream per round), in microseconds.
    #[arg(long, default_value_t = 2000)]
    pub interval_us: u64,
}

struct Publisher {
    key: u32,
    recording_id: i64,
    publication: AeronExclusivePublication,
    index: u64,
    position: i64,
}

/// Runs `load` (returns only on an error).
pub fn run(o: &Options) -> Result<(), Box<dyn Error>> {
    let replays = {
        let (dir, control, seed) = (o.aeron_dir.clone(), o.control.clone(), o.seed);
        std::thread::spawn(move || {
            if let Err(e) = replay_loop(&dir, &control, seed) {
                println!("replayer stopped: {e}");
            }
        })
    };
    let aeron = client::aeron(&o.aeron_dir, "soak-load")?;
    let archive = client::archive(&aeron, &o.control)?;
    let before = client::recordings(&archive)?;
    let mut publishers = Vec::new();
    for (k, spec) in o.streams.iter().enumerate() {
        let (channel, stream) = spec
            .rsplit_once('@')
            .ok_or("--stream is channel@streamId")?;
        let stream: i32 = stream.parse()?;
        archive.start_recording(
            channel,
            stream,
            AeronArchiveSourceLocation::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL,
            false,
        )?;
        let publication = aeron
            .async_add_exclusive_publication(channel, stream)?
            .poll_blocking(DEADLINE)?;
        let session = publication.constants()?.session_id;
        let recording_id = retry("the recording to start", || {
            let mut found = None;
            archive.list_recordings_for_uri(0, i32::MAX, "", stream, |d| {
                if d.session_id == session && d.stop_position < 0 {
                    found = Some(d.recording_id);
                }
            })?;
            Ok(found)
        })?;
        let key = o.cycle * 100 + k as u32;
        println!("recording key={key} recording={recording_id} channel={channel} stream={stream} session={session}");
        publishers.push(Publisher {
            key,
            recording_id,
            publication,
            index: 0,
            position: 0,
        });
    }
    if let Some(replica) = &o.replica {
        replicate(
            &aeron,
            replica,
            &o.control,
            publishers[0].recording_id,
            &before,
        )?;
    }
    let mut last_log = Instant::now();
    loop {
        for p in publishers.iter_mut() {
            let msg = payload::message(o.seed, p.key, p.index);
            let r = p
                .publication
                .offer(&msg, Handlers::no_reserved_value_supplier_handler());
            if r > 0 {
                p.index += 1;
                p.position = r;
            }
        }
        if last_log.elapsed() > Duration::from_millis(100) {
            for p in &publishers {
                println!(
                    "sent key={} recording={} position={} index={}",
                    p.key, p.recording_id, p.position, p.index
                );
            }
            last_log = Instant::now();
        }
        if replays.is_finished() {
            return Err("the replay thread stopped".into());
        }
        std::thread::sleep(Duration::from_micros(o.interval_us));
    }
}

/// Replicates the live recording `live` and the newest stopped recording of `before` into the archive at
/// `replica`; reports its signals and errors on stdout from a thread of its own.
fn replicate(
    aeron: &Aeron,
    replica: &str,
    source: &str,
    live: i64,
    before: &[AeronArchiveRecordingDescriptor],
) -> Result<(), Box<dyn Error>> {
    let dst = client::archive(aeron, replica)?;
    let mut ids = vec![live];
    if let Some(d) = before.iter().rev().find(|d| d.stop_position >= 0) {
        ids.push(d.recording_id);
    }
    for id in ids {
        let r = dst.replicate(id, source, 10, &AeronArchiveReplicationParams::default())?;
        println!("replicating recording={id} replication={r}");
    }
    // The replica's error responses (a source that died) are the "clear error" the soak expects.
    std::thread::spawn(move || loop {
        match dst.poll_for_error() {
            Ok(Some(e)) => println!("replication error: {e}"),
            Ok(None) => {}
            Err(e) => {
                println!("replica connection lost: {e}");
                return;
            }
        }
        let _ = dst.poll_for_recording_signals();
        std::thread::sleep(Duration::from_millis(50));
    });
    Ok(())
}

/// Replays stopped recordings, one after the other, and checks them (concurrent replays during recording).
fn replay_loop(aeron_dir: &str, control: &str, seed: u64) -> Result<(), Box<dyn Error>> {
    let aeron = client::aeron(aeron_dir, "soak-replay")?;
    let archive = client::archive(&aeron, control)?;
    let mut n = 0;
    loop {
        let stopped: Vec<_> = client::recordings(&archive)?
            .into_iter()
            .filter(|d| d.stop_position >= 0)
            .collect();
        if stopped.is_empty() {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        let d = &stopped[(payload::mix(n as u64) % stopped.len() as u64) as usize];
        let c = replay::check(&archive, d, d.stop_position, seed, 5000 + n)?;
        match &c.error {
            None => println!("replayed recording={} bytes={}", d.recording_id, c.verified),
            Some(e) => println!(
                "MISMATCH recording={} verified={} lost={} {e}",
                d.recording_id, c.verified, c.lost
            ),
        }
        n += 1;
        std::thread::sleep(Duration::from_millis(300));
    }
}
