//! Segment files: `<recordingId>-<segmentBasePosition>.rec`, each `segment_length` bytes, holding the term
//! bytes of a recording exactly as the image delivered them (full data headers and padding).

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::catalog::RecordingDescriptor;
use super::checksum::Checksum;
use super::frame;
use super::positions::{parse_segment_file_name, segment_base_position, segment_file_name};
use super::sync::{sync_dir, sync_file};
use super::{io_err, StorageError, SyncLevel};

/// The fixed shape of one recording's storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingLayout {
    /// Catalog id of the recording.
    pub recording_id: i64,
    /// Position the segment scheme is anchored on (the recording's original start position).
    pub start_position: i64,
    /// Term length of the recorded stream (power of two).
    pub term_length: i64,
    /// Length of every segment file (power of two, at least the term length).
    pub segment_length: i64,
}

impl RecordingLayout {
    /// The layout of the recording `d` describes: its id, start position, term and segment lengths.
    pub fn of(d: &RecordingDescriptor) -> RecordingLayout {
        RecordingLayout {
            recording_id: d.recording_id,
            start_position: d.start_position,
            term_length: i64::from(d.term_buffer_length),
            segment_length: i64::from(d.segment_file_length),
        }
    }

    /// Base position of the segment holding `position`.
    pub fn segment_base(&self, position: i64) -> i64 {
        segment_base_position(
            self.start_position,
            position,
            self.term_length,
            self.segment_length,
        )
    }

    /// Path of the segment starting at `segment_base` in `dir`.
    pub fn segment_path(&self, dir: &Path, segment_base: i64) -> PathBuf {
        dir.join(segment_file_name(self.recording_id, segment_base))
    }
}

/// Appends blocks of a recorded image to the recording's segment files.
#[derive(Debug)]
pub struct SegmentWriter {
    dir: PathBuf,
    layout: RecordingLayout,
    sync: SyncLevel,
    file: Option<(File, PathBuf)>,
    segment_base: i64,
    position: i64,
    dir_syncs: u64,
    checksum: Option<Checksum>,
    stamped: Vec<u8>,
}

impl SegmentWriter {
    /// A writer that continues at `position` (the start position of a new recording, or the stop position
    /// of a recording being extended). Call [`init`](Self::init) to create the first segment file.
    pub fn new(
        dir: &Path,
        layout: RecordingLayout,
        position: i64,
        sync: SyncLevel,
    ) -> SegmentWriter {
        SegmentWriter {
            dir: dir.to_path_buf(),
            layout,
            sync,
            file: None,
            segment_base: layout.segment_base(position),
            position,
            dir_syncs: 0,
            checksum: None,
            stamped: Vec::new(),
        }
    }

    /// Writes every data frame with `checksum` (the record checksum) in its session id field, as Java's
    /// `RecordingWriter` does; the polled term bytes are not changed, a copy is written.
    pub fn with_checksum(mut self, checksum: Option<Checksum>) -> SegmentWriter {
        self.checksum = checksum;
        self
    }

    /// How many times the directory was flushed after a segment file was opened (Java's
    /// `archiveDirChannel.force` in `RecordingWriter`): once per segment opened at sync levels 1 and 2,
    /// never at level 0.
    pub fn dir_syncs(&self) -> u64 {
        self.dir_syncs
    }

    /// Creates (or, for an extended recording, opens) the segment file holding the current position, sized
    /// to the full segment length, as Java's `RecordingWriter.init` does when a recording starts. A replay of
    /// a live recording that has no data yet finds its segment file and waits for data instead of failing.
    pub fn init(&mut self) -> Result<(), StorageError> {
        self.current_file().map(|_| ())
    }

