//! Who limits recording and replay: the disk, the publisher, or the archive?
//! (`cargo bench -p rusteron-archive-server --bench limits`, or `cargo xtask bench-archive`, which also
//! counts instructions under callgrind and writes the table into docs/archive-server.md).
//!
//! For each message size (32 B, 256 B, 1 KiB, 8 KiB) it measures, in one run, on one embedded media driver:
//! - **disk**: sequential write of 256 MiB to the disk dir, with `fsync` and without, and a cold read of it;
//! - **write**: a new file of the run's size written without `fsync` in the row's dir (page cache or tmpfs);
//! - **ceiling**: the same publisher into the same driver, consumed by a no-op `block_poll` in this process
//!   (what a recording could at most reach on this machine with this publisher);
//! - **floors** of the archive's design: a block-poll + `pwrite` consumer, and a `pread` + `offer_block`
//!   replay loop, in this process;
//! - **record** to the disk dir and to a tmpfs dir (`/dev/shm`), **replay** of what was recorded, and
//!   **record while replaying**, with the CPU time of the archive's threads;
//! - **1, 4 and 16 concurrent recordings** of 1 KiB messages (aggregate throughput) and their ceilings;
//!
//! Each repetition measures the references, the floors and the archive back to back; the table reports
//! medians, ranges, and medians of the per-repetition ratios: record / min(write, ceiling), replay / ceiling,
//! and each against its floor.
//!
//! `limits callgrind-record <dir>` and `limits callgrind-floor <dir>` are the two programs `cargo xtask
//! bench-archive` runs under callgrind: a recording of 64 MiB of 1 KiB messages by the archive, and the
//! floor of this design, a loop that only block-polls the image and `pwrite`s each block.
//!
//! Environment: `RUSTERON_BENCH_MIB` (payload per run, default 256), `RUSTERON_BENCH_REPS` (repetitions,
//! default 5), `RUSTERON_BENCH_SIZES` (comma-separated message sizes), `RUSTERON_BENCH_MODES`
//! (comma-separated threading modes, default `SHARED,DEDICATED`), `RUSTERON_BENCH_DIRS` (comma-separated,
//! default `disk,tmpfs`), `RUSTERON_BENCH_OUT` (also write the table to this file).

#[path = "../tests/ops_support/mod.rs"]
mod ops_support;

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ops_support::{CArchive, Setup};
use rusteron_archive_server::{ArchiveConfig, ArchiveServer, ThreadingMode};
use rusteron_client::{
    Aeron, AeronBlockHandlerCallback, AeronContext, AeronExclusivePublication, AeronSubscription,
    Handlers,
};
use rusteron_media_driver::{MediaDriver, MediaDriverBuilder, ThreadingMode as DriverThreading};

const MB: f64 = 1_000_000.0;
const MIB: u64 = 1024 * 1024;
const TERM: &str = "term-length=16m";

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Frame length on the log of a message of `size` bytes.
/// (A message longer than an IPC frame's payload, MTU 1408 - 32 header bytes, is sent as several frames.)
fn frame_length(size: usize) -> u64 {
    const MAX_PAYLOAD: usize = 1408 - 32;
    let aligned = |payload: usize| (32 + payload).div_ceil(32) * 32;
    let (full, rest) = (size / MAX_PAYLOAD, size % MAX_PAYLOAD);
    let last = if rest > 0 || full == 0 {
        aligned(rest)
    } else {
        0
    };
    (full * aligned(MAX_PAYLOAD) + last) as u64
}

/// One embedded media driver for the whole run (shared threading, Aeron dir in /dev/shm).
///
/// Its term buffers are not sparse files: the driver writes every page of a new publication's log when it
/// creates it, so the kernel's first-touch zeroing of the log (17.6 % of all samples in a profile of the
/// sparse default) happens before a measured run starts, not inside it.
struct Driver {
    _driver: MediaDriver,
    _shm: tempfile::TempDir,
    aeron_dir: PathBuf,
}

impl Driver {
    fn start() -> Driver {
        let shm = tempfile::Builder::new()
            .prefix("rusteron-limits-")
            .tempdir_in("/dev/shm")
            .unwrap();
        let aeron_dir = shm.path().join("aeron");
        let driver = MediaDriverBuilder::new()
            .dir(aeron_dir.display().to_string())
            .threading_mode(DriverThreading::Shared)
            .dir_delete_on_start(true)
            .term_buffer_sparse_file(false)
            .spies_simulate_connection(true)
            .launch()
            .unwrap();
        Driver {
            _driver: driver,
            _shm: shm,
            aeron_dir,
        }
    }

    fn client(&self) -> Aeron {
        let ctx = AeronContext::new().unwrap();
        ctx.set_dir(&self.aeron_dir.display().to_string()).unwrap();
        let aeron = Aeron::new(&ctx).unwrap();
        aeron.start().unwrap();
        aeron
    }
}

/// An archive server on `archive_dir` with a C archive client connected to it.
struct Archive {
    client: CArchive,
    server: ArchiveServer,
}

/// A recorded publication: the publication, its recording, the recording's RecordingPos counter and the
/// recording subscription.
struct Recorded {
    publication: AeronExclusivePublication,
    recording_id: i64,
    counter_id: i32,
    subscription_id: i64,
}

