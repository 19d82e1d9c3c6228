//! The catalog file `archive.catalog`: one descriptor per recording, in the Java archive's format (3.1.0).
//!
//! Layout: a 32-byte header (`version`, `length`, `nextRecordingId`, `alignment`), then entries back to
//! back from offset 32. Each entry is a 32-byte descriptor header (`length` of the body including padding,
//! `state`, `checksum`) followed by the body: the 80-byte RecordingDescriptor block and its three strings
//! (u32 length + ASCII), zero-padded so the whole entry is a multiple of 64 bytes. The list ends at the
//! first header whose length is not positive.
//!
//! The catalog keeps a copy of the file in memory and writes every change straight through to the file
//! (positional writes; `fsync`/`fdatasync` per the catalog sync level), so a killed process loses nothing
//! the page cache had.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::checksum::Checksum;
use super::{StorageError, SyncLevel};

/// File name of the catalog in the archive dir.
pub const CATALOG_FILE_NAME: &str = "archive.catalog";
/// Catalog format version 3.1.0.
pub const CATALOG_VERSION: i32 = (3 << 16) | (1 << 8);
/// Length of the catalog header.
pub const HEADER_LENGTH: usize = 32;
/// Length of a descriptor header.
pub const DESCRIPTOR_HEADER_LENGTH: usize = 32;
/// Length of the fixed RecordingDescriptor block.
pub const DESCRIPTOR_BLOCK_LENGTH: usize = 80;
/// Offset of the `checksum` field in a descriptor header.
pub const CHECKSUM_OFFSET: usize = 8;
/// Entries are aligned to this many bytes.
pub const ALIGNMENT: usize = 64;
/// Default initial capacity of the file (`aeron.archive.catalog.capacity`).
pub const DEFAULT_CAPACITY: u64 = 1024 * 1024;

/// State of a catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingState {
    /// Not (yet) a valid entry.
    Invalid = 0,
    /// A recording that can be listed and replayed.
    Valid = 1,
    /// Purged; kept in the file, not in the index.
    Deleted = 2,
}

impl RecordingState {
    fn from_i32(v: i32) -> RecordingState {
        match v {
            1 => RecordingState::Valid,
            2 => RecordingState::Deleted,
            _ => RecordingState::Invalid,
        }
    }
}

/// What the catalog knows about one recording (the RecordingDescriptor fields).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordingDescriptor {
    /// Control session that last started or extended it (0 for entries made by a new recording).
    pub control_session_id: i64,
    /// Correlation id of that request.
    pub correlation_id: i64,
    /// Catalog id.
    pub recording_id: i64,
    /// Epoch ms when recording started.
    pub start_timestamp: i64,
    /// Epoch ms when recording stopped, or -1.
    pub stop_timestamp: i64,
    /// First recorded position.
    pub start_position: i64,
    /// Position after the last recorded byte, or -1 while active.
    pub stop_position: i64,
    /// Initial term id of the recorded stream.
    pub initial_term_id: i32,
    /// Segment file length.
    pub segment_file_length: i32,
    /// Term buffer length of the recorded stream.
    pub term_buffer_length: i32,
    /// MTU of the recorded stream.
    pub mtu_length: i32,
    /// Session id of the recorded image.
    pub session_id: i32,
    /// Stream id.
    pub stream_id: i32,
    /// Stripped channel.
    pub stripped_channel: String,
    /// Channel exactly as requested.
    pub original_channel: String,
    /// Source identity of the image.
    pub source_identity: String,
}

impl RecordingDescriptor {
    /// Length of the body (block + strings) without padding.
    fn body_length(&self) -> usize {
        DESCRIPTOR_BLOCK_LENGTH
            + 12
            + self.stripped_channel.len()
            + self.original_channel.len()
            + self.source_identity.len()
    }