    /// Position after the last byte written.
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Writes one block of term bytes that starts at [`position`](Self::position). A block never crosses a
    /// term (and so never a segment) boundary. A block made of a padding frame stores only its header.
    pub fn write_block(&mut self, block: &[u8]) -> Result<(), StorageError> {
        if block.is_empty() {
            return Ok(());
        }
        if self.position - self.segment_base >= self.layout.segment_length {
            self.roll_over()?;
        }
        let offset = (self.position - self.segment_base) as u64;
        let is_padding = frame::frame_type(block) == Some(frame::TYPE_PAD);
        let data_length = if is_padding {
            frame::HEADER_LENGTH.min(block.len())
        } else {
            block.len()
        };
        let bytes = match self.checksum {
            Some(checksum) if !is_padding => {
                self.stamped.clear();
                self.stamped.extend_from_slice(block);
                checksum.stamp_block(&mut self.stamped);
                std::mem::take(&mut self.stamped)
            }
            _ => Vec::new(),
        };
        let data = if bytes.is_empty() {
            &block[..data_length]
        } else {
            &bytes[..]
        };
        let (file, path) = self.current_file()?;
        let written = file.write_all_at(data, offset).map_err(io_err(path));
        self.stamped = bytes;
        written?;
        self.position += block.len() as i64;
        if self.sync != SyncLevel::None {
            self.sync_data()?;
        }
        Ok(())
    }

    /// Flushes written data to disk according to the sync level (data only for level 1, data and metadata
    /// for level 2).
    pub fn sync_data(&self) -> Result<(), StorageError> {
        if let Some((file, path)) = &self.file {
            match self.sync {
                SyncLevel::None => {}
                SyncLevel::Data => file.sync_data().map_err(io_err(path))?,
                SyncLevel::DataAndMetadata => file.sync_all().map_err(io_err(path))?,
            }
        }
        Ok(())
    }

    fn roll_over(&mut self) -> Result<(), StorageError> {
        self.sync_data()?;
        self.file = None;
        self.segment_base += self.layout.segment_length;
        let path = self.layout.segment_path(&self.dir, self.segment_base);
        if path.exists() {
            return Err(StorageError::SegmentExists(path));
        }
        Ok(())
    }

    fn current_file(&mut self) -> Result<&(File, PathBuf), StorageError> {
        if self.file.is_none() {
            let path = self.layout.segment_path(&self.dir, self.segment_base);
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_err(&path))?;
            let len = file.metadata().map_err(io_err(&path))?.len();
            if len < self.layout.segment_length as u64 {
                // Full length up front; the file system keeps it sparse.
                file.set_len(self.layout.segment_length as u64)
                    .map_err(io_err(&path))?;
            }
            // The new directory entry is made durable per the sync level, as Java's RecordingWriter does.
            if self.sync != SyncLevel::None {
                sync_dir(&self.dir, self.sync)?;
                self.dir_syncs += 1;
            }
            self.file = Some((file, path));
        }
        Ok(self.file.as_ref().expect("just opened"))
    }
}

/// Reads recorded bytes back by position.
#[derive(Debug)]
pub struct SegmentReader {
    dir: PathBuf,
    layout: RecordingLayout,
    file: Option<(File, i64)>,
}

impl SegmentReader {
    /// A reader over the segments of `layout` in `dir`.
    pub fn new(dir: &Path, layout: RecordingLayout) -> SegmentReader {
        SegmentReader {
            dir: dir.to_path_buf(),
            layout,
            file: None,
        }
    }

    /// Fills `buf` with the bytes starting at `position`, never reading past the end of its segment.
    /// Returns how many bytes were read.
    pub fn read_at(&mut self, position: i64, buf: &mut [u8]) -> Result<usize, StorageError> {
        let base = self.layout.segment_base(position);
        if self.file.as_ref().map(|(_, b)| *b) != Some(base) {
            let path = self.layout.segment_path(&self.dir, base);
            let file = File::open(&path).map_err(io_err(&path))?;
            self.file = Some((file, base));
        }
        let (file, _) = self.file.as_ref().expect("just opened");
        let offset = position - base;
        let max = ((self.layout.segment_length - offset) as usize).min(buf.len());
        let mut done = 0;
        while done < max {
            let n = file
                .read_at(&mut buf[done..max], (offset as u64) + done as u64)
                .map_err(io_err(&self.layout.segment_path(&self.dir, base)))?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }

    /// `true` if the segment holding `position` exists.
    pub fn segment_exists(&self, position: i64) -> bool {
        self.layout
            .segment_path(&self.dir, self.layout.segment_base(position))
            .is_file()
    }
}

/// Cuts the segment file starting at `segment_base` at `offset`: the bytes from `offset` on are dropped
/// (the file is truncated there) and the file is re-extended to the full segment length, so they read back
/// as zeros; then it is synced at `sync`, but at least with `fdatasync` ([`SyncLevel::at_least_data`]).
/// The file must exist.
pub fn cut_segment(
    dir: &Path,
    layout: &RecordingLayout,
    segment_base: i64,
    offset: i64,
    sync: SyncLevel,
) -> Result<(), StorageError> {
    let path = layout.segment_path(dir, segment_base);
    let file = OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(io_err(&path))?;
    file.set_len(offset.max(0) as u64).map_err(io_err(&path))?;
    file.set_len(layout.segment_length as u64)
        .map_err(io_err(&path))?;
    sync_file(&file, &path, sync.at_least_data())
}

/// Segment base positions of every segment file of `recording_id` in `dir`, ascending.
pub fn list_segments(dir: &Path, recording_id: i64) -> Result<Vec<i64>, StorageError> {
    let mut bases = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        if let Some((id, base)) = entry.file_name().to_str().and_then(parse_segment_file_name) {
            if id == recording_id {
                bases.push(base);
            }
        }
    }
    bases.sort_unstable();
    Ok(bases)
}

