//! Persistent subscriptions (the 1.54 C `aeron_archive_persistent_subscription_*` API) against the Rust
//! archive server: replay an existing recording then join the live stream, start from live, start mid-way,
//! failures reported to the listener, and the context rules.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use rusteron_archive::*;
use support::*;

/// Listener events, shared with the test.
#[derive(Debug, Default)]
struct Events {
    joined: usize,
    left: usize,
    errors: Vec<(i32, String)>,
}

struct Listener(Arc<Mutex<Events>>);

impl AeronArchivePersistentSubscriptionListener for Listener {
    fn on_live_joined(&mut self) {
        self.0.lock().unwrap().joined += 1;
    }
    fn on_live_left(&mut self) {
        self.0.lock().unwrap().left += 1;
    }
    fn on_error(&mut self, errcode: i32, message: &str) {
        self.0
            .lock()
            .unwrap()
            .errors
            .push((errcode, message.to_owned()));
    }
}

/// A persistent subscription context on `env`'s archive (its own archive context: the env's is in use).
fn ps_context(
    env: &Env,
    recording_id: i64,
    live_channel: &str,
    live_stream_id: i32,
    start_position: i64,
) -> (
    AeronArchivePersistentSubscriptionContext,
    Arc<Mutex<Events>>,
) {
    let ctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
    ctx.set_aeron(&env.aeron).unwrap();
    ctx.set_archive_context(&context_for(&env.server, &env.aeron))
        .unwrap();
    ctx.set_recording_id(recording_id).unwrap();
    ctx.set_live_channel(live_channel).unwrap();
    ctx.set_live_stream_id(live_stream_id).unwrap();
    ctx.set_replay_channel("aeron:udp?endpoint=127.0.0.1:0")
        .unwrap();
    ctx.set_replay_stream_id(-5).unwrap();
    ctx.set_start_position(start_position).unwrap();
    let events = Arc::new(Mutex::new(Events::default()));
    ctx.set_listener(Some(Listener(events.clone()))).unwrap();
    (ctx, events)
}

/// Polls `ps` (fragment limit `limit`) into `got` until `done` holds.
fn poll_until(
    ps: &AeronArchivePersistentSubscription,
    got: &mut Vec<Vec<u8>>,
    limit: usize,
    what: &str,
    mut done: impl FnMut(&AeronArchivePersistentSubscription, &[Vec<u8>]) -> bool,
) {
    let start = Instant::now();
    while !done(ps, got) {
        let n = ps
            .poll_once(|m: &[u8], _h: AeronHeader<'_>| got.push(m.to_vec()), limit)
            .unwrap();
        assert!(
            !ps.has_failed(),
            "failed while waiting for {what}: {:?}",
            ps.failure_reason()
        );
        if n == 0 {
            assert!(
                start.elapsed() < DEADLINE * 2,
                "timed out waiting for {what} ({} messages, {ps:?})",
                got.len()
            );
            std::thread::yield_now();
        }
    }
}

/// A recorded exclusive IPC publication on `stream_id` with `count` messages recorded; returns it and its
/// recording id.
fn recorded_publication(
    env: &Env,
    stream_id: i32,
    count: usize,
) -> (AeronExclusivePublication, i64) {
    let publication = env
        .archive
        .add_recorded_exclusive_publication("aeron:ipc", stream_id)
        .unwrap();
    let session_id = publication.constants().unwrap().session_id;
    wait_signals(env, |s| has_signal(s, -1, RecordingSignal::Start));
    let recording_id = env
        .archive
        .find_last_matching_recording(0, "aeron:ipc", stream_id, session_id)
        .unwrap();
    assert!(recording_id >= 0);
    let position = publish(&publication, 0..count);
    wait_until("recorded", || {
        env.archive.get_recording_position(recording_id).unwrap() >= position
    });
    (publication, recording_id)
}

#[test]
fn replays_the_recording_then_joins_live() {
    let env = start();
    let (publication, recording_id) = recorded_publication(&env, 100, 5);
    let (ctx, events) = ps_context(
        &env,
        recording_id,
        "aeron:ipc",
        100,
        AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START,
    );
    let ps = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    assert!(!ps.is_live());
    let mut got = Vec::new();
    poll_until(&ps, &mut got, 1, "first message", |_, g| g.len() == 1);
    assert!(ps.is_replaying(), "the first message comes from the replay");
    assert_eq!(events.lock().unwrap().joined, 0);
    poll_until(&ps, &mut got, 10, "replayed messages", |_, g| g.len() == 5);
    poll_until(&ps, &mut got, 10, "live", |ps, _| ps.is_live());
    assert_eq!(events.lock().unwrap().joined, 1);
    publish(&publication, 5..10);
    poll_until(&ps, &mut got, 10, "live messages", |_, g| g.len() == 10);
    assert_eq!(got, (0..10).map(message).collect::<Vec<_>>());
    assert!(ps.is_live());
    assert!(!ps.is_replaying());
    assert!(!ps.has_failed());
    assert!(ps.failure_reason().is_none());
    let events = events.lock().unwrap();
    assert_eq!((events.joined, events.left), (1, 0), "{events:?}");
    assert!(events.errors.is_empty(), "{events:?}");
}

#[test]
fn from_live_skips_the_recorded_history() {
    let env = start();
    let (publication, recording_id) = recorded_publication(&env, 101, 5);
    let (ctx, events) = ps_context(
        &env,
        recording_id,
        "aeron:ipc",
        101,
        AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE,
    );
    let ps = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    let mut got = Vec::new();
    poll_until(&ps, &mut got, 10, "live", |ps, _| ps.is_live());
    assert_eq!(events.lock().unwrap().joined, 1);
    publish(&publication, 5..8);
    poll_until(&ps, &mut got, 10, "live messages", |_, g| g.len() == 3);
    assert_eq!(got, (5..8).map(message).collect::<Vec<_>>());
}

#[test]
fn starts_from_a_position_inside_the_recording() {
    let env = start();
    let (publication, recording_id) = recorded_publication(&env, 102, 10);
    // Messages are 64-byte frames: start at message 4.
    let (ctx, _events) = ps_context(&env, recording_id, "aeron:ipc", 102, 4 * 64);
    assert_eq!(ctx.get_start_position(), 4 * 64);
    let ps = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    let mut got = Vec::new();
    poll_until(&ps, &mut got, 10, "replayed tail", |_, g| g.len() == 6);
    poll_until(&ps, &mut got, 10, "live", |ps, _| ps.is_live());
    publish(&publication, 10..12);
    poll_until(&ps, &mut got, 10, "live messages", |_, g| g.len() == 8);
    assert_eq!(got, (4..12).map(message).collect::<Vec<_>>());
}

#[test]
fn controlled_poll_delivers_the_same_stream() {
    let env = start();
    let (publication, recording_id) = recorded_publication(&env, 103, 5);
    let (ctx, _events) = ps_context(
        &env,
        recording_id,
        "aeron:ipc",
        103,
        AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START,
    );
    let ps = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    let got = std::cell::RefCell::new(Vec::new());
    let mut handler =
        AeronControlledFragmentHandlerClosure::new(|m: &[u8], _h: AeronHeader<'_>| {
            got.borrow_mut().push(m.to_vec());
            AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE
        });
    let mut published = false;
    let start = Instant::now();
    while got.borrow().len() < 9 {
        let n = ps.controlled_poll(&mut handler, 10).unwrap();
        assert!(!ps.has_failed(), "{:?}", ps.failure_reason());
        if !published && ps.is_live() {
            publish(&publication, 5..9);
            published = true;
        }
        if n == 0 {
            assert!(
                start.elapsed() < DEADLINE * 2,
                "got {} of 9",
                got.borrow().len()
            );
            std::thread::yield_now();
        }
    }
    assert_eq!(got.into_inner(), (0..9).map(message).collect::<Vec<_>>());
}

