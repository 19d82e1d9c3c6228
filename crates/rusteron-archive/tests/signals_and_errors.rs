//! Recording signals delivered by `poll_for_recording_signals` (in order, across an extension), and
//! asynchronous error responses: through the context's error handler, as an error of
//! `poll_for_recording_signals` / `check_for_error_response` without one, and through
//! `poll_for_error_response_as_string`.
//!
//! The asynchronous error is a replay to a UDP channel nobody subscribes to: the archive accepts it, then
//! reports `no connection established` once its connect timeout (shortened to 2 s here) expires.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusteron_archive::*;
use rusteron_archive_server::test_util::TestArchive;
use support::*;

const FRAME: i64 = 64;

#[test]
fn signals_of_an_extended_recording_arrive_in_order() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 90, 10);
    let d = env.archive.recording_descriptor(id).unwrap().unwrap();
    let term_length = d.term_buffer_length as i64;
    let channel = format!(
        "aeron:ipc?init-term-id={}|term-id={}|term-offset={}|term-length={term_length}|session-id={}",
        d.initial_term_id,
        d.initial_term_id + (stop / term_length) as i32,
        stop & (term_length - 1),
        d.session_id.wrapping_add(1)
    );
    let sub_id = env
        .archive
        .extend_recording(id, &channel, 90, LOCAL, false)
        .unwrap();
    let publication = exclusive_publication(&env.aeron, &channel, 90);
    let position = publish(&publication, 10..25);
    assert_eq!(position, 25 * FRAME);
    wait_until("extension recorded", || {
        env.archive.get_max_recorded_position(id).unwrap() >= position
    });
    env.archive.stop_recording_subscription(sub_id).unwrap();
    // The final STOP may come after the OK of the stop request: poll for it.
    wait_signals(&env, |s| {
        s.iter()
            .filter(|s| s.recording_id == id && s.signal() == Some(RecordingSignal::Stop))
            .count()
            == 2
    });
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
            RecordingSignal::Extend,
            RecordingSignal::Stop
        ],
        "{signals:?}"
    );
    assert_eq!(signals[0].position, 0);
    assert_eq!(signals[1].position, stop);
    assert_eq!(
        signals[2].position, stop,
        "EXTEND carries the position it extends from"
    );
    assert_eq!(signals[2].subscription_id, sub_id);
    assert_eq!(signals[3].position, position);
    assert_eq!(signals[3].subscription_id, sub_id);
    // Nothing pending any more.
    assert_eq!(env.archive.poll_for_recording_signals().unwrap(), 0);
    assert_eq!(
        env.signals
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.recording_id == id)
            .count(),
        4
    );
}

#[test]
fn signal_consumer_panic_is_resumed_by_the_poll() {
    let server = TestArchive::start().unwrap();
    let aeron = aeron_for(&server);
    let ctx = context_for(&server, &aeron);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    ctx.set_recording_signal_consumer(Some(AeronArchiveRecordingSignalConsumerFuncClosure::from(
        move |s: &AeronArchiveRecordingSignal| {
            sink.lock().unwrap().push(*s);
            if s.signal() == Some(RecordingSignal::Start) {
                panic!("consumer failed");
            }
        },
    )))
    .unwrap();
    let archive = AeronArchive::connect(&ctx).unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let sub_id = archive
            .start_recording("aeron:ipc", 91, LOCAL, false)
            .unwrap();
        let _publication = exclusive_publication(&aeron, "aeron:ipc", 91);
        let start = Instant::now();
        loop {
            archive.poll_for_recording_signals().unwrap();
            assert!(start.elapsed() < DEADLINE, "no START signal");
            std::thread::sleep(Duration::from_millis(1));
            let _ = sub_id;
        }
    }));
    let payload = r.expect_err("the consumer's panic reaches the poller");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"consumer failed"));
    assert_eq!(seen.lock().unwrap().len(), 1);
    // The connection is still usable.
    assert_eq!(archive.list_recordings(0, 10, |_| {}).unwrap(), 1);
}

fn short_connect_timeout_server() -> TestArchive {
    TestArchive::start_with(|c| c.connect_timeout = Duration::from_secs(2)).unwrap()
}

