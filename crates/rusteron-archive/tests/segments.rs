//! Segment operations: detach, attach, delete detached, purge segments and migrate, checked through the
//! start/stop positions and the replayed content. Test archives use 128 KiB segment files and 64 KiB terms;
//! each test message is a 64-byte frame, so a segment holds exactly 2048 messages.

mod support;

use rusteron_archive::*;
use support::*;

const FRAME: i64 = 64;
const SEGMENT: i64 = 128 * 1024;
const PER_SEGMENT: usize = (SEGMENT / FRAME) as usize;

/// Replays `id` from its start and checks it delivers exactly messages `range`.
fn assert_replays(env: &Env, id: i64, stream_id: i32, range: std::ops::Range<usize>) {
    let replay = env
        .archive
        .replay(
            id,
            "aeron:ipc",
            stream_id,
            &AeronArchiveReplayParams::default(),
        )
        .unwrap();
    let got = receive(&replay, range.len());
    for (m, i) in got.iter().zip(range.clone()) {
        assert_eq!(m, &message(i), "message {i}");
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let mut extra = 0;
    replay
        .poll_once(|_: &[u8], _h: AeronHeader<'_>| extra += 1, 10)
        .unwrap();
    assert_eq!(extra, 0, "nothing after the recording's end");
}

#[test]
fn detach_then_attach_restores_the_history() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 70, 5000);
    assert_eq!(stop, 5000 * FRAME);

    env.archive.detach_segments(id, SEGMENT).unwrap();
    assert_eq!(env.archive.get_start_position(id).unwrap(), SEGMENT);
    assert_eq!(env.archive.get_stop_position(id).unwrap(), stop);
    assert_replays(&env, id, 170, PER_SEGMENT..5000);

    assert_eq!(env.archive.attach_segments(id).unwrap(), 1);
    assert_eq!(env.archive.get_start_position(id).unwrap(), 0);
    assert_replays(&env, id, 171, 0..5000);
}

#[test]
fn delete_detached_segments_removes_them_for_good() {
    let env = start();
    let (id, _) = record(&env, "aeron:ipc", 71, 5000);
    env.archive.detach_segments(id, 2 * SEGMENT).unwrap();
    assert_eq!(env.archive.delete_detached_segments(id).unwrap(), 2);
    wait_signals(&env, |s| has_signal(s, id, RecordingSignal::Delete));
    // Nothing left to attach.
    assert_eq!(env.archive.attach_segments(id).unwrap(), 0);
    assert_eq!(env.archive.get_start_position(id).unwrap(), 2 * SEGMENT);
    assert_replays(&env, id, 172, 2 * PER_SEGMENT..5000);
}

#[test]
fn purge_segments_detaches_and_deletes() {
    let env = start();
    let (id, stop) = record(&env, "aeron:ipc", 72, 5000);
    assert_eq!(env.archive.purge_segments(id, SEGMENT).unwrap(), 1);
    wait_signals(&env, |s| has_signal(s, id, RecordingSignal::Delete));
    assert_eq!(env.archive.get_start_position(id).unwrap(), SEGMENT);
    assert_eq!(env.archive.get_stop_position(id).unwrap(), stop);
    assert_eq!(env.archive.attach_segments(id).unwrap(), 0);
    assert_replays(&env, id, 173, PER_SEGMENT..5000);
}