#[test]
fn unknown_recording_fails_and_tells_the_listener() {
    let env = start();
    let (ctx, events) = ps_context(
        &env,
        987_654,
        "aeron:ipc",
        104,
        AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START,
    );
    let ps = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    let start = Instant::now();
    while !ps.has_failed() {
        let _ = ps.poll_once(|_: &[u8], _h: AeronHeader<'_>| {}, 10);
        assert!(start.elapsed() < DEADLINE, "did not fail: {ps:?}");
        std::thread::yield_now();
    }
    let reason = ps.failure_reason().expect("a failure reason");
    println!("failure: {reason}");
    assert!(
        reason.msg.contains("987654") || reason.msg.to_lowercase().contains("unknown"),
        "{reason}"
    );
    let events = events.lock().unwrap();
    assert_eq!(events.errors.len(), 1, "{events:?}");
    assert_eq!(events.joined, 0);
}

#[test]
fn context_is_in_use_while_the_subscription_lives() {
    let env = start();
    let (_publication, recording_id) = recorded_publication(&env, 105, 1);
    let (ctx, _events) = ps_context(
        &env,
        recording_id,
        "aeron:ipc",
        105,
        AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START,
    );
    assert_eq!(ctx.get_recording_id(), recording_id);
    assert_eq!(ctx.get_live_channel(), "aeron:ipc");
    assert_eq!(ctx.get_live_stream_id(), 105);
    assert_eq!(ctx.get_replay_stream_id(), -5);
    let ps = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    let err = ctx.set_live_stream_id(7).unwrap_err();
    assert_eq!(err.kind(), AeronErrorType::ClientErrorClientIllegalState);
    assert!(AeronArchivePersistentSubscription::create(&ctx).is_err());
    drop(ps);
    ctx.set_live_stream_id(105).unwrap();
    // Reusable once the subscription is gone.
    let again = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    let mut got = Vec::new();
    poll_until(&again, &mut got, 10, "the recorded message", |_, g| {
        g.len() == 1
    });
    assert_eq!(got, vec![message(0)]);
}

#[test]
fn missing_archive_context_is_an_error_not_a_crash() {
    let env = start();
    let ctx = AeronArchivePersistentSubscriptionContext::new().unwrap();
    ctx.set_aeron(&env.aeron).unwrap();
    ctx.set_recording_id(0).unwrap();
    ctx.set_live_channel("aeron:ipc").unwrap();
    ctx.set_live_stream_id(106).unwrap();
    let err = AeronArchivePersistentSubscription::create(&ctx).unwrap_err();
    assert_eq!(err.kind(), AeronErrorType::ClientErrorClientIllegalState);
}

/// A fragment handler of a persistent subscription that polls the same subscription again (directly or
/// controlled) is refused with `ReentrantCall`: C would run its state machine and its fragment assembler
/// inside the outer poll (the outer handler's slice lives in that assembler's buffer, which the nested poll
/// overwrites and may reallocate; a nested state change closes the replay subscription the outer poll is
/// reading). The outer poll goes on delivering every message once.
#[test]
fn nested_poll_from_its_own_handler_is_refused() {
    let env = start();
    let (publication, recording_id) = recorded_publication(&env, 107, 5);
    let (ctx, _events) = ps_context(
        &env,
        recording_id,
        "aeron:ipc",
        107,
        AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START,
    );
    let ps = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    let mut got = Vec::new();
    let mut nested = Vec::new();
    let mut published = false;
    let start = Instant::now();
    while got.len() < 8 {
        let n = ps
            .poll_once(
                |m: &[u8], _h: AeronHeader<'_>| {
                    let copy = m.to_vec();
                    nested.push(
                        ps.poll_once(|_: &[u8], _h: AeronHeader<'_>| {}, 10)
                            .map_err(|e| e.kind()),
                    );
                    let mut controlled = AeronControlledFragmentHandlerClosure::new(
                        |_: &[u8], _h: AeronHeader<'_>| {
                            AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE
                        },
                    );
                    nested.push(
                        ps.controlled_poll(&mut controlled, 10)
                            .map_err(|e| e.kind()),
                    );
                    // The outer slice is unchanged by the refused nested polls.
                    assert_eq!(m, &copy[..]);
                    got.push(copy);
                },
                1,
            )
            .unwrap();
        assert!(!ps.has_failed(), "{:?}", ps.failure_reason());
        if !published && ps.is_live() {
            publish(&publication, 5..8);
            published = true;
        }
        if n == 0 {
            assert!(start.elapsed() < DEADLINE * 2, "got {} of 8", got.len());
            std::thread::yield_now();
        }
    }
    assert_eq!(got, (0..8).map(message).collect::<Vec<_>>());
    assert_eq!(nested.len(), 16);
    assert!(
        nested
            .iter()
            .all(|r| *r == Err(AeronErrorType::ReentrantCall)),
        "{nested:?}"
    );
    // Outside the handler the subscription polls normally again.
    assert!(ps.poll_once(|_: &[u8], _h: AeronHeader<'_>| {}, 10).is_ok());
}

/// A frame whose `frame_length` is shorter than a header (written here into the live stream's log buffer
/// file, as a damaged log or a bogus writer would): C hands the fragment handler `frame_length - 32`, which
/// wraps to nearly 2^64. The archive crate's fragment handlers get slices bounded by the term, as the
/// client's do (docs/safety.md, "Log data"): here an empty one.
#[test]
fn fragment_slices_are_bounded_by_the_term() {
    use std::os::unix::fs::FileExt;
    let env = start();
    let (publication, recording_id) = recorded_publication(&env, 108, 1);
    let (ctx, _events) = ps_context(
        &env,
        recording_id,
        "aeron:ipc",
        108,
        AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE,
    );
    let ps = AeronArchivePersistentSubscription::create(&ctx).unwrap();
    let mut got = Vec::new();
    poll_until(&ps, &mut got, 10, "live", |ps, _| ps.is_live());
    let c = publication.constants().unwrap();
    let file = format!(
        "{}/publications/{}.logbuffer",
        env.server.aeron_dir(),
        c.original_registration_id
    );
    let log = std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    // An unfragmented data frame at term offset 64 (after the one message) with frame_length 24: fields
    // first, length last.
    let mut header = [0u8; 32];
    header[5] = 0xC0;
    header[6] = 1;
    header[8..12].copy_from_slice(&64i32.to_le_bytes());
    header[12..16].copy_from_slice(&c.session_id.to_le_bytes());
    header[16..20].copy_from_slice(&c.stream_id.to_le_bytes());
    header[20..24].copy_from_slice(&c.initial_term_id.to_le_bytes());
    log.write_all_at(&header[4..], 68).unwrap();
    log.write_all_at(&24i32.to_le_bytes(), 64).unwrap();
    let mut lengths = Vec::new();
    let start = Instant::now();
    while lengths.is_empty() {
        ps.poll_once(|m: &[u8], _h: AeronHeader<'_>| lengths.push(m.len()), 10)
            .unwrap();
        assert!(
            start.elapsed() < DEADLINE,
            "the forged frame was not delivered"
        );
    }
    assert_eq!(lengths, vec![0], "the slice must lie inside the term");
}
