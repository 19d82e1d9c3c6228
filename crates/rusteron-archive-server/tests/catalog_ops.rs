//! Listing variants, find-last-matching, extend, truncate, purge, segment detach/attach/delete/purge,
//! update channel and recording signals in order, through the official C client.

mod support;

use std::time::Duration;

use rusteron_archive_server::test_util::TestArchive;
use rusteron_client::{AeronExclusivePublication, Handlers};
use support::*;

const T: Duration = Duration::from_secs(5);

fn offer(p: &AeronExclusivePublication, msg: &[u8]) {
    wait_until(
        || p.offer(msg, Handlers::no_reserved_value_supplier_handler()) > 0,
        "offer",
    );
}

/// Records `n` messages of `size` bytes on `channel`/`stream` and stops; returns (recording id, stop position).
fn record(
    client: &ArchiveClient,
    channel: &str,
    stream: i32,
    n: usize,
    size: usize,
) -> (i64, i64, i32) {
    let sub_id = client
        .start_recording(channel, stream, true, false)
        .unwrap();
    let p = client
        .aeron
        .add_exclusive_publication(channel, stream, T)
        .unwrap();
    let session_id = p.constants().unwrap().session_id;
    let counter = client.recording_counter_id(session_id);
    for i in 0..n {
        let mut m = vec![(i % 251) as u8; size];
        m[..8].copy_from_slice(&(i as u64).to_le_bytes());
        offer(&p, &m);
    }
    let end = p.position();
    client.wait_recorded(counter, end);
    let reader = client.aeron.counters_reader();
    let id = i64::from_le_bytes(
        reader.metadata_key(counter).unwrap()[0..8]
            .try_into()
            .unwrap(),
    );
    client.stop_recording_subscription(sub_id).unwrap();
    client.wait_for_signal(id, signal::STOP);
    (id, end, session_id)
}

#[test]
fn list_variants_and_find_last_matching() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let (a, _, sa) = record(&client, "aeron:ipc?alias=first", 1, 3, 16);
    let (b, _, _) = record(&client, "aeron:ipc?alias=second", 2, 3, 16);
    let (c, _, sc) = record(&client, "aeron:ipc?alias=third", 1, 3, 16);
    assert_eq!((a, b, c), (0, 1, 2));

    let all = client.list_recordings(i64::MIN, 100).unwrap();
    assert_eq!(
        all.iter().map(|d| d.recording_id).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert!(all
        .iter()
        .all(|d| d.control_session_id == client.control_session_id()));
    assert_eq!(client.list_recordings(1, 1).unwrap()[0].recording_id, 1);
    assert_eq!(client.list_recordings(5, 10).unwrap().len(), 0);
    let for_uri = client.list_recordings_for_uri(0, 10, "alias=", 1).unwrap();
    assert_eq!(
        for_uri.iter().map(|d| d.recording_id).collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert_eq!(
        client
            .list_recordings_for_uri(0, 10, "second", 2)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client
            .list_recordings_for_uri(0, 10, "second", 1)
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        client.list_recording(1).unwrap()[0].original_channel,
        "aeron:ipc?alias=second"
    );
    assert_eq!(client.list_recording(99).unwrap().len(), 0);

    assert_eq!(
        client
            .find_last_matching_recording(0, "aeron:ipc", 1, sc)
            .unwrap(),
        2
    );
    assert_eq!(
        client
            .find_last_matching_recording(0, "first", 1, sa)
            .unwrap(),
        0
    );
    assert_eq!(
        client
            .find_last_matching_recording(1, "first", 1, sa)
            .unwrap(),
        -1
    );
    let e = client
        .find_last_matching_recording(-1, "", 1, sa)
        .unwrap_err();
    assert!(e.message.contains("minRecordingId=-1 < 0"), "{e}");

    let e = client.start_position(12345).unwrap_err();
    assert!(e.message.contains("unknown recording id: 12345"), "{e}");
    assert!(!client.try_stop_recording_by_identity(0).unwrap());
    assert!(client
        .list_recording_subscriptions(0, 10, "", 0, false)
        .unwrap()
        .is_empty());
}

#[test]
fn recording_subscriptions_are_listed_filtered_and_deduplicated() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let ch = format!("aeron:udp?endpoint=127.0.0.1:{}", free_port());
    let s1 = client.start_recording(&ch, 5, false, false).unwrap();
    let s2 = client.start_recording("aeron:ipc", 6, true, false).unwrap();
    let e = client
        .start_recording(&format!("{ch}|term-length=128k"), 5, false, false)
        .unwrap_err();
    assert!(e.message.contains("recording exists for streamId=5"), "{e}");
    assert_eq!(e.code, -203);
    let all = client
        .list_recording_subscriptions(0, 10, "", 0, false)
        .unwrap();
    assert_eq!(
        all.iter().map(|s| s.subscription_id).collect::<Vec<_>>(),
        vec![s1, s2]
    );
    let ipc = client
        .list_recording_subscriptions(0, 10, "ipc", 0, false)
        .unwrap();
    assert_eq!(ipc.len(), 1);
    assert_eq!(ipc[0].stripped_channel, "aeron:ipc");
    assert_eq!(
        client
            .list_recording_subscriptions(0, 10, "", 5, true)
            .unwrap()[0]
            .subscription_id,
        s1
    );
    assert_eq!(
        client
            .list_recording_subscriptions(1, 10, "", 0, false)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client
            .list_recording_subscriptions(2, 10, "", 0, false)
            .unwrap()
            .len(),
        0
    );
    client.stop_recording_subscription(s2).unwrap();
    let e = client.stop_recording_subscription(s2).unwrap_err();
    assert_eq!(e.code, -204, "{e}");
}

