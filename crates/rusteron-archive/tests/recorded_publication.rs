//! Recorded publications (concurrent and exclusive, IPC and UDP), recording subscription listing filters,
//! `find_last_matching_recording`, `get_max_recorded_position` of an active recording, the recording
//! position counter helpers (`RecordingPos`) and `update_channel`.

mod support;

use rusteron_archive::*;
use support::*;

/// The recording of `session_id`, waited for through the client's counters (as Java's tests do).
fn recording_counter(env: &Env, session_id: i32) -> i32 {
    let reader = env.aeron.counters_reader();
    let archive_id = env.archive.get_archive_id();
    let mut counter_id = -1;
    wait_until("recording position counter", || {
        counter_id = RecordingPos::find_counter_id_by_session_id(&reader, session_id, archive_id);
        counter_id >= 0
    });
    counter_id
}

#[test]
fn recorded_concurrent_publication_over_udp_is_recorded_and_replayed() {
    let env = start();
    let channel = udp_channel();
    let publication = env.archive.add_recorded_publication(&channel, 60).unwrap();
    let session_id = publication.constants().unwrap().session_id;
    wait_signals(&env, |s| has_signal(s, -1, RecordingSignal::Start));
    let position = publish_shared(&publication, 0..30);
    let recording_id = env
        .archive
        .find_last_matching_recording(0, &channel, 60, session_id)
        .unwrap();
    assert!(recording_id >= 0, "recording of session {session_id} found");
    wait_until("recorded", || {
        env.archive.get_recording_position(recording_id).unwrap() >= position
    });
    // Active: the max recorded position is the live recording position.
    assert_eq!(
        env.archive.get_max_recorded_position(recording_id).unwrap(),
        position
    );
    assert_eq!(env.archive.get_stop_position(recording_id).unwrap(), -1);
    env.archive
        .stop_recording_publication(&publication)
        .unwrap();
    wait_signals(&env, |s| has_signal(s, recording_id, RecordingSignal::Stop));
    assert_eq!(
        env.archive.get_stop_position(recording_id).unwrap(),
        position
    );
    assert_eq!(
        env.archive.get_max_recorded_position(recording_id).unwrap(),
        position
    );
    let d = env
        .archive
        .recording_descriptor(recording_id)
        .unwrap()
        .unwrap();
    assert_eq!(d.session_id, session_id);
    assert_eq!(d.stream_id, 60);
    assert!(
        d.original_channel
            .contains(&format!("session-id={session_id}")),
        "a recorded publication records its own session: {d:?}"
    );
    let replay = env
        .archive
        .replay(
            recording_id,
            "aeron:ipc",
            61,
            &AeronArchiveReplayParams::default(),
        )
        .unwrap();
    assert_eq!(
        receive(&replay, 30),
        (0..30).map(message).collect::<Vec<_>>()
    );
}

#[test]
fn stopping_a_recorded_exclusive_publication_keeps_the_publication_usable() {
    let env = start();
    let publication = env
        .archive
        .add_recorded_exclusive_publication("aeron:ipc", 62)
        .unwrap();
    let session_id = publication.constants().unwrap().session_id;
    wait_signals(&env, |s| has_signal(s, -1, RecordingSignal::Start));
    let recording_id = env
        .archive
        .find_last_matching_recording(0, "aeron:ipc", 62, session_id)
        .unwrap();
    let first = publish(&publication, 0..10);
    wait_until("recorded", || {
        env.archive.get_recording_position(recording_id).unwrap() >= first
    });
    env.archive
        .stop_recording_exclusive_publication(&publication)
        .unwrap();
    wait_signals(&env, |s| has_signal(s, recording_id, RecordingSignal::Stop));
    // Still usable (a local subscriber keeps it connected), but nothing more is recorded.
    let live = subscription(&env.aeron, "aeron:ipc", 62);
    wait_until("live subscriber connected", || publication.is_connected());
    publish(&publication, 10..15);
    assert_eq!(receive(&live, 5), (10..15).map(message).collect::<Vec<_>>());
    assert_eq!(env.archive.get_stop_position(recording_id).unwrap(), first);
    // A stopped recording cannot be stopped twice.
    assert!(env
        .archive
        .stop_recording_exclusive_publication(&publication)
        .is_err());
}