    /// Encodes the body (block and strings) into `out`.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        for v in [
            self.control_session_id,
            self.correlation_id,
            self.recording_id,
            self.start_timestamp,
            self.stop_timestamp,
            self.start_position,
            self.stop_position,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [
            self.initial_term_id,
            self.segment_file_length,
            self.term_buffer_length,
            self.mtu_length,
            self.session_id,
            self.stream_id,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for s in [
            &self.stripped_channel,
            &self.original_channel,
            &self.source_identity,
        ] {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
    }

    /// Decodes a body; `None` if it is truncated or a string is not UTF-8.
    pub fn decode_body(body: &[u8]) -> Option<RecordingDescriptor> {
        let i64_at = |at: usize| Some(i64::from_le_bytes(body.get(at..at + 8)?.try_into().ok()?));
        let i32_at = |at: usize| Some(i32::from_le_bytes(body.get(at..at + 4)?.try_into().ok()?));
        let mut at = DESCRIPTOR_BLOCK_LENGTH;
        let mut string = || -> Option<String> {
            let len = u32::from_le_bytes(body.get(at..at + 4)?.try_into().ok()?) as usize;
            let s = std::str::from_utf8(body.get(at + 4..at + 4 + len)?)
                .ok()?
                .to_owned();
            at += 4 + len;
            Some(s)
        };
        let (stripped_channel, original_channel, source_identity) =
            (string()?, string()?, string()?);
        Some(RecordingDescriptor {
            control_session_id: i64_at(0)?,
            correlation_id: i64_at(8)?,
            recording_id: i64_at(16)?,
            start_timestamp: i64_at(24)?,
            stop_timestamp: i64_at(32)?,
            start_position: i64_at(40)?,
            stop_position: i64_at(48)?,
            initial_term_id: i32_at(56)?,
            segment_file_length: i32_at(60)?,
            term_buffer_length: i32_at(64)?,
            mtu_length: i32_at(68)?,
            session_id: i32_at(72)?,
            stream_id: i32_at(76)?,
            stripped_channel,
            original_channel,
            source_identity,
        })
    }
}

fn entry_length(body_length: usize) -> usize {
    (DESCRIPTOR_HEADER_LENGTH + body_length).div_ceil(ALIGNMENT) * ALIGNMENT
}

/// Where an entry sits in the file.
#[derive(Debug, Clone, Copy)]
struct Slot {
    offset: usize,
    length: usize,
    state: RecordingState,
}

/// The catalog: an index of valid recordings over the catalog file.
#[derive(Debug)]
pub struct Catalog {
    path: PathBuf,
    file: File,
    sync: SyncLevel,
    bytes: Vec<u8>,
    end: usize,
    next_recording_id: i64,
    slots: BTreeMap<i64, Slot>,
    checksum: Option<Checksum>,
}

/// Errors specific to reading a catalog.
fn corrupt(path: &Path, what: impl Into<String>) -> StorageError {
    StorageError::Corrupt {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

impl Catalog {
    /// Opens the catalog in `dir`, creating it (with `capacity` bytes, sparse) if it does not exist.
    pub fn open(dir: &Path, capacity: u64, sync: SyncLevel) -> Result<Catalog, StorageError> {
        let path = dir.join(CATALOG_FILE_NAME);
        let io = |source| StorageError::Io {
            path: path.clone(),
            source,
        };
        let exists = path.is_file();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let mut catalog = Catalog {
            path: path.clone(),
            file,
            sync,
            bytes: Vec::new(),
            end: HEADER_LENGTH,
            next_recording_id: 0,
            slots: BTreeMap::new(),
            checksum: None,
        };
        if exists && catalog.file.metadata().map_err(io)?.len() >= HEADER_LENGTH as u64 {
            catalog.load()?;
        } else {
            catalog.bytes = vec![0u8; capacity.max(HEADER_LENGTH as u64 * 2) as usize];
            catalog
                .file
                .set_len(catalog.bytes.len() as u64)
                .map_err(io)?;
            catalog.put_i32(0, CATALOG_VERSION);
            catalog.put_i32(4, HEADER_LENGTH as i32);
            catalog.put_i64(8, 0);
            catalog.put_i32(16, ALIGNMENT as i32);
            catalog.flush(0, HEADER_LENGTH)?;
            // A new catalog's directory entry is made durable too, as Java's Catalog forces the archive dir.
            super::sync::sync_dir(dir, sync)?;
        }
        Ok(catalog)
    }

    fn load(&mut self) -> Result<(), StorageError> {
        let io = |source| StorageError::Io {
            path: self.path.clone(),
            source,
        };
        let len = self.file.metadata().map_err(io)?.len() as usize;
        self.bytes = vec![0u8; len];
        self.file.read_exact_at(&mut self.bytes, 0).map_err(io)?;
        let version = self.i32_at(0);
        if version >> 16 != 3 {
            return Err(corrupt(
                &self.path,
                format!("unsupported catalog version {version:#x} (need 3.x)"),
            ));
        }
        self.next_recording_id = self.i64_at(8);
        let mut offset = HEADER_LENGTH;
        while offset + DESCRIPTOR_HEADER_LENGTH <= self.bytes.len() {
            let body_len = self.i32_at(offset);
            if body_len <= 0 {
                break;
            }
            let length = DESCRIPTOR_HEADER_LENGTH + body_len as usize;
            if offset + length > self.bytes.len() {
                return Err(corrupt(
                    &self.path,
                    format!("entry at {offset} runs past the end of the file"),
                ));
            }
            let state = RecordingState::from_i32(self.i32_at(offset + 4));
            let id = self.i64_at(offset + DESCRIPTOR_HEADER_LENGTH + 16);
            self.slots.insert(
                id,
                Slot {
                    offset,
                    length,
                    state,
                },
            );
            offset += length;
        }
        self.end = offset;
        Ok(())
    }

    /// Keeps each descriptor header's `checksum` field as Java's `Catalog` does with a record checksum:
    /// the checksum of the descriptor body, recomputed whenever the archive changes the entry (None: the
    /// field stays 0).
    pub fn with_checksum(mut self, checksum: Option<Checksum>) -> Catalog {
        self.checksum = checksum;
        self
    }

    /// The checksum descriptors are kept with (the record checksum).
    pub fn checksum(&self) -> Option<Checksum> {
        self.checksum
    }

    /// Writes, into the header of the entry at `offset`, the checksum of the `length` body bytes after
    /// the header (Java's `computeRecordingDescriptorChecksum`); no-op without a checksum.
    fn stamp_checksum(&mut self, offset: usize, length: usize) {
        if let Some(checksum) = self.checksum {
            let body = offset + DESCRIPTOR_HEADER_LENGTH;
            let value = checksum.compute(&self.bytes[body..body + length]);
            self.put_i32(offset + CHECKSUM_OFFSET, value);
        }
    }

    /// The id the next recording will get.
    pub fn next_recording_id(&self) -> i64 {
        self.next_recording_id
    }

    /// Adds a valid entry for `descriptor` (its `recording_id` is assigned here) and returns the id.
    pub fn add(&mut self, mut descriptor: RecordingDescriptor) -> Result<i64, StorageError> {
        let id = self.next_recording_id;
        descriptor.recording_id = id;
        let mut body = Vec::with_capacity(descriptor.body_length());
        descriptor.encode_body(&mut body);
        let length = entry_length(body.len());
        let offset = self.end;
        self.ensure_capacity(offset + length + DESCRIPTOR_HEADER_LENGTH)?;
        self.bytes[offset..offset + length].fill(0);
        self.bytes
            [offset + DESCRIPTOR_HEADER_LENGTH..offset + DESCRIPTOR_HEADER_LENGTH + body.len()]
            .copy_from_slice(&body);
        self.put_i32(offset + 4, RecordingState::Valid as i32);
        self.stamp_checksum(offset, length - DESCRIPTOR_HEADER_LENGTH);
        // Body first, then the length that makes the entry visible.
        self.flush(offset, length)?;
        self.put_i32(offset, (length - DESCRIPTOR_HEADER_LENGTH) as i32);
        self.flush(offset, 4)?;
        self.end = offset + length;
        self.next_recording_id = id + 1;
        self.put_i64(8, self.next_recording_id);
        self.flush(8, 8)?;
        self.slots.insert(
            id,
            Slot {
                offset,
                length,
                state: RecordingState::Valid,
            },
        );
        Ok(id)
    }

    /// `true` if `recording_id` is a valid (listable, replayable) recording.
    pub fn has_recording(&self, recording_id: i64) -> bool {
        self.slots
            .get(&recording_id)
            .is_some_and(|s| s.state == RecordingState::Valid)
    }

    /// The descriptor of a valid recording.
    pub fn get(&self, recording_id: i64) -> Option<RecordingDescriptor> {
        let slot = self
            .slots
            .get(&recording_id)
            .filter(|s| s.state == RecordingState::Valid)?;
        let body = &self.bytes[slot.offset + DESCRIPTOR_HEADER_LENGTH..slot.offset + slot.length];
        RecordingDescriptor::decode_body(body)
    }

    /// The raw body bytes (block and strings, without padding) of a valid recording, as sent in a
    /// RecordingDescriptor message after its header.
    pub fn body(&self, recording_id: i64) -> Option<&[u8]> {
        let slot = self
            .slots
            .get(&recording_id)
            .filter(|s| s.state == RecordingState::Valid)?;
        let body = &self.bytes[slot.offset + DESCRIPTOR_HEADER_LENGTH..slot.offset + slot.length];
        let d = RecordingDescriptor::decode_body(body)?;
        Some(&body[..d.body_length()])
    }

    /// Ids of valid recordings in ascending order starting at `from` (inclusive).
    pub fn ids_from(&self, from: i64) -> impl Iterator<Item = i64> + '_ {
        self.slots
            .range(from..)
            .filter(|(_, s)| s.state == RecordingState::Valid)
            .map(|(id, _)| *id)
    }

    /// Ids of valid recordings, newest first, down to `min` (inclusive).
    pub fn ids_descending_to(&self, min: i64) -> impl Iterator<Item = i64> + '_ {
        self.slots
            .range(min..)
            .rev()
            .filter(|(_, s)| s.state == RecordingState::Valid)
            .map(|(id, _)| *id)
    }

    /// Applies `change` to the descriptor of a valid recording and writes it back in place, with its
    /// checksum (see [`with_checksum`](Self::with_checksum)). The strings must not change length (use
    /// [`update_channel`](Self::update_channel) for that).
    pub fn update(
        &mut self,
        recording_id: i64,
        change: impl FnOnce(&mut RecordingDescriptor),
    ) -> Result<RecordingDescriptor, StorageError> {
        self.update_fields(recording_id, change, true)
    }

    /// [`update`](Self::update) that leaves the checksum field as it is: Java's catalog refresh at start-up
    /// sets a recovered stop position and timestamp without recomputing the checksum.
    pub fn update_keeping_checksum(
        &mut self,
        recording_id: i64,
        change: impl FnOnce(&mut RecordingDescriptor),
    ) -> Result<RecordingDescriptor, StorageError> {
        self.update_fields(recording_id, change, false)
    }

    fn update_fields(
        &mut self,
        recording_id: i64,
        change: impl FnOnce(&mut RecordingDescriptor),
        checksum: bool,
    ) -> Result<RecordingDescriptor, StorageError> {
        let slot = *self
            .slots
            .get(&recording_id)
            .filter(|s| s.state == RecordingState::Valid)
            .ok_or(StorageError::UnknownRecording(recording_id))?;
        let mut d = self
            .get(recording_id)
            .ok_or_else(|| corrupt(&self.path, "undecodable entry"))?;
        let before = d.body_length();
        change(&mut d);
        assert_eq!(
            before,
            d.body_length(),
            "Catalog::update must not change string lengths"
        );
        let mut body = Vec::with_capacity(before);
        d.encode_body(&mut body);
        let at = slot.offset + DESCRIPTOR_HEADER_LENGTH;
        self.bytes[at..at + DESCRIPTOR_BLOCK_LENGTH]
            .copy_from_slice(&body[..DESCRIPTOR_BLOCK_LENGTH]);
        if checksum && self.checksum.is_some() {
            self.stamp_checksum(slot.offset, slot.length - DESCRIPTOR_HEADER_LENGTH);
            // Checksum field to the end of the block in one write.
            let from = slot.offset + CHECKSUM_OFFSET;
            self.flush(from, at + DESCRIPTOR_BLOCK_LENGTH - from)?;
        } else {
            self.flush(at, DESCRIPTOR_BLOCK_LENGTH)?;
        }
        Ok(d)
    }

    /// Marks a recording deleted: it disappears from the index; its entry stays in the file.
    pub fn mark_deleted(&mut self, recording_id: i64) -> Result<(), StorageError> {
        let slot = self
            .slots
            .get_mut(&recording_id)
            .filter(|s| s.state == RecordingState::Valid)
            .ok_or(StorageError::UnknownRecording(recording_id))?;
        slot.state = RecordingState::Deleted;
        let at = slot.offset + 4;
        self.put_i32(at, RecordingState::Deleted as i32);
        self.flush(at, 4)
    }

    /// Replaces the original and stripped channel of a recording. The entry may grow; later entries move.
    pub fn update_channel(
        &mut self,
        recording_id: i64,
        original_channel: &str,
        stripped_channel: &str,
    ) -> Result<(), StorageError> {
        let slot = *self
            .slots
            .get(&recording_id)
            .filter(|s| s.state == RecordingState::Valid)
            .ok_or(StorageError::UnknownRecording(recording_id))?;
        let mut d = self
            .get(recording_id)
            .ok_or_else(|| corrupt(&self.path, "undecodable entry"))?;
        d.original_channel = original_channel.to_owned();
        d.stripped_channel = stripped_channel.to_owned();
        let mut body = Vec::new();
        d.encode_body(&mut body);
        let new_length = entry_length(body.len());
        if new_length <= slot.length {
            // Java's `Catalog.replaceRecording`: an entry that fits stays where it is with its frame length
            // (and `length` field); the rest is zeroed and the checksum covers the new frame's body only.
            let body_start = slot.offset + DESCRIPTOR_HEADER_LENGTH;
            self.bytes[body_start..slot.offset + slot.length].fill(0);
            self.bytes[body_start..body_start + body.len()].copy_from_slice(&body);
            self.stamp_checksum(slot.offset, new_length - DESCRIPTOR_HEADER_LENGTH);
            return self.flush(slot.offset, slot.length);
        }
        let shift = new_length as isize - slot.length as isize;
        let tail_start = slot.offset + slot.length;
        let tail = self.bytes[tail_start..self.end].to_vec();
        let new_end = (self.end as isize + shift) as usize;
        self.ensure_capacity(new_end + DESCRIPTOR_HEADER_LENGTH)?;
        let mut entry = vec![0u8; new_length];
        entry[0..4]
            .copy_from_slice(&((new_length - DESCRIPTOR_HEADER_LENGTH) as i32).to_le_bytes());
        entry[4..8].copy_from_slice(&(RecordingState::Valid as i32).to_le_bytes());
        entry[DESCRIPTOR_HEADER_LENGTH..DESCRIPTOR_HEADER_LENGTH + body.len()]
            .copy_from_slice(&body);
        self.bytes[slot.offset..slot.offset + new_length].copy_from_slice(&entry);
        self.stamp_checksum(slot.offset, new_length - DESCRIPTOR_HEADER_LENGTH);
        self.bytes[slot.offset + new_length..new_end].copy_from_slice(&tail);
        let old_end = self.end;
        if new_end < old_end {
            self.bytes[new_end..old_end].fill(0);
        }
        self.end = new_end;
        self.flush(slot.offset, old_end.max(new_end) - slot.offset)?;
        for s in self.slots.values_mut() {
            if s.offset > slot.offset {
                s.offset = (s.offset as isize + shift) as usize;
            }
        }
        self.slots.insert(
            recording_id,
            Slot {
                offset: slot.offset,
                length: new_length,
                state: RecordingState::Valid,
            },
        );
        Ok(())
    }

    /// Forces everything written so far to disk (`fsync`).
    pub fn sync(&self) -> Result<(), StorageError> {
        self.file.sync_all().map_err(|source| StorageError::Io {
            path: self.path.clone(),
            source,
        })
    }

    fn ensure_capacity(&mut self, needed: usize) -> Result<(), StorageError> {
        if needed <= self.bytes.len() {
            return Ok(());
        }
        let mut capacity = self.bytes.len();
        while capacity < needed {
            capacity = capacity + capacity / 2;
        }
        if capacity > i32::MAX as usize {
            return Err(StorageError::CatalogFull(self.path.clone()));
        }
        self.bytes.resize(capacity, 0);
        self.file
            .set_len(capacity as u64)
            .map_err(|source| StorageError::Io {
                path: self.path.clone(),
                source,
            })
    }

    fn flush(&self, offset: usize, length: usize) -> Result<(), StorageError> {
        let io = |source| StorageError::Io {
            path: self.path.clone(),
            source,
        };
        self.file
            .write_all_at(&self.bytes[offset..offset + length], offset as u64)
            .map_err(io)?;
        match self.sync {
            SyncLevel::None => Ok(()),
            SyncLevel::Data => self.file.sync_data().map_err(io),
            SyncLevel::DataAndMetadata => self.file.sync_all().map_err(io),
        }
    }

    fn i32_at(&self, at: usize) -> i32 {
        i32::from_le_bytes(self.bytes[at..at + 4].try_into().expect("4 bytes"))
    }

    fn i64_at(&self, at: usize) -> i64 {
        i64::from_le_bytes(self.bytes[at..at + 8].try_into().expect("8 bytes"))
    }

    fn put_i32(&mut self, at: usize, v: i32) {
        self.bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn put_i64(&mut self, at: usize, v: i64) {
        self.bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(channel: &str) -> RecordingDescriptor {
        RecordingDescriptor {
            start_timestamp: 1_700_000_000_000,
            stop_timestamp: -1,
            start_position: 0,
            stop_position: -1,
            initial_term_id: 11,
            segment_file_length: 128 * 1024,
            term_buffer_length: 64 * 1024,
            mtu_length: 1408,
            session_id: 42,
            stream_id: 10,
            stripped_channel: channel.to_owned(),
            original_channel: format!("{channel}?term-length=64k"),
            source_identity: "aeron:ipc".to_owned(),
            ..Default::default()
        }
    }

    #[test]
    fn entries_survive_reopen_with_the_java_layout() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut c = Catalog::open(dir.path(), 4096, SyncLevel::None).unwrap();
            assert_eq!(c.add(descriptor("aeron:ipc")).unwrap(), 0);
            assert_eq!(
                c.add(descriptor("aeron:udp?endpoint=localhost:1")).unwrap(),
                1
            );
            c.update(0, |d| {
                d.stop_position = 4096;
                d.stop_timestamp = 5;
            })
            .unwrap();
        }
        let bytes = std::fs::read(dir.path().join(CATALOG_FILE_NAME)).unwrap();
        assert_eq!(bytes.len(), 4096);
        assert_eq!(
            i32::from_le_bytes(bytes[0..4].try_into().unwrap()),
            0x030100
        );
        assert_eq!(
            i64::from_le_bytes(bytes[8..16].try_into().unwrap()),
            2,
            "nextRecordingId"
        );
        // First entry: 32 + 80 + 12 + 9 + 27 + 9 = 169 -> 192 bytes; body length 160; state VALID.
        assert_eq!(i32::from_le_bytes(bytes[32..36].try_into().unwrap()), 160);
        assert_eq!(i32::from_le_bytes(bytes[36..40].try_into().unwrap()), 1);
        assert_eq!(
            i64::from_le_bytes(bytes[32 + 32 + 16..32 + 32 + 24].try_into().unwrap()),
            0,
            "recordingId"
        );

        let c = Catalog::open(dir.path(), 4096, SyncLevel::None).unwrap();
        assert_eq!(c.next_recording_id(), 2);
        let d0 = c.get(0).unwrap();
        assert_eq!((d0.stop_position, d0.stop_timestamp), (4096, 5));
        assert_eq!(
            c.get(1).unwrap().stripped_channel,
            "aeron:udp?endpoint=localhost:1"
        );
        assert_eq!(c.ids_from(i64::MIN).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(c.ids_descending_to(0).collect::<Vec<_>>(), vec![1, 0]);
    }

    fn header_checksum(dir: &Path, entry: usize) -> (i32, i32) {
        let bytes = std::fs::read(dir.join(CATALOG_FILE_NAME)).unwrap();
        let length = i32::from_le_bytes(bytes[entry..entry + 4].try_into().unwrap()) as usize;
        let stored = i32::from_le_bytes(bytes[entry + 8..entry + 12].try_into().unwrap());
        let body =
            &bytes[entry + DESCRIPTOR_HEADER_LENGTH..entry + DESCRIPTOR_HEADER_LENGTH + length];
        (stored, crc32c::crc32c(body) as i32)
    }

    #[test]
    fn with_a_record_checksum_each_header_holds_the_checksum_of_its_body() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path(), 4096, SyncLevel::None)
            .unwrap()
            .with_checksum(Some(Checksum::Crc32c));
        c.add(descriptor("aeron:ipc")).unwrap();
        let (stored, expected) = header_checksum(dir.path(), HEADER_LENGTH);
        assert_eq!(stored, expected);
        assert_ne!(stored, 0);
        c.update(0, |d| d.stop_position = 4096).unwrap();
        let (updated, expected) = header_checksum(dir.path(), HEADER_LENGTH);
        assert_eq!(updated, expected, "recomputed on update");
        assert_ne!(updated, stored);
        c.update_keeping_checksum(0, |d| d.stop_position = 8192)
            .unwrap();
        assert_eq!(
            header_checksum(dir.path(), HEADER_LENGTH).0,
            updated,
            "left as it was"
        );
        let long = format!("aeron:ipc?alias={}", "y".repeat(100));
        c.update_channel(0, &long, "aeron:ipc").unwrap();
        let (stored, expected) = header_checksum(dir.path(), HEADER_LENGTH);
        assert_eq!(stored, expected, "recomputed for a new channel");

        let plain = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(plain.path(), 4096, SyncLevel::None).unwrap();
        c.add(descriptor("aeron:ipc")).unwrap();
        c.update(0, |d| d.stop_position = 4096).unwrap();
        assert_eq!(
            header_checksum(plain.path(), HEADER_LENGTH).0,
            0,
            "no checksum: 0 as in Java"
        );
    }