#[test]
fn extend_truncate_and_purge_with_signals_in_order() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let (id, stop, old_session) = record(&client, "aeron:ipc?term-length=64k", 40, 100, 100);
    let d = client.list_recording(id).unwrap().remove(0);

    // Extend: a publication positioned exactly at the stop position.
    let term_length = d.term_buffer_length as i64;
    let term_id = d.initial_term_id + (stop / term_length) as i32;
    let extend_channel = format!(
        "aeron:ipc?term-length=64k|session-id={}|init-term-id={}|term-id={term_id}|term-offset={}",
        // A session id of its own, so the lingering image of the first publication is not recorded.
        old_session.wrapping_add(1000),
        d.initial_term_id,
        stop % term_length
    );
    let sub_id = client
        .extend_recording(id, &extend_channel, 40, true)
        .unwrap();
    let p = client
        .aeron
        .add_exclusive_publication(&extend_channel, 40, T)
        .unwrap();
    let ext = client.wait_for_signal(id, signal::EXTEND);
    assert_eq!((ext.position, ext.subscription_id), (stop, sub_id));
    assert_eq!(client.stop_position(id).unwrap(), -1);
    let e = client
        .extend_recording(id, "aeron:ipc?alias=x", 40, true)
        .unwrap_err();
    assert!(e.message.contains("cannot extend active recording"), "{e}");
    for i in 0..50u64 {
        offer(&p, &i.to_le_bytes());
    }
    let end = p.position();
    let counter = client.recording_counter_id(p.constants().unwrap().session_id);
    client.wait_recorded(counter, end);
    client.stop_recording_subscription(sub_id).unwrap();
    client.wait_for_signal(id, signal::STOP);
    assert_eq!(client.stop_position(id).unwrap(), end);
    let replay = client.replay(id, "aeron:ipc", 41, -1, -1).unwrap();
    assert_eq!(receive(&replay, 150).len(), 150);

    let e = client
        .extend_recording(id, "aeron:ipc", 99, true)
        .unwrap_err();
    assert!(
        e.message
            .contains("cannot extend recording 0 with streamId=99"),
        "{e}"
    );

    // Truncate to the end of the first recording stage.
    let e = client.truncate_recording(id, stop + 1).unwrap_err();
    assert_eq!(e.code, -216, "{e}");
    assert_eq!(client.truncate_recording(id, stop).unwrap(), 0);
    client.wait_for_signal(id, signal::DELETE);
    assert_eq!(client.stop_position(id).unwrap(), stop);
    let replay = client.replay(id, "aeron:ipc", 42, -1, -1).unwrap();
    assert_eq!(receive(&replay, 100).len(), 100);
    drop(replay);

    let codes: Vec<i32> = client
        .poll_signals()
        .iter()
        .filter(|s| s.recording_id == id)
        .map(|s| s.code)
        .collect();
    assert_eq!(
        codes,
        vec![
            signal::START,
            signal::STOP,
            signal::EXTEND,
            signal::STOP,
            signal::DELETE
        ]
    );

    // Purge.
    wait_until(
        || client.purge_recording(id).is_ok_and(|n| n == 1),
        "purge once replays are done",
    );
    assert_eq!(client.list_recording(id).unwrap().len(), 0);
    assert!(!archive.archive_dir().join(format!("{id}-0.rec")).exists());
    let e = client.purge_recording(id).unwrap_err();
    assert_eq!(e.code, -205);
}