/// Works out where a recording that was not stopped cleanly really ends: walks the frames of its last
/// segment file from the start (or from the start position, for the first segment) while frame lengths are
/// positive. Returns at least `layout.start_position`.
pub fn recover_stop_position(dir: &Path, layout: &RecordingLayout) -> Result<i64, StorageError> {
    let Some(&last_base) = list_segments(dir, layout.recording_id)?.last() else {
        return Ok(layout.start_position);
    };
    let first_base = layout.segment_base(layout.start_position);
    let mut offset = if last_base == first_base {
        layout.start_position - first_base
    } else {
        0
    };
    let path = layout.segment_path(dir, last_base);
    let file = File::open(&path).map_err(io_err(&path))?;
    let mut header = [0u8; frame::HEADER_LENGTH];
    while offset + (frame::HEADER_LENGTH as i64) <= layout.segment_length {
        let n = file
            .read_at(&mut header, offset as u64)
            .map_err(io_err(&path))?;
        if n < 4 {
            break;
        }
        let length = frame::frame_length(&header).unwrap_or(0);
        if length <= 0 {
            break;
        }
        offset += frame::align(length as i64);
    }
    Ok((last_base + offset).max(layout.start_position))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERM: i64 = 64 * 1024;
    const SEG: i64 = 128 * 1024;

    fn data_frame(payload_len: usize, term_offset: i32) -> Vec<u8> {
        let len = frame::HEADER_LENGTH + payload_len;
        let mut f = vec![0u8; frame::align(len as i64) as usize];
        f[0..4].copy_from_slice(&(len as i32).to_le_bytes());
        f[6..8].copy_from_slice(&frame::TYPE_DATA.to_le_bytes());
        f[8..12].copy_from_slice(&term_offset.to_le_bytes());
        for (i, b) in f[frame::HEADER_LENGTH..len].iter_mut().enumerate() {
            *b = i as u8;
        }
        f
    }

    fn layout(start: i64) -> RecordingLayout {
        RecordingLayout {
            recording_id: 5,
            start_position: start,
            term_length: TERM,
            segment_length: SEG,
        }
    }

    #[test]
    fn a_record_checksum_goes_into_each_data_frame_and_not_into_padding() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(0), 0, SyncLevel::None)
            .with_checksum(Some(Checksum::Crc32c));
        let block = [data_frame(100, 0), data_frame(7, 160)].concat();
        w.write_block(&block).unwrap();
        let mut padding = vec![0u8; 64];
        padding[0..4].copy_from_slice(&64i32.to_le_bytes());
        padding[12..16].copy_from_slice(&99i32.to_le_bytes());
        w.write_block(&padding).unwrap();
        let file = std::fs::read(dir.path().join("5-0.rec")).unwrap();
        let expected = |f: &[u8]| crc32c::crc32c(&f[frame::HEADER_LENGTH..]) as i32;
        assert_eq!(
            frame::session_id(&file[0..]).unwrap(),
            expected(&block[..160])
        );
        assert_eq!(
            frame::session_id(&file[160..]).unwrap(),
            expected(&block[160..])
        );
        assert_eq!(file[32..160], block[32..160], "payload unchanged");
        assert_eq!(
            frame::session_id(&file[block.len()..]).unwrap(),
            99,
            "padding header as polled"
        );
        assert_eq!(
            frame::session_id(&block).unwrap(),
            0,
            "the polled block is not changed"
        );
    }

    #[test]
    fn writes_roll_over_segments_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(0), 0, SyncLevel::None);
        let block = data_frame(1024 - 32, 0);
        let mut written = Vec::new();
        // Three terms' worth: crosses from segment 0 into segment SEG.
        while w.position() < 3 * TERM {
            w.write_block(&block).unwrap();
            written.extend_from_slice(&block);
        }
        assert_eq!(list_segments(dir.path(), 5).unwrap(), vec![0, SEG]);
        assert_eq!(
            std::fs::metadata(dir.path().join("5-0.rec")).unwrap().len(),
            SEG as u64
        );

        let mut r = SegmentReader::new(dir.path(), layout(0));
        let mut back = vec![0u8; written.len()];
        let mut pos = 0;
        while (pos as usize) < back.len() {
            let n = r.read_at(pos, &mut back[pos as usize..]).unwrap();
            assert!(n > 0);
            pos += n as i64;
        }
        assert_eq!(back, written);
        assert_eq!(
            recover_stop_position(dir.path(), &layout(0)).unwrap(),
            3 * TERM
        );
    }

    #[test]
    fn padding_blocks_store_only_their_header_but_advance_fully() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(0), 0, SyncLevel::Data);
        let mut pad = vec![0xAAu8; 4096];
        pad[0..4].copy_from_slice(&4096i32.to_le_bytes());
        pad[6..8].copy_from_slice(&frame::TYPE_PAD.to_le_bytes());
        w.write_block(&pad).unwrap();
        assert_eq!(w.position(), 4096);
        let mut r = SegmentReader::new(dir.path(), layout(0));
        let mut buf = vec![0u8; 64];
        r.read_at(0, &mut buf).unwrap();
        assert_eq!(&buf[..32], &pad[..32]);
        assert_eq!(
            &buf[32..],
            &[0u8; 32][..],
            "padding body must not be written"
        );
    }

    #[test]
    fn recovery_of_a_mid_term_start_and_of_no_files() {
        let dir = tempfile::tempdir().unwrap();
        let start = TERM + 4096;
        assert_eq!(
            recover_stop_position(dir.path(), &layout(start)).unwrap(),
            start
        );
        let mut w = SegmentWriter::new(dir.path(), layout(start), start, SyncLevel::None);
        w.write_block(&data_frame(100, 4096)).unwrap();
        w.write_block(&data_frame(5, 4096 + 160)).unwrap();
        assert_eq!(list_segments(dir.path(), 5).unwrap(), vec![TERM]);
        assert_eq!(
            recover_stop_position(dir.path(), &layout(start)).unwrap(),
            start + 160 + 64
        );
    }

    #[test]
    fn the_directory_is_synced_after_each_segment_opened_at_levels_1_and_2() {
        for (level, expected) in [
            (SyncLevel::None, 0),
            (SyncLevel::Data, 2),
            (SyncLevel::DataAndMetadata, 2),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let mut w = SegmentWriter::new(dir.path(), layout(0), 0, level);
            let block = data_frame(1024 - 32, 0);
            // Two segments' worth: the first file is opened on the first write, the second on rollover.
            while w.position() < 2 * SEG {
                w.write_block(&block).unwrap();
            }
            assert_eq!(list_segments(dir.path(), 5).unwrap(), vec![0, SEG]);
            assert_eq!(w.dir_syncs(), expected, "level {level:?}");
        }
    }

    #[test]
    fn rolling_into_an_existing_segment_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("5-131072.rec"), b"x").unwrap();
        let mut w = SegmentWriter::new(dir.path(), layout(0), SEG - 1024, SyncLevel::None);
        w.write_block(&data_frame(1024 - 32, 0)).unwrap();
        assert!(matches!(
            w.write_block(&data_frame(1024 - 32, 0)),
            Err(StorageError::SegmentExists(_))
        ));
    }
}
