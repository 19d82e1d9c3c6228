//! Recording over IPC and UDP (local spy and remote) and byte-exact replays through the official C client.

mod support;

use std::time::Duration;

use rusteron_archive_server::test_util::TestArchive;
use rusteron_client::{AeronExclusivePublication, AeronPublication, Handlers};
use support::*;

const T: Duration = Duration::from_secs(5);

fn offer(p: &AeronPublication, msg: &[u8]) {
    wait_until(
        || p.offer(msg, Handlers::no_reserved_value_supplier_handler()) > 0,
        "offer",
    );
}

fn offer_x(p: &AeronExclusivePublication, msg: &[u8]) {
    wait_until(
        || p.offer(msg, Handlers::no_reserved_value_supplier_handler()) > 0,
        "offer",
    );
}

fn messages(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("message-{i}-{}", "x".repeat(i % 50)).into_bytes())
        .collect()
}

#[test]
fn records_ipc_and_replays_one_message() {
    let archive = TestArchive::start_with(|c| c.archive_id = Some(5)).unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let channel = "aeron:ipc?term-length=64k";
    let sub_id = client.start_recording(channel, 1001, true, false).unwrap();
    let publication = client.aeron.add_publication(channel, 1001, T).unwrap();
    let session_id = publication.constants().unwrap().session_id;
    let counter_id = client.recording_counter_id(session_id);
    let reader = client.aeron.counters_reader();
    let recording_id = {
        let mut key = [0u8; 8];
        key.copy_from_slice(&reader.metadata_key(counter_id).unwrap()[0..8]);
        i64::from_le_bytes(key)
    };
    let key = reader.metadata_key(counter_id).unwrap();
    assert_eq!(i32::from_le_bytes(key[12..16].try_into().unwrap()), 9);
    assert_eq!(&key[16..25], b"aeron:ipc");
    assert_eq!(
        i64::from_le_bytes(key[25..33].try_into().unwrap()),
        5,
        "archive id in key"
    );
    let start = client.wait_for_signal(recording_id, signal::START);
    assert_eq!(start.subscription_id, sub_id);

    offer(&publication, b"hello archive");
    let end = publication.position();
    client.wait_recorded(counter_id, end);
    assert_eq!(client.recording_position(recording_id).unwrap(), end);
    assert_eq!(client.stop_position(recording_id).unwrap(), -1);
    assert_eq!(client.max_recorded_position(recording_id).unwrap(), end);

    client.stop_recording_subscription(sub_id).unwrap();
    let stop = client.wait_for_signal(recording_id, signal::STOP);
    assert_eq!(stop.position, end);
    assert_eq!(client.stop_position(recording_id).unwrap(), end);
    assert_eq!(client.recording_position(recording_id).unwrap(), -1);

    let d = &client.list_recording(recording_id).unwrap()[0];
    assert_eq!(
        (d.start_position, d.stop_position, d.session_id, d.stream_id),
        (0, end, session_id, 1001)
    );
    assert_eq!(d.original_channel, channel);
    assert_eq!(d.stripped_channel, "aeron:ipc");
    assert_eq!(d.source_identity, "aeron:ipc");
    assert_eq!(d.term_buffer_length, 64 * 1024);
    assert_eq!(d.segment_file_length, 128 * 1024);
    assert!(d.stop_timestamp >= d.start_timestamp && d.start_timestamp > 0);

    let replay = client
        .replay(recording_id, "aeron:ipc", 2002, -1, -1)
        .unwrap();
    assert_eq!(receive(&replay, 1), vec![b"hello archive".to_vec()]);
    assert!(archive
        .archive_dir()
        .join(format!("{recording_id}-0.rec"))
        .is_file());
}

