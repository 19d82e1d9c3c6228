//! Replication between two archives (each with its own media driver) through the official C client:
//! stopped source, extension of an existing destination, stop mid-way, unknown source, unreachable source.

mod support;

use std::time::{Duration, Instant};

use rusteron_archive_server::test_util::TestArchive;
use rusteron_client::{AeronExclusivePublication, Handlers};
use support::*;

const T: Duration = Duration::from_secs(5);
const STREAM: i32 = 4101;

fn offer(p: &AeronExclusivePublication, msg: &[u8]) {
    wait_until(
        || p.offer(msg, Handlers::no_reserved_value_supplier_handler()) > 0,
        "offer",
    );
}

fn payload(i: usize) -> Vec<u8> {
    let mut m = format!("replicated-{i}-").into_bytes();
    m.resize(700 + i % 300, b'a' + (i % 26) as u8);
    m
}

/// Starts a recording of an IPC publication on `archive`; returns (publication, recording id, counter id).
fn recorded_publication(client: &ArchiveClient) -> (AeronExclusivePublication, i64, i32) {
    let channel = "aeron:ipc?term-length=64k";
    client
        .start_recording(channel, STREAM, true, false)
        .unwrap();
    let publication = client
        .aeron
        .add_exclusive_publication(channel, STREAM, T)
        .unwrap();
    let counter_id = client.recording_counter_id(publication.constants().unwrap().session_id);
    let key = client
        .aeron
        .counters_reader()
        .metadata_key(counter_id)
        .unwrap();
    let recording_id = i64::from_le_bytes(key[0..8].try_into().unwrap());
    (publication, recording_id, counter_id)
}

fn publish(
    client: &ArchiveClient,
    p: &AeronExclusivePublication,
    counter_id: i32,
    range: std::ops::Range<usize>,
) -> i64 {
    for i in range {
        offer(p, &payload(i));
    }
    let position = p.position();
    client.wait_recorded(counter_id, position);
    position
}

/// A stopped source recording of `n` messages: (recording id, stop position).
fn stopped_source(client: &ArchiveClient, n: usize) -> (i64, i64) {
    let (p, id, counter) = recorded_publication(client);
    let stop = publish(client, &p, counter, 0..n);
    client
        .stop_recording_channel("aeron:ipc?term-length=64k", STREAM)
        .unwrap();
    client.wait_for_signal(id, signal::STOP);
    (id, stop)
}

