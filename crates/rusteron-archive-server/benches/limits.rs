//! Who limits recording and replay: the disk, the publisher, or the archive?
//! (`cargo bench -p rusteron-archive-server --bench limits`, or `cargo xtask bench-archive`, which also
//! counts instructions under callgrind and writes the table into docs/archive-server.md).
//!
//! For each message size (32 B, 256 B, 1 KiB, 8 KiB) it measures, in one run, on one embedded media driver:
//! - **disk**: sequential write of 256 MiB to the disk dir, with `fsync` and without (page cache: what a
//!   recording at file sync level 0 writes into), and a cold read of it;
//! - **ceiling**: the same publisher into the same driver, consumed by a no-op `block_poll` in this process
//!   (what a recording could at most reach on this machine with this publisher);
//! - **record** to the disk dir and to a tmpfs dir (`/dev/shm`), **replay** of what was recorded, and
//!   **record while replaying**;
//! - **1, 4 and 16 concurrent recordings** of 1 KiB messages (aggregate throughput);
//!
//! and prints one markdown table, ratios included: record / min(disk write at the same sync level, ceiling),
//! replay / ceiling.
//!
//! `limits callgrind-record <dir>` and `limits callgrind-floor <dir>` are the two programs `cargo xtask
//! bench-archive` runs under callgrind: a recording of 64 MiB of 1 KiB messages by the archive, and the
//! floor of this design, a loop that only block-polls the image and `pwrite`s each block.
//!
//! Environment: `RUSTERON_BENCH_MIB` (payload per measurement, default 256), `RUSTERON_BENCH_SIZES`
//! (comma-separated message sizes), `RUSTERON_BENCH_MODES` (comma-separated threading modes, default
//! `SHARED,DEDICATED`), `RUSTERON_BENCH_OUT` (also write the table to this file).

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
    Aeron, AeronBlockHandlerCallback, AeronContext, AeronExclusivePublication, AeronSubscription, Handlers,
};
use rusteron_media_driver::{MediaDriver, MediaDriverBuilder, ThreadingMode as DriverThreading};

const MB: f64 = 1_000_000.0;
const MIB: u64 = 1024 * 1024;
const TERM: &str = "term-length=16m";

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Frame length on the log of a message of `size` bytes.
/// (A message longer than an IPC frame's payload, MTU 1408 - 32 header bytes, is sent as several frames.)
fn frame_length(size: usize) -> u64 {
    const MAX_PAYLOAD: usize = 1408 - 32;
    let aligned = |payload: usize| (32 + payload).div_ceil(32) * 32;
    let (full, rest) = (size / MAX_PAYLOAD, size % MAX_PAYLOAD);
    let last = if rest > 0 || full == 0 { aligned(rest) } else { 0 };
    (full * aligned(MAX_PAYLOAD) + last) as u64
}

/// One embedded media driver for the whole run (shared threading, Aeron dir in /dev/shm).
struct Driver {
    _driver: MediaDriver,
    _shm: tempfile::TempDir,
    aeron_dir: PathBuf,
}