#[test]
fn segment_operations_refuse_invalid_positions_and_active_recordings() {
    let env = start();
    let (id, _) = record(&env, "aeron:ipc", 73, 5000);
    // Not on a segment boundary.
    let err = env
        .archive
        .detach_segments(id, SEGMENT + FRAME)
        .unwrap_err();
    println!("detach off a boundary: {err}");
    let err = env.archive.purge_segments(id, SEGMENT + FRAME).unwrap_err();
    println!("purge off a boundary: {err}");
    // Past the segment holding the stop position.
    let err = env.archive.detach_segments(id, 3 * SEGMENT).unwrap_err();
    println!("detach past the end: {err}");
    assert_eq!(env.archive.get_start_position(id).unwrap(), 0);
    // Unknown recording.
    let err = env.archive.detach_segments(987_654, SEGMENT).unwrap_err();
    assert!(err.msg.contains("987654"), "{err}");

    // An active recording: detaching is allowed up to the segment of the recorded position (as Java).
    let sub_id = env
        .archive
        .start_recording("aeron:ipc", 74, LOCAL, false)
        .unwrap();
    let publication = exclusive_publication(&env.aeron, "aeron:ipc", 74);
    let active = started_recording(&env, sub_id);
    let position = publish(&publication, 0..3000);
    wait_until("recorded", || {
        env.archive.get_recording_position(active).unwrap() >= position
    });
    let err = env
        .archive
        .detach_segments(active, 2 * SEGMENT)
        .unwrap_err();
    println!("detach beyond the recorded segment: {err}");
    assert_eq!(env.archive.get_start_position(active).unwrap(), 0);
    env.archive.detach_segments(active, SEGMENT).unwrap();
    assert_eq!(env.archive.get_start_position(active).unwrap(), SEGMENT);
    env.archive.stop_recording_subscription(sub_id).unwrap();
    wait_signals(&env, |s| has_signal(s, active, RecordingSignal::Stop));
    assert_replays(&env, active, 178, PER_SEGMENT..3000);
    // The first recording is still whole.
    assert_replays(&env, id, 174, 0..5000);
}

#[test]
fn migrate_segments_joins_two_recordings() {
    let env = start();
    // Source: exactly two segments.
    let (src, src_stop) = record(&env, "aeron:ipc?session-id=2001", 75, 2 * PER_SEGMENT);
    assert_eq!(src_stop, 2 * SEGMENT);
    let d = env.archive.recording_descriptor(src).unwrap().unwrap();
    let term_length = d.term_buffer_length as i64;
    // Destination: same stream, starting where the source stops.
    let channel = format!(
        "aeron:ipc?init-term-id={}|term-id={}|term-offset=0|term-length={term_length}|session-id=2002",
        d.initial_term_id,
        d.initial_term_id + (src_stop / term_length) as i32,
    );
    let sub_id = env
        .archive
        .start_recording(&channel, 75, LOCAL, false)
        .unwrap();
    let publication = exclusive_publication(&env.aeron, &channel, 75);
    let dst = started_recording(&env, sub_id);
    let dst_stop = publish(&publication, 2 * PER_SEGMENT..5000);
    assert_eq!(dst_stop, 5000 * FRAME);
    wait_until("destination recorded", || {
        env.archive.get_recording_position(dst).unwrap() >= dst_stop
    });
    env.archive.stop_recording_subscription(sub_id).unwrap();
    wait_signals(&env, |s| has_signal(s, dst, RecordingSignal::Stop));
    assert_eq!(env.archive.get_start_position(dst).unwrap(), src_stop);

    assert_eq!(env.archive.migrate_segments(src, dst).unwrap(), 2);
    assert_eq!(env.archive.get_start_position(dst).unwrap(), 0);
    assert_eq!(env.archive.get_stop_position(dst).unwrap(), dst_stop);
    // The source is left empty.
    assert_eq!(
        env.archive.get_start_position(src).unwrap(),
        env.archive.get_stop_position(src).unwrap()
    );
    assert_replays(&env, dst, 175, 0..5000);
}

#[test]
fn migrate_segments_refuses_recordings_that_do_not_join() {
    let env = start();
    let (a, _) = record(&env, "aeron:ipc?session-id=2003", 76, 100);
    let (b, _) = record(&env, "aeron:ipc?session-id=2004", 76, 100);
    let err = env.archive.migrate_segments(a, b).unwrap_err();
    println!("migrate of non-contiguous recordings: {err}");
    // Both untouched.
    assert_replays(&env, a, 176, 0..100);
    assert_replays(&env, b, 177, 0..100);
}
