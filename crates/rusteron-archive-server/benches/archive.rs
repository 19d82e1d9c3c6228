//! Archive throughput (`cargo bench -p rusteron-archive-server`): recording of 32-byte and 1 KiB messages
//! published on IPC and recorded by the in-process Rust archive (file sync level 0, 128 MiB segments), and
//! replay of the recorded stream to an IPC subscription, each set against the sequential write and read
//! speed of the same disk measured in the same run (a 256 MiB file in the archive's temp dir: written in
//! 1 MiB chunks then `fsync`ed; read back after evicting it from the page cache).
//!
//! The official C archive client drives the archive (start recording, replay), as in the tests. Besides
//! criterion's own output, a summary with messages/s, MB/s and the ratio to the disk is printed at the end.

#[path = "../tests/ops_support/mod.rs"]
mod ops_support;

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ops_support::{CArchive, Setup};
use rusteron_archive_server::{ArchiveConfig, ArchiveServer};
use rusteron_client::{AeronExclusivePublication, Handlers};
use rusteron_media_driver::{MediaDriver, MediaDriverBuilder, ThreadingMode};

const MB: f64 = 1_000_000.0;
const DISK_FILE_LENGTH: usize = 256 * 1024 * 1024;
const CHANNEL: &str = "aeron:ipc?term-length=16m";

/// One line of the final summary.
static SUMMARY: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Sequential write (with fsync) and cold read speed in MB/s of a 256 MiB file in `dir`.
fn disk_speed(dir: &Path) -> (f64, f64) {
    let path = dir.join("disk-speed.bin");
    let chunk = vec![0x5Au8; 1024 * 1024];
    let start = Instant::now();
    let mut f = File::create(&path).unwrap();
    for _ in 0..DISK_FILE_LENGTH / chunk.len() {
        f.write_all(&chunk).unwrap();
    }
    f.sync_all().unwrap();
    let write = DISK_FILE_LENGTH as f64 / MB / start.elapsed().as_secs_f64();
    // SAFETY: advisory call on an open descriptor: drop the file's pages from the page cache.
    unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    drop(f);
    let mut buf = vec![0u8; chunk.len()];
    let start = Instant::now();
    let mut f = File::open(&path).unwrap();
    let mut total = 0;
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        total += n;
    }
    let read = total as f64 / MB / start.elapsed().as_secs_f64();
    std::fs::remove_file(&path).unwrap();
    (write, read)
}

struct Bench {
    // Drop order: client, archive, driver, dirs.
    client: CArchive,
    _server: ArchiveServer,
    _driver: MediaDriver,
    _shm: tempfile::TempDir,
    disk: tempfile::TempDir,
}

fn start() -> Bench {
    let shm = tempfile::Builder::new()
        .prefix("rusteron-bench-")
        .tempdir_in("/dev/shm")
        .unwrap();
    let disk = tempfile::Builder::new()
        .prefix("rusteron-bench-archive-")
        .tempdir()
        .unwrap();
    let aeron_dir = shm.path().join("aeron");
    let driver = MediaDriverBuilder::new()
        .dir(aeron_dir.display().to_string())
        .threading_mode(ThreadingMode::Shared)
        .dir_delete_on_start(true)
        .spies_simulate_connection(true)
        .launch()
        .unwrap();
    let setup = Setup {
        aeron_dir: aeron_dir.clone(),
        archive_dir: disk.path().join("archive"),
        control_channel: format!("aeron:udp?endpoint=127.0.0.1:{}", ops_support::free_port()),
    };
    let config = ArchiveConfig {
        aeron_dir: Some(aeron_dir),
        archive_dir: setup.archive_dir.clone(),
        control_channel: Some(setup.control_channel.clone()),
        replication_channel: Some("aeron:udp?endpoint=127.0.0.1:0".into()),
        ..ArchiveConfig::default()
    };
    let server = ArchiveServer::launch(config).unwrap();
    let client = CArchive::connect(&setup).unwrap();
    Bench {
        client,
        _server: server,
        _driver: driver,
        _shm: shm,
        disk,
    }
}

/// Offers `n` messages of `msg`, retrying on back pressure.
fn publish(publication: &AeronExclusivePublication, msg: &[u8], n: u64) -> i64 {
    let mut position = 0;
    for _ in 0..n {
        loop {
            let r = publication.offer(msg, Handlers::no_reserved_value_supplier_handler());
            if r > 0 {
                position = r;
                break;
            }
            std::hint::spin_loop();
        }
    }
    position
}

/// Messages of `frame` bytes in the first `length` bytes of a stream of 16 MiB terms (each term ends with
/// a padding frame when the frames do not divide it).
fn messages_in(length: i64, frame: i64) -> u64 {
    const TERM: i64 = 16 * 1024 * 1024;
    ((length / TERM) * (TERM / frame) + (length % TERM) / frame) as u64
}

