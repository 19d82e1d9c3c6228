//! Start-up recovery, like the Java archive's `Catalog` refresh: every valid recording whose stop position
//! is NULL (-1; it was being recorded when the process died) gets its stop position derived from its
//! segment files and its stop timestamp set to now, and the catalog is synced.
//!
//! The stop position is found as Java does (and as [`super::segment::recover_stop_position`]): in the segment
//! file with the highest base position, walk the frames from the start (from the start term offset if that
//! file is the recording's first segment) while the frame length is positive. Then, where Java stops start-up
//! and asks for `ArchiveTool verify`, this implementation repairs: if the last frame straddles a 4 KiB page
//! boundary and a page after the boundary holds only zeros (the page never reached the disk, e.g. after a
//! power cut), the frame is cut off: the file is truncated to the frame start and re-extended to the segment
//! length, and the stop position is the frame start. Padding frames are exempt (only their header is ever
//! stored). Missing segment files are fine: only the last one matters; no segment file at all means nothing
//! was written, stop = start.
//!
//! Every recovered recording gets a line in the recovery log ([`RECOVERY_LOG_FILE_NAME`] in the archive dir):
//! the time, the stop position written and the frame cut off, if any, so `rusteron-archive-tool verify` can
//! report what was cut after the fact. [`scan_stop`] works out the same result without changing anything.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::catalog::ALIGNMENT;
use super::catalog::{
    Catalog, CATALOG_FILE_NAME, CATALOG_VERSION, HEADER_LENGTH as CATALOG_HEADER_LENGTH,
};
use super::checksum::Checksum;
use super::frame;
use super::segment::{cut_segment, list_segments, RecordingLayout};
use super::{io_err, StorageError, SyncLevel};

/// Page size of the straddle check (Java's `Catalog.PAGE_SIZE`).
pub const PAGE_SIZE: i64 = 4096;
const SCAN_CHUNK: usize = 1024 * 1024;

/// What recovery did to one recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveredRecording {
    /// The recording.
    pub recording_id: i64,
    /// The stop position written to the catalog.
    pub stop_position: i64,
    /// `true` if a torn last frame was cut off.
    pub truncated_torn_frame: bool,
    /// The torn last frame that was cut off, if any.
    pub cut: Option<TornFrame>,
}

/// A last frame that is incomplete: it straddles a 4 KiB page boundary and a page after the boundary holds
/// only zeros in the frame's range (and, with a record checksum, its checksum does not match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornFrame {
    /// Segment file holding the frame (its file name, `<id>-<base>.rec`).
    pub segment_file: String,
    /// Recording position of the frame's first byte: the stop position once it is cut off.
    pub position: i64,
    /// Aligned length of the frame as its header claims.
    pub length: i64,
}

/// Where a recording's data ends, as recovery works it out, without changing anything ([`scan_stop`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopScan {
    /// Base position of the segment file with the highest base, `None` if the recording has no segment file.
    pub last_segment_base: Option<i64>,
    /// Position after the last complete frame (the torn frame, if any, excluded): the stop position recovery
    /// writes.
    pub stop_position: i64,
    /// The torn last frame recovery cuts off.
    pub torn: Option<TornFrame>,
}

/// File in the archive dir where recovery (at start-up, or `rusteron-archive-tool verify`) appends one line
/// per recovered recording, so that what was cut can be reported after the fact.
pub const RECOVERY_LOG_FILE_NAME: &str = "archive-recovery.log";

/// One line of the recovery log ([`RECOVERY_LOG_FILE_NAME`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryLogEntry {
    /// Epoch ms of the recovery.
    pub timestamp: i64,
    /// The recording.
    pub recording_id: i64,
    /// The stop position recovery wrote.
    pub stop_position: i64,
    /// The torn frame cut off, if any.
    pub cut: Option<TornFrame>,
}

impl RecoveryLogEntry {
    /// The line as written: `<epoch ms> recording=<id> stop=<position> cut=none` or
    /// `... cut=<position>+<length> file=<segment file>`.
    pub fn to_line(&self) -> String {
        let mut line = format!(
            "{} recording={} stop={}",
            self.timestamp, self.recording_id, self.stop_position
        );
        match &self.cut {
            None => line.push_str(" cut=none"),
            Some(t) => line.push_str(&format!(
                " cut={}+{} file={}",
                t.position, t.length, t.segment_file
            )),
        }
        line
    }