impl Archive {
    fn start(driver: &Driver, archive_dir: &Path, mode: ThreadingMode) -> Archive {
        let setup = Setup {
            aeron_dir: driver.aeron_dir.clone(),
            archive_dir: archive_dir.to_path_buf(),
            control_channel: format!("aeron:udp?endpoint=127.0.0.1:{}", ops_support::free_port()),
        };
        let config = ArchiveConfig {
            aeron_dir: Some(driver.aeron_dir.clone()),
            archive_dir: setup.archive_dir.clone(),
            control_channel: Some(setup.control_channel.clone()),
            replication_channel: Some("aeron:udp?endpoint=127.0.0.1:0".into()),
            delete_archive_dir_on_start: true,
            // Finished streams stay recorded until their images linger out; room for all of them.
            max_concurrent_recordings: 100,
            threading_mode: mode,
            ..ArchiveConfig::default()
        };
        let server = ArchiveServer::launch(config).unwrap();
        let client = if mode == ThreadingMode::Invoker {
            // The duty cycle runs on a helper thread while the client connects.
            let connecting = AtomicBool::new(true);
            std::thread::scope(|scope| {
                scope.spawn(|| invoke_while(&server, &connecting));
                let client = CArchive::connect(&setup).unwrap();
                connecting.store(false, Ordering::Release);
                client
            })
        } else {
            CArchive::connect(&setup).unwrap()
        };
        Archive { client, server }
    }