#[test]
fn records_udp_local_spy_and_remote() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let local = format!("aeron:udp?endpoint=127.0.0.1:{}", free_port());
    let remote = format!("aeron:udp?endpoint=127.0.0.1:{}", free_port());
    client.start_recording(&local, 7, true, false).unwrap();
    client.start_recording(&remote, 8, false, false).unwrap();
    let subs = client
        .list_recording_subscriptions(0, 10, "", 0, false)
        .unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0].stripped_channel, format!("aeron-spy:{local}"));
    assert_eq!(subs[1].stripped_channel, remote);

    let p_local = client
        .aeron
        .add_exclusive_publication(&local, 7, T)
        .unwrap();
    let p_remote = client
        .aeron
        .add_exclusive_publication(&remote, 8, T)
        .unwrap();
    let msgs = messages(100);
    for m in &msgs {
        offer_x(&p_local, m);
        offer_x(&p_remote, m);
    }
    let c_local = client.recording_counter_id(p_local.constants().unwrap().session_id);
    let c_remote = client.recording_counter_id(p_remote.constants().unwrap().session_id);
    client.wait_recorded(c_local, p_local.position());
    client.wait_recorded(c_remote, p_remote.position());
    client.stop_recording_channel(&local, 7).unwrap();
    client.stop_recording_channel(&remote, 8).unwrap();
    assert!(!client.try_stop_recording_channel(&remote, 8).unwrap());
    let e = client.stop_recording_channel(&remote, 8).unwrap_err();
    assert!(e.message.contains("no recording found"), "{e}");

    let all = client.list_recordings(0, 10).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].source_identity, "aeron:ipc");
    assert!(
        all[1].source_identity.starts_with("127.0.0.1:"),
        "{}",
        all[1].source_identity
    );
    for d in &all {
        let replay = client
            .replay(
                d.recording_id,
                "aeron:ipc",
                3000 + d.recording_id as i32,
                -1,
                -1,
            )
            .unwrap();
        assert_eq!(receive(&replay, msgs.len()), msgs);
    }
}

#[test]
fn replays_a_million_messages_byte_for_byte() {
    let archive = TestArchive::start_with(|c| c.segment_file_length = 16 * 1024 * 1024).unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let channel = "aeron:ipc?term-length=4m";
    client.start_recording(channel, 10, true, false).unwrap();
    let publication = client
        .aeron
        .add_exclusive_publication(channel, 10, T)
        .unwrap();
    let counter = client.recording_counter_id(publication.constants().unwrap().session_id);
    const N: u64 = 1_000_000;
    for i in 0..N {
        let msg = i.to_le_bytes();
        while publication.offer(&msg, Handlers::no_reserved_value_supplier_handler()) < 0 {
            std::thread::yield_now();
        }
    }
    let end = publication.position();
    client.wait_recorded(counter, end);
    let recording_id = client.list_recordings(0, 1).unwrap()[0].recording_id;
    let replay = client
        .replay(recording_id, "aeron:ipc?term-length=4m", 11, 0, end)
        .unwrap();
    let mut next = 0u64;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while next < N {
        let got = replay
            .poll_once(
                |msg: &[u8], _h| {
                    assert_eq!(msg, &next.to_le_bytes());
                    next += 1;
                },
                4096,
            )
            .unwrap();
        if got == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "replayed {next} of {N}"
            );
            std::thread::yield_now();
        }
    }
    assert_eq!(
        client.list_recording(recording_id).unwrap()[0].stop_position,
        -1
    );
}

#[test]
fn bounded_and_live_replays() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let channel = "aeron:ipc?term-length=64k";
    client.start_recording(channel, 20, true, false).unwrap();
    let publication = client
        .aeron
        .add_exclusive_publication(channel, 20, T)
        .unwrap();
    let counter = client.recording_counter_id(publication.constants().unwrap().session_id);
    let msgs = messages(200);
    for m in &msgs[..100] {
        offer_x(&publication, m);
    }
    client.wait_recorded(counter, publication.position());
    let recording_id = client.list_recordings(0, 1).unwrap()[0].recording_id;

    // Live replay: follows the recording as it grows.
    let live = client
        .replay(recording_id, "aeron:ipc", 21, -1, -1)
        .unwrap();
    assert_eq!(receive(&live, 100), msgs[..100].to_vec());
    for m in &msgs[100..] {
        offer_x(&publication, m);
    }
    assert_eq!(receive(&live, 100), msgs[100..].to_vec());

    // Bounded by length: exactly the first 10 messages' bytes.
    let mut pos10 = 0i64;
    for m in &msgs[..10] {
        pos10 += ((32 + m.len() as i64) + 31) & !31;
    }
    let bounded = client
        .replay(recording_id, "aeron:ipc", 22, 0, pos10)
        .unwrap();
    assert_eq!(receive(&bounded, 10), msgs[..10].to_vec());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        bounded.poll_once(|_, _| {}, 10).unwrap(),
        0,
        "nothing beyond the length"
    );

    // Bounded by a limit counter.
    let limit = client
        .aeron
        .async_add_counter(10001, &[], "limit")
        .unwrap()
        .poll_blocking(T)
        .unwrap();
    limit.set(pos10);
    let limit_id = limit.constants().unwrap().counter_id;
    let sub = client.aeron.add_subscription("aeron:ipc", 23, T).unwrap();
    client
        .start_replay(recording_id, "aeron:ipc", 23, 0, i64::MAX, limit_id)
        .unwrap();
    assert_eq!(receive(&sub, 10), msgs[..10].to_vec());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        sub.poll_once(|_, _| {}, 10).unwrap(),
        0,
        "replay must wait at the limit"
    );
    limit.set(publication.position());
    assert_eq!(receive(&sub, 190), msgs[10..].to_vec());

    // From a position in the middle.
    let mid = client
        .replay(recording_id, "aeron:ipc", 24, pos10, -2)
        .unwrap();
    assert_eq!(receive(&mid, 190), msgs[10..].to_vec());

    // Errors.
    let e = client
        .start_replay(recording_id, "aeron:ipc", 25, 33, -1, -1)
        .unwrap_err();
    assert!(e.message.contains("FRAME_ALIGNMENT"), "{e}");
    let e = client
        .start_replay(12345, "aeron:ipc", 25, -1, -1, -1)
        .unwrap_err();
    assert!(e.message.contains("unknown recording id: 12345"), "{e}");
    assert_eq!(e.code, -205);
}