fn wait_recorded(client: &CArchive, recording_id: i64, position: i64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while client.recording_position(recording_id).unwrap() < position {
        assert!(Instant::now() < deadline, "recording did not catch up");
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn record_and_replay(
    c: &mut Criterion,
    b: &Bench,
    size: usize,
    stream_id: i32,
    per_iter: u64,
    disk: (f64, f64),
) {
    let msg = vec![0xA5u8; size];
    let frame = ((32 + size).div_ceil(32) * 32) as f64;
    b.client.start_recording(CHANNEL, stream_id).unwrap();
    let publication = b
        .client
        .aeron
        .add_exclusive_publication(CHANNEL, stream_id, Duration::from_secs(10))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let recording_id = loop {
        let list = b.client.list_recordings().unwrap();
        if let Some(r) = list.iter().find(|r| r.2 == -1) {
            break r.0;
        }
        assert!(Instant::now() < deadline, "recording did not start");
        std::thread::sleep(Duration::from_millis(5));
    };

    let mut group = c.benchmark_group(format!("record_{size}B"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(per_iter));
    let mut total = (0u64, Duration::ZERO);
    group.bench_function("ipc_messages", |bencher| {
        bencher.iter_custom(|iters| {
            let n = iters * per_iter;
            let start = Instant::now();
            let position = publish(&publication, &msg, n);
            wait_recorded(&b.client, recording_id, position);
            let elapsed = start.elapsed();
            total.0 += n;
            total.1 += elapsed;
            elapsed
        })
    });
    group.finish();
    let rate = total.0 as f64 / total.1.as_secs_f64();
    let disk_mb = rate * frame / MB;
    SUMMARY.lock().unwrap().push(format!(
        "record {size:>5} B: {:>12.0} msg/s  {:>8.1} MB/s payload  {:>8.1} MB/s to disk  = {:.2} x disk write ({:.1} MB/s)",
        rate,
        rate * size as f64 / MB,
        disk_mb,
        disk_mb / disk.0,
        disk.0
    ));

    // Replay the first `length` bytes of the recording, repeatedly.
    let recorded = b.client.recording_position(recording_id).unwrap();
    let length = recorded.min(256 * 1024 * 1024);
    let messages = messages_in(length, frame as i64);
    let mut group = c.benchmark_group(format!("replay_{size}B"));
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(messages));
    let mut replay_total = (0u64, Duration::ZERO);
    let mut replay_stream = 3000 + stream_id;
    group.bench_function("ipc_messages", |bencher| {
        bencher.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                replay_stream += 1;
                let start = Instant::now();
                let sub = b
                    .client
                    .replay(
                        recording_id,
                        "aeron:ipc?term-length=16m",
                        replay_stream,
                        0,
                        length,
                    )
                    .unwrap();
                let mut got = 0u64;
                let deadline = Instant::now() + Duration::from_secs(120);
                while got < messages {
                    let n = sub.poll_once(|_m: &[u8], _h| got += 1, 4096).unwrap();
                    if n == 0 {
                        assert!(
                            Instant::now() < deadline,
                            "replay stalled at {got}/{messages}"
                        );
                        std::hint::spin_loop();
                    }
                }
                elapsed += start.elapsed();
                drop(sub);
            }
            replay_total.0 += iters * messages;
            replay_total.1 += elapsed;
            elapsed
        })
    });
    group.finish();
    let rate = replay_total.0 as f64 / replay_total.1.as_secs_f64();
    let disk_mb = rate * frame / MB;
    SUMMARY.lock().unwrap().push(format!(
        "replay {size:>5} B: {:>12.0} msg/s  {:>8.1} MB/s payload  {:>8.1} MB/s from disk = {:.2} x disk read ({:.1} MB/s, cold; replay reads hit the page cache)",
        rate,
        rate * size as f64 / MB,
        disk_mb,
        disk_mb / disk.1,
        disk.1
    ));
    drop(publication);
}

fn archive(c: &mut Criterion) {
    let b = start();
    let disk = disk_speed(b.disk.path());
    SUMMARY.lock().unwrap().push(format!(
        "disk ({}): sequential write {:.1} MB/s (256 MiB + fsync), cold sequential read {:.1} MB/s",
        b.disk.path().display(),
        disk.0,
        disk.1
    ));
    record_and_replay(c, &b, 32, 1001, 200_000, disk);
    record_and_replay(c, &b, 1024, 1002, 20_000, disk);
    println!("\n== rusteron-archive-server throughput ==");
    for line in SUMMARY.lock().unwrap().iter() {
        println!("{line}");
    }
}

criterion_group!(benches, archive);
criterion_main!(benches);
