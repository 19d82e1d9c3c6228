//! Recording, listing and replaying against the Rust archive server (real driver, IPC and UDP).

mod support;

use rusteron_archive::*;
use support::*;

#[test]
fn records_lists_and_replays_ipc_with_content() {
    let env = start();
    let (recording_id, stop) = record(&env, "aeron:ipc", 10, 11);

    let mut listed = Vec::new();
    let n = env
        .archive
        .list_recordings_for_uri(0, i32::MAX, "aeron:ipc", 10, |d| listed.push(d.clone()))
        .unwrap();
    assert_eq!(n, 1);
    let d = &listed[0];
    assert_eq!(d.recording_id, recording_id);
    assert_eq!(d.stream_id, 10);
    assert_eq!(d.original_channel, "aeron:ipc");
    assert_eq!(d.stop_position, stop);
    assert!(!d.is_active());
    let again = env
        .archive
        .recording_descriptor(recording_id)
        .unwrap()
        .expect("listed by id");
    assert_eq!(
        (again.recording_id, again.stop_position, again.session_id),
        (d.recording_id, d.stop_position, d.session_id)
    );
    let mut all = 0;
    env.archive.list_recordings(0, 100, |_| all += 1).unwrap();
    assert_eq!(all, 1);

    let params = AeronArchiveReplayParams::new(
        -1,
        i32::MAX,
        d.start_position,
        stop - d.start_position,
        0,
        0,
    )
    .unwrap();
    let replay = env
        .archive
        .replay(recording_id, "aeron:ipc", 45, &params)
        .unwrap();
    let got = receive(&replay, 11);
    assert_eq!(got, (0..11).map(message).collect::<Vec<_>>());
}

#[test]
fn start_replay_returns_the_session_to_subscribe_to_over_udp() {
    let env = start();
    let channel = format!(
        "aeron:udp?endpoint=127.0.0.1:{}",
        rusteron_archive_server::test_util::free_udp_port().unwrap()
    );
    let (recording_id, _) = record(&env, &channel, 11, 25);
    let replay_channel = format!(
        "aeron:udp?endpoint=127.0.0.1:{}",
        rusteron_archive_server::test_util::free_udp_port().unwrap()
    );
    let session = env
        .archive
        .start_replay(
            recording_id,
            &replay_channel,
            46,
            &AeronArchiveReplayParams::default(),
        )
        .unwrap();
    let sub = subscription(
        &env.aeron,
        &format!("{replay_channel}|session-id={}", session as i32),
        46,
    );
    assert_eq!(receive(&sub, 25), (0..25).map(message).collect::<Vec<_>>());
}

#[test]
fn replays_a_100k_message_recording_completely_and_in_order() {
    let env = start();
    const N: usize = 100_000;
    let (recording_id, stop) = record(&env, "aeron:ipc", 12, N);
    let replay = env
        .archive
        .replay(
            recording_id,
            "aeron:ipc",
            47,
            &AeronArchiveReplayParams::default(),
        )
        .unwrap();
    let got = receive(&replay, N);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m, &message(i), "message {i}");
    }
    assert_eq!(env.archive.get_stop_position(recording_id).unwrap(), stop);
}