    /// Starts recording `channel`/`stream`, adds the publication, and returns it with its recording once the
    /// recording started.
    fn record(&self, channel: &str, stream: i32) -> Recorded {
        // Recording ids are never reused, purged or not: the new one is above every id listed so far.
        let newest = |from: i64| {
            self.client
                .list_recordings_from(from, i32::MAX)
                .unwrap()
                .iter()
                .map(|r| r.0)
                .max()
        };
        let before = newest(0).unwrap_or(-1);
        let subscription_id = self.client.start_recording(channel, stream).unwrap();
        let publication = self
            .client
            .aeron
            .add_exclusive_publication(channel, stream, Duration::from_secs(10))
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(recording_id) = newest(before + 1) {
                if let Some(counter_id) = recording_counter(&self.client.aeron, recording_id) {
                    return Recorded {
                        publication,
                        recording_id,
                        counter_id,
                        subscription_id,
                    };
                }
            }
            assert!(
                Instant::now() < deadline,
                "the recording of stream {stream} did not start"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Closes the publication, stops the recording and purges it, so that recordings of earlier runs neither
    /// fill memory (tmpfs) nor leave dirty pages for the kernel to write back during later runs.
    fn discard(&self, recorded: Recorded) {
        drop(recorded.publication);
        self.client
            .stop_recording_subscription(recorded.subscription_id)
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Err(e) = self.client.purge_recording(recorded.recording_id) {
            // The recording stops once its image is gone after the publication closed.
            assert!(
                Instant::now() < deadline,
                "recording {} was not purged: {e:?}",
                recorded.recording_id
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until `recorded` reached `position`, reading its RecordingPos counter (no control request
    /// that would cost the archive and the driver work during the measured run).
    fn wait_recorded(&self, recorded: &Recorded, position: i64) {
        let reader = self.client.aeron.counters_reader();
        let deadline = Instant::now() + Duration::from_secs(300);
        while reader.get_counter_value(recorded.counter_id) < position {
            assert!(
                Instant::now() < deadline,
                "recording {} did not reach {position}",
                recorded.recording_id
            );
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

/// INVOKER mode: runs the archive's duty cycle until `flag` is cleared.
fn invoke_while(server: &ArchiveServer, flag: &AtomicBool) {
    while flag.load(Ordering::Acquire) {
        if server.invoke() == 0 {
            std::thread::sleep(Duration::from_micros(50));
        }
    }
}

/// The RecordingPos counter of `recording_id` (type 100, recording id first in its key).
fn recording_counter(aeron: &Aeron, recording_id: i64) -> Option<i32> {
    let mut found = None;
    aeron
        .counters_reader()
        .foreach_counter(|_value, id, type_id, key, _label| {
            if type_id == 100 && key.len() >= 8 && key[..8] == recording_id.to_le_bytes() {
                found = Some(id);
            }
        });
    found
}

/// Offers `n` messages of `msg` round-robin over `publications`, retrying on back pressure; returns the
/// last position of each.
fn publish(publications: &[&AeronExclusivePublication], msg: &mut [u8], n: u64) -> Vec<i64> {
    let mut positions = vec![0; publications.len()];
    for i in 0..n {
        let k = (i % publications.len() as u64) as usize;
        msg[..8].copy_from_slice(&i.to_le_bytes());
        loop {
            let r = publications[k].offer(msg, Handlers::no_reserved_value_supplier_handler());
            if r > 0 {
                positions[k] = r;
                break;
            }
            // Back pressure: give the core to the consumer (2 cores are shared by the publisher, the driver
            // and the consumer or archive), as Java's recording throughput benchmark yields.
            std::thread::yield_now();
        }
    }
    positions
}

/// Counts the bytes of the blocks it is given and, with a file, `pwrite`s each block at the next offset
/// (the floor of the archive's recorder design).
struct Consume {
    bytes: u64,
    file: Option<File>,
}

impl AeronBlockHandlerCallback for Consume {
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], _session_id: i32, _term_id: i32) {
        if let Some(file) = &self.file {
            file.write_all_at(buffer, self.bytes).unwrap();
        }
        self.bytes += buffer.len() as u64;
    }
}

/// Block-polls `subs` in turn on its own thread until `bytes` bytes arrived in all, doing nothing with them;
/// returns when done.
fn drain(subs: Vec<AeronSubscription>, bytes: u64) -> std::thread::JoinHandle<Duration> {
    drain_into(subs, bytes, None)
}

/// Block-polls `subs` in turn on its own thread until `bytes` bytes arrived in all: blocks of up to 4 MiB
/// that it only counts, or, with a file, blocks of up to 1 MiB (the archive's block limit) that it
/// `pwrite`s to the file. Returns the time from the first block to the last.
fn drain_into(
    subs: Vec<AeronSubscription>,
    bytes: u64,
    file: Option<File>,
) -> std::thread::JoinHandle<Duration> {
    std::thread::spawn(move || {
        let block = if file.is_some() { MIB } else { 4 * MIB } as usize;
        let mut count = Consume { bytes: 0, file };
        let mut started: Option<Instant> = None;
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut idle = 0u64;
        while count.bytes < bytes {
            let mut n = 0;
            for sub in &subs {
                n += sub.block_poll(&mut count, block).unwrap_or(0);
            }
            if n > 0 && started.is_none() {
                started = Some(Instant::now());
            }
            if n == 0 {
                idle += 1;
                if idle % 1024 == 0 {
                    assert!(
                        Instant::now() < deadline,
                        "drain stalled at {} of {bytes} bytes",
                        count.bytes
                    );
                }
                std::thread::yield_now();
            }
        }
        started.map(|s| s.elapsed()).unwrap_or_default()
    })
}

/// Sequential write (with and without fsync) and cold read speed in MB/s of a 256 MiB file in `dir`.
fn disk_speed(dir: &Path) -> (f64, f64, f64) {
    const LENGTH: u64 = 256 * MIB;
    let path = dir.join("disk-speed.bin");
    let chunk = vec![0x5Au8; MIB as usize];
    let write = |sync: bool| {
        let _ = std::fs::remove_file(&path);
        let start = Instant::now();
        let mut f = File::create(&path).unwrap();
        for _ in 0..LENGTH / MIB {
            f.write_all(&chunk).unwrap();
        }
        if sync {
            f.sync_all().unwrap();
        }
        let mbs = LENGTH as f64 / MB / start.elapsed().as_secs_f64();
        f.sync_all().unwrap();
        mbs
    };
    let no_sync = write(false).max(write(false));
    let synced = write(true);
    let f = File::open(&path).unwrap();
    // SAFETY: advisory call on an open descriptor: drop the file's pages from the page cache.
    unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    let mut buf = vec![0u8; MIB as usize];
    let start = Instant::now();
    let mut f = f;
    while f.read(&mut buf).unwrap() > 0 {}
    let read = LENGTH as f64 / MB / start.elapsed().as_secs_f64();
    std::fs::remove_file(&path).unwrap();
    (synced, no_sync, read)
}

/// Payload MB/s of `messages` messages of `size` bytes in `elapsed`.
fn mbs(messages: u64, size: usize, elapsed: Duration) -> f64 {
    messages as f64 * size as f64 / MB / elapsed.as_secs_f64()
}

/// One measured run: payload MB/s, and the CPU the archive's threads used meanwhile, in cores (CPU time
/// over wall time; NaN where no archive runs).
#[derive(Clone, Copy)]
struct Run {
    mbs: f64,
    archive_cores: f64,
}

/// CPU time the archive's threads (`archive-*` but the mark-file keeper) of this process have used so far
/// (`/proc/self/task/*/schedstat`: time on a CPU, user and kernel, in nanoseconds).
fn archive_cpu() -> Duration {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.starts_with("archive-") && !comm.starts_with("archive-mark") {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            ns += stat
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_nanos(ns)
}

/// Measures the archive's CPU time around `f`, which returns the payload bytes and the wall time it measured.
fn with_archive_cpu(f: impl FnOnce() -> (f64, Duration)) -> Run {
    let cpu = archive_cpu();
    let wall = Instant::now();
    let (bytes, elapsed) = f();
    let cores = (archive_cpu() - cpu).as_secs_f64() / wall.elapsed().as_secs_f64();
    Run {
        mbs: bytes / MB / elapsed.as_secs_f64(),
        archive_cores: cores,
    }
}

/// Ceiling: the publisher, round-robin over `k` publications (one stream each), into a no-op block-poll
/// consumer in this process that polls the `k` subscriptions in turn on one thread (as one recorder polls its
/// recordings).
fn ceiling(
    aeron: &Aeron,
    size: usize,
    messages: u64,
    k: usize,
    mut stream: impl FnMut() -> i32,
) -> f64 {
    settle();
    let channel = format!("aeron:ipc?{TERM}");
    let mut subs = Vec::new();
    let mut publications = Vec::new();
    for _ in 0..k {
        let s = stream();
        subs.push(
            aeron
                .add_subscription(&channel, s, Duration::from_secs(10))
                .unwrap(),
        );
        publications.push(
            aeron
                .add_exclusive_publication(&channel, s, Duration::from_secs(10))
                .unwrap(),
        );
    }
    let consumer = drain(subs, messages * frame_length(size));
    let mut msg = vec![0xA5u8; size.max(8)];
    let start = Instant::now();
    publish(&publications.iter().collect::<Vec<_>>(), &mut msg, messages);
    consumer.join().unwrap();
    mbs(messages, size, start.elapsed())
}

/// Floor of the recorder's design: the publisher into a consumer in this process that block-polls the image
/// in blocks of up to 1 MiB and `pwrite`s each block to a new file in `dir` (what any recorder of this
/// design must at least do).
fn floor_record(aeron: &Aeron, dir: &Path, size: usize, messages: u64, stream: i32) -> f64 {
    settle();
    let channel = format!("aeron:ipc?{TERM}");
    let sub = aeron
        .add_subscription(&channel, stream, Duration::from_secs(10))
        .unwrap();
    let publication = aeron
        .add_exclusive_publication(&channel, stream, Duration::from_secs(10))
        .unwrap();
    let path = dir.join("floor-record.dat");
    let consumer = drain_into(
        vec![sub],
        messages * frame_length(size),
        Some(File::create(&path).unwrap()),
    );
    let mut msg = vec![0xA5u8; size.max(8)];
    let start = Instant::now();
    publish(&[&publication], &mut msg, messages);
    consumer.join().unwrap();
    let r = mbs(messages, size, start.elapsed());
    std::fs::remove_file(&path).unwrap();
    r
}

/// Floor of the replayer's design: this thread reads `length` bytes of a recording from its segment files
/// (`segments(position)` names the file and offset) with `pread` in blocks of up to 1 MiB that end on a
/// frame and inside a term, rewrites each frame's session and stream id, and sends each block with one
/// `offer_block` (padding with `append_padding`) to a fresh publication starting where the recording did
/// (`initial_term_id`), into a no-op block-poll consumer. What any replay of this design must at least do.
fn floor_replay(
    aeron: &Aeron,
    segments: impl Fn(i64) -> (PathBuf, u64),
    length: i64,
    initial_term_id: i32,
    size: usize,
    stream: i32,
) -> f64 {
    settle();
    const TERM_LENGTH: i64 = 16 * MIB as i64;
    let channel = format!(
        "aeron:ipc?{TERM}|init-term-id={initial_term_id}|term-id={initial_term_id}|term-offset=0"
    );
    let sub = aeron
        .add_subscription(&channel, stream, Duration::from_secs(10))
        .unwrap();
    let publication = aeron
        .add_exclusive_publication(&channel, stream, Duration::from_secs(10))
        .unwrap();
    let session_id = publication.constants().unwrap().session_id;
    let consumer = drain(vec![sub], length as u64);
    let mut buffer = vec![0u8; MIB as usize];
    let mut file: Option<(PathBuf, File)> = None;
    let mut position = 0i64;
    let start = Instant::now();
    while position < length {
        let (path, offset) = segments(position);
        if file.as_ref().is_none_or(|(p, _)| *p != path) {
            file = Some((path.clone(), File::open(&path).unwrap()));
        }
        let term_left = TERM_LENGTH - position % TERM_LENGTH;
        let want = (length - position).min(term_left).min(buffer.len() as i64) as usize;
        let read = file
            .as_ref()
            .unwrap()
            .1
            .read_at(&mut buffer[..want], offset)
            .unwrap();
        let block = &mut buffer[..read];
        let mut end = 0usize;
        let mut padding = None;
        while end + 32 <= block.len() {
            let frame_length = i32::from_le_bytes(block[end..end + 4].try_into().unwrap()) as usize;
            let aligned = frame_length.div_ceil(32) * 32;
            if u16::from_le_bytes([block[end + 6], block[end + 7]]) == 0 {
                if end == 0 {
                    padding = Some(frame_length);
                }
                break;
            }
            if end + aligned > block.len() {
                break;
            }
            block[end + 12..end + 16].copy_from_slice(&session_id.to_le_bytes());
            block[end + 16..end + 20].copy_from_slice(&stream.to_le_bytes());
            end += aligned;
        }
        loop {
            let r = match padding {
                Some(frame_length) => publication.append_padding(frame_length - 32),
                None => publication.offer_block(&block[..end]),
            };
            if r > 0 {
                break;
            }
            assert!(r == -2 || r == -3, "floor replay: offer failed ({r})");
            std::thread::yield_now();
        }
        position += padding.map_or(end, |l| l.div_ceil(32) * 32) as i64;
    }
    consumer.join().unwrap();
    mbs(length as u64 / frame_length(size), size, start.elapsed())
}

/// Publishes `messages` messages round-robin on `recorded`; payload MB/s until all of it is recorded.
fn record(archive: &Archive, recorded: &[Recorded], size: usize, messages: u64) -> Run {
    let publications: Vec<&AeronExclusivePublication> =
        recorded.iter().map(|r| &r.publication).collect();
    let mut msg = vec![0xA5u8; size.max(8)];
    with_archive_cpu(|| {
        let start = Instant::now();
        let positions = publish(&publications, &mut msg, messages);
        for (r, pos) in recorded.iter().zip(positions) {
            archive.wait_recorded(r, pos);
        }
        ((messages * size as u64) as f64, start.elapsed())
    })
}

/// Writes back every dirty page before a measured run, so that the kernel's write-back of what earlier runs
/// wrote does not fall into it.
fn settle() {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// Page-cache write speed in MB/s: `bytes` written in 1 MiB `write`s into a new file in `dir` without
/// `fsync` (what a recording at file sync level 0 writes into; on tmpfs, the speed of tmpfs).
fn page_cache_write(dir: &Path, bytes: u64) -> f64 {
    let path = dir.join("page-cache-write.bin");
    let chunk = vec![0x5Au8; MIB as usize];
    settle();
    let start = Instant::now();
    let mut f = File::create(&path).unwrap();
    for _ in 0..bytes.div_ceil(MIB) {
        f.write_all(&chunk).unwrap();
    }
    let mbs = bytes.div_ceil(MIB) as f64 * MIB as f64 / MB / start.elapsed().as_secs_f64();
    drop(f);
    std::fs::remove_file(&path).unwrap();
    mbs
}

/// Replays the first `length` bytes of `recording_id` into a block-poll consumer; payload MB/s.
fn replay(archive: &Archive, recording_id: i64, length: i64, size: usize, stream: i32) -> Run {
    let sub = archive
        .client
        .replay(
            recording_id,
            &format!("aeron:ipc?{TERM}"),
            stream,
            0,
            length,
        )
        .unwrap();
    with_archive_cpu(|| {
        let start = Instant::now();
        drain(vec![sub], length as u64).join().unwrap();
        (
            (length as u64 / frame_length(size) * size as u64) as f64,
            start.elapsed(),
        )
    })
}

/// One row of the table: the samples of `reps` runs, each paired with the reference and the floor measured
/// right before it in the same repetition.
struct Row {
    what: String,
    size: usize,
    /// Payload MB/s of each run.
    mbs: Vec<f64>,
    /// Name and values (one per run) of the reference the row is compared with.
    reference: Option<(&'static str, Vec<f64>)>,
    /// The floor of the archive's design in each repetition (empty: none).
    floor: Vec<f64>,
    /// The archive's CPU use during each run, in cores (empty: no archive in the row).
    archive_cores: Vec<f64>,
}

impl Row {
    fn new(what: String, size: usize) -> Row {
        Row {
            what,
            size,
            mbs: Vec::new(),
            reference: None,
            floor: Vec::new(),
            archive_cores: Vec::new(),
        }
    }

    fn with_reference(mut self, name: &'static str) -> Row {
        self.reference = Some((name, Vec::new()));
        self
    }

    /// Adds one repetition's run, with its reference and floor where the row has them.
    fn push(&mut self, run: Run, reference: f64, floor: Option<f64>) {
        self.mbs.push(run.mbs);
        if let Some((_, r)) = &mut self.reference {
            r.push(reference);
        }
        if let Some(f) = floor {
            self.floor.push(f);
        }
        if run.archive_cores.is_finite() {
            self.archive_cores.push(run.archive_cores);
        }
    }

    /// Median payload MB/s.
    fn median(&self) -> f64 {
        median(self.mbs.clone())
    }

    /// Median over the repetitions of run / reference.
    fn ratio(&self) -> Option<f64> {
        let (_, r) = self.reference.as_ref()?;
        paired(&self.mbs, r)
    }
}

/// Median of `v` (NaN when empty).
fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median of the ratios `a[i] / b[i]` of runs paired by repetition.
fn paired(a: &[f64], b: &[f64]) -> Option<f64> {
    (!b.is_empty() && a.len() == b.len())
        .then(|| median(a.iter().zip(b).map(|(x, y)| x / y).collect()))
}

/// Median of `reps` runs of `f`.
fn median_of(reps: usize, mut f: impl FnMut() -> f64) -> f64 {
    median((0..reps.max(1)).map(|_| f()).collect())
}

/// A result that is a plain rate (no archive involved).
fn rate(mbs: f64) -> Run {
    Run {
        mbs,
        archive_cores: f64::NAN,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.first().map(String::as_str) {
        Some("callgrind-record") => {
            let mode = args.get(2).map_or(ThreadingMode::Invoker, |m| {
                m.parse().expect("a threading mode")
            });
            return callgrind_record(Path::new(&args[1]), mode);
        }
        Some("callgrind-floor") => return callgrind_floor(Path::new(&args[1])),
        Some("read-path") => return read_path(args.get(1).map(Path::new)),
        _ => {}
    }
    let mib = env_u64("RUSTERON_BENCH_MIB", 256);
    let reps = env_u64("RUSTERON_BENCH_REPS", 5).max(1) as usize;
    let sizes: Vec<usize> = std::env::var("RUSTERON_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![32, 256, 1024, 8192]);
    let disk_base = tempfile::Builder::new()
        .prefix("rusteron-limits-disk-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let tmpfs_base = tempfile::Builder::new()
        .prefix("rusteron-limits-archive-")
        .tempdir_in("/dev/shm")
        .unwrap();
    let (disk_sync, disk_cache, disk_read) = disk_speed(disk_base.path());
    let driver = Driver::start();
    let aeron = driver.client();
    let channel = format!("aeron:ipc?{TERM}");
    let mut rows: Vec<Row> = Vec::new();
    let mut stream = 7000;
    let mut next_stream = || {
        stream += 1;
        stream
    };
    let dirs: Vec<String> = std::env::var("RUSTERON_BENCH_DIRS")
        .map(|v| v.split(',').map(|d| d.trim().to_string()).collect())
        .unwrap_or_else(|_| vec!["disk".into(), "tmpfs".into()]);
    let modes: Vec<ThreadingMode> = std::env::var("RUSTERON_BENCH_MODES")
        .ok()
        .map(|v| v.split(',').filter_map(|m| m.parse().ok()).collect())
        .unwrap_or_else(|| vec![ThreadingMode::Shared, ThreadingMode::Dedicated]);
    let segment_length = ArchiveConfig::default().segment_file_length as i64;
    for &mode in &modes {
        for (dir_name, base) in [("disk", disk_base.path()), ("tmpfs", tmpfs_base.path())] {
            if !dirs.iter().any(|d| d == dir_name) {
                continue;
            }
            let archive_dir = base.join(format!("archive-{mode}"));
            let archive = Archive::start(&driver, &archive_dir, mode);
            for &size in &sizes {
                let messages = mib * MIB / size as u64;
                let mut ceiling_row = Row::new(
                    format!("ceiling (no-op block-poll consumer), before {dir_name} ({mode})"),
                    size,
                );
                let mut write_row = Row::new(
                    format!("write of a new file without fsync, {dir_name}"),
                    size,
                );
                let mut floor_record_row = Row::new(
                    format!("floor: block poll + pwrite consumer, {dir_name}"),
                    size,
                )
                .with_reference("min(write, ceiling)");
                let mut record_row = Row::new(format!("record to {dir_name} ({mode})"), size)
                    .with_reference("min(write, ceiling)");
                let mut floor_replay_row = Row::new(
                    format!("floor: pread + offer_block replay, {dir_name}"),
                    size,
                )
                .with_reference("ceiling");
                let mut replay_row = Row::new(format!("replay from {dir_name} ({mode})"), size)
                    .with_reference("ceiling");
                let mut both_row =
                    Row::new(format!("record while replaying, {dir_name} ({mode})"), size)
                        .with_reference("min(write, ceiling)");
                // Each repetition measures the references and the floors right before the archive's runs they
                // are compared with; ratios are taken per repetition, then their median.
                for _ in 0..reps {
                    let c = ceiling(&aeron, size, messages, 1, &mut next_stream);
                    let w = page_cache_write(base, mib * MIB);
                    let limit = w.min(c);
                    ceiling_row.push(rate(c), f64::NAN, None);
                    write_row.push(rate(w), f64::NAN, None);
                    let fr = floor_record(&aeron, base, size, messages, next_stream());
                    floor_record_row.push(rate(fr), limit, None);
                    settle();
                    let recorded = [archive.record(&channel, next_stream())];
                    record_row.push(record(&archive, &recorded, size, messages), limit, Some(fr));
                    // The recording starts at position 0 of a fresh publication, and everything published was
                    // recorded (`record` waits for it).
                    let [kept] = recorded;
                    let (recording_id, length) = (kept.recording_id, kept.publication.position());
                    let initial_term_id = kept.publication.constants().unwrap().initial_term_id;
                    let segments = |position: i64| {
                        let base = position - position % segment_length;
                        (
                            archive_dir.join(format!("{recording_id}-{base}.rec")),
                            (position - base) as u64,
                        )
                    };
                    let fp = floor_replay(
                        &aeron,
                        segments,
                        length,
                        initial_term_id,
                        size,
                        next_stream(),
                    );
                    floor_replay_row.push(rate(fp), c, None);
                    settle();
                    replay_row.push(
                        replay(&archive, recording_id, length, size, next_stream()),
                        c,
                        Some(fp),
                    );
                    settle();
                    let replay_sub = archive
                        .client
                        .replay(recording_id, &channel, next_stream(), 0, length)
                        .unwrap();
                    let second = [archive.record(&channel, next_stream())];
                    let replaying = drain(vec![replay_sub], length as u64);
                    both_row.push(record(&archive, &second, size, messages), limit, None);
                    replaying.join().unwrap();
                    let [second] = second;
                    archive.discard(second);
                    archive.discard(kept);
                }
                eprintln!(
                    "limits: {mode} {dir_name} {size} B: ceiling {:.0}, floor {:.0}, record {:.0}, replay {:.0} MB/s",
                    ceiling_row.median(),
                    floor_record_row.median(),
                    record_row.median(),
                    replay_row.median()
                );
                rows.extend([
                    ceiling_row,
                    write_row,
                    floor_record_row,
                    record_row,
                    floor_replay_row,
                    replay_row,
                    both_row,
                ]);
            }
            if dir_name == "disk" {
                let size = 1024;
                let messages = mib * MIB / size as u64;
                for k in [1usize, 4, 16] {
                    let s = if k == 1 { "" } else { "s" };
                    let mut ceiling_row = Row::new(format!("ceiling, {k} publication{s} (no-op block-poll consumer), before disk ({mode})"), size);
                    let mut record_row =
                        Row::new(format!("{k} concurrent recording{s}, disk ({mode})"), size)
                            .with_reference("min(write, ceiling)");
                    for _ in 0..reps {
                        let c = ceiling(&aeron, size, messages, k, &mut next_stream);
                        let w = page_cache_write(base, mib * MIB);
                        ceiling_row.push(rate(c), f64::NAN, None);
                        settle();
                        let recorded: Vec<_> = (0..k)
                            .map(|_| archive.record(&channel, next_stream()))
                            .collect();
                        record_row.push(
                            record(&archive, &recorded, size, messages),
                            w.min(c),
                            None,
                        );
                        recorded.into_iter().for_each(|r| archive.discard(r));
                    }
                    eprintln!(
                        "limits: {mode} {k} concurrent recordings {:.0} MB/s",
                        record_row.median()
                    );
                    rows.extend([ceiling_row, record_row]);
                }
            }
            drop(archive);
            let _ = std::fs::remove_dir_all(&archive_dir);
        }
    }
    let mut table = String::new();
    table.push_str(&format!(
        "Disk dir ({}): sequential write {disk_sync:.0} MB/s with fsync, {disk_cache:.0} MB/s without (page \
         cache), cold read {disk_read:.0} MB/s. tmpfs dir: /dev/shm. {mib} MiB of payload per run, {reps} \
         repetitions. Each repetition measures, back to back: the ceiling, the write speed of a new file in the \
         row's dir without `fsync` (page cache, or tmpfs), the floor of the recorder's design, the recording, \
         the floor of the replayer's design, the replay, and a recording while replaying. *MB/s* is the median \
         and the range of the repetitions; *ratio* and *× floor* are medians of the per-repetition ratios to the \
         reference and to the floor measured in the same repetition, so that a slow minute of the shared host \
         moves both sides. Every dirty page is written back (`sync`) before each run and each recording purged \
         after it; the archive at file sync level 0, in the threading mode each row names (SHARED: one thread \
         for conductor, recorder and replayer; DEDICATED: one thread each); IPC publications with 16 MiB terms, \
         non-sparse (the driver touches every page of a log when it creates it); publisher and consumers yield \
         on back pressure. *Archive CPU*: CPU time of the archive's threads during the run over its wall time, \
         in cores (2 here; idle spinning of their idle strategy included).\n\n",
        disk_base.path().parent().map(|p| p.display().to_string()).unwrap_or_default()
    ));
    table.push_str(
        "| measurement | message | payload MB/s | range | reference | ratio | × floor | archive CPU |\n\
         |---|---:|---:|---|---|---:|---:|---:|\n",
    );
    for r in &rows {
        let (lo, hi) = r
            .mbs
            .iter()
            .fold((f64::INFINITY, 0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let (reference, ratio) = match (&r.reference, r.ratio()) {
            (Some((name, v)), Some(ratio)) => (
                format!("{name} = {:.0} MB/s", median(v.clone())),
                format!("{ratio:.2}"),
            ),
            _ => ("–".to_string(), "–".to_string()),
        };
        let floor = paired(&r.mbs, &r.floor).map_or("–".to_string(), |f| format!("{f:.2}"));
        let cores = if r.archive_cores.is_empty() {
            "–".to_string()
        } else {
            format!("{:.2}", median(r.archive_cores.clone()))
        };
        table.push_str(&format!(
            "| {} | {} B | {:.1} | {lo:.0}–{hi:.0} | {reference} | {ratio} | {floor} | {cores} |\n",
            r.what,
            r.size,
            r.median()
        ));
    }
    println!("\n{table}");
    if let Ok(out) = std::env::var("RUSTERON_BENCH_OUT") {
        std::fs::write(out, &table).unwrap();
    }
}

/// Messages of the callgrind programs: 66 chunks of 992 messages of 1 KiB (1056-byte frames): about
/// 64 MiB of payload, each chunk just under 1 MiB of frames (`aeron.archive.file.io.max.length`).
const CALLGRIND_CHUNK: u64 = 992;
const CALLGRIND_CHUNKS: u64 = 66;
const CALLGRIND_SIZE: usize = 1024;

/// Under callgrind: the archive records 64 MiB of 1 KiB messages (the instructions of its recorder's duty
/// cycle, `recorder_work`, are read from the profile).
///
/// By default the archive runs in INVOKER mode and this program drives it in lockstep with the publisher:
/// publish one chunk, then run duty cycles until it is recorded. Every recorder poll then finds exactly
/// one chunk (two where a chunk crosses a term end), so the blocks the recorder writes and the number of
/// its duty cycles are the same in every run: the instruction count compares between commits. With a
/// mode argument (`SHARED`, `DEDICATED`) the archive runs on its own threads and the publisher publishes
/// freely (block sizes then depend on timing).
fn callgrind_record(dir: &Path, mode: ThreadingMode) {
    let driver = Driver::start();
    let archive = Archive::start(&driver, &dir.join("archive"), mode);
    let channel = format!("aeron:ipc?{TERM}");
    let messages = CALLGRIND_CHUNK * CALLGRIND_CHUNKS;
    if mode != ThreadingMode::Invoker {
        let recorded = [archive.record(&channel, 9001)];
        let r = record(&archive, &recorded, CALLGRIND_SIZE, messages);
        println!(
            "recorded {messages} messages ({:.1} MB/s payload under callgrind, {mode})",
            r.mbs
        );
        return;
    }
    let setting_up = AtomicBool::new(true);
    let Recorded {
        publication,
        recording_id,
        ..
    } = std::thread::scope(|scope| {
        scope.spawn(|| invoke_while(&archive.server, &setting_up));
        let recorded = archive.record(&channel, 9001);
        setting_up.store(false, Ordering::Release);
        recorded
    });
    let aeron = &archive.client.aeron;
    let counter = loop {
        archive.server.invoke();
        if let Some(c) = recording_counter(aeron, recording_id) {
            break c;
        }
    };
    let reader = aeron.counters_reader();
    let mut msg = vec![0xA5u8; CALLGRIND_SIZE];
    let mut cycles = 0u64;
    for _ in 0..CALLGRIND_CHUNKS {
        let end = publish(&[&publication], &mut msg, CALLGRIND_CHUNK)[0];
        while reader.get_counter_value(counter) < end {
            archive.server.invoke();
            cycles += 1;
        }
    }
    println!("recorded {messages} messages in {CALLGRIND_CHUNKS} chunks, {cycles} duty cycles (INVOKER, lockstep)");
}

/// Under callgrind: the floor of this design. A loop that only block-polls the image and `pwrite`s each
/// block to one file (`floor_poll` is the function whose instructions count), in the same lockstep with the
/// publisher as the archive's INVOKER run: publish one chunk, poll until it is written.
fn callgrind_floor(dir: &Path) {
    let driver = Driver::start();
    let aeron = driver.client();
    let channel = format!("aeron:ipc?{TERM}");
    let sub = aeron
        .add_subscription(&channel, 9002, Duration::from_secs(10))
        .unwrap();
    let publication = aeron
        .add_exclusive_publication(&channel, 9002, Duration::from_secs(10))
        .unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let file = File::create(dir.join("floor.dat")).unwrap();
    let mut w = PwriteBlocks { file, offset: 0 };
    let mut msg = vec![0xA5u8; CALLGRIND_SIZE];
    let start = publication.position();
    let mut polls = 0u64;
    for _ in 0..CALLGRIND_CHUNKS {
        let end = publish(&[&publication], &mut msg, CALLGRIND_CHUNK)[0];
        while (w.offset as i64) < end - start {
            floor_poll(&sub, &mut w);
            polls += 1;
        }
    }
    println!("floor wrote {} MiB in {polls} polls", w.offset / MIB);
}

/// The replayer's read path, `pread` into a reused buffer (what it does) against `mmap` of the segment file
/// and a copy into the buffer (a replay rewrites the session and stream ids of every frame it sends, so it
/// cannot offer straight from a shared mapping): GB/s of reading a 128 MiB segment file in 1 MiB blocks
/// (`aeron.archive.file.io.max.length`), in the page cache (tmpfs, and the disk dir after a first read),
/// median of 9, by the thread's CPU time (user and kernel: `CLOCK_THREAD_CPUTIME_ID`, so that the load of
/// a shared machine moves it less than wall-clock time).
fn read_path(disk_dir: Option<&Path>) {
    fn cpu_now() -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec for the call to fill.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
    const LENGTH: usize = 128 * MIB as usize;
    const BLOCK: usize = MIB as usize;
    let tmpfs = tempfile::Builder::new()
        .prefix("rusteron-read-path-")
        .tempdir_in("/dev/shm")
        .unwrap();
    let disk = tempfile::Builder::new()
        .prefix("rusteron-read-path-")
        .tempdir_in(disk_dir.unwrap_or(Path::new(env!("CARGO_TARGET_TMPDIR"))))
        .unwrap();
    for (name, dir) in [("tmpfs", tmpfs.path()), ("disk (page cache)", disk.path())] {
        let path = dir.join("0-0.rec");
        let data: Vec<u8> = (0..LENGTH).map(|i| (i * 31) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let file = File::open(&path).unwrap();
        let mut buffer = vec![0u8; BLOCK];
        let gbs = |elapsed: Duration| LENGTH as f64 / 1e9 / elapsed.as_secs_f64();
        let pread = median_of(9, || {
            let start = cpu_now();
            let mut sum = 0u64;
            for offset in (0..LENGTH).step_by(BLOCK) {
                file.read_exact_at(&mut buffer, offset as u64).unwrap();
                sum = sum.wrapping_add(buffer[offset % 4096] as u64);
            }
            std::hint::black_box(sum);
            gbs(cpu_now() - start)
        });
        let mmap_copy = median_of(9, || {
            let start = cpu_now();
            // SAFETY: a private read-only mapping of a file nobody truncates while it is mapped.
            let map = unsafe { memmap2::Mmap::map(&file) }.unwrap();
            let mut sum = 0u64;
            for offset in (0..LENGTH).step_by(BLOCK) {
                buffer.copy_from_slice(&map[offset..offset + BLOCK]);
                sum = sum.wrapping_add(buffer[offset % 4096] as u64);
            }
            std::hint::black_box(sum);
            drop(map);
            gbs(cpu_now() - start)
        });
        println!("| {name} | {pread:.2} | {mmap_copy:.2} |");
    }
}

/// `pwrite`s each block at the next offset.
struct PwriteBlocks {
    file: File,
    offset: u64,
}

impl AeronBlockHandlerCallback for PwriteBlocks {
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], _session_id: i32, _term_id: i32) {
        self.file.write_all_at(buffer, self.offset).unwrap();
        self.offset += buffer.len() as u64;
    }
}

/// One duty cycle of the floor loop: one block poll of up to 1 MiB (the archive's block limit, Java's
/// `aeron.archive.file.io.max.length`), the function callgrind measures.
#[inline(never)]
fn floor_poll(sub: &AeronSubscription, w: &mut PwriteBlocks) -> i64 {
    sub.block_poll(w, MIB as usize).unwrap_or(0)
}
