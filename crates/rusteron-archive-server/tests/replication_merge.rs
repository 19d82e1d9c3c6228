//! Live-destination (merge), tagged and response-channel replication between two archives (each with its
//! own media driver), asked for by the official C archive client: the merge onto a live UDP stream that
//! keeps publishing, stopReplication before the merge, the refusals, a tagged replication followed by a
//! subscription with the same tags, and a replication whose replay comes over a response channel.

mod support;

use std::ffi::CString;
use std::time::{Duration, Instant};

use aeron_sys::*;
use rusteron_archive_server::test_util::TestArchive;
use rusteron_client::{AeronExclusivePublication, Handlers};
use support::*;

const T: Duration = Duration::from_secs(5);
const STREAM: i32 = 4201;

/// ReplicateRequest2 parameters beyond the source recording and archive.
#[derive(Default)]
struct Replication<'a> {
    live_destination: Option<&'a str>,
    replication_channel: Option<&'a str>,
    src_response_channel: Option<&'a str>,
    /// Channel and subscription tag ids (tagged replication).
    tags: Option<(i64, i64)>,
}

/// Replicates `src_recording_id` from `src` into a new recording, through the C client.
fn replicate(
    client: &ArchiveClient,
    src: &TestArchive,
    src_recording_id: i64,
    r: Replication<'_>,
) -> Result<i64, CError> {
    let src_channel = CString::new(src.control_request_channel()).unwrap();
    let live = r.live_destination.map(|c| CString::new(c).unwrap());
    let replication = r.replication_channel.map(|c| CString::new(c).unwrap());
    let response = r.src_response_channel.map(|c| CString::new(c).unwrap());
    // SAFETY: a zeroed params struct is initialised by the C client before use.
    let mut params: aeron_archive_replication_params_t = unsafe { std::mem::zeroed() };
    let mut id = 0;
    // SAFETY: live client; params and the strings it points to outlive the call.
    let rc = unsafe {
        aeron_archive_replication_params_init(&mut params);
        if let Some(c) = &live {
            params.live_destination = c.as_ptr();
        }
        if let Some(c) = &replication {
            params.replication_channel = c.as_ptr();
        }
        if let Some(c) = &response {
            params.src_response_channel = c.as_ptr();
        }
        if let Some((channel_tag, subscription_tag)) = r.tags {
            params.channel_tag_id = channel_tag;
            params.subscription_tag_id = subscription_tag;
        }
        aeron_archive_replicate(
            &mut id,
            client.archive,
            src_recording_id,
            src_channel.as_ptr(),
            src.control_request_stream_id(),
            &mut params,
        )
    };
    if rc < 0 {
        // SAFETY: thread-local error state of the C client; errmsg is NUL-terminated.
        let message = unsafe { std::ffi::CStr::from_ptr(aeron_errmsg()) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: as above.
        return Err(CError {
            code: unsafe { aeron_errcode() },
            message,
        });
    }
    Ok(id)
}

/// Prints the archives' logs to stderr when `REPL_LOG` is set (debugging aid).
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

fn debug_log() {
    if std::env::var("REPL_LOG").is_ok() {
        let _ = log::set_logger(&StderrLog);
        log::set_max_level(log::LevelFilter::Debug);
    }
}

/// A source and a destination archive (each with its own media driver) and a C client on each.
struct Archives {
    src: TestArchive,
    dst: TestArchive,
    src_client: ArchiveClient,
    dst_client: ArchiveClient,
}

/// Starts both archives and connects a client to each (with the debug log when `REPL_LOG` is set).
fn archives() -> Archives {
    debug_log();
    let src = TestArchive::start().unwrap();
    let dst = TestArchive::start().unwrap();
    let src_client = ArchiveClient::connect(&src).unwrap();
    let dst_client = ArchiveClient::connect(&dst).unwrap();
    Archives {
        src,
        dst,
        src_client,
        dst_client,
    }
}

fn payload(i: usize) -> Vec<u8> {
    let mut m = format!("merged-{i}-").into_bytes();
    m.resize(200 + (i * 37) % 600, b'a' + (i % 26) as u8);
    m
}

fn offer(p: &AeronExclusivePublication, i: usize) {
    wait_until(
        || p.offer(&payload(i), Handlers::no_reserved_value_supplier_handler()) > 0,
        "offer",
    );
}

/// An MDC (dynamic control) UDP publication recorded by `client`'s archive through a spy: (live channel,
/// control port, publication, recording id, RecordingPos counter id).
struct LiveSource {
    channel: String,
    control_port: u16,
    publication: AeronExclusivePublication,
    recording_id: i64,
    counter_id: i32,
}

fn live_source(client: &ArchiveClient) -> LiveSource {
    let control_port = free_port();
    let channel =
        format!("aeron:udp?control-mode=dynamic|control=127.0.0.1:{control_port}|term-length=64k");
    client
        .start_recording(&channel, STREAM, true, false)
        .unwrap();
    let publication = client
        .aeron
        .add_exclusive_publication(&channel, STREAM, T)
        .unwrap();
    let counter_id = client.recording_counter_id(publication.constants().unwrap().session_id);
    let key = client
        .aeron
        .counters_reader()
        .metadata_key(counter_id)
        .unwrap();
    let recording_id = i64::from_le_bytes(key[0..8].try_into().unwrap());
    LiveSource {
        channel,
        control_port,
        publication,
        recording_id,
        counter_id,
    }
}

impl LiveSource {
    /// Publishes messages `range` and waits until the source archive recorded them.
    fn publish(&self, client: &ArchiveClient, range: std::ops::Range<usize>) -> i64 {
        for i in range {
            offer(&self.publication, i);
        }
        let position = self.publication.position();
        client.wait_recorded(self.counter_id, position);
        position
    }
}

/// The codes of the signals received so far, in order.
fn codes(client: &ArchiveClient) -> Vec<i32> {
    client.poll_signals().iter().map(|s| s.code).collect()
}

fn signal_of(client: &ArchiveClient, code: i32) -> Option<Signal> {
    client.poll_signals().into_iter().find(|s| s.code == code)
}

fn wait_signal(client: &ArchiveClient, code: i32) -> Signal {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(s) = signal_of(client, code) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "no signal {code}: {:?}",
            client.poll_signals()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn wait_error(client: &ArchiveClient, what: &str) -> String {
    let deadline = Instant::now() + WAIT;
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

/// Replays `recording_id` of `client`'s archive from its start for `length` bytes and expects exactly
/// `expected`: all of them, then nothing more.
fn assert_replay(
    client: &ArchiveClient,
    recording_id: i64,
    length: i64,
    expected: &[Vec<u8>],
    stream_id: i32,
) {
    let replay = client
        .replay(recording_id, "aeron:ipc", stream_id, -1, length)
        .unwrap();
    let received = receive(&replay, expected.len());
    assert_eq!(received.len(), expected.len());
    for (i, (got, want)) in received.iter().zip(expected).enumerate() {
        assert!(
            got == want,
            "message {i} differs: {:?}",
            String::from_utf8_lossy(&got[..got.len().min(20)])
        );
    }
    std::thread::sleep(Duration::from_millis(200));
    let extra = replay.poll_once(|_: &[u8], _h| {}, 16).unwrap();
    assert_eq!(extra, 0, "no message after the expected ones");
}

#[test]
fn live_destination_replication_merges_onto_the_live_stream() {
    // Bound in this order so the clients close before their archives.
    let Archives {
        src,
        dst: _dst,
        src_client,
        dst_client,
    } = archives();
    let live = live_source(&src_client);
    let mut next = 300;
    live.publish(&src_client, 0..next);

    let destination = format!(
        "aeron:udp?endpoint=127.0.0.1:0|control=127.0.0.1:{}",
        live.control_port
    );
    let replication_id = replicate(
        &dst_client,
        &src,
        live.recording_id,
        Replication {
            live_destination: Some(&destination),
            ..Default::default()
        },
    )
    .unwrap();
    // The publication keeps publishing while the replay catches up and merges.
    let deadline = Instant::now() + WAIT;
    let merge = loop {
        offer(&live.publication, next);
        next += 1;
        if let Some(merge) = signal_of(&dst_client, signal::MERGE) {
            break merge;
        }
        assert!(
            Instant::now() < deadline,
            "no MERGE: {:?}",
            dst_client.poll_signals()
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    let replicate = wait_signal(&dst_client, signal::REPLICATE);
    let dst_id = replicate.recording_id;
    assert_eq!(replicate.position, 0);
    assert_eq!(merge.recording_id, dst_id);
    assert_eq!(
        merge.subscription_id, -1,
        "as Java: the recording subscription is released before MERGE"
    );
    assert!(merge.position > 0);
    wait_signal(&dst_client, signal::REPLICATE_END);
    assert_eq!(
        codes(&dst_client),
        vec![
            signal::REPLICATE,
            signal::EXTEND,
            signal::MERGE,
            signal::REPLICATE_END
        ],
        "signals in Java's order, no SYNC, no STOP"
    );
    let extend = signal_of(&dst_client, signal::EXTEND).unwrap();
    assert_eq!((extend.recording_id, extend.position), (dst_id, 0));
    assert!(
        !dst_client.try_stop_replication(replication_id).unwrap(),
        "the replication is over"
    );

    // From now on only the live stream feeds the destination: stop the source recording, keep publishing.
    src_client
        .stop_recording_channel(&live.channel, STREAM)
        .unwrap();
    src_client.wait_for_signal(live.recording_id, signal::STOP);
    let after_merge = next;
    for i in after_merge..after_merge + 300 {
        offer(&live.publication, i);
    }
    next = after_merge + 300;
    let end = live.publication.position();
    wait_until(
        || dst_client.recording_position(dst_id).unwrap() == end,
        "destination to follow the live stream",
    );
    let subscriptions = dst_client
        .list_recording_subscriptions(0, 10, "", STREAM, false)
        .unwrap();
    assert_eq!(
        subscriptions.len(),
        1,
        "the recording subscription stays after the merge"
    );
    assert_eq!(subscriptions[0].subscription_id, extend.subscription_id);
    let expected: Vec<Vec<u8>> = (0..next).map(payload).collect();
    assert_replay(&dst_client, dst_id, end, &expected, 4202);

    // The live stream ends: the recording stops there.
    drop(live.publication);
    let stop = wait_signal(&dst_client, signal::STOP);
    assert_eq!((stop.recording_id, stop.position), (dst_id, end));
    let d = &dst_client.list_recording(dst_id).unwrap()[0];
    assert_eq!((d.start_position, d.stop_position), (0, end));
    assert_replay(&dst_client, dst_id, -1, &expected, 4203);
}

#[test]
fn stop_replication_before_the_merge_ends_it_cleanly() {
    // Bound in this order so the clients close before their archives.
    let Archives {
        src,
        dst: _dst,
        src_client,
        dst_client,
    } = archives();
    let live = live_source(&src_client);
    live.publish(&src_client, 0..50);

    // Nobody publishes on this control address: the live stream never joins, the replay goes on.
    let destination = format!(
        "aeron:udp?endpoint=127.0.0.1:0|control=127.0.0.1:{}",
        free_port()
    );
    let replication_id = replicate(
        &dst_client,
        &src,
        live.recording_id,
        Replication {
            live_destination: Some(&destination),
            ..Default::default()
        },
    )
    .unwrap();
    let dst_id = wait_signal(&dst_client, signal::REPLICATE).recording_id;
    wait_signal(&dst_client, signal::EXTEND);
    let position = live.publish(&src_client, 50..100);
    wait_until(
        || dst_client.recording_position(dst_id).unwrap() == position,
        "the replay to follow the source",
    );

    dst_client.stop_replication(replication_id).unwrap();
    wait_signal(&dst_client, signal::REPLICATE_END);
    let stop = wait_signal(&dst_client, signal::STOP);
    assert_eq!((stop.recording_id, stop.position), (dst_id, position));
    assert_eq!(
        codes(&dst_client),
        vec![
            signal::REPLICATE,
            signal::EXTEND,
            signal::REPLICATE_END,
            signal::STOP
        ],
        "no MERGE, no SYNC"
    );
    assert!(
        !dst_client.try_stop_replication(replication_id).unwrap(),
        "already stopped"
    );
    assert!(dst_client
        .list_recording_subscriptions(0, 10, "", STREAM, false)
        .unwrap()
        .is_empty());

    live.publish(&src_client, 100..150);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        dst_client.stop_position(dst_id).unwrap(),
        position,
        "nothing recorded after the stop"
    );
    let expected: Vec<Vec<u8>> = (0..100).map(payload).collect();
    assert_replay(&dst_client, dst_id, -1, &expected, 4204);
}

#[test]
fn live_destination_needs_an_active_source_and_no_response_channel() {
    // Bound in this order so the clients close before their archives.
    let Archives {
        src,
        dst: _dst,
        src_client,
        dst_client,
    } = archives();
    let live = live_source(&src_client);
    live.publish(&src_client, 0..10);
    src_client
        .stop_recording_channel(&live.channel, STREAM)
        .unwrap();
    src_client.wait_for_signal(live.recording_id, signal::STOP);
    let destination = format!(
        "aeron:udp?endpoint=127.0.0.1:0|control=127.0.0.1:{}",
        live.control_port
    );

    let e = replicate(
        &dst_client,
        &src,
        live.recording_id,
        Replication {
            live_destination: Some(&destination),
            replication_channel: Some("aeron:udp?control-mode=response|control=127.0.0.1:0"),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("response channels can't be used with live destinations"),
        "{e}"
    );

    let id = replicate(
        &dst_client,
        &src,
        live.recording_id,
        Replication {
            live_destination: Some(&destination),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(id >= 0);
    wait_error(
        &dst_client,
        "cannot live merge without active source recording",
    );
    wait_signal(&dst_client, signal::REPLICATE_END);
    assert_eq!(
        codes(&dst_client),
        vec![signal::REPLICATE, signal::REPLICATE_END]
    );
}

/// A stopped IPC recording of `n` messages on `client`'s archive: (recording id, stop position).
fn stopped_ipc_source(client: &ArchiveClient, n: usize) -> (i64, i64) {
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
    for i in 0..n {
        offer(&publication, i);
    }
    let stop = publication.position();
    client.wait_recorded(counter_id, stop);
    client.stop_recording_channel(channel, STREAM).unwrap();
    client.wait_for_signal(recording_id, signal::STOP);
    (recording_id, stop)
}

fn replicate_over_response_channel(src_response_channel: Option<&str>) {
    // Bound in this order so the clients close before their archives.
    let Archives {
        src,
        dst: _dst,
        src_client,
        dst_client,
    } = archives();
    // Spans three 128 KiB segment files.
    let (src_id, stop) = stopped_ipc_source(&src_client, 600);
    assert!(stop > 256 * 1024);

    let replication_channel = format!(
        "aeron:udp?control-mode=response|control=127.0.0.1:{}",
        free_port()
    );
    replicate(
        &dst_client,
        &src,
        src_id,
        Replication {
            replication_channel: Some(&replication_channel),
            src_response_channel,
            ..Default::default()
        },
    )
    .unwrap();
    let dst_id = wait_signal(&dst_client, signal::REPLICATE).recording_id;
    let sync = wait_signal(&dst_client, signal::SYNC);
    assert_eq!((sync.recording_id, sync.position), (dst_id, stop));
    wait_signal(&dst_client, signal::REPLICATE_END);
    let stopped = wait_signal(&dst_client, signal::STOP);
    assert_eq!(stopped.position, stop);
    assert_eq!(
        codes(&dst_client),
        vec![
            signal::REPLICATE,
            signal::EXTEND,
            signal::SYNC,
            signal::REPLICATE_END,
            signal::STOP
        ]
    );
    let expected: Vec<Vec<u8>> = (0..600).map(payload).collect();
    assert_replay(&dst_client, dst_id, -1, &expected, 4205);
}

#[test]
fn replicates_over_a_response_channel() {
    replicate_over_response_channel(None);
}

#[test]
fn replicates_over_a_response_channel_with_a_response_mode_source_connection() {
    let response = format!(
        "aeron:udp?control-mode=response|control=127.0.0.1:{}",
        free_port()
    );
    replicate_over_response_channel(Some(&response));
}

#[test]
fn tagged_replication_can_be_followed_by_a_subscription_with_the_same_tags() {
    // Bound in this order so the clients close before their archives.
    let Archives {
        src,
        dst: _dst,
        src_client,
        dst_client,
    } = archives();
    let (src_id, stop) = stopped_ipc_source(&src_client, 200);
    let tags = (
        dst_client.aeron.next_correlation_id(),
        dst_client.aeron.next_correlation_id(),
    );

    let e = replicate(
        &dst_client,
        &src,
        src_id,
        Replication {
            replication_channel: Some("aeron:udp?control-mode=response|control=127.0.0.1:0"),
            tags: Some(tags),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("response channels can't be used with tagged replication"),
        "{e}"
    );

    let tagged = format!(
        "aeron:udp?control-mode=manual|rejoin=false|tags={},{}",
        tags.0, tags.1
    );
    let follower = dst_client
        .aeron
        .add_subscription(&tagged, STREAM, T)
        .unwrap();
    replicate(
        &dst_client,
        &src,
        src_id,
        Replication {
            tags: Some(tags),
            ..Default::default()
        },
    )
    .unwrap();
    let dst_id = wait_signal(&dst_client, signal::REPLICATE).recording_id;
    let expected: Vec<Vec<u8>> = (0..200).map(payload).collect();
    assert_eq!(
        receive(&follower, 200),
        expected,
        "the tagged subscription sees the replay"
    );
    assert_eq!(wait_signal(&dst_client, signal::SYNC).position, stop);
    wait_signal(&dst_client, signal::REPLICATE_END);
    assert_eq!(wait_signal(&dst_client, signal::STOP).position, stop);
    assert_eq!(
        codes(&dst_client),
        vec![
            signal::REPLICATE,
            signal::EXTEND,
            signal::SYNC,
            signal::REPLICATE_END,
            signal::STOP
        ]
    );
    assert_replay(&dst_client, dst_id, -1, &expected, 4206);
}