fn wait_signal_of(client: &ArchiveClient, replication_id: i64, code: i32) -> Signal {
    let deadline = Instant::now() + WAIT;
    loop {
        // The C client does not hand out a signal's correlation id; replication signals are the only ones
        // on the destination client in these tests.
        let found = client.poll_signals().into_iter().find(|s| s.code == code);
        if let Some(s) = found {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "no signal {code} for replication {replication_id}: {:?}",
            client.poll_signals()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn segment_files(archive: &TestArchive, recording_id: i64) -> Vec<(String, Vec<u8>)> {
    let prefix = format!("{recording_id}-");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(archive.archive_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix) && n.ends_with(".rec"))
        .map(|n| {
            (
                n[prefix.len()..].to_owned(),
                std::fs::read(archive.archive_dir().join(&n)).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn wait_error(client: &ArchiveClient, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(e) = client.poll_for_error() {
            if e.contains(what) {
                return e;
            }
        }
        assert!(Instant::now() < deadline, "no error containing {what:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn replicates_a_stopped_recording_byte_identically() {
    let src = TestArchive::start().unwrap();
    let dst = TestArchive::start().unwrap();
    let src_client = ArchiveClient::connect(&src).unwrap();
    let dst_client = ArchiveClient::connect(&dst).unwrap();
    // Spans three 128 KiB segment files.
    let (src_id, stop) = stopped_source(&src_client, 300);
    assert!(stop > 256 * 1024);

    let replication_id = dst_client
        .replicate(
            src_id,
            src.control_request_channel(),
            src.control_request_stream_id(),
            -1,
            -1,
            -1,
        )
        .unwrap();
    let replicate = wait_signal_of(&dst_client, replication_id, signal::REPLICATE);
    let dst_id = replicate.recording_id;
    assert_eq!(replicate.position, 0);
    let sync = wait_signal_of(&dst_client, replication_id, signal::SYNC);
    assert_eq!((sync.recording_id, sync.position), (dst_id, stop));
    wait_signal_of(&dst_client, replication_id, signal::REPLICATE_END);
    let extend = wait_signal_of(&dst_client, replication_id, signal::EXTEND);
    assert_eq!((extend.recording_id, extend.position), (dst_id, 0));
    let stopped = wait_signal_of(&dst_client, replication_id, signal::STOP);
    assert_eq!(stopped.position, stop);

    let s = &src_client.list_recording(src_id).unwrap()[0];
    let d = &dst_client.list_recording(dst_id).unwrap()[0];
    assert_eq!((d.start_position, d.stop_position), (0, stop));
    assert_eq!(
        d.start_timestamp, s.start_timestamp,
        "start timestamp copied from the source"
    );
    assert!(d.stop_timestamp >= d.start_timestamp);
    assert_eq!(
        (
            d.initial_term_id,
            d.segment_file_length,
            d.term_buffer_length,
            d.mtu_length,
            d.session_id,
            d.stream_id
        ),
        (
            s.initial_term_id,
            s.segment_file_length,
            s.term_buffer_length,
            s.mtu_length,
            s.session_id,
            s.stream_id
        )
    );
    assert_eq!(d.stripped_channel, s.stripped_channel);
    assert_eq!(d.original_channel, s.original_channel);
    assert_eq!(d.source_identity, s.source_identity);

    let src_files = segment_files(&src, src_id);
    let dst_files = segment_files(&dst, dst_id);
    assert_eq!(src_files.len(), 3);
    assert_eq!(
        src_files.iter().map(|f| &f.0).collect::<Vec<_>>(),
        dst_files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in src_files.iter().zip(&dst_files) {
        assert!(a == b, "segment file {name} differs");
    }

    let replay = dst_client
        .replay(dst_id, "aeron:ipc", 4102, -1, -1)
        .unwrap();
    assert_eq!(
        receive(&replay, 300),
        (0..300).map(payload).collect::<Vec<_>>()
    );
    // Finished: the replication id is unknown now.
    assert!(!dst_client.try_stop_replication(replication_id).unwrap());
}

#[test]
fn replicates_into_an_existing_destination_recording() {
    let src = TestArchive::start().unwrap();
    let dst = TestArchive::start().unwrap();
    let src_client = ArchiveClient::connect(&src).unwrap();
    let dst_client = ArchiveClient::connect(&dst).unwrap();
    let (p, src_id, counter) = recorded_publication(&src_client);
    let half = publish(&src_client, &p, counter, 0..60);
    let stop = publish(&src_client, &p, counter, 60..120);
    src_client
        .stop_recording_channel("aeron:ipc?term-length=64k", STREAM)
        .unwrap();
    src_client.wait_for_signal(src_id, signal::STOP);

    // First up to the halfway stop position only, with a given replay session id.
    let first = dst_client
        .replicate(
            src_id,
            src.control_request_channel(),
            src.control_request_stream_id(),
            -1,
            half,
            77,
        )
        .unwrap();
    let dst_id = wait_signal_of(&dst_client, first, signal::REPLICATE).recording_id;
    wait_signal_of(&dst_client, first, signal::REPLICATE_END);
    wait_until(
        || dst_client.stop_position(dst_id).unwrap() == half,
        "first replication to stop at halfway",
    );
    assert!(
        dst_client
            .poll_signals()
            .iter()
            .all(|s| s.code != signal::SYNC),
        "no SYNC before the source stop"
    );

    // Then extend the same destination recording to the end.
    dst_client.signals_clear();
    let second = dst_client
        .replicate(
            src_id,
            src.control_request_channel(),
            src.control_request_stream_id(),
            dst_id,
            -1,
            -1,
        )
        .unwrap();
    assert_ne!(first, second);
    let extend = wait_signal_of(&dst_client, second, signal::EXTEND);
    assert_eq!((extend.recording_id, extend.position), (dst_id, half));
    let sync = wait_signal_of(&dst_client, second, signal::SYNC);
    assert_eq!(sync.position, stop);
    wait_signal_of(&dst_client, second, signal::REPLICATE_END);
    assert!(
        dst_client
            .poll_signals()
            .iter()
            .all(|s| s.code != signal::REPLICATE),
        "no new recording"
    );
    wait_until(
        || dst_client.stop_position(dst_id).unwrap() == stop,
        "extended to the source stop",
    );
    assert_eq!(dst_client.list_recordings(0, 10).unwrap().len(), 1);

    let replay = dst_client
        .replay(dst_id, "aeron:ipc", 4103, -1, -1)
        .unwrap();
    assert_eq!(
        receive(&replay, 120),
        (0..120).map(payload).collect::<Vec<_>>()
    );

    // In sync already: a third replication only signals SYNC.
    dst_client.signals_clear();
    let third = dst_client
        .replicate(
            src_id,
            src.control_request_channel(),
            src.control_request_stream_id(),
            dst_id,
            -1,
            -1,
        )
        .unwrap();
    assert_eq!(
        wait_signal_of(&dst_client, third, signal::SYNC).position,
        stop
    );
    wait_signal_of(&dst_client, third, signal::REPLICATE_END);
}

#[test]
fn stops_a_replication_of_an_active_recording_mid_way() {
    let src = TestArchive::start().unwrap();
    let dst = TestArchive::start().unwrap();
    let src_client = ArchiveClient::connect(&src).unwrap();
    let dst_client = ArchiveClient::connect(&dst).unwrap();
    let (p, src_id, counter) = recorded_publication(&src_client);
    let before = publish(&src_client, &p, counter, 0..20);

    let replication_id = dst_client
        .replicate(
            src_id,
            src.control_request_channel(),
            src.control_request_stream_id(),
            -1,
            -1,
            -1,
        )
        .unwrap();
    let dst_id = wait_signal_of(&dst_client, replication_id, signal::REPLICATE).recording_id;
    wait_signal_of(&dst_client, replication_id, signal::EXTEND);
    wait_until(
        || dst_client.recording_position(dst_id).unwrap() >= before,
        "replica to catch up",
    );
    // Following the live source.
    let live = publish(&src_client, &p, counter, 20..40);
    wait_until(
        || dst_client.recording_position(dst_id).unwrap() >= live,
        "replica to follow",
    );

    dst_client.stop_replication(replication_id).unwrap();
    wait_signal_of(&dst_client, replication_id, signal::REPLICATE_END);
    let stopped = wait_signal_of(&dst_client, replication_id, signal::STOP);
    assert_eq!(stopped.position, live);
    assert!(
        !dst_client.try_stop_replication(replication_id).unwrap(),
        "already stopped"
    );
    assert!(dst_client
        .poll_signals()
        .iter()
        .all(|s| s.code != signal::SYNC));

    publish(&src_client, &p, counter, 40..60);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        dst_client.stop_position(dst_id).unwrap(),
        live,
        "no new data after the stop"
    );
    let replay = dst_client
        .replay(dst_id, "aeron:ipc", 4104, -1, -1)
        .unwrap();
    assert_eq!(
        receive(&replay, 40),
        (0..40).map(payload).collect::<Vec<_>>()
    );
}

/// Prints the archive's log to stderr when `REPL_LOG` is set (debugging aid).
struct StderrLog;
impl log::Log for StderrLog {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, r: &log::Record<'_>) {
        if r.target().starts_with("rusteron_archive_server") {
            eprintln!(
                "{:?} {} {}",
                std::time::SystemTime::now(),
                r.level(),
                r.args()
            );
        }
    }
    fn flush(&self) {}
}

#[test]
fn unknown_source_recording_and_invalid_destination_are_errors() {
    if std::env::var("REPL_LOG").is_ok() {
        let _ = log::set_logger(&StderrLog);
        log::set_max_level(log::LevelFilter::Debug);
    }
    let src = TestArchive::start().unwrap();
    let dst = TestArchive::start().unwrap();
    let src_client = ArchiveClient::connect(&src).unwrap();
    let dst_client = ArchiveClient::connect(&dst).unwrap();
    let (src_id, _) = stopped_source(&src_client, 3);
    assert!(!dst_client.try_stop_replication(123_456).unwrap());

    let id = dst_client.replicate(
        999,
        src.control_request_channel(),
        src.control_request_stream_id(),
        -1,
        -1,
        -1,
    );
    assert!(id.unwrap() >= 0, "accepted, failing asynchronously");
    let e = wait_error(&dst_client, "unknown src recording id 999");
    println!("async error: {e}");

    let e = dst_client
        .replicate(
            src_id,
            src.control_request_channel(),
            src.control_request_stream_id(),
            4242,
            -1,
            -1,
        )
        .unwrap_err();
    assert!(
        e.message.contains("unknown destination recording id 4242"),
        "{e}"
    );
    assert!(!dst_client.try_stop_replication(123_456).unwrap());
    assert!(
        dst_client.list_recordings(0, 10).unwrap().is_empty(),
        "no destination recording was created"
    );
}

#[test]
fn unreachable_source_archive_is_a_connection_failure() {
    let dst = TestArchive::start_with(|c| c.connect_timeout = Duration::from_secs(2)).unwrap();
    let dst_client = ArchiveClient::connect(&dst).unwrap();
    let nowhere = format!("aeron:udp?endpoint=127.0.0.1:{}", free_port());
    let id = dst_client.replicate(0, &nowhere, 10, -1, -1, -1).unwrap();
    assert!(id >= 0);
    let e = wait_error(&dst_client, "Replication connection failed");
    println!("async error: {e}");
}
