//! Shared helpers of the archive tests: a real media driver + archive server per test (`TestArchive`), a
//! client connected to it, and polling loops bounded by generous deadlines (a deadline only turns a hang
//! into a failure; no test asserts on timing).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusteron_archive::*;
use rusteron_archive_server::test_util::TestArchive;

pub const DEADLINE: Duration = Duration::from_secs(30);

/// A started archive server plus a connected client.
pub struct Env {
    pub archive: AeronArchive,
    pub aeron: Aeron,
    pub signals: Arc<Mutex<Vec<AeronArchiveRecordingSignal>>>,
    pub server: TestArchive,
}

pub fn start() -> Env {
    let server = TestArchive::start().expect("archive server starts");
    let (aeron, archive, signals) = connect(&server);
    Env {
        archive,
        aeron,
        signals,
        server,
    }
}

pub fn aeron_for(server: &TestArchive) -> Aeron {
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(server.aeron_dir()).unwrap();
    // The C default handler exits the process; a test client reports its errors instead (e.g. while the
    // driver of a failed test is torn down), so one failing test cannot take the others with it.
    ctx.set_error_handler(Some(AeronErrorHandlerClosure::from(
        |code: i32, msg: &str| eprintln!("test client error ({code}): {msg}"),
    )))
    .unwrap();
    Aeron::connect(&ctx).unwrap()
}

pub fn context_for(server: &TestArchive, aeron: &Aeron) -> AeronArchiveContext {
    let ctx = AeronArchiveContext::new_with_no_credentials_supplier(
        aeron,
        server.control_request_channel(),
        server.control_response_channel(),
        server.recording_events_channel(),
    )
    .unwrap();
    ctx.set_control_request_stream_id(server.control_request_stream_id())
        .unwrap();
    ctx.set_message_timeout_ns(10_000_000_000).unwrap();
    ctx
}

pub fn connect(
    server: &TestArchive,
) -> (
    Aeron,
    AeronArchive,
    Arc<Mutex<Vec<AeronArchiveRecordingSignal>>>,
) {
    let aeron = aeron_for(server);
    let ctx = context_for(server, &aeron);
    let signals = Arc::new(Mutex::new(Vec::new()));
    let sink = signals.clone();
    ctx.set_recording_signal_consumer(Some(AeronArchiveRecordingSignalConsumerFuncClosure::from(
        move |s: &AeronArchiveRecordingSignal| sink.lock().unwrap().push(*s),
    )))
    .unwrap();
    let archive = AeronArchiveAsyncConnect::new(&ctx)
        .unwrap()
        .poll_blocking(DEADLINE)
        .expect("connects");
    (aeron, archive, signals)
}

pub const LOCAL: AeronArchiveSourceLocation =
    AeronArchiveSourceLocation::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL;

