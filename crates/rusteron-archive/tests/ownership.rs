//! Drop order and context rules: nothing the user drops first can leave the archive (or what it returned)
//! dangling.

mod support;

use rusteron_archive::*;
use rusteron_archive_server::test_util::TestArchive;
use support::*;

#[test]
fn archive_outlives_the_users_aeron_and_context_handles() {
    let server = TestArchive::start().unwrap();
    let aeron = aeron_for(&server);
    let ctx = context_for(&server, &aeron);
    let archive = AeronArchive::connect(&ctx).unwrap();
    drop(ctx);
    drop(aeron);
    // The archive keeps its client and context: commands and new resources still work.
    let sub_id = archive
        .start_recording("aeron:ipc", 30, LOCAL, true)
        .unwrap();
    let publication = exclusive_publication(archive.aeron(), "aeron:ipc", 30);
    publish(&publication, 0..3);
    // The recording starts when the archive sees the image; stopping before that would record nothing.
    wait_until("the recording to start", || {
        archive.list_recordings(0, 10, |_| {}).unwrap() == 1
    });
    archive.stop_recording_subscription(sub_id).unwrap();
    assert_eq!(archive.list_recordings(0, 10, |_| {}).unwrap(), 1);
}

#[test]
fn replay_subscription_outlives_the_archive() {
    let env = start();
    let (id, _) = record(&env, "aeron:ipc", 31, 12);
    let Env {
        archive,
        aeron,
        server,
        ..
    } = env;
    let replay = archive
        .replay(id, "aeron:ipc", 55, &AeronArchiveReplayParams::default())
        .unwrap();
    drop(archive);
    drop(aeron);
    assert_eq!(
        receive(&replay, 12),
        (0..12).map(message).collect::<Vec<_>>()
    );
    drop(replay);
    drop(server);
}

#[test]
fn context_is_frozen_while_an_archive_uses_it() {
    let server = TestArchive::start().unwrap();
    let aeron = aeron_for(&server);
    let ctx = context_for(&server, &aeron);
    let archive = AeronArchiveAsyncConnect::new(&ctx)
        .unwrap()
        .poll_blocking(DEADLINE)
        .unwrap();
    assert!(ctx.is_in_use());
    let err = ctx
        .set_error_handler(Some(AeronErrorHandlerLogger))
        .unwrap_err();
    assert_eq!(err.kind(), AeronErrorType::ClientErrorClientIllegalState);
    assert!(
        AeronArchiveAsyncConnect::new(&ctx).is_err(),
        "one connection per context at a time"
    );
    drop(archive);
    assert!(!ctx.is_in_use());
    ctx.set_error_handler(Some(AeronErrorHandlerLogger))
        .unwrap();
    // Reusable for a new connection.
    let again = AeronArchive::connect(&ctx).unwrap();
    assert!(again.get_archive_id() != 0);
}

#[test]
fn dropping_a_pending_connect_cancels_it() {
    let server = TestArchive::start().unwrap();
    let aeron = aeron_for(&server);
    let ctx = context_for(&server, &aeron);
    for _ in 0..3 {
        let connect = AeronArchiveAsyncConnect::new(&ctx).unwrap();
        let _ = connect.poll();
        drop(connect);
        assert!(!ctx.is_in_use());
    }
    let archive = AeronArchiveAsyncConnect::new(&ctx)
        .unwrap()
        .poll_blocking(DEADLINE)
        .unwrap();
    assert_eq!(archive.list_recordings(0, 1, |_| {}).unwrap(), 0);
}

#[test]
fn handlers_are_freed_with_the_context_and_archive() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    impl AeronArchiveRecordingSignalConsumerFuncCallback for Counted {
        fn handle_aeron_archive_recording_signal_consumer_func(
            &mut self,
            _: &AeronArchiveRecordingSignal,
        ) {
        }
    }
    let dropped = Arc::new(AtomicUsize::new(0));
    let server = TestArchive::start().unwrap();
    let aeron = aeron_for(&server);
    let ctx = context_for(&server, &aeron);
    ctx.set_recording_signal_consumer(Some(Counted(dropped.clone())))
        .unwrap();
    let archive = AeronArchive::connect(&ctx).unwrap();
    drop(ctx);
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        0,
        "the archive still uses the handler"
    );
    drop(archive);
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "freed with the last owner"
    );
}
