//! Positions, truncate, purge, extend, recording signals, errors and connect failures.

mod support;

use rusteron_archive::*;
use support::*;

const FRAME: i64 = 64; // 32-byte header + 16-byte message, aligned to 32.

#[test]
fn positions_of_a_stopped_recording() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 20, 7);
    assert_eq!(stop, 7 * FRAME);
    assert_eq!(env.archive.get_start_position(id).unwrap(), 0);
    assert_eq!(env.archive.get_stop_position(id).unwrap(), stop);
    assert_eq!(env.archive.get_max_recorded_position(id).unwrap(), stop);
    // Not active any more: no recording position.
    assert_eq!(
        env.archive.get_recording_position(id).unwrap(),
        AERON_NULL_POSITION as i64
    );
    assert_eq!(
        segment_file_base_position(0, stop, 64 * 1024, 128 * 1024),
        0
    );
}

#[test]
fn truncate_then_purge() {
    let env = start();
    let (id, _) = record(&env, "aeron:ipc", 21, 20);
    env.archive.truncate_recording(id, 10 * FRAME).unwrap();
    assert_eq!(env.archive.get_stop_position(id).unwrap(), 10 * FRAME);
    let replay = env
        .archive
        .replay(id, "aeron:ipc", 51, &AeronArchiveReplayParams::default())
        .unwrap();
    assert_eq!(
        receive(&replay, 10),
        (0..10).map(message).collect::<Vec<_>>()
    );
    drop(replay);

    env.archive.purge_recording(id).unwrap();
    wait_signals(&env, |s| has_signal(s, id, RecordingSignal::Delete));
    assert_eq!(env.archive.list_recording(id, |_| {}).unwrap(), 0);
}

#[test]
fn extends_a_stopped_recording() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 22, 10);
    let d = env.archive.recording_descriptor(id).unwrap().unwrap();
    let term_length = d.term_buffer_length as i64;
    let bits = term_length.trailing_zeros();
    let term_id = d.initial_term_id + (stop >> bits) as i32;
    let channel = format!(
        "aeron:ipc?init-term-id={}|term-id={term_id}|term-offset={}|term-length={term_length}|session-id={}",
        d.initial_term_id,
        stop & (term_length - 1),
        // A new session: the image of the original publication may still linger at the same position.
        d.session_id.wrapping_add(1)
    );
    let sub_id = env
        .archive
        .extend_recording(id, &channel, 22, LOCAL, false)
        .unwrap();
    let publication = exclusive_publication(&env.aeron, &channel, 22);
    wait_signals(&env, |s| has_signal(s, id, RecordingSignal::Extend));
    let position = publish(&publication, 10..20);
    assert_eq!(position, 20 * FRAME);
    wait_until("extension recorded", || {
        env.archive.get_max_recorded_position(id).unwrap() >= position
    });
    env.archive.stop_recording_subscription(sub_id).unwrap();
    let replay = env
        .archive
        .replay(id, "aeron:ipc", 52, &AeronArchiveReplayParams::default())
        .unwrap();
    assert_eq!(
        receive(&replay, 20),
        (0..20).map(message).collect::<Vec<_>>()
    );
}

#[test]
fn recording_signals_arrive_in_order() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 23, 3);
    env.archive.purge_recording(id).unwrap();
    wait_signals(&env, |s| has_signal(s, id, RecordingSignal::Delete));
    let signals: Vec<_> = env
        .signals
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.recording_id == id)
        .copied()
        .collect();
    let kinds: Vec<_> = signals.iter().map(|s| s.signal().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            RecordingSignal::Start,
            RecordingSignal::Stop,
            RecordingSignal::Delete
        ],
        "{signals:?}"
    );
    assert_eq!(signals[1].position, stop);
    assert!(signals
        .iter()
        .all(|s| s.control_session_id == env.archive.control_session_id()));
}

#[test]
fn unknown_recording_is_a_clear_error() {
    let env = start();
    let err = env.archive.get_stop_position(987_654).unwrap_err();
    println!("unknown recording: {err}");
    assert!(err.msg.contains("987654"), "{err}");
    assert!(
        err.msg.to_lowercase().contains("unknown recording"),
        "{err}"
    );
    let err = env
        .archive
        .start_replay(
            987_654,
            "aeron:ipc",
            53,
            &AeronArchiveReplayParams::default(),
        )
        .unwrap_err();
    assert!(
        err.msg.to_lowercase().contains("unknown recording"),
        "{err}"
    );
    // The connection stays usable.
    assert_eq!(env.archive.list_recordings(0, 10, |_| {}).unwrap(), 0);
}

#[test]
fn replay_past_the_end_is_a_clear_error() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 24, 5);
    let params = AeronArchiveReplayParams::range(stop + 100 * FRAME, FRAME);
    let err = env
        .archive
        .start_replay(id, "aeron:ipc", 54, &params)
        .unwrap_err();
    println!("replay past the end: {err}");
    assert!(err.msg.contains("position"), "{err}");
    assert!(env.archive.get_stop_position(id).is_ok());
}

#[test]
fn connect_times_out_when_no_archive_runs() {
    let driver = rusteron_media_driver::TestMediaDriver::launch().unwrap();
    let aeron_ctx = AeronContext::new().unwrap();
    aeron_ctx.set_dir(driver.dir()).unwrap();
    let aeron = Aeron::connect(&aeron_ctx).unwrap();
    let port = rusteron_archive_server::test_util::free_udp_port().unwrap();
    let ctx = AeronArchiveContext::new_with_no_credentials_supplier(
        &aeron,
        &format!("aeron:udp?endpoint=127.0.0.1:{port}"),
        "aeron:udp?endpoint=127.0.0.1:0",
        "aeron:udp?endpoint=127.0.0.1:0",
    )
    .unwrap();
    ctx.set_message_timeout_ns(300_000_000).unwrap();
    let connect = AeronArchiveAsyncConnect::new(&ctx).unwrap();
    let err = connect.poll_blocking(DEADLINE).unwrap_err();
    println!("connect: {err}");
    // The C connect fails by itself (its "connect timeout" is the source), before the wrapper's own wait.
    assert_eq!(err.kind(), AeronErrorType::TimedOut, "{err}");
    assert!(
        err.msg.contains("connect timeout"),
        "the C connect must fail by itself: {err}"
    );
    assert!(
        connect.poll().is_err(),
        "polling a failed connect is an error, not a crash"
    );
    // The context is free again: a blocking connect fails the same way.
    assert!(!ctx.is_in_use());
    assert!(AeronArchive::connect(&ctx).is_err());
}

#[test]
fn descriptor_consumer_panic_is_resumed_after_the_call() {
    let env = start();
    record(&env, "aeron:ipc", 25, 1);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        env.archive
            .list_recordings(0, 10, |_| panic!("consumer failed"))
            .unwrap();
    }));
    assert!(r.is_err());
    // The C call completed normally, so the connection is still usable.
    assert_eq!(env.archive.list_recordings(0, 10, |_| {}).unwrap(), 1);
}

#[test]
fn reentrant_call_from_a_consumer_is_an_error() {
    let env = start();
    record(&env, "aeron:ipc", 26, 1);
    let mut inner = None;
    env.archive
        .list_recordings(0, 10, |d| {
            inner = Some(env.archive.get_stop_position(d.recording_id))
        })
        .unwrap();
    let err = inner.unwrap().unwrap_err();
    assert!(err.msg.contains("reentrant"), "{err}");
}