/// Polls recording signals until `pred` holds on the signals received so far.
pub fn wait_signals(env: &Env, pred: impl Fn(&[AeronArchiveRecordingSignal]) -> bool) {
    let start = Instant::now();
    loop {
        env.archive.poll_for_recording_signals().unwrap();
        if pred(&env.signals.lock().unwrap()) {
            return;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "signals not received: {:?}",
            env.signals.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

pub fn has_signal(
    signals: &[AeronArchiveRecordingSignal],
    recording_id: i64,
    signal: RecordingSignal,
) -> bool {
    signals
        .iter()
        .any(|s| (recording_id < 0 || s.recording_id == recording_id) && s.signal() == Some(signal))
}

/// Waits until `cond()` holds.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

pub fn exclusive_publication(
    aeron: &Aeron,
    channel: &str,
    stream_id: i32,
) -> AeronExclusivePublication {
    aeron
        .async_add_exclusive_publication(channel, stream_id)
        .unwrap()
        .poll_blocking(DEADLINE)
        .unwrap()
}

pub fn subscription(aeron: &Aeron, channel: &str, stream_id: i32) -> AeronSubscription {
    aeron
        .async_add_subscription(
            channel,
            stream_id,
            Handlers::no_available_image_handler(),
            Handlers::no_unavailable_image_handler(),
        )
        .unwrap()
        .poll_blocking(DEADLINE)
        .unwrap()
}

/// Message `i` of a test stream.
pub fn message(i: usize) -> Vec<u8> {
    format!("message-{i:08}").into_bytes()
}

/// Offers `messages` in order, retrying on back pressure / not connected; returns the final position.
pub fn publish(publication: &AeronExclusivePublication, range: std::ops::Range<usize>) -> i64 {
    let mut position = 0;
    for i in range {
        let msg = message(i);
        let start = Instant::now();
        loop {
            let r = publication.offer(&msg, Handlers::no_reserved_value_supplier_handler());
            if r > 0 {
                position = r;
                break;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "offer of message {i} kept failing: {r}"
            );
            std::thread::yield_now();
        }
    }
    position
}

/// Polls `sub` until `count` messages arrived (or the deadline), returning them.
pub fn receive(sub: &AeronSubscription, count: usize) -> Vec<Vec<u8>> {
    let mut got = Vec::with_capacity(count);
    let start = Instant::now();
    while got.len() < count {
        let n = sub
            .poll_once(
                |msg: &[u8], _h: AeronHeader<'_>| got.push(msg.to_vec()),
                256,
            )
            .unwrap();
        if n == 0 {
            assert!(
                start.elapsed() < DEADLINE * 2,
                "received {} of {count}",
                got.len()
            );
            std::thread::yield_now();
        }
    }
    got
}

/// Records `count` messages on `channel`/`stream_id` and stops; returns (recording id, stop position).
pub fn record(env: &Env, channel: &str, stream_id: i32, count: usize) -> (i64, i64) {
    let sub_id = env
        .archive
        .start_recording(channel, stream_id, LOCAL, false)
        .unwrap();
    let publication = exclusive_publication(&env.aeron, channel, stream_id);
    let session_id = publication.constants().unwrap().session_id;
    // The subscription may also see (and the archive record) an image of an earlier, lingering publication
    // of the same stream: pick the recording of this publication's session.
    let mut recording_id = -1;
    wait_until("recording of the publication starts", || {
        let candidates: Vec<i64> = env
            .signals
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.subscription_id == sub_id && s.signal() == Some(RecordingSignal::Start))
            .map(|s| s.recording_id)
            .collect();
        if let Some(id) = candidates.into_iter().find(|id| {
            env.archive
                .recording_descriptor(*id)
                .ok()
                .flatten()
                .is_some_and(|d| d.session_id == session_id)
        }) {
            recording_id = id;
            return true;
        }
        let _ = env.archive.poll_for_recording_signals();
        false
    });
    let position = publish(&publication, 0..count);
    wait_until("recording catches up", || {
        env.archive.get_recording_position(recording_id).unwrap() >= position
    });
    env.archive.stop_recording_subscription(sub_id).unwrap();
    wait_signals(env, |s| has_signal(s, recording_id, RecordingSignal::Stop));
    drop(publication);
    (recording_id, position)
}

/// As [`publish`], on a concurrent publication.
pub fn publish_shared(publication: &AeronPublication, range: std::ops::Range<usize>) -> i64 {
    let mut position = 0;
    for i in range {
        let msg = message(i);
        let start = Instant::now();
        loop {
            let r = publication.offer(&msg, Handlers::no_reserved_value_supplier_handler());
            if r > 0 {
                position = r;
                break;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "offer of message {i} kept failing: {r}"
            );
            std::thread::yield_now();
        }
    }
    position
}

/// A UDP channel on a free port of 127.0.0.1.
pub fn udp_channel() -> String {
    format!(
        "aeron:udp?endpoint=127.0.0.1:{}",
        rusteron_archive_server::test_util::free_udp_port().unwrap()
    )
}

/// The recording id named by the first START signal of recording subscription `sub_id`.
pub fn started_recording(env: &Env, sub_id: i64) -> i64 {
    wait_signals(env, |s| {
        s.iter()
            .any(|s| s.subscription_id == sub_id && s.signal() == Some(RecordingSignal::Start))
    });
    env.signals
        .lock()
        .unwrap()
        .iter()
        .find(|s| s.subscription_id == sub_id && s.signal() == Some(RecordingSignal::Start))
        .unwrap()
        .recording_id
}