    /// Parses a line written by [`to_line`](Self::to_line); `None` for anything else.
    pub fn parse(line: &str) -> Option<RecoveryLogEntry> {
        let mut words = line.split_whitespace();
        let timestamp = words.next()?.parse().ok()?;
        let recording_id = words.next()?.strip_prefix("recording=")?.parse().ok()?;
        let stop_position = words.next()?.strip_prefix("stop=")?.parse().ok()?;
        let cut = match words.next()?.strip_prefix("cut=")? {
            "none" => None,
            c => {
                let (position, length) = c.split_once('+')?;
                let segment_file = words.next()?.strip_prefix("file=")?.to_owned();
                Some(TornFrame {
                    segment_file,
                    position: position.parse().ok()?,
                    length: length.parse().ok()?,
                })
            }
        };
        Some(RecoveryLogEntry {
            timestamp,
            recording_id,
            stop_position,
            cut,
        })
    }
}

/// Appends `entries` to the recovery log in `archive_dir` and syncs it.
pub fn append_recovery_log(
    archive_dir: &Path,
    entries: &[RecoveryLogEntry],
) -> Result<(), StorageError> {
    if entries.is_empty() {
        return Ok(());
    }
    let path = archive_dir.join(RECOVERY_LOG_FILE_NAME);
    let mut text = String::new();
    for e in entries {
        text.push_str(&e.to_line());
        text.push('\n');
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io_err(&path))?;
    std::io::Write::write_all(&mut &file, text.as_bytes()).map_err(io_err(&path))?;
    file.sync_data().map_err(io_err(&path))
}

/// The entries of the recovery log in `archive_dir` (none if it does not exist); lines that do not parse
/// are skipped.
pub fn read_recovery_log(archive_dir: &Path) -> Result<Vec<RecoveryLogEntry>, StorageError> {
    let path = archive_dir.join(RECOVERY_LOG_FILE_NAME);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(RecoveryLogEntry::parse)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(io_err(&path)(e)),
    }
}

/// Result of [`recover`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Recordings whose stop position was recovered, by ascending id.
    pub recovered: Vec<RecoveredRecording>,
}

fn corrupt(path: &Path, what: impl Into<String>) -> StorageError {
    StorageError::Corrupt {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

/// Checks the header of an existing catalog in `archive_dir` (a missing catalog is fine: it will be
/// created): version major 3, header length 32, entry alignment 64 (Java's `CatalogHeader`).
pub fn validate_catalog_header(archive_dir: &Path) -> Result<(), StorageError> {
    let path = archive_dir.join(CATALOG_FILE_NAME);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(&path)(e)),
    };
    let mut header = [0u8; CATALOG_HEADER_LENGTH];
    let n = file.read_at(&mut header, 0).map_err(io_err(&path))?;
    if n == 0 {
        return Ok(()); // an empty file is initialised by the catalog
    }
    if n < CATALOG_HEADER_LENGTH {
        return Err(corrupt(
            &path,
            format!("catalog header truncated: {n} bytes"),
        ));
    }
    let i32_at = |at: usize| i32::from_le_bytes(header[at..at + 4].try_into().unwrap_or([0; 4]));
    let (version, length, alignment) = (i32_at(0), i32_at(4), i32_at(16));
    if version >> 16 != CATALOG_VERSION >> 16 {
        return Err(corrupt(
            &path,
            format!("catalog version {version:#x}: major version must be 3"),
        ));
    }
    if length != CATALOG_HEADER_LENGTH as i32 {
        return Err(corrupt(
            &path,
            format!("catalog header length {length}, expected {CATALOG_HEADER_LENGTH}"),
        ));
    }
    if alignment != ALIGNMENT as i32 {
        return Err(corrupt(
            &path,
            format!("catalog alignment {alignment}, expected {ALIGNMENT}"),
        ));
    }
    Ok(())
}