#[test]
fn ranged_replay_delivers_only_the_range() {
    let env = start();
    let (recording_id, _) = record(&env, "aeron:ipc", 13, 20);
    // Every message is 32-byte header + 16-byte body = 48 bytes, aligned to 32: 64 bytes per frame.
    let frame = 64;
    let replay = env
        .archive
        .replay(
            recording_id,
            "aeron:ipc",
            48,
            &AeronArchiveReplayParams::range(5 * frame, 10 * frame),
        )
        .unwrap();
    assert_eq!(
        receive(&replay, 10),
        (5..15).map(message).collect::<Vec<_>>()
    );
    // Nothing after the range.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut extra = 0;
    replay
        .poll_once(|_: &[u8], _h: AeronHeader<'_>| extra += 1, 10)
        .unwrap();
    assert_eq!(extra, 0);
}

#[test]
fn bounded_replay_stops_at_the_limit_counter() {
    let env = start();
    let (recording_id, _) = record(&env, "aeron:ipc", 14, 30);
    let frame = 64;
    let limit = env
        .aeron
        .async_add_counter(1001, &[], "replay limit")
        .unwrap()
        .poll_blocking(DEADLINE)
        .unwrap();
    limit.set(10 * frame);
    let params = AeronArchiveReplayParams {
        bounding_limit_counter_id: limit.constants().unwrap().counter_id,
        ..Default::default()
    };
    let replay = env
        .archive
        .replay(recording_id, "aeron:ipc", 49, &params)
        .unwrap();
    assert_eq!(
        receive(&replay, 10),
        (0..10).map(message).collect::<Vec<_>>()
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut extra = 0;
    replay
        .poll_once(|_: &[u8], _h: AeronHeader<'_>| extra += 1, 10)
        .unwrap();
    assert_eq!(extra, 0, "bounded replay went past its limit");
    // Raising the limit lets the rest through.
    limit.set(30 * frame);
    assert_eq!(
        receive(&replay, 20),
        (10..30).map(message).collect::<Vec<_>>()
    );
}

#[test]
fn replay_follows_a_live_recording() {
    let env = start();
    let sub_id = env
        .archive
        .start_recording("aeron:ipc", 15, LOCAL, false)
        .unwrap();
    let publication = exclusive_publication(&env.aeron, "aeron:ipc", 15);
    wait_signals(&env, |s| has_signal(s, -1, RecordingSignal::Start));
    let recording_id = env.signals.lock().unwrap()[0].recording_id;
    publish(&publication, 0..10);
    // Follow: the default length replays what is there and keeps following.
    let replay = env
        .archive
        .replay(
            recording_id,
            "aeron:ipc",
            50,
            &AeronArchiveReplayParams::default(),
        )
        .unwrap();
    assert_eq!(
        receive(&replay, 10),
        (0..10).map(message).collect::<Vec<_>>()
    );
    publish(&publication, 10..25);
    assert_eq!(
        receive(&replay, 15),
        (10..25).map(message).collect::<Vec<_>>()
    );
    let mut active = None;
    env.archive
        .list_recording(recording_id, |d| active = Some(d.is_active()))
        .unwrap();
    assert_eq!(active, Some(true));
    env.archive.stop_recording_subscription(sub_id).unwrap();
}

#[test]
fn recorded_publication_and_subscription_listing() {
    let env = start();
    let publication = env
        .archive
        .add_recorded_exclusive_publication("aeron:ipc", 16)
        .unwrap();
    wait_signals(&env, |s| has_signal(s, -1, RecordingSignal::Start));
    let mut subs = Vec::new();
    env.archive
        .list_recording_subscriptions(0, 10, "aeron:ipc", 16, true, |d| subs.push(d.clone()))
        .unwrap();
    assert_eq!(subs.len(), 1, "{subs:?}");
    assert!(subs[0].stripped_channel.contains("aeron:ipc"), "{subs:?}");
    let position = publish(&publication, 0..5);
    let recording_id = env
        .archive
        .find_last_matching_recording(
            0,
            "aeron:ipc",
            16,
            publication.constants().unwrap().session_id,
        )
        .unwrap();
    assert!(recording_id >= 0);
    wait_until("recorded", || {
        env.archive.get_recording_position(recording_id).unwrap() >= position
    });
    env.archive
        .stop_recording_exclusive_publication(&publication)
        .unwrap();
    wait_signals(&env, |s| has_signal(s, recording_id, RecordingSignal::Stop));
    assert_eq!(
        env.archive.get_stop_position(recording_id).unwrap(),
        position
    );
    assert!(env.archive.get_archive_id() != 0);
}
