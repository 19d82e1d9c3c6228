//! Typed errors of the C archive client itself: a call it refuses before asking the archive fails with an
//! [`AeronCError`] whose kind is [`AeronErrorType::ArchiveClient`] with an [`ArchiveClientErrorCode`]
//! (`AERON_ARCHIVE_CLIENT_ERROR_*`, negated). Real media driver, real Rust archive servers.
//!
//! Covered: REENTRANT_CALL (a call from inside a descriptor consumer of the same client), NOT_CONNECTED (a
//! call after the archive stopped) and ILLEGAL_STATE (every call after that). Each fails if the kind were
//! still `Unknown(-200x)`, or if C reported the failure with another code. A connect the archive refuses is
//! [`AeronErrorType::ArchiveConnectRejected`] (tested in `auth.rs`); here: an `EINVAL` of the C connect
//! before it sent its request is not taken for a refusal.

mod support;

use std::time::Instant;

use rusteron_archive::*;
use rusteron_archive_server::test_util::{free_udp_port, TestArchive};
use rusteron_archive_server::ArchiveServer;
use support::*;

/// Asserts that `result` failed with the C archive client's own code `code` (kind, accessor and C code
/// agree, and it is no archive response) and that the message has C's text `text`; returns the error.
#[track_caller]
fn assert_client_error<T: std::fmt::Debug>(
    result: Result<T, AeronCError>,
    code: ArchiveClientErrorCode,
    text: &str,
) -> AeronCError {
    let err = result.expect_err("the C archive client must refuse the call");
    println!("{code}: {err}");
    assert_eq!(err.kind(), AeronErrorType::ArchiveClient(code), "{err}");
    assert_eq!(err.archive_client_code(), Some(code), "{err}");
    assert_eq!(err.code, -code.client_code(), "{err}");
    assert_eq!(err.archive_code(), None, "no archive response: {err}");
    assert!(err.msg.contains(text), "C's text is kept: {err}");
    err
}

#[test]
fn reentrant_call_from_a_descriptor_consumer() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 80, 2);
    let mut inner = Vec::new();
    let listed = env
        .archive
        .list_recordings(0, 10, |d| {
            inner.push(env.archive.get_stop_position(d.recording_id).map(|_| ()));
            inner.push(
                env.archive
                    .list_recording(d.recording_id, |_| {})
                    .map(|_| ()),
            );
        })
        .unwrap();
    assert_eq!(listed, 1, "the outer listing completes");
    assert_eq!(inner.len(), 2);
    for result in inner {
        assert_client_error(
            result,
            ArchiveClientErrorCode::ReentrantCall,
            "reentrant calls not permitted during callbacks",
        );
    }
    // Nothing was sent and the client stays usable.
    assert_eq!(env.archive.get_stop_position(id).unwrap(), stop);
}

#[test]
fn a_stopped_archive_is_not_connected_then_illegal_state() {
    // A driver (with an archive this test does not use) and a second archive on that driver, which the test
    // stops while the driver and the client's Aeron client keep running.
    let host = TestArchive::start().expect("archive server starts");
    let archive_tmp = tempfile::tempdir().unwrap();
    let mut config = host.server().config().clone();
    config.archive_dir = archive_tmp.path().join("archive");
    config.mark_file_dir = None;
    config.archive_id = None;
    config.control_channel = Some(format!(
        "aeron:udp?endpoint=127.0.0.1:{}",
        free_udp_port().unwrap()
    ));
    config.local_control_stream_id += 1000;
    config.recording_events_channel = format!(
        "aeron:udp?control-mode=dynamic|control=127.0.0.1:{}",
        free_udp_port().unwrap()
    );
    let control_channel = config.control_channel.clone().unwrap();
    let control_stream_id = config.control_stream_id;
    let events_channel = config.recording_events_channel.clone();
    let stopping = ArchiveServer::launch(config).expect("second archive server starts");

    let aeron = aeron_for(&host);
    let ctx = AeronArchiveContext::new_with_no_credentials_supplier(
        &aeron,
        &control_channel,
        host.control_response_channel(),
        &events_channel,
    )
    .unwrap();
    ctx.set_control_request_stream_id(control_stream_id)
        .unwrap();
    ctx.set_message_timeout_ns(10_000_000_000).unwrap();
    let archive = AeronArchiveAsyncConnect::new(&ctx)
        .unwrap()
        .poll_blocking(DEADLINE)
        .expect("connects to the second archive");
    assert_eq!(archive.get_archive_id(), stopping.archive_id());
    assert_eq!(archive.list_recordings(0, 10, |_| {}).unwrap(), 0);

    stopping.close();
    // Once the image of the archive's control responses is gone, C refuses every call before sending it.
    // Polling for signals sends nothing, so until then it succeeds with nothing to dispatch.
    let started = Instant::now();
    let err = loop {
        match archive.poll_for_recording_signals() {
            Ok(_) => {
                assert!(
                    started.elapsed() < DEADLINE,
                    "the archive's responses never stopped"
                );
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(err) => break err,
        }
    };
    assert_client_error(
        Err::<(), _>(err),
        ArchiveClientErrorCode::NotConnected,
        "got disconnected from the archive",
    );

    // The client is finished: every later call is an illegal state naming the first error.
    let later = assert_client_error(
        archive.list_recordings(0, 10, |_| {}),
        ArchiveClientErrorCode::IllegalState,
        "must closed and discarded",
    );
    assert!(
        later.msg.contains(&format!(
            "({})",
            ArchiveClientErrorCode::NotConnected.client_code()
        )),
        "names the earlier error: {later}"
    );
    assert_client_error(
        archive.poll_for_recording_signals(),
        ArchiveClientErrorCode::IllegalState,
        "must closed and discarded",
    );
    assert_client_error(
        archive.start_recording("aeron:ipc", 81, LOCAL, false),
        ArchiveClientErrorCode::IllegalState,
        "must closed and discarded",
    );
    // Closing a finished client is fine, and the host archive still serves a new one.
    drop(archive);
    let (_aeron, fresh, _signals) = connect(&host);
    assert_eq!(fresh.list_recordings(0, 10, |_| {}).unwrap(), 0);
}

#[test]
fn a_connect_failing_before_its_request_is_not_a_rejection() {
    let server = TestArchive::start().expect("archive server starts");
    let aeron = aeron_for(&server);
    let ctx = context_for(&server, &aeron);
    // C's context check refuses this with EINVAL, as the archive's refusal is reported, but before any
    // request was sent.
    ctx.set_message_retry_attempts(0).unwrap();
    for result in [
        AeronArchive::connect(&ctx).map(|_| ()),
        AeronArchiveAsyncConnect::new(&ctx).map(|_| ()),
    ] {
        let err = result.expect_err("C refuses the context");
        println!("{err}");
        assert_eq!(err.code, 22, "{err}");
        assert_eq!(err.kind(), AeronErrorType::Unknown(22), "{err}");
        assert!(err.msg.contains("message_retry_attempts"), "{err}");
        assert!(!ctx.is_in_use());
    }
    ctx.set_message_retry_attempts(3).unwrap();
    assert!(AeronArchive::connect(&ctx).is_ok());
}
