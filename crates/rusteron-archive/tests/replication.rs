//! Replication of a recording between two archive servers (each with its own media driver), over UDP.

mod support;

use rusteron_archive::*;
use support::*;

#[test]
fn replicates_a_recording_to_another_archive() {
    let src = start();
    let (src_id, stop) = record(&src, "aeron:ipc", 40, 50);
    let dst = start();
    let params = AeronArchiveReplicationParams::default();
    let replication_id = dst
        .archive
        .replicate(
            src_id,
            src.server.control_request_channel(),
            src.server.control_request_stream_id(),
            &params,
        )
        .expect("replicate");
    assert!(replication_id >= 0);
    wait_signals(&dst, |s| has_signal(s, -1, RecordingSignal::ReplicateEnd));
    let dst_id = dst
        .signals
        .lock()
        .unwrap()
        .iter()
        .find(|s| s.signal() == Some(RecordingSignal::Replicate))
        .map(|s| s.recording_id);
    let dst_id = dst_id.expect("a REPLICATE signal names the new recording");
    wait_until("replica stopped", || {
        dst.archive.get_stop_position(dst_id).unwrap() == stop
    });
    let replay = dst
        .archive
        .replay(
            dst_id,
            "aeron:ipc",
            56,
            &AeronArchiveReplayParams::default(),
        )
        .unwrap();
    assert_eq!(
        receive(&replay, 50),
        (0..50).map(message).collect::<Vec<_>>()
    );
    // The replication has ended: nothing is left to stop, and try_stop says so without an error.
    assert!(!dst.archive.try_stop_replication(replication_id).unwrap());
}
