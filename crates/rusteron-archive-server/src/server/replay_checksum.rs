//! Replay checksum verification (`aeron.archive.replay.checksum`), as Java's `ReplaySession.verifyChecksum`:
//! each data frame read for a replay is checked before the batch is offered; a mismatch ends the replay
//! (publication revoked, nothing of the batch sent) with a `GENERIC` error response carrying Java's message.

use crate::storage::checksum::{Checksum, Mismatch};
use crate::storage::positions::{segment_file_name, term_offset};
use crate::storage::segment::RecordingLayout;

/// Verifies the data frame at `frame_offset` of a batch read from `read_position`; on a mismatch returns
/// the error message Java's `ReplaySession.raiseError` builds.
pub(crate) fn verify(
    checksum: Checksum,
    layout: &RecordingLayout,
    replay_session_id: i64,
    read_position: i64,
    batch: &[u8],
    frame_offset: usize,
    aligned_length: usize,
) -> Result<(), String> {
    checksum
        .verify_frame(&batch[frame_offset..], aligned_length)
        .map_err(|m| mismatch_message(layout, replay_session_id, read_position, frame_offset, m))
}

/// `CRC checksum mismatch at position=<frame position> (segmentFilePosition=…, segmentOffset=…, termOffset=…,
/// frameOffset=…): recorded checksum=…, computed checksum=…, recordingId=…, replaySessionId=…,
/// segmentFile=…`, where `segmentOffset` is the offset of the current term in its segment file and
/// `termOffset` the offset in the term the batch was read from.
fn mismatch_message(
    layout: &RecordingLayout,
    replay_session_id: i64,
    read_position: i64,
    frame_offset: usize,
    m: Mismatch,
) -> String {
    let segment_base = layout.segment_base(read_position);
    let term_offset = i64::from(term_offset(read_position, layout.term_length));
    let term_base_segment_offset = read_position - segment_base - term_offset;
    let position = read_position + frame_offset as i64;
    format!(
        "CRC checksum mismatch at position={position} (segmentFilePosition={segment_base}, \
         segmentOffset={term_base_segment_offset}, termOffset={term_offset}, frameOffset={frame_offset}): \
         recorded checksum={}, computed checksum={}, recordingId={}, replaySessionId={replay_session_id}, \
         segmentFile={}",
        m.recorded,
        m.computed,
        layout.recording_id,
        segment_file_name(layout.recording_id, segment_base)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_javas() {
        let layout = RecordingLayout {
            recording_id: 3,
            start_position: 0,
            term_length: 65536,
            segment_length: 131072,
        };
        let m = Mismatch {
            recorded: -5,
            computed: 17,
        };
        // Read from position 196_640 (second segment, second term, term offset 32), frame 64 bytes further.
        assert_eq!(
            mismatch_message(&layout, 1 << 32 | 9, 196_640, 64, m),
            "CRC checksum mismatch at position=196704 (segmentFilePosition=131072, segmentOffset=65536, \
             termOffset=32, frameOffset=64): recorded checksum=-5, computed checksum=17, recordingId=3, \
             replaySessionId=4294967305, segmentFile=3-131072.rec"
        );
    }
}