    #[test]
    fn deleted_entries_leave_the_index_and_ids_are_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path(), 4096, SyncLevel::Data).unwrap();
        c.add(descriptor("aeron:ipc")).unwrap();
        c.mark_deleted(0).unwrap();
        assert!(!c.has_recording(0));
        assert!(matches!(
            c.mark_deleted(0),
            Err(StorageError::UnknownRecording(0))
        ));
        assert_eq!(c.add(descriptor("aeron:ipc")).unwrap(), 1);
        drop(c);
        let c = Catalog::open(dir.path(), 4096, SyncLevel::None).unwrap();
        assert_eq!(c.ids_from(0).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn growing_a_channel_moves_later_entries_and_the_file_grows() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path(), 256, SyncLevel::None).unwrap();
        for _ in 0..3 {
            c.add(descriptor("aeron:ipc")).unwrap();
        }
        let long = format!("aeron:ipc?alias={}", "x".repeat(300));
        c.update_channel(1, &long, "aeron:ipc").unwrap();
        assert_eq!(c.get(1).unwrap().original_channel, long);
        assert_eq!(c.get(2).unwrap().recording_id, 2);
        drop(c);
        let c = Catalog::open(dir.path(), 256, SyncLevel::None).unwrap();
        assert_eq!(c.get(1).unwrap().original_channel, long);
        assert_eq!(
            c.get(2).unwrap().original_channel,
            "aeron:ipc?term-length=64k"
        );
    }

    #[test]
    fn a_shorter_channel_is_written_in_place_like_java() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(dir.path(), 4096, SyncLevel::None)
            .unwrap()
            .with_checksum(Some(Checksum::Crc32c));
        let long = format!("aeron:ipc?alias={}", "x".repeat(300));
        c.add(descriptor(&long)).unwrap();
        c.add(descriptor("aeron:ipc")).unwrap();
        let (slot0, slot1) = (c.slots[&0], c.slots[&1]);
        c.update_channel(0, "aeron:ipc?alias=short", "aeron:ipc")
            .unwrap();
        // Nothing moved: same frame, same length field, the next entry where it was.
        assert_eq!(
            (c.slots[&0].offset, c.slots[&0].length),
            (slot0.offset, slot0.length)
        );
        assert_eq!(c.slots[&1].offset, slot1.offset);
        assert_eq!(
            c.i32_at(slot0.offset) as usize,
            slot0.length - DESCRIPTOR_HEADER_LENGTH
        );
        assert_eq!(c.get(0).unwrap().original_channel, "aeron:ipc?alias=short");
        // The checksum covers the new (shorter) frame's body; the bytes after it are zero.
        let mut body = Vec::new();
        c.get(0).unwrap().encode_body(&mut body);
        let new_frame = entry_length(body.len());
        assert!(new_frame < slot0.length);
        let start = slot0.offset + DESCRIPTOR_HEADER_LENGTH;
        let expected = Checksum::Crc32c.compute(&c.bytes[start..slot0.offset + new_frame]);
        assert_eq!(c.i32_at(slot0.offset + CHECKSUM_OFFSET), expected);
        assert!(c.bytes[start + body.len()..slot0.offset + slot0.length]
            .iter()
            .all(|&b| b == 0));
        drop(c);
        let c = Catalog::open(dir.path(), 4096, SyncLevel::None).unwrap();
        assert_eq!(c.get(0).unwrap().original_channel, "aeron:ipc?alias=short");
        assert_eq!(c.get(1).unwrap().recording_id, 1);
    }

    #[test]
    fn a_catalog_of_another_major_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = vec![0u8; 1024];
        bytes[0..4].copy_from_slice(&(2i32 << 16).to_le_bytes());
        std::fs::write(dir.path().join(CATALOG_FILE_NAME), bytes).unwrap();
        assert!(matches!(
            Catalog::open(dir.path(), 1024, SyncLevel::None),
            Err(StorageError::Corrupt { .. })
        ));
    }
}
