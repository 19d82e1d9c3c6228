//! Truncating a stopped recording's segment files back to a position, shared by the running archive's
//! TruncateRecording and `rusteron-archive-tool truncate` on a stopped archive.
//!
//! The position must be a frame boundary in `[start, stop]`. Then:
//!
//! * at the start position every segment file goes (the recording becomes empty);
//! * on a segment boundary the segment starting there goes, with every later one;
//! * inside a segment, every later segment goes and the one holding the position is cut there (its bytes from
//!   the position on read back as zeros, the file keeps its full length), after checking that a frame of the
//!   recording starts there; at the stop position nothing is cut.
//!
//! [`truncate_segments`] checks the position and cuts; the caller updates the catalog and only then deletes
//! the files it returns, so a crash in between leaves orphan files behind, never a catalog entry pointing
//! at deleted data.

use std::path::Path;

use super::catalog::RecordingDescriptor;
use super::frame;
use super::positions::{term_id, term_offset};
use super::recovery::valid_layout;
use super::segment::{cut_segment, RecordingLayout, SegmentReader};
use super::{StorageError, SyncLevel};

/// Why a truncation was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TruncateError {
    /// The position is outside `[start, stop]` or not frame aligned.
    #[error("invalid position {position}: start={start} stop={stop} alignment=32")]
    InvalidPosition {
        /// The position asked for.
        position: i64,
        /// The recording's start position.
        start: i64,
        /// The recording's stop position.
        stop: i64,
    },
    /// The descriptor's term or segment length cannot describe segment files.
    #[error("(recordingId={0}) has an invalid layout")]
    InvalidLayout(i64),
    /// No frame of the recording starts at the position (it is inside a frame, or the file is damaged).
    #[error("position {position} does not match a frame header of recording {recording_id}")]
    NotAFrame {
        /// The position asked for.
        position: i64,
        /// The recording.
        recording_id: i64,
    },
    /// Cutting the segment holding the position failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Checks that `position` lies in `[start, stop]` of the stopped recording `d` and is frame aligned.
pub fn check_position(d: &RecordingDescriptor, position: i64) -> Result<(), TruncateError> {
    let (start, stop) = (d.start_position, d.stop_position);
    if position < start || position > stop || position & (frame::FRAME_ALIGNMENT - 1) != 0 {
        return Err(TruncateError::InvalidPosition {
            position,
            start,
            stop,
        });
    }
    Ok(())
}

/// Truncates the stopped recording `d`, whose segment files in `dir` start at `segment_bases`, to
/// `position` (see the module docs): checks the position ([`check_position`], the layout, the frame header
/// when a segment is to be cut), cuts the segment holding it when needed (synced at `sync`, at least
/// `fdatasync`) and returns the bases of the segment files to delete, ascending. Nothing is deleted and the
/// catalog is not touched; on an error no file has changed.
pub fn truncate_segments(
    dir: &Path,
    d: &RecordingDescriptor,
    position: i64,
    segment_bases: &[i64],
    sync: SyncLevel,
) -> Result<Vec<i64>, TruncateError> {
    check_position(d, position)?;
    let layout = RecordingLayout::of(d);
    if !valid_layout(&layout) {
        return Err(TruncateError::InvalidLayout(d.recording_id));
    }
    let mut bases = segment_bases.to_vec();
    bases.sort_unstable();
    bases.dedup();
    if position == d.start_position {
        return Ok(bases);
    }
    let segment_base = layout.segment_base(position);
    let offset = position - segment_base;
    if offset != 0 && position != d.stop_position {
        if !frame_starts_at(dir, d, &layout, position) {
            return Err(TruncateError::NotAFrame {
                position,
                recording_id: d.recording_id,
            });
        }
        cut_segment(dir, &layout, segment_base, offset, sync)?;
    }
    Ok(bases
        .into_iter()
        .filter(|b| *b > segment_base || (*b == segment_base && offset == 0))
        .collect())
}

