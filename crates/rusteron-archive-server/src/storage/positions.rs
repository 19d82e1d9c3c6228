//! Position arithmetic shared by recording, replay and segment operations.

/// The position at which the segment file holding `position` starts, for a recording that started at
/// `start_position` with the given term and segment lengths (both powers of two).
///
/// Segments are anchored on the base of the term that contains the start position, so a recording starting
/// mid-term has zeros before its first frame in the first file.
pub fn segment_base_position(
    start_position: i64,
    position: i64,
    term_length: i64,
    segment_length: i64,
) -> i64 {
    let start_term_base = start_position - (start_position & (term_length - 1));
    let length_from_base = position - start_term_base;
    start_term_base + (length_from_base - (length_from_base & (segment_length - 1)))
}

/// File name of the segment of `recording_id` starting at `segment_base`: `<id>-<base>.rec`.
pub fn segment_file_name(recording_id: i64, segment_base: i64) -> String {
    format!("{recording_id}-{segment_base}.rec")
}

/// Parses a segment file name back into `(recording_id, segment_base)`.
pub fn parse_segment_file_name(name: &str) -> Option<(i64, i64)> {
    let stem = name.strip_suffix(".rec")?;
    let (id, base) = stem.split_once('-')?;
    Some((id.parse().ok()?, base.parse().ok()?))
}

/// Term id of `position` for a stream with `initial_term_id` and `term_length` (a power of two).
pub fn term_id(position: i64, initial_term_id: i32, term_length: i64) -> i32 {
    initial_term_id.wrapping_add((position >> term_length.trailing_zeros()) as i32)
}

/// Offset of `position` within its term.
pub fn term_offset(position: i64, term_length: i64) -> i32 {
    (position & (term_length - 1)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERM: i64 = 64 * 1024;
    const SEG: i64 = 128 * 1024;

    #[test]
    fn segment_base_is_anchored_on_the_start_term() {
        assert_eq!(segment_base_position(0, 0, TERM, SEG), 0);
        assert_eq!(segment_base_position(0, SEG - 32, TERM, SEG), 0);
        assert_eq!(segment_base_position(0, SEG, TERM, SEG), SEG);
        // Start mid-term: the first segment starts at the term base.
        let start = TERM + 4096;
        assert_eq!(segment_base_position(start, start, TERM, SEG), TERM);
        assert_eq!(
            segment_base_position(start, TERM + SEG - 32, TERM, SEG),
            TERM
        );
        assert_eq!(
            segment_base_position(start, TERM + SEG, TERM, SEG),
            TERM + SEG
        );
    }

    #[test]
    fn file_names_round_trip() {
        assert_eq!(segment_file_name(3, 131072), "3-131072.rec");
        assert_eq!(parse_segment_file_name("3-131072.rec"), Some((3, 131072)));
        assert_eq!(parse_segment_file_name("archive.catalog"), None);
        assert_eq!(parse_segment_file_name("x-1.rec"), None);
    }

    #[test]
    fn term_ids_and_offsets() {
        assert_eq!(term_id(0, 7, TERM), 7);
        assert_eq!(term_id(3 * TERM + 64, 7, TERM), 10);
        assert_eq!(term_id(TERM, i32::MAX, TERM), i32::MIN);
        assert_eq!(term_offset(3 * TERM + 64, TERM), 64);
    }
}