impl Driver {
    fn start() -> Driver {
        let shm = tempfile::Builder::new().prefix("rusteron-limits-").tempdir_in("/dev/shm").unwrap();
        let aeron_dir = shm.path().join("aeron");
        let driver = MediaDriverBuilder::new()
            .dir(aeron_dir.display().to_string())
            .threading_mode(DriverThreading::Shared)
            .dir_delete_on_start(true)
            .spies_simulate_connection(true)
            .launch()
            .unwrap();
        Driver { _driver: driver, _shm: shm, aeron_dir }
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

    /// Starts recording `channel`/`stream`, adds the publication, and returns it with its recording id once
    /// the recording started.
    fn record(&self, channel: &str, stream: i32) -> (AeronExclusivePublication, i64) {
        let newest = || self.client.list_recordings().unwrap().iter().map(|r| r.0).max().unwrap_or(-1);
        let before = newest();
        self.client.start_recording(channel, stream).unwrap();
        let publication = self.client.aeron.add_exclusive_publication(channel, stream, Duration::from_secs(10)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let id = newest();
            if id > before {
                return (publication, id);
            }
            assert!(Instant::now() < deadline, "the recording of stream {stream} did not start");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn wait_recorded(&self, recording_id: i64, position: i64) {
        let deadline = Instant::now() + Duration::from_secs(300);
        while self.client.recording_position(recording_id).unwrap() < position {
            assert!(Instant::now() < deadline, "recording {recording_id} did not reach {position}");
            std::thread::sleep(Duration::from_micros(200));
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
    aeron.counters_reader().foreach_counter(|_value, id, type_id, key, _label| {
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
            std::hint::spin_loop();
        }
    }
    positions
}

/// Counts the bytes of the blocks it is given.
struct CountBlocks(u64);

impl AeronBlockHandlerCallback for CountBlocks {
    fn handle_aeron_block_handler(&mut self, buffer: &[u8], _session_id: i32, _term_id: i32) {
        self.0 += buffer.len() as u64;
    }
}

/// Block-polls `sub` on its own thread until `bytes` bytes arrived; returns when done.
fn drain(sub: AeronSubscription, bytes: u64) -> std::thread::JoinHandle<Duration> {
    std::thread::spawn(move || {
        let mut count = CountBlocks(0);
        let mut started: Option<Instant> = None;
        let deadline = Instant::now() + Duration::from_secs(60);
        while count.0 < bytes {
            let n = sub.block_poll(&mut count, 4 * MIB as usize).unwrap_or(0);
            if n > 0 && started.is_none() {
                started = Some(Instant::now());
            }
            if n == 0 {
                assert!(Instant::now() < deadline, "drain stalled at {} of {bytes} bytes", count.0);
                std::hint::spin_loop();
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

/// Ceiling: the publisher into a no-op block-poll consumer in this process.
fn ceiling(aeron: &Aeron, size: usize, messages: u64, stream: i32) -> f64 {
    let channel = format!("aeron:ipc?{TERM}");
    let sub = aeron.add_subscription(&channel, stream, Duration::from_secs(10)).unwrap();
    let publication = aeron.add_exclusive_publication(&channel, stream, Duration::from_secs(10)).unwrap();
    let consumer = drain(sub, messages * frame_length(size));
    let mut msg = vec![0xA5u8; size.max(8)];
    let start = Instant::now();
    publish(&[&publication], &mut msg, messages);
    consumer.join().unwrap();
    mbs(messages, size, start.elapsed())
}

/// Publishes `messages` messages round-robin on `recorded` (publication, recording id); payload MB/s until
/// all of it is recorded.
fn record(archive: &Archive, recorded: &[(AeronExclusivePublication, i64)], size: usize, messages: u64) -> f64 {
    let publications: Vec<&AeronExclusivePublication> = recorded.iter().map(|(p, _)| p).collect();
    let mut msg = vec![0xA5u8; size.max(8)];
    let start = Instant::now();
    let positions = publish(&publications, &mut msg, messages);
    for ((_, id), pos) in recorded.iter().zip(positions) {
        archive.wait_recorded(*id, pos);
    }
    mbs(messages, size, start.elapsed())
}

/// Replays the first `length` bytes of `recording_id` into a block-poll consumer; payload MB/s.
fn replay(archive: &Archive, recording_id: i64, length: i64, size: usize, stream: i32) -> f64 {
    let sub = archive.client.replay(recording_id, &format!("aeron:ipc?{TERM}"), stream, 0, length).unwrap();
    let start = Instant::now();
    drain(sub, length as u64).join().unwrap();
    mbs(length as u64 / frame_length(size), size, start.elapsed())
}

/// One row of the table.
struct Row {
    what: String,
    size: usize,
    mbs: f64,
    reference: Option<(&'static str, f64)>,
}

/// Median of `reps` runs of `f`.
fn median_of(reps: usize, mut f: impl FnMut() -> f64) -> f64 {
    let mut v: Vec<f64> = (0..reps.max(1)).map(|_| f()).collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    match args.first().map(String::as_str) {
        Some("callgrind-record") => {
            let mode = args.get(2).map_or(ThreadingMode::Invoker, |m| m.parse().expect("a threading mode"));
            return callgrind_record(Path::new(&args[1]), mode);
        }
        Some("callgrind-floor") => return callgrind_floor(Path::new(&args[1])),
        Some("read-path") => return read_path(args.get(1).map(Path::new)),
        _ => {}
    }
    let mib = env_u64("RUSTERON_BENCH_MIB", 256);
    let reps = env_u64("RUSTERON_BENCH_REPS", 3) as usize;
    let sizes: Vec<usize> = std::env::var("RUSTERON_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![32, 256, 1024, 8192]);
    let disk_base =
        tempfile::Builder::new().prefix("rusteron-limits-disk-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let tmpfs_base = tempfile::Builder::new().prefix("rusteron-limits-archive-").tempdir_in("/dev/shm").unwrap();
    let (disk_sync, disk_cache, disk_read) = disk_speed(disk_base.path());
    let driver = Driver::start();
    let aeron = driver.client();
    let channel = format!("aeron:ipc?{TERM}");
    let mut rows = Vec::new();
    let mut stream = 7000;
    let mut next_stream = || {
        stream += 1;
        stream
    };
    let modes: Vec<ThreadingMode> = std::env::var("RUSTERON_BENCH_MODES")
        .ok()
        .map(|v| v.split(',').filter_map(|m| m.parse().ok()).collect())
        .unwrap_or_else(|| vec![ThreadingMode::Shared, ThreadingMode::Dedicated]);
    for &mode in &modes {
        for (dir_name, base, write_limit) in
            [("disk", disk_base.path(), disk_cache), ("tmpfs", tmpfs_base.path(), f64::INFINITY)]
        {
            let archive = Archive::start(&driver, &base.join(format!("archive-{mode}")), mode);
            for &size in &sizes {
                let messages = mib * MIB / size as u64;
                // The ceiling is measured right before the archive's runs it is compared with.
                let c = median_of(reps, || ceiling(&aeron, size, messages, next_stream()));
                eprintln!("limits: {size} B ceiling {c:.1} MB/s");
                rows.push(Row { what: format!("ceiling (no-op block-poll consumer), before {dir_name} ({mode})"), size, mbs: c, reference: None });
                let limit = write_limit.min(c);
                let mut last = None;
                let r = median_of(reps, || {
                    let recorded = [archive.record(&channel, next_stream())];
                    let r = record(&archive, &recorded, size, messages);
                    last = Some((recorded[0].1, recorded[0].0.position()));
                    r
                });
                eprintln!("limits: {mode} {size} B record to {dir_name} {r:.1} MB/s");
                rows.push(Row { what: format!("record to {dir_name} ({mode})"), size, mbs: r, reference: Some(("min(write, ceiling)", limit)) });
                // The recording starts at position 0 of a fresh publication; everything published was recorded
                // (record waits for it), whether or not the recording has stopped since.
                let (recording_id, length) = last.expect("recorded");
                let p = median_of(reps, || replay(&archive, recording_id, length, size, next_stream()));
                eprintln!("limits: {mode} {size} B replay from {dir_name} {p:.1} MB/s");
                rows.push(Row { what: format!("replay from {dir_name} ({mode})"), size, mbs: p, reference: Some(("ceiling", c)) });
                let rr = median_of(reps, || {
                    let replay_sub = archive.client.replay(recording_id, &channel, next_stream(), 0, length).unwrap();
                    let second = [archive.record(&channel, next_stream())];
                    let replaying = drain(replay_sub, length as u64);
                    let rr = record(&archive, &second, size, messages);
                    replaying.join().unwrap();
                    rr
                });
                eprintln!("limits: {size} B record while replaying, {dir_name} {rr:.1} MB/s");
                rows.push(Row {
                    what: format!("record while replaying, {dir_name} ({mode})"),
                    size,
                    mbs: rr,
                    reference: Some(("min(write, ceiling)", limit)),
                });
            }
            if dir_name == "disk" {
                let size = 1024;
                let messages = mib * MIB / size as u64;
                let c = median_of(reps, || ceiling(&aeron, size, messages, next_stream()));
                for k in [1usize, 4, 16] {
                    let r = median_of(reps, || {
                        let recorded: Vec<_> = (0..k).map(|_| archive.record(&channel, next_stream())).collect();
                        record(&archive, &recorded, size, messages)
                    });
                    eprintln!("limits: {mode} {k} concurrent recordings {r:.1} MB/s");
                    rows.push(Row {
                        what: format!("{k} concurrent recording{}, disk ({mode})", if k == 1 { "" } else { "s" }),
                        size,
                        mbs: r,
                        reference: Some(("min(write, ceiling)", disk_cache.min(c))),
                    });
                }
            }
        }
    }
    let mut table = String::new();
    table.push_str(&format!(
        "Disk dir ({}): sequential write {disk_sync:.0} MB/s with fsync, {disk_cache:.0} MB/s without (page \
         cache, what file sync level 0 writes into), cold read {disk_read:.0} MB/s. tmpfs dir: /dev/shm. \
         {mib} MiB of payload per run, median of {reps} runs; the archive at file sync level 0, in the \
         threading mode each row names (SHARED: one thread for conductor, recorder and replayer; DEDICATED: \
         one thread each); IPC publication with 16 MiB terms.\n\n",
        disk_base.path().parent().map(|p| p.display().to_string()).unwrap_or_default()
    ));
    table.push_str("| measurement | message | payload MB/s | reference | ratio |\n|---|---:|---:|---|---:|\n");
    for r in &rows {
        let (reference, ratio) = match r.reference {
            Some((name, v)) if v.is_finite() => (format!("{name} = {v:.0} MB/s"), format!("{:.2}", r.mbs / v)),
            _ => ("–".to_string(), "–".to_string()),
        };
        table.push_str(&format!("| {} | {} B | {:.1} | {reference} | {ratio} |\n", r.what, r.size, r.mbs));
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
        println!("recorded {messages} messages ({r:.1} MB/s payload under callgrind, {mode})");
        return;
    }
    let setting_up = AtomicBool::new(true);
    let (publication, recording_id) = std::thread::scope(|scope| {
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
    let sub = aeron.add_subscription(&channel, 9002, Duration::from_secs(10)).unwrap();
    let publication = aeron.add_exclusive_publication(&channel, 9002, Duration::from_secs(10)).unwrap();
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
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `ts` is a valid timespec for the call to fill.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }
    const LENGTH: usize = 128 * MIB as usize;
    const BLOCK: usize = MIB as usize;
    let tmpfs = tempfile::Builder::new().prefix("rusteron-read-path-").tempdir_in("/dev/shm").unwrap();
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