/// The first 8 bytes of the last of `n` messages replayed from recording `id` (the replay must end there).
fn last_replayed(client: &ArchiveClient, id: i64, stream: i32, n: usize) -> u64 {
    let replay = client.replay(id, "aeron:ipc", stream, -1, -1).unwrap();
    let got = receive(&replay, n);
    assert_eq!(
        got.len(),
        n,
        "replay of recording {id} ends at its stop position"
    );
    u64::from_le_bytes(got[n - 1][..8].try_into().unwrap())
}

#[test]
fn truncate_inside_a_later_segment_on_a_segment_boundary_and_at_the_start() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    // 1 KiB frames, 64 KiB terms, 128 KiB segments: 400 frames fill segments 0, 128K, 256K and part of 384K.
    let (id, stop, _) = record(&client, "aeron:ipc?term-length=64k", 80, 400, 992);
    assert_eq!(stop, 400 * 1024);
    let (seg, frame) = (128 * 1024i64, 1024i64);
    let file = |base: i64| archive.archive_dir().join(format!("{id}-{base}.rec"));
    let second = std::fs::read(file(seg)).unwrap();
    let deletes = || {
        client
            .poll_signals()
            .iter()
            .filter(|s| s.recording_id == id && s.code == signal::DELETE)
            .count()
    };
    let wait_deletes = |n: usize| wait_until(|| deletes() == n, "one DELETE signal per truncate");

    // Inside a frame of a later segment: refused, nothing changes.
    let e = client
        .truncate_recording(id, seg + 5 * frame + 32)
        .unwrap_err();
    assert!(e.message.contains("does not match a frame header"), "{e}");
    assert_eq!(std::fs::read(file(seg)).unwrap(), second);
    assert_eq!(client.stop_position(id).unwrap(), stop);

    // Inside a later segment: the two segments after it go, it is cut at the position.
    let position = seg + 5 * frame;
    assert_eq!(client.truncate_recording(id, position).unwrap(), 2);
    wait_deletes(1);
    assert_eq!(client.stop_position(id).unwrap(), position);
    assert!(!file(2 * seg).exists() && !file(3 * seg).exists());
    let cut = std::fs::read(file(seg)).unwrap();
    assert_eq!(cut.len(), seg as usize, "the cut segment keeps its length");
    assert_eq!(
        cut[..5 * frame as usize],
        second[..5 * frame as usize],
        "frames before the position stay"
    );
    assert!(
        cut[5 * frame as usize..].iter().all(|b| *b == 0),
        "bytes from the position on are zeros"
    );
    assert_eq!(last_replayed(&client, id, 81, 133), 132);

    // On a segment boundary: the segment starting there goes, the one before it is whole.
    let first = std::fs::read(file(0)).unwrap();
    assert_eq!(client.truncate_recording(id, seg).unwrap(), 1);
    wait_deletes(2);
    assert_eq!(client.stop_position(id).unwrap(), seg);
    assert!(!file(seg).exists());
    assert_eq!(std::fs::read(file(0)).unwrap(), first);
    assert_eq!(last_replayed(&client, id, 82, 128), 127);

    // At the start: every segment goes.
    assert_eq!(client.truncate_recording(id, 0).unwrap(), 1);
    wait_deletes(3);
    assert_eq!(client.stop_position(id).unwrap(), 0);
    assert!(!file(0).exists());
}

