//! Typed archive error codes: a request the archive refuses fails with an [`AeronCError`] whose kind is
//! [`AeronErrorType::Archive`] with the archive's [`ArchiveErrorCode`] (the code Java's archive sends for the
//! same request), and whose message keeps the archive's text. Real media driver, real Rust archive server.
//!
//! Covered: UNKNOWN_RECORDING (replay, purge, truncate, stop position, extend), UNKNOWN_SUBSCRIPTION (stop by
//! id and by channel; `try_stop_recording_subscription` says `false`), ACTIVE_SUBSCRIPTION, ACTIVE_RECORDING
//! (purge and truncate while recording), INVALID_POSITION, EMPTY_RECORDING, MAX_RECORDINGS, MAX_REPLAYS,
//! STORAGE_SPACE and UNKNOWN_REPLICATION. Each fails if the kind were `Unknown(-2xx)` or the archive sent
//! another code than Java's archive does for the request.

mod support;

use rusteron_archive::*;
use rusteron_archive_server::test_util::TestArchive;
use support::*;

const MISSING: i64 = 987_654;

/// Asserts that `result` failed with archive code `code` (kind, accessor and C code agree) and that the
/// message has the archive's text `text`; returns the error.
#[track_caller]
fn assert_archive_error<T: std::fmt::Debug>(
    result: Result<T, AeronCError>,
    code: ArchiveErrorCode,
    text: &str,
) -> AeronCError {
    let err = result.expect_err("the archive must refuse the request");
    println!("{code}: {err}");
    assert_eq!(err.archive_code(), Some(code), "{err}");
    assert_eq!(err.kind(), AeronErrorType::Archive(code), "{err}");
    assert_eq!(err.code, -code.client_code(), "{err}");
    assert!(
        err.msg.contains(&format!("errorCode={}", code.wire_code())),
        "the C client names the archive's wire code: {err}"
    );
    assert!(err.msg.contains(text), "the archive's text is kept: {err}");
    err
}

#[test]
fn unknown_recording() {
    let env = start();
    let text = format!("unknown recording id: {MISSING}");
    let replay = env.archive.start_replay(
        MISSING,
        "aeron:ipc",
        60,
        &AeronArchiveReplayParams::default(),
    );
    assert_archive_error(replay, ArchiveErrorCode::UnknownRecording, &text);
    assert_archive_error(
        env.archive.purge_recording(MISSING),
        ArchiveErrorCode::UnknownRecording,
        &text,
    );
    assert_archive_error(
        env.archive.truncate_recording(MISSING, 0),
        ArchiveErrorCode::UnknownRecording,
        &text,
    );
    assert_archive_error(
        env.archive.get_stop_position(MISSING),
        ArchiveErrorCode::UnknownRecording,
        &text,
    );
    // The connection stays usable.
    assert_eq!(env.archive.list_recordings(0, 10, |_| {}).unwrap(), 0);
}

#[test]
fn unknown_subscription() {
    let env = start();
    assert_archive_error(
        env.archive.stop_recording_subscription(MISSING),
        ArchiveErrorCode::UnknownSubscription,
        &format!("no recording subscription found for subscriptionId={MISSING}"),
    );
    assert_archive_error(
        env.archive
            .stop_recording_channel_and_stream("aeron:ipc", 61),
        ArchiveErrorCode::UnknownSubscription,
        "no recording found for streamId=61 channel=aeron:ipc",
    );
    // The `try_` variant is C's "allowing UNKNOWN_SUBSCRIPTION": it only says `false` if the archive sent
    // exactly that code.
    assert!(!env
        .archive
        .try_stop_recording_subscription(MISSING)
        .unwrap());
}

#[test]
fn active_recording_and_active_subscription() {
    let env = start();
    let channel = "aeron:ipc";
    let sub_id = env
        .archive
        .start_recording(channel, 62, LOCAL, false)
        .unwrap();
    assert_archive_error(
        env.archive.start_recording(channel, 62, LOCAL, false),
        ArchiveErrorCode::ActiveSubscription,
        "recording exists for streamId=62",
    );
    let publication = exclusive_publication(&env.aeron, channel, 62);
    let id = started_recording(&env, sub_id);
    let position = publish(&publication, 0..5);
    wait_until("recorded", || {
        env.archive.get_recording_position(id).unwrap() >= position
    });
    assert_archive_error(
        env.archive.purge_recording(id),
        ArchiveErrorCode::ActiveRecording,
        &format!("cannot purge active recording {id}"),
    );
    assert_archive_error(
        env.archive.truncate_recording(id, 0),
        ArchiveErrorCode::ActiveRecording,
        "cannot truncate active recording",
    );
    // Once stopped, the same purge succeeds.
    env.archive.stop_recording_subscription(sub_id).unwrap();
    wait_signals(&env, |s| has_signal(s, id, RecordingSignal::Stop));
    env.archive.purge_recording(id).unwrap();
}