/// Recovers the stop position of every valid recording whose stop position is -1, then syncs the catalog.
/// Segment files repaired (torn frame cut off) are synced per `file_sync`.
pub fn recover(
    catalog: &mut Catalog,
    archive_dir: &Path,
    file_sync: SyncLevel,
    now_ms: i64,
) -> Result<RecoveryReport, StorageError> {
    let mut report = RecoveryReport::default();
    let active: Vec<_> = catalog
        .ids_from(0)
        .filter_map(|id| catalog.get(id))
        .filter(|d| d.stop_position == -1)
        .collect();
    for d in active {
        let layout = RecordingLayout::of(&d);
        if !valid_layout(&layout) {
            log::error!(
                "recording {} has an unusable layout {layout:?}; stop = start",
                d.recording_id
            );
        }
        let (stop_position, cut) = if valid_layout(&layout) {
            recover_stop_cut(archive_dir, &layout, file_sync, catalog.checksum())?
        } else {
            (d.start_position, None)
        };
        let truncated = cut.is_some();
        // As Java's catalog refresh: the descriptor checksum is not recomputed.
        catalog.update_keeping_checksum(d.recording_id, |r| {
            r.stop_position = stop_position;
            r.stop_timestamp = now_ms;
        })?;
        log::warn!(
            "recovered recording {}: stop position {stop_position}{}",
            d.recording_id,
            if truncated {
                " (torn last frame cut off)"
            } else {
                ""
            }
        );
        report.recovered.push(RecoveredRecording {
            recording_id: d.recording_id,
            stop_position,
            truncated_torn_frame: truncated,
            cut,
        });
    }
    if !report.recovered.is_empty() {
        catalog.sync()?;
        let entries: Vec<_> = report
            .recovered
            .iter()
            .map(|r| RecoveryLogEntry {
                timestamp: now_ms,
                recording_id: r.recording_id,
                stop_position: r.stop_position,
                cut: r.cut.clone(),
            })
            .collect();
        append_recovery_log(archive_dir, &entries)?;
    }
    Ok(report)
}

/// `true` if the layout's lengths are usable: term length a power of two, segment length a power of two and
/// at least the term length, start position not negative.
pub fn valid_layout(l: &RecordingLayout) -> bool {
    l.term_length > 0
        && (l.term_length as u64).is_power_of_two()
        && l.segment_length >= l.term_length
        && (l.segment_length as u64).is_power_of_two()
        && l.start_position >= 0
}

/// The recovered stop position of one recording and whether a torn frame was cut off.
pub fn recover_stop(
    dir: &Path,
    layout: &RecordingLayout,
    sync: SyncLevel,
) -> Result<(i64, bool), StorageError> {
    recover_stop_with(dir, layout, sync, None)
}

/// [`recover_stop`] for an archive with a record checksum: as in Java's `Catalog.isValidFragment`, a last
/// frame whose recorded checksum matches its bytes is complete, whatever its pages hold.
pub fn recover_stop_with(
    dir: &Path,
    layout: &RecordingLayout,
    sync: SyncLevel,
    checksum: Option<Checksum>,
) -> Result<(i64, bool), StorageError> {
    recover_stop_cut(dir, layout, sync, checksum).map(|(stop, cut)| (stop, cut.is_some()))
}

/// [`recover_stop_with`] that also says which frame was cut off.
pub fn recover_stop_cut(
    dir: &Path,
    layout: &RecordingLayout,
    sync: SyncLevel,
    checksum: Option<Checksum>,
) -> Result<(i64, Option<TornFrame>), StorageError> {
    let scan = scan_stop(dir, layout, checksum)?;
    if let (Some(torn), Some(base)) = (&scan.torn, scan.last_segment_base) {
        cut_torn_frame(dir, layout, base, torn, sync)?;
    }
    Ok((scan.stop_position, scan.torn))
}

/// Cuts `torn` off the segment starting at `segment_base`: the file is truncated to the frame start,
/// re-extended to the segment length and synced (at least `fdatasync`).
pub fn cut_torn_frame(
    dir: &Path,
    layout: &RecordingLayout,
    segment_base: i64,
    torn: &TornFrame,
    sync: SyncLevel,
) -> Result<(), StorageError> {
    let path = layout.segment_path(dir, segment_base);
    let offset = torn.position - segment_base;
    log::warn!(
        "{}: last frame at offset {offset} straddles a page boundary and is incomplete; cutting it off",
        path.display()
    );
    cut_segment(dir, layout, segment_base, offset, sync)
}