#[test]
fn segment_detach_attach_delete_and_purge() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    // 64 KiB terms, 128 KiB segments: ~400 KiB of data spans four segment files.
    let (id, stop, _) = record(&client, "aeron:ipc?term-length=64k", 50, 400, 1000);
    assert!(stop > 3 * 128 * 1024);
    let seg = 128 * 1024i64;
    let e = client.detach_segments(id, 1000).unwrap_err();
    assert!(e.message.contains("invalid segment start"), "{e}");
    client.detach_segments(id, seg).unwrap();
    assert_eq!(client.start_position(id).unwrap(), seg);
    assert_eq!(client.attach_segments(id).unwrap(), 1);
    assert_eq!(client.start_position(id).unwrap(), 0);
    client.detach_segments(id, seg).unwrap();
    assert_eq!(client.delete_detached_segments(id).unwrap(), 1);
    client.wait_for_signal(id, signal::DELETE);
    assert!(!archive.archive_dir().join(format!("{id}-0.rec")).exists());
    assert_eq!(client.purge_segments(id, 2 * seg).unwrap(), 1);
    assert_eq!(client.start_position(id).unwrap(), 2 * seg);
    let replay = client.replay(id, "aeron:ipc", 51, -1, -1).unwrap();
    let got = receive(&replay, 1);
    assert_eq!(got[0].len(), 1000);
}

#[test]
fn update_channel_rewrites_the_catalog_entry() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let (id, _, _) = record(&client, "aeron:ipc", 60, 1, 16);
    let new = "aeron:ipc?alias=test42|rejoin=false|mtu=8k|term-length=1m|pub-wnd=512k|ttl=6";
    client.update_channel(id, new).unwrap();
    let d = client.list_recording(id).unwrap().remove(0);
    assert_eq!(d.original_channel, new);
    assert_eq!(
        d.stripped_channel,
        "aeron:ipc?ttl=6|alias=test42|rejoin=false"
    );
    assert!(client.update_channel(777, new).is_err());
}

/// Two contiguous recordings on stream 70: A = [0, 128 KiB) (exactly one segment of 1 KiB frames) and
/// B = [128 KiB, 128 KiB + 50 frames), B published at A's stop position. Returns (A, B, B's stop).
fn contiguous_recordings(client: &ArchiveClient) -> (i64, i64, i64) {
    let (a, a_stop, a_session) = record(client, "aeron:ipc?term-length=64k", 70, 128, 992);
    assert_eq!(a_stop, 128 * 1024);
    let d = client.list_recording(a).unwrap().remove(0);
    let channel = format!(
        "aeron:ipc?term-length=64k|session-id={}|init-term-id={}|term-id={}|term-offset=0",
        a_session.wrapping_add(1000),
        d.initial_term_id,
        d.initial_term_id + 2
    );
    let (b, b_stop, _) = record(client, &channel, 70, 50, 992);
    assert_eq!(client.start_position(b).unwrap(), 128 * 1024);
    (a, b, b_stop)
}

#[test]
fn migrate_segments_appends_a_source_that_starts_where_the_destination_stops() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let (a, b, b_stop) = contiguous_recordings(&client);
    // src = B starts at A's stop: appended to A.
    assert_eq!(client.migrate_segments(b, a).unwrap(), 1);
    client.wait_for_signal(b, signal::DELETE);
    assert_eq!(
        (
            client.start_position(a).unwrap(),
            client.stop_position(a).unwrap()
        ),
        (0, b_stop)
    );
    // Java: the source's stop position becomes its start position (empty recording).
    assert_eq!(
        (
            client.start_position(b).unwrap(),
            client.stop_position(b).unwrap()
        ),
        (128 * 1024, 128 * 1024)
    );
    assert!(archive
        .archive_dir()
        .join(format!("{a}-131072.rec"))
        .is_file());
    let replay = client.replay(a, "aeron:ipc", 71, -1, -1).unwrap();
    let got = receive(&replay, 178);
    assert_eq!(u64::from_le_bytes(got[177][..8].try_into().unwrap()), 49);
}