#[test]
fn invalid_position() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 63, 5);
    let params = AeronArchiveReplayParams::range(stop + 64 * 32, 32);
    assert_archive_error(
        env.archive.start_replay(id, "aeron:ipc", 64, &params),
        ArchiveErrorCode::InvalidPosition,
        &format!("must be less than the limit position={stop}"),
    );
    assert_archive_error(
        env.archive.truncate_recording(id, stop + 32),
        ArchiveErrorCode::InvalidPosition,
        &format!("invalid position {}", stop + 32),
    );
}

#[test]
fn empty_recording() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 73, 0);
    assert_eq!(stop, 0, "nothing recorded");
    // Replay all and stop, from the start (no position), of a recording with nothing in it.
    let params = AeronArchiveReplayParams::range(-1, i64::from(ARCHIVE_REPLAY_ALL_AND_STOP));
    assert_archive_error(
        env.archive.start_replay(id, "aeron:ipc", 74, &params),
        ArchiveErrorCode::EmptyRecording,
        &format!("recordingId={id}"),
    );
}

#[test]
fn max_recordings() {
    let server = TestArchive::start_with(|c| c.max_concurrent_recordings = 1).unwrap();
    let (_aeron, archive, _signals) = connect(&server);
    archive
        .start_recording("aeron:ipc", 65, LOCAL, false)
        .unwrap();
    assert_archive_error(
        archive.start_recording("aeron:ipc", 66, LOCAL, false),
        ArchiveErrorCode::MaxRecordings,
        "max concurrent recordings reached at 1",
    );
}

#[test]
fn max_replays() {
    // The replay limit is checked first (as Java does): even a replay of an unknown recording is refused.
    let server = TestArchive::start_with(|c| c.max_concurrent_replays = 0).unwrap();
    let (_aeron, archive, _signals) = connect(&server);
    assert_archive_error(
        archive.start_replay(
            MISSING,
            "aeron:ipc",
            69,
            &AeronArchiveReplayParams::default(),
        ),
        ArchiveErrorCode::MaxReplays,
        "max concurrent replays reached 0",
    );
}

#[test]
fn unknown_replication() {
    let env = start();
    assert_archive_error(
        env.archive.stop_replication(MISSING),
        ArchiveErrorCode::UnknownReplication,
        &format!("unknown replication id {MISSING}"),
    );
}

#[test]
fn extend_refusals() {
    let env = start();
    assert_archive_error(
        env.archive
            .extend_recording(MISSING, "aeron:ipc", 70, LOCAL, false),
        ArchiveErrorCode::UnknownRecording,
        &format!("unknown recording id: {MISSING}"),
    );
    let (id, _stop) = record(&env, "aeron:ipc", 71, 3);
    // Java answers a stream id mismatch with UNKNOWN_RECORDING too.
    assert_archive_error(
        env.archive
            .extend_recording(id, "aeron:ipc", 72, LOCAL, false),
        ArchiveErrorCode::UnknownRecording,
        &format!("cannot extend recording {id} with streamId=72 for existing streamId=71"),
    );
}

#[test]
fn storage_space() {
    // Every file system has no more usable bytes than this threshold: the archive refuses new recordings.
    let server =
        TestArchive::start_with(|c| c.low_storage_space_threshold = Some(u64::MAX)).unwrap();
    let (_aeron, archive, _signals) = connect(&server);
    assert_archive_error(
        archive.start_recording("aeron:ipc", 67, LOCAL, false),
        ArchiveErrorCode::StorageSpace,
        &format!("low storage threshold={}", u64::MAX),
    );
}

#[test]
fn codes_outside_an_archive_error_are_not_archive_codes() {
    let env = start();
    // A wrapper-side failure (a NUL in the channel) is no archive error.
    let err = env
        .archive
        .start_recording("aeron:ipc\0", 68, LOCAL, false)
        .unwrap_err();
    assert_eq!(err.archive_code(), None, "{err}");
}