#[test]
fn stop_replay_and_stop_all_replays_disconnect_the_replay() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let channel = "aeron:ipc?term-length=64k";
    client.start_recording(channel, 30, true, false).unwrap();
    let publication = client
        .aeron
        .add_exclusive_publication(channel, 30, T)
        .unwrap();
    let counter = client.recording_counter_id(publication.constants().unwrap().session_id);
    offer_x(&publication, b"one");
    client.wait_recorded(counter, publication.position());
    let sub = client.aeron.add_subscription("aeron:ipc", 31, T).unwrap();
    let replay_session_id = client.start_replay(0, "aeron:ipc", 31, -1, -1, -1).unwrap();
    assert_eq!(replay_session_id as i32, {
        let mut sid = 0;
        wait_until(
            || {
                sub.for_each_image(|i| sid = i.constants().unwrap().session_id);
                sid != 0
            },
            "image",
        );
        sid
    });
    assert_eq!(receive(&sub, 1), vec![b"one".to_vec()]);
    client.stop_replay(replay_session_id).unwrap();
    wait_until(|| !sub.is_connected(), "replay disconnected");
    client.stop_replay(replay_session_id).unwrap(); // unknown ids are OK too

    let sub2 = client.aeron.add_subscription("aeron:ipc", 32, T).unwrap();
    client.start_replay(0, "aeron:ipc", 32, -1, -1, -1).unwrap();
    assert_eq!(receive(&sub2, 1), vec![b"one".to_vec()]);
    client.stop_all_replays(0).unwrap();
    wait_until(
        || !sub2.is_connected(),
        "replay disconnected after stop all",
    );
}

#[test]
fn an_empty_live_recording_has_its_first_segment_and_a_replay_of_it_waits_for_data() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let channel = "aeron:ipc?term-length=64k";
    client.start_recording(channel, 1003, true, false).unwrap();
    let publication = client.aeron.add_publication(channel, 1003, T).unwrap();
    let session_id = publication.constants().unwrap().session_id;
    let counter_id = client.recording_counter_id(session_id);
    let recording_id = i64::from_le_bytes(
        client
            .aeron
            .counters_reader()
            .metadata_key(counter_id)
            .unwrap()[0..8]
            .try_into()
            .unwrap(),
    );
    client.wait_for_signal(recording_id, signal::START);

    // Java's RecordingWriter.init creates the first segment file, full length, before any data arrives.
    let segment = archive.archive_dir().join(format!("{recording_id}-0.rec"));
    assert_eq!(
        std::fs::metadata(&segment)
            .expect("segment file at recording start")
            .len(),
        128 * 1024
    );

    // A live replay (no length) of the still empty recording is accepted and then follows the data.
    let replay = client
        .replay(recording_id, "aeron:ipc", 2003, 0, -1)
        .expect("replay of an empty live recording");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(client.poll_for_error(), None);
    offer(&publication, b"first message after the replay started");
    assert_eq!(
        receive(&replay, 1),
        vec![b"first message after the replay started".to_vec()]
    );
}