#[test]
fn list_recording_subscriptions_applies_its_filters() {
    let env = start();
    let udp = udp_channel();
    let a = env
        .archive
        .start_recording("aeron:ipc", 63, LOCAL, false)
        .unwrap();
    let b = env
        .archive
        .start_recording("aeron:ipc", 64, LOCAL, false)
        .unwrap();
    let c = env.archive.start_recording(&udp, 63, LOCAL, false).unwrap();

    let list = |index: i32, count: i32, fragment: &str, stream_id: i32, apply: bool| {
        let mut found = Vec::new();
        let n = env
            .archive
            .list_recording_subscriptions(index, count, fragment, stream_id, apply, |d| {
                found.push(d.clone())
            })
            .unwrap();
        assert_eq!(n as usize, found.len(), "count returned = consumer calls");
        found
    };
    let ids = |v: &[AeronArchiveRecordingSubscriptionDescriptor]| {
        let mut ids: Vec<i64> = v.iter().map(|d| d.subscription_id).collect();
        ids.sort();
        ids
    };

    // Every subscription: empty fragment, stream id not applied.
    let all = list(0, 10, "", 0, false);
    assert_eq!(ids(&all), {
        let mut v = vec![a, b, c];
        v.sort();
        v
    });
    for d in &all {
        assert_eq!(d.control_session_id, env.archive.control_session_id());
        if d.subscription_id == c {
            assert_eq!(d.stream_id, 63);
            assert!(d.stripped_channel.contains("aeron:udp"), "{d:?}");
        }
    }
    // Channel fragment only.
    assert_eq!(ids(&list(0, 10, "aeron:ipc", 0, false)), {
        let mut v = vec![a, b];
        v.sort();
        v
    });
    assert_eq!(ids(&list(0, 10, "udp", 0, false)), vec![c]);
    // Fragment and stream id.
    assert_eq!(ids(&list(0, 10, "aeron:ipc", 63, true)), vec![a]);
    assert_eq!(ids(&list(0, 10, "", 63, true)), {
        let mut v = vec![a, c];
        v.sort();
        v
    });
    // The stream id is ignored unless applied.
    assert_eq!(list(0, 10, "aeron:ipc", 99, false).len(), 2);
    assert!(list(0, 10, "aeron:ipc", 99, true).is_empty());
    assert!(list(0, 10, "no-such-channel", 0, false).is_empty());
    // Count and pseudo index page through the matches.
    assert_eq!(list(0, 1, "", 0, false).len(), 1);
    let page1 = ids(&list(0, 2, "", 0, false));
    let page2 = ids(&list(2, 2, "", 0, false));
    assert_eq!(page1.len(), 2);
    assert_eq!(page2.len(), 1);
    let mut joined = [page1, page2].concat();
    joined.sort();
    assert_eq!(ids(&all), joined);
    assert!(list(3, 10, "", 0, false).is_empty());

    env.archive.stop_recording_subscription(b).unwrap();
    assert_eq!(ids(&list(0, 10, "aeron:ipc", 0, false)), vec![a]);
}

#[test]
fn find_last_matching_recording_matches_session_stream_channel_and_min_id() {
    let env = start();
    // Fixed, distinct sessions (the driver may hand a new exclusive publication the same session id).
    let (first, _) = record(&env, "aeron:ipc?session-id=1001", 65, 2);
    let d = env.archive.recording_descriptor(first).unwrap().unwrap();
    let (second, _) = record(&env, "aeron:ipc?session-id=1002", 65, 2);
    let d2 = env.archive.recording_descriptor(second).unwrap().unwrap();
    assert_eq!((d.session_id, d2.session_id), (1001, 1002));

    let find = |min: i64, channel: &str, stream: i32, session: i32| {
        env.archive
            .find_last_matching_recording(min, channel, stream, session)
            .unwrap()
    };
    assert_eq!(find(0, "aeron:ipc", 65, d.session_id), first);
    assert_eq!(find(0, "aeron:ipc", 65, d2.session_id), second);
    assert_eq!(find(0, "ipc", 65, d2.session_id), second, "a fragment");
    // Not found: other stream, other session, other channel, or below the minimum id.
    assert_eq!(find(0, "aeron:ipc", 66, d.session_id), -1);
    assert_eq!(find(0, "aeron:ipc", 65, d2.session_id.wrapping_add(7)), -1);
    assert_eq!(find(0, "aeron:udp", 65, d.session_id), -1);
    assert_eq!(find(second, "aeron:ipc", 65, d.session_id), -1);
    assert_eq!(find(second, "aeron:ipc", 65, d2.session_id), second);
}