/// Works out, without changing anything, where recovery puts the stop position of a recording: the frame walk
/// of its last segment file, and the torn last frame it would cut off (see the module docs).
pub fn scan_stop(
    dir: &Path,
    layout: &RecordingLayout,
    checksum: Option<Checksum>,
) -> Result<StopScan, StorageError> {
    let Some(&last_base) = list_segments(dir, layout.recording_id)?.last() else {
        return Ok(StopScan {
            last_segment_base: None,
            stop_position: layout.start_position,
            torn: None,
        });
    };
    let start_term_base =
        layout.start_position - (layout.start_position & (layout.term_length - 1));
    let first_offset = if last_base == start_term_base {
        layout.start_position - start_term_base
    } else {
        0
    };
    let path = layout.segment_path(dir, last_base);
    let file = File::open(&path).map_err(io_err(&path))?;
    let size = file.metadata().map_err(io_err(&path))?.len() as i64;
    let limit = layout.segment_length.min(size);
    let scan = scan_frames(&file, &path, first_offset, limit)?;
    let mut end = scan.end;
    let mut torn = None;
    if let Some(last) = scan.last {
        if last.frame_type != frame::TYPE_PAD
            && straddles_page(last.offset, last.aligned_length)
            && has_empty_page_after_straddle(&file, &path, last.offset, last.aligned_length)?
            && !has_valid_checksum(&file, &path, checksum, last)?
        {
            end = last.offset;
            torn = Some(TornFrame {
                segment_file: super::positions::segment_file_name(layout.recording_id, last_base),
                position: last_base + last.offset,
                length: last.aligned_length,
            });
        }
    }
    Ok(StopScan {
        last_segment_base: Some(last_base),
        stop_position: (last_base + end).max(layout.start_position),
        torn,
    })
}

#[derive(Debug, Clone, Copy)]
struct LastFrame {
    offset: i64,
    aligned_length: i64,
    frame_type: u16,
}

struct Scan {
    end: i64,
    last: Option<LastFrame>,
}

/// Walks frames from `offset` while their length is positive, reading in 1 MiB chunks.
fn scan_frames(file: &File, path: &Path, offset: i64, limit: i64) -> Result<Scan, StorageError> {
    let mut buf = vec![0u8; SCAN_CHUNK];
    let mut last = None;
    let mut position = offset; // start of the next frame
    while position + frame::HEADER_LENGTH as i64 <= limit {
        let chunk_start = position;
        let want = ((limit - chunk_start) as usize).min(SCAN_CHUNK);
        let n = read_full(file, path, &mut buf[..want], chunk_start)?;
        let mut at = 0usize;
        while at + frame::HEADER_LENGTH <= n {
            let length = frame::frame_length(&buf[at..]).unwrap_or(0);
            if length <= 0 {
                return Ok(Scan {
                    end: position,
                    last,
                });
            }
            let aligned = frame::align(i64::from(length));
            let frame_type = frame::frame_type(&buf[at..]).unwrap_or(frame::TYPE_DATA);
            last = Some(LastFrame {
                offset: position,
                aligned_length: aligned,
                frame_type,
            });
            if position + aligned > limit {
                // A frame claiming to run past the file: count it up to the file end only.
                return Ok(Scan { end: limit, last });
            }
            position += aligned;
            at += aligned as usize;
        }
        if position == chunk_start {
            break; // fewer than a header's bytes could be read
        }
    }
    Ok(Scan {
        end: position,
        last,
    })
}