#[test]
fn migrate_segments_prepends_a_source_that_ends_where_the_destination_starts() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let (a, b, b_stop) = contiguous_recordings(&client);
    assert_eq!(client.migrate_segments(a, b).unwrap(), 1);
    client.wait_for_signal(a, signal::DELETE);
    assert_eq!(
        (
            client.start_position(b).unwrap(),
            client.stop_position(b).unwrap()
        ),
        (0, b_stop)
    );
    assert_eq!(
        (
            client.start_position(a).unwrap(),
            client.stop_position(a).unwrap()
        ),
        (0, 0)
    );
    let replay = client.replay(b, "aeron:ipc", 72, -1, -1).unwrap();
    assert_eq!(receive(&replay, 178).len(), 178);

    // The now empty A still ends where B starts: Java accepts it and moves nothing.
    assert_eq!(client.migrate_segments(a, b).unwrap(), 0);
    // A recording contiguous with neither end of B is refused.
    let (c, _, _) = record(&client, "aeron:ipc?term-length=64k", 70, 1, 992);
    let e = client.migrate_segments(c, b).unwrap_err();
    assert!(e.message.contains("invalid migrate: src"), "{e}");
}

#[test]
fn migrate_segments_refuses_only_an_active_source() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let (a, _, _) = record(&client, "aeron:ipc?term-length=64k", 73, 10, 992);
    let channel = "aeron:ipc?term-length=64k|alias=active";
    let sub = client.start_recording(channel, 73, true, false).unwrap();
    let p = client
        .aeron
        .add_exclusive_publication(channel, 73, T)
        .unwrap();
    offer(&p, b"live");
    let counter = client.recording_counter_id(p.constants().unwrap().session_id);
    let active = i64::from_le_bytes(
        client
            .aeron
            .counters_reader()
            .metadata_key(counter)
            .unwrap()[0..8]
            .try_into()
            .unwrap(),
    );
    let e = client.migrate_segments(active, a).unwrap_err();
    assert!(
        e.message
            .contains(&format!("recording {active} is still active")),
        "{e}"
    );
    // An active destination is not refused for being active (here it fails on its stream parameters).
    let e = client.migrate_segments(a, active).unwrap_err();
    assert!(
        e.message.contains("invalid migrate: src") && !e.message.contains("active"),
        "{e}"
    );
    client.stop_recording_subscription(sub).unwrap();
}

#[test]
fn detach_segments_is_refused_while_a_replay_reads_below_the_new_start() {
    let archive = TestArchive::start().unwrap();
    let client = ArchiveClient::connect(&archive).unwrap();
    let (id, _, _) = record(&client, "aeron:ipc?term-length=64k", 74, 400, 1000);
    let seg = 128 * 1024i64;
    // A replay from the start that nobody consumes stays in the first segment.
    let replay_id = client.start_replay(id, "aeron:ipc", 75, 0, -1, -1).unwrap();
    let e = client.detach_segments(id, seg).unwrap_err();
    assert!(
        e.message
            .contains("invalid detach: replay in progress -  state="),
        "{e}"
    );
    assert!(
        e.message
            .contains(&format!("newStartPosition={seg} upperBound=0")),
        "{e}"
    );
    assert_eq!(client.start_position(id).unwrap(), 0);
    // A replay at or above the new start does not block it.
    let above = client
        .start_replay(id, "aeron:ipc", 76, 2 * seg, -1, -1)
        .unwrap();
    client.stop_replay(replay_id).unwrap();
    wait_until(
        || client.detach_segments(id, seg).is_ok(),
        "detach once the replay is gone",
    );
    assert_eq!(client.start_position(id).unwrap(), seg);
    client.stop_replay(above).unwrap();
}