/// `true` if the header of a frame of recording `d` (its term offset, term id and stream id) is stored at
/// `position`.
fn frame_starts_at(
    dir: &Path,
    d: &RecordingDescriptor,
    layout: &RecordingLayout,
    position: i64,
) -> bool {
    let mut reader = SegmentReader::new(dir, *layout);
    let mut header = [0u8; frame::HEADER_LENGTH];
    reader.read_at(position, &mut header).ok() == Some(header.len())
        && frame::term_offset(&header) == Some(term_offset(position, layout.term_length))
        && frame::term_id(&header) == Some(term_id(position, d.initial_term_id, layout.term_length))
        && frame::stream_id(&header) == Some(d.stream_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::positions::segment_file_name;

    const TERM: i64 = 64 * 1024;
    const SEG: i64 = 128 * 1024;
    const FRAME: i64 = 1024;
    const STREAM: i32 = 7;
    const INITIAL_TERM_ID: i32 = 100;

    fn descriptor(start: i64, stop: i64) -> RecordingDescriptor {
        RecordingDescriptor {
            control_session_id: 0,
            correlation_id: 0,
            recording_id: 3,
            start_timestamp: 0,
            stop_timestamp: 0,
            start_position: start,
            stop_position: stop,
            initial_term_id: INITIAL_TERM_ID,
            segment_file_length: SEG as i32,
            term_buffer_length: TERM as i32,
            mtu_length: 1408,
            session_id: 1,
            stream_id: STREAM,
            stripped_channel: "aeron:ipc".into(),
            original_channel: "aeron:ipc".into(),
            source_identity: "aeron:ipc".into(),
        }
    }

    /// Segment files of `d` holding 1 KiB frames with bytes 0xAB in their bodies from its start to its stop.
    fn write_recording(dir: &Path, d: &RecordingDescriptor) -> Vec<i64> {
        let layout = RecordingLayout::of(d);
        let mut bases = Vec::new();
        let mut position = d.start_position;
        while position < d.stop_position {
            let base = layout.segment_base(position);
            let path = layout.segment_path(dir, base);
            if !path.exists() {
                std::fs::write(&path, vec![0u8; SEG as usize]).unwrap();
                bases.push(base);
            }
            let mut bytes = std::fs::read(&path).unwrap();
            let at = (position - base) as usize;
            let f = &mut bytes[at..at + FRAME as usize];
            f.fill(0xAB);
            f[0..4].copy_from_slice(&(FRAME as i32).to_le_bytes());
            f[6..8].copy_from_slice(&frame::TYPE_DATA.to_le_bytes());
            f[8..12].copy_from_slice(&term_offset(position, TERM).to_le_bytes());
            f[16..20].copy_from_slice(&STREAM.to_le_bytes());
            f[20..24].copy_from_slice(&term_id(position, INITIAL_TERM_ID, TERM).to_le_bytes());
            std::fs::write(&path, bytes).unwrap();
            position += FRAME;
        }
        bases
    }

    fn file(dir: &Path, base: i64) -> Vec<u8> {
        std::fs::read(dir.join(segment_file_name(3, base))).unwrap()
    }

    #[test]
    fn inside_a_later_segment_cuts_it_and_deletes_the_ones_after() {
        let dir = tempfile::tempdir().unwrap();
        let d = descriptor(0, 3 * SEG + 4 * FRAME);
        let bases = write_recording(dir.path(), &d);
        assert_eq!(bases, vec![0, SEG, 2 * SEG, 3 * SEG]);
        let before = file(dir.path(), SEG);
        let position = SEG + 5 * FRAME;
        let delete = truncate_segments(dir.path(), &d, position, &bases, SyncLevel::None).unwrap();
        assert_eq!(delete, vec![2 * SEG, 3 * SEG]);
        let cut = file(dir.path(), SEG);
        assert_eq!(
            cut.len(),
            SEG as usize,
            "the cut segment keeps its full length"
        );
        assert_eq!(
            cut[..5 * FRAME as usize],
            before[..5 * FRAME as usize],
            "frames before the position stay"
        );
        assert_eq!(
            before[5 * FRAME as usize + 32],
            0xAB,
            "a frame body was there before the cut"
        );
        assert!(
            cut[5 * FRAME as usize..].iter().all(|b| *b == 0),
            "bytes from the position on are zeros"
        );
        assert!(
            file(dir.path(), 0).iter().filter(|b| **b == 0xAB).count() > 100,
            "earlier segments untouched"
        );
    }

    #[test]
    fn on_a_segment_boundary_deletes_that_segment_and_cuts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let d = descriptor(0, 3 * SEG + 4 * FRAME);
        let bases = write_recording(dir.path(), &d);
        let before = file(dir.path(), SEG);
        let delete = truncate_segments(dir.path(), &d, 2 * SEG, &bases, SyncLevel::None).unwrap();
        assert_eq!(delete, vec![2 * SEG, 3 * SEG]);
        assert_eq!(
            file(dir.path(), SEG),
            before,
            "the segment ending at the position is whole"
        );
    }

    #[test]
    fn at_the_start_of_a_mid_term_recording_deletes_every_segment() {
        let dir = tempfile::tempdir().unwrap();
        let start = TERM + 4 * FRAME;
        let d = descriptor(start, start + SEG);
        let bases = write_recording(dir.path(), &d);
        assert_eq!(bases, vec![TERM, TERM + SEG]);
        assert_eq!(
            truncate_segments(dir.path(), &d, start, &bases, SyncLevel::None).unwrap(),
            bases
        );
        // Inside the first segment of a mid-term start: anchored on the start term's base.
        let delete =
            truncate_segments(dir.path(), &d, start + 2 * FRAME, &bases, SyncLevel::Data).unwrap();
        assert_eq!(delete, vec![TERM + SEG]);
        assert!(file(dir.path(), TERM)[(4 + 2) * FRAME as usize..]
            .iter()
            .all(|b| *b == 0));
    }

    #[test]
    fn at_the_stop_position_inside_a_segment_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let d = descriptor(0, SEG + 4 * FRAME);
        let bases = write_recording(dir.path(), &d);
        let before = file(dir.path(), SEG);
        assert_eq!(
            truncate_segments(dir.path(), &d, d.stop_position, &bases, SyncLevel::None).unwrap(),
            Vec::<i64>::new()
        );
        assert_eq!(file(dir.path(), SEG), before);
    }

    #[test]
    fn refusals_change_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = descriptor(0, SEG + 4 * FRAME);
        let bases = write_recording(dir.path(), &d);
        let before = file(dir.path(), SEG);
        let err = |position| {
            truncate_segments(dir.path(), &d, position, &bases, SyncLevel::None)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(100),
            format!(
                "invalid position 100: start=0 stop={} alignment=32",
                d.stop_position
            )
        );
        assert_eq!(
            err(d.stop_position + 32),
            format!(
                "invalid position {}: start=0 stop={} alignment=32",
                d.stop_position + 32,
                d.stop_position
            )
        );
        let inside = SEG + FRAME + 64;
        assert_eq!(
            err(inside),
            format!("position {inside} does not match a frame header of recording 3")
        );
        let bad = RecordingDescriptor {
            term_buffer_length: 3,
            ..descriptor(0, SEG)
        };
        let e = truncate_segments(dir.path(), &bad, 32, &bases, SyncLevel::None).unwrap_err();
        assert!(matches!(e, TruncateError::InvalidLayout(3)), "{e}");
        assert_eq!(file(dir.path(), SEG), before);
    }
}