fn read_full(file: &File, path: &Path, buf: &mut [u8], offset: i64) -> Result<usize, StorageError> {
    let mut done = 0;
    while done < buf.len() {
        let n = file
            .read_at(&mut buf[done..], offset as u64 + done as u64)
            .map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

fn straddles_page(offset: i64, length: i64) -> bool {
    length > 0 && offset / PAGE_SIZE != (offset + length - 1) / PAGE_SIZE
}

/// `true` if some page after the first page boundary inside the frame holds only zeros in the frame's range.
fn has_empty_page_after_straddle(
    file: &File,
    path: &Path,
    offset: i64,
    length: i64,
) -> Result<bool, StorageError> {
    let end = offset + length;
    let mut page = (offset / PAGE_SIZE + 1) * PAGE_SIZE;
    let mut buf = vec![0u8; PAGE_SIZE as usize];
    while page < end {
        let len = (end - page).min(PAGE_SIZE) as usize;
        let n = read_full(file, path, &mut buf[..len], page)?;
        if buf[..n].iter().all(|&b| b == 0) {
            return Ok(true);
        }
        page += PAGE_SIZE;
    }
    Ok(false)
}

/// `true` if a checksum is configured and the frame's session id field holds the checksum of its bytes.
fn has_valid_checksum(
    file: &File,
    path: &Path,
    checksum: Option<Checksum>,
    last: LastFrame,
) -> Result<bool, StorageError> {
    let Some(checksum) = checksum else {
        return Ok(false);
    };
    let mut bytes = vec![0u8; last.aligned_length as usize];
    let n = read_full(file, path, &mut bytes, last.offset)?;
    Ok(n == bytes.len() && checksum.verify_frame(&bytes, n).is_ok())
}

#[cfg(test)]
mod tests {
    use super::super::catalog::RecordingDescriptor;
    use super::super::segment::{recover_stop_position, SegmentWriter};
    use super::*;

    const TERM: i64 = 64 * 1024;
    const SEG: i64 = 128 * 1024;

    fn data_frame(payload_len: usize, fill: u8) -> Vec<u8> {
        let len = frame::HEADER_LENGTH + payload_len;
        let mut f = vec![0u8; frame::align(len as i64) as usize];
        f[0..4].copy_from_slice(&(len as i32).to_le_bytes());
        f[6..8].copy_from_slice(&frame::TYPE_DATA.to_le_bytes());
        f[frame::HEADER_LENGTH..len].fill(fill);
        f
    }

    fn layout(id: i64, start: i64) -> RecordingLayout {
        RecordingLayout {
            recording_id: id,
            start_position: start,
            term_length: TERM,
            segment_length: SEG,
        }
    }

    fn descriptor(start: i64) -> RecordingDescriptor {
        RecordingDescriptor {
            start_position: start,
            stop_position: -1,
            stop_timestamp: -1,
            term_buffer_length: TERM as i32,
            segment_file_length: SEG as i32,
            mtu_length: 1408,
            stream_id: 1001,
            stripped_channel: "aeron:ipc".into(),
            original_channel: "aeron:ipc".into(),
            source_identity: "aeron:ipc".into(),
            ..Default::default()
        }
    }

    #[test]
    fn active_recordings_get_their_stop_position_and_stopped_ones_are_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(dir.path(), 64 * 1024, SyncLevel::None).unwrap();
        let a = catalog.add(descriptor(0)).unwrap();
        let b = catalog
            .add(RecordingDescriptor {
                stop_position: 4096,
                ..descriptor(0)
            })
            .unwrap();
        let c = catalog.add(descriptor(TERM + 256)).unwrap(); // no segment file at all
        let mut w = SegmentWriter::new(dir.path(), layout(a, 0), 0, SyncLevel::None);
        while w.position() < SEG + 3 * 1024 {
            w.write_block(&data_frame(1024 - 32, 7)).unwrap();
        }
        drop(catalog);

        validate_catalog_header(dir.path()).unwrap();
        let mut catalog = Catalog::open(dir.path(), 64 * 1024, SyncLevel::None).unwrap();
        let report = recover(&mut catalog, dir.path(), SyncLevel::None, 99).unwrap();
        assert_eq!(report.recovered.len(), 2);
        let a_d = catalog.get(a).unwrap();
        assert_eq!(
            (a_d.stop_position, a_d.stop_timestamp),
            (SEG + 3 * 1024, 99)
        );
        assert_eq!(
            a_d.stop_position,
            recover_stop_position(dir.path(), &layout(a, 0)).unwrap()
        );
        assert_eq!(catalog.get(b).unwrap().stop_position, 4096);
        assert_eq!(catalog.get(c).unwrap().stop_position, TERM + 256);
        // Idempotent: a second run finds nothing to do.
        assert!(recover(&mut catalog, dir.path(), SyncLevel::None, 100)
            .unwrap()
            .recovered
            .is_empty());
    }

    #[test]
    fn an_empty_last_segment_ends_at_its_base() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(3, 0), 0, SyncLevel::None);
        while w.position() < SEG {
            w.write_block(&data_frame(1024 - 32, 1)).unwrap();
        }
        std::fs::File::create(dir.path().join(format!("3-{SEG}.rec")))
            .unwrap()
            .set_len(SEG as u64)
            .unwrap();
        assert_eq!(
            recover_stop(dir.path(), &layout(3, 0), SyncLevel::None).unwrap(),
            (SEG, false)
        );
    }

    #[test]
    fn a_missing_middle_segment_only_the_last_one_counts() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(4, 0), 0, SyncLevel::None);
        while w.position() < 2 * SEG + 2048 {
            w.write_block(&data_frame(1024 - 32, 2)).unwrap();
        }
        std::fs::remove_file(dir.path().join(format!("4-{SEG}.rec"))).unwrap();
        assert_eq!(
            recover_stop(dir.path(), &layout(4, 0), SyncLevel::None).unwrap(),
            (2 * SEG + 2048, false)
        );
    }

    #[test]
    fn with_a_record_checksum_a_frame_whose_checksum_matches_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let checksum = Some(Checksum::Crc32c);
        let mut w = SegmentWriter::new(dir.path(), layout(9, 0), 0, SyncLevel::None)
            .with_checksum(checksum);
        w.write_block(&data_frame(4000 - 32, 1)).unwrap(); // [0, 4000)
                                                           // [4000, 10016): its bytes from 8192 on are zeros, as they were published.
        let mut f = data_frame(6000 - 32, 2);
        f[8192 - 4000..].fill(0);
        w.write_block(&f).unwrap();
        drop(w);
        assert_eq!(
            recover_stop_with(dir.path(), &layout(9, 0), SyncLevel::None, checksum).unwrap(),
            (10016, false)
        );
        // Without the checksum it looks torn (Java's page test), and is cut off.
        assert_eq!(
            recover_stop(dir.path(), &layout(9, 0), SyncLevel::None).unwrap(),
            (4000, true)
        );
    }

    #[test]
    fn a_torn_frame_across_a_page_is_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(5, 0), 0, SyncLevel::None);
        w.write_block(&data_frame(4000 - 32, 1)).unwrap(); // [0, 4000)
        w.write_block(&data_frame(6000 - 32, 2)).unwrap(); // [4000, 10016) straddles 4096 and 8192
        drop(w);
        let path = dir.path().join("5-0.rec");
        // The page [8192, 12288) never reached the disk.
        let file = OpenOptions::new().write(true).open(&path).unwrap();
        file.write_all_at(&vec![0u8; 4096], 8192).unwrap();
        assert_eq!(
            recover_stop(dir.path(), &layout(5, 0), SyncLevel::None).unwrap(),
            (4000, true)
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            SEG as u64,
            "re-extended to the segment length"
        );
        let mut header = [0u8; 4];
        std::fs::File::open(&path)
            .unwrap()
            .read_exact_at(&mut header, 4000)
            .unwrap();
        assert_eq!(header, [0; 4], "torn frame erased");
    }

    #[test]
    fn a_complete_straddling_frame_and_a_padding_frame_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(6, 0), 0, SyncLevel::None);
        w.write_block(&data_frame(4000 - 32, 1)).unwrap();
        w.write_block(&data_frame(6000 - 32, 2)).unwrap();
        assert_eq!(
            recover_stop(dir.path(), &layout(6, 0), SyncLevel::None).unwrap(),
            (10016, false)
        );
        // A padding frame to the end of the term stores only its header: not torn.
        let mut pad = vec![0u8; (TERM - 10016) as usize];
        let pad_len = pad.len() as i32;
        pad[0..4].copy_from_slice(&pad_len.to_le_bytes());
        pad[6..8].copy_from_slice(&frame::TYPE_PAD.to_le_bytes());
        w.write_block(&pad).unwrap();
        assert_eq!(
            recover_stop(dir.path(), &layout(6, 0), SyncLevel::None).unwrap(),
            (TERM, false)
        );
    }

    #[test]
    fn a_short_segment_file_and_a_partial_header_do_not_panic() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = data_frame(64, 9);
        bytes.extend_from_slice(&[5, 0]); // 2 bytes of a next header
        std::fs::write(dir.path().join("7-0.rec"), &bytes).unwrap();
        assert_eq!(
            recover_stop(dir.path(), &layout(7, 0), SyncLevel::None)
                .unwrap()
                .0,
            96
        );
        // A frame whose length runs past the file end.
        let mut big = data_frame(64, 9);
        big[0..4].copy_from_slice(&100_000i32.to_le_bytes());
        std::fs::write(dir.path().join("8-0.rec"), &big).unwrap();
        assert!(
            recover_stop(dir.path(), &layout(8, 0), SyncLevel::None)
                .unwrap()
                .0
                <= 96
        );
    }

    #[test]
    fn recovery_log_lines_round_trip_and_accumulate() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_recovery_log(dir.path()).unwrap().is_empty());
        let cut = RecoveryLogEntry {
            timestamp: 17,
            recording_id: 3,
            stop_position: 4000,
            cut: Some(TornFrame {
                segment_file: "3-0.rec".into(),
                position: 4000,
                length: 6016,
            }),
        };
        assert_eq!(
            cut.to_line(),
            "17 recording=3 stop=4000 cut=4000+6016 file=3-0.rec"
        );
        let plain = RecoveryLogEntry {
            timestamp: 18,
            recording_id: 4,
            stop_position: 64,
            cut: None,
        };
        assert_eq!(plain.to_line(), "18 recording=4 stop=64 cut=none");
        append_recovery_log(dir.path(), std::slice::from_ref(&cut)).unwrap();
        append_recovery_log(dir.path(), std::slice::from_ref(&plain)).unwrap();
        std::fs::write(
            dir.path().join(RECOVERY_LOG_FILE_NAME),
            std::fs::read_to_string(dir.path().join(RECOVERY_LOG_FILE_NAME)).unwrap()
                + "garbage line\n",
        )
        .unwrap();
        assert_eq!(read_recovery_log(dir.path()).unwrap(), vec![cut, plain]);
    }

    #[test]
    fn recover_writes_what_it_cut_to_the_recovery_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(dir.path(), 64 * 1024, SyncLevel::None).unwrap();
        let id = catalog.add(descriptor(0)).unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(id, 0), 0, SyncLevel::None);
        w.write_block(&data_frame(4000 - 32, 1)).unwrap();
        w.write_block(&data_frame(6000 - 32, 2)).unwrap();
        drop(w);
        let path = dir.path().join(format!("{id}-0.rec"));
        OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .write_all_at(&vec![0u8; 4096], 8192)
            .unwrap();
        let scan = scan_stop(dir.path(), &layout(id, 0), None).unwrap();
        let torn = TornFrame {
            segment_file: format!("{id}-0.rec"),
            position: 4000,
            length: 6016,
        };
        assert_eq!(
            scan,
            StopScan {
                last_segment_base: Some(0),
                stop_position: 4000,
                torn: Some(torn.clone())
            }
        );
        assert_ne!(
            std::fs::read(&path).unwrap()[4000],
            0,
            "scan_stop changes nothing"
        );
        let report = recover(&mut catalog, dir.path(), SyncLevel::None, 55).unwrap();
        assert_eq!(report.recovered[0].cut, Some(torn.clone()));
        let log = read_recovery_log(dir.path()).unwrap();
        assert_eq!(
            log,
            vec![RecoveryLogEntry {
                timestamp: 55,
                recording_id: id,
                stop_position: 4000,
                cut: Some(torn)
            }]
        );
    }

    #[test]
    fn catalog_header_validation() {
        let dir = tempfile::tempdir().unwrap();
        validate_catalog_header(dir.path()).unwrap();
        let mut header = vec![0u8; 64];
        header[0..4].copy_from_slice(&CATALOG_VERSION.to_le_bytes());
        header[4..8].copy_from_slice(&32i32.to_le_bytes());
        header[16..20].copy_from_slice(&64i32.to_le_bytes());
        std::fs::write(dir.path().join(CATALOG_FILE_NAME), &header).unwrap();
        validate_catalog_header(dir.path()).unwrap();
        header[16..20].copy_from_slice(&128i32.to_le_bytes());
        std::fs::write(dir.path().join(CATALOG_FILE_NAME), &header).unwrap();
        assert!(validate_catalog_header(dir.path()).is_err());
        header[0..4].copy_from_slice(&(2i32 << 16).to_le_bytes());
        std::fs::write(dir.path().join(CATALOG_FILE_NAME), &header).unwrap();
        assert!(validate_catalog_header(dir.path()).is_err());
        std::fs::write(dir.path().join(CATALOG_FILE_NAME), &header[..10]).unwrap();
        assert!(validate_catalog_header(dir.path()).is_err());
    }
}