/// Starts a replay of a fresh recording on `stream_id` to a UDP channel without subscriber; returns its
/// session id. Each call of a test uses its own stream: a second recording of the same IPC stream right
/// after the first can make the server's client fail to map a just-deleted log buffer (see the report).
fn doomed_replay(env: &Env, stream_id: i32) -> i64 {
    let (id, _) = record(env, "aeron:ipc", stream_id, 3);
    env.archive
        .start_replay(id, &udp_channel(), 93, &AeronArchiveReplayParams::default())
        .unwrap()
}

#[test]
fn asynchronous_error_goes_to_the_contexts_error_handler() {
    let server = short_connect_timeout_server();
    let aeron = aeron_for(&server);
    let ctx = context_for(&server, &aeron);
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = errors.clone();
    ctx.set_error_handler(Some(AeronErrorHandlerClosure::from(
        move |code: i32, msg: &str| sink.lock().unwrap().push((code, msg.to_owned())),
    )))
    .unwrap();
    let signals = Arc::new(Mutex::new(Vec::new()));
    let sink = signals.clone();
    ctx.set_recording_signal_consumer(Some(AeronArchiveRecordingSignalConsumerFuncClosure::from(
        move |s: &AeronArchiveRecordingSignal| sink.lock().unwrap().push(*s),
    )))
    .unwrap();
    let archive = AeronArchive::connect(&ctx).unwrap();
    let env = Env {
        archive,
        aeron,
        signals,
        server,
    };
    doomed_replay(&env, 92);
    wait_until("error handler called", || {
        env.archive.poll_for_recording_signals().unwrap();
        !errors.lock().unwrap().is_empty()
    });
    let errors = errors.lock().unwrap().clone();
    println!("error handler: {errors:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (code, msg) = &errors[0];
    assert!(msg.contains("no connection established"), "{errors:?}");
    assert!(msg.contains("correlationId="), "{errors:?}");
    // The archive's GENERIC code (0 on the wire), mapped to the C client's code.
    assert_eq!(*code, map_archive_to_client_error_code(0));
    assert_eq!(*code, AERON_ARCHIVE_ERROR_CODE_GENERIC);
    assert_eq!(
        ArchiveErrorCode::from_client_code(*code),
        Some(ArchiveErrorCode::Generic)
    );
    // A handled error leaves nothing behind.
    env.archive.check_for_error_response().unwrap();
    assert_eq!(env.archive.list_recordings(0, 10, |_| {}).unwrap(), 1);
}

#[test]
fn asynchronous_error_without_handler_fails_the_signal_poll() {
    let server = short_connect_timeout_server();
    let (aeron, archive, signals) = connect(&server);
    let env = Env {
        archive,
        aeron,
        signals,
        server,
    };
    doomed_replay(&env, 94);
    let start = Instant::now();
    let err = loop {
        match env.archive.poll_for_recording_signals() {
            Ok(_) => {
                assert!(start.elapsed() < DEADLINE, "no error response");
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => break e,
        }
    };
    println!("poll_for_recording_signals: {err}");
    assert!(err.msg.contains("no connection established"), "{err}");
    assert_eq!(err.archive_code(), Some(ArchiveErrorCode::Generic), "{err}");
    // Reported once; the connection stays usable.
    assert_eq!(env.archive.poll_for_recording_signals().unwrap(), 0);
    assert_eq!(env.archive.list_recordings(0, 10, |_| {}).unwrap(), 1);
}

#[test]
fn asynchronous_error_through_check_and_poll_for_error() {
    let server = short_connect_timeout_server();
    let (aeron, archive, signals) = connect(&server);
    let env = Env {
        archive,
        aeron,
        signals,
        server,
    };
    doomed_replay(&env, 95);
    let start = Instant::now();
    let err = loop {
        match env.archive.check_for_error_response() {
            Ok(()) => {
                assert!(start.elapsed() < DEADLINE, "no error response");
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => break e,
        }
    };
    println!("check_for_error_response: {err}");
    assert!(err.msg.contains("no connection established"), "{err}");
    assert_eq!(err.archive_code(), Some(ArchiveErrorCode::Generic), "{err}");

    // A second failed replay, read as a string this time.
    doomed_replay(&env, 96);
    let start = Instant::now();
    let msg = loop {
        let msg = env.archive.poll_for_error_response_as_string(1024).unwrap();
        if !msg.is_empty() {
            break msg;
        }
        assert!(start.elapsed() < DEADLINE, "no error response");
        std::thread::sleep(Duration::from_millis(1));
    };
    assert!(msg.contains("no connection established"), "{msg}");
    assert!(env.archive.poll_for_error().unwrap().is_none());
}

thread_local! {
    /// The archive of `a_signal_consumer_cannot_call_back_into_its_archive`, reachable from its handlers
    /// (they are `Send + 'static`, but run on the thread that called into the archive).
    static ARCHIVE: std::cell::RefCell<Option<AeronArchive>> = const { std::cell::RefCell::new(None) };
}

/// A recording signal consumer (or idle strategy) that reaches its own archive through a thread-local and
/// calls a command from inside the C call that dispatches the signal is refused with `ArchiveClient(ReentrantCall)`: C
/// does not refuse it (it sets its in-callback flag around descriptor consumers only), and the nested
/// command would poll the control response subscription from inside that subscription's own poll (the
/// walked image list may be freed under the outer poll, docs/safety.md). The archive stays usable.
#[test]
fn a_signal_consumer_cannot_call_back_into_its_archive() {
    let server = TestArchive::start().expect("archive server starts");
    let aeron = aeron_for(&server);
    let ctx = context_for(&server, &aeron);
    let nested: Arc<Mutex<Vec<Result<i64, AeronErrorType>>>> = Arc::default();
    let sink = nested.clone();
    ctx.set_recording_signal_consumer(Some(AeronArchiveRecordingSignalConsumerFuncClosure::from(
        move |s: &AeronArchiveRecordingSignal| {
            ARCHIVE.with(|a| {
                if let Some(archive) = a.borrow().as_ref() {
                    let r = archive
                        .get_recording_position(s.recording_id)
                        .map_err(|e| e.kind());
                    sink.lock().unwrap().push(r);
                }
            })
        },
    )))
    .unwrap();
    let archive = AeronArchiveAsyncConnect::new(&ctx)
        .unwrap()
        .poll_blocking(DEADLINE)
        .expect("connects");
    ARCHIVE.with(|a| *a.borrow_mut() = Some(archive));
    let with_archive =
        |f: &dyn Fn(&AeronArchive)| ARCHIVE.with(|a| f(a.borrow().as_ref().unwrap()));
    with_archive(&|a| {
        a.start_recording("aeron:ipc", 91, LOCAL, false).unwrap();
    });
    let publication = exclusive_publication(&aeron, "aeron:ipc", 91);
    publish(&publication, 0..3);
    let start = Instant::now();
    while nested.lock().unwrap().is_empty() {
        with_archive(&|a| {
            a.poll_for_recording_signals().unwrap();
        });
        assert!(start.elapsed() < DEADLINE, "no recording signal");
        std::thread::sleep(Duration::from_millis(1));
    }
    let nested = nested.lock().unwrap().clone();
    assert!(
        nested.iter().all(|r| *r
            == Err(AeronErrorType::ArchiveClient(
                ArchiveClientErrorCode::ReentrantCall
            ))),
        "{nested:?}"
    );
    // Outside the consumer the same command works.
    with_archive(&|a| {
        let id = a
            .find_last_matching_recording(
                0,
                "aeron:ipc",
                91,
                publication.constants().unwrap().session_id,
            )
            .unwrap();
        assert!(a.get_recording_position(id).unwrap() >= 0);
    });
    ARCHIVE.with(|a| a.borrow_mut().take());
}

/// An absurd `max_len` for the error response buffer is an ordinary call (the buffer is capped), not an
/// allocation failure that aborts the process.
#[test]
fn huge_error_response_buffer_is_capped() {
    let env = start();
    for max_len in [0, 1, 1 << 40, usize::MAX] {
        assert_eq!(
            env.archive
                .poll_for_error_response_as_string(max_len)
                .unwrap(),
            "",
            "{max_len}"
        );
    }
}