#[test]
fn recording_pos_helpers_find_and_read_the_recording_counter() {
    let env = start();
    let channel = udp_channel();
    // A remote recording subscribes to the network image (a local one spies, with identity "aeron:ipc").
    let sub_id = env
        .archive
        .start_recording(
            &channel,
            67,
            AeronArchiveSourceLocation::AERON_ARCHIVE_SOURCE_LOCATION_REMOTE,
            false,
        )
        .unwrap();
    let publication = exclusive_publication(&env.aeron, &channel, 67);
    let session_id = publication.constants().unwrap().session_id;
    let recording_id = started_recording(&env, sub_id);
    let archive_id = env.archive.get_archive_id();
    let reader = env.aeron.counters_reader();

    let counter_id = recording_counter(&env, session_id);
    assert_eq!(
        RecordingPos::find_counter_id_by_recording_id(&reader, recording_id, archive_id),
        counter_id
    );
    assert_eq!(
        RecordingPos::get_recording_id(&reader, counter_id),
        recording_id
    );
    assert!(RecordingPos::is_active(&reader, counter_id, recording_id).unwrap());
    assert!(!RecordingPos::is_active(&reader, counter_id, recording_id + 1).unwrap());
    let identity = RecordingPos::get_source_identity(&reader, counter_id).unwrap();
    assert!(
        identity.starts_with("127.0.0.1:"),
        "the source identity of a UDP image is the sender's address: {identity:?}"
    );
    // Another archive id does not match.
    assert_eq!(
        RecordingPos::find_counter_id_by_recording_id(&reader, recording_id, archive_id + 1),
        -1
    );
    assert_eq!(
        RecordingPos::find_counter_id_by_session_id(&reader, session_id, archive_id + 1),
        -1
    );

    let position = publish(&publication, 0..20);
    wait_until("counter follows the recording", || {
        reader.get_counter_value(counter_id) >= position
    });
    assert_eq!(reader.get_counter_value(counter_id), position);
    assert_eq!(
        env.archive.get_recording_position(recording_id).unwrap(),
        position
    );

    env.archive.stop_recording_subscription(sub_id).unwrap();
    wait_signals(&env, |s| has_signal(s, recording_id, RecordingSignal::Stop));
    wait_until("counter freed", || {
        !RecordingPos::is_active(&reader, counter_id, recording_id).unwrap()
    });
    assert_eq!(
        RecordingPos::find_counter_id_by_recording_id(&reader, recording_id, archive_id),
        -1
    );
}

#[test]
fn recording_pos_helpers_on_an_ipc_recording() {
    let env = start();
    let sub_id = env
        .archive
        .start_recording("aeron:ipc", 68, LOCAL, false)
        .unwrap();
    let publication = exclusive_publication(&env.aeron, "aeron:ipc", 68);
    let session_id = publication.constants().unwrap().session_id;
    let recording_id = started_recording(&env, sub_id);
    let counter_id = recording_counter(&env, session_id);
    let reader = env.aeron.counters_reader();
    assert_eq!(
        RecordingPos::get_source_identity(&reader, counter_id).unwrap(),
        "aeron:ipc"
    );
    assert_eq!(
        RecordingPos::get_recording_id(&reader, counter_id),
        recording_id
    );
    // Not a recording counter: no recording id.
    let other = env
        .aeron
        .async_add_counter(1002, &[], "not a recording")
        .unwrap()
        .poll_blocking(DEADLINE)
        .unwrap();
    let other_id = other.constants().unwrap().counter_id;
    assert_eq!(RecordingPos::get_recording_id(&reader, other_id), -1);
    assert!(!RecordingPos::is_active(&reader, other_id, recording_id).unwrap());
    env.archive.stop_recording_subscription(sub_id).unwrap();
}

#[test]
fn update_channel_replaces_the_catalog_channels() {
    let env = start();
    let (id, _) = record(&env, "aeron:ipc", 69, 3);
    let new_channel = "aeron:udp?endpoint=127.0.0.1:20999|alias=renamed|mtu=1408";
    env.archive.update_channel(id, new_channel).unwrap();
    let d = env.archive.recording_descriptor(id).unwrap().unwrap();
    assert_eq!(d.original_channel, new_channel);
    assert!(
        d.stripped_channel.contains("127.0.0.1:20999") && !d.stripped_channel.contains("mtu"),
        "{d:?}"
    );
    // Listing by the new channel finds it, by the old one not.
    assert_eq!(
        env.archive
            .list_recordings_for_uri(0, 10, "renamed", 69, |_| {})
            .unwrap(),
        1
    );
    assert_eq!(
        env.archive
            .list_recordings_for_uri(0, 10, "aeron:ipc", 69, |_| {})
            .unwrap(),
        0
    );
    let err = env
        .archive
        .update_channel(987_654, new_channel)
        .expect_err("unknown recording");
    println!("update_channel of an unknown recording: {err}");
    // The connection stays usable.
    assert!(env.archive.recording_descriptor(id).unwrap().is_some());
}

#[test]
fn back_to_back_recordings_of_one_ipc_stream() {
    for _ in 0..5 {
        let env = start();
        let (first, _) = record(&env, "aeron:ipc", 79, 2);
        let (second, _) = record(&env, "aeron:ipc", 79, 3);
        assert_ne!(first, second);
        let replay = env
            .archive
            .replay(
                second,
                "aeron:ipc",
                179,
                &AeronArchiveReplayParams::default(),
            )
            .unwrap();
        assert_eq!(receive(&replay, 3), (0..3).map(message).collect::<Vec<_>>());
    }
}
