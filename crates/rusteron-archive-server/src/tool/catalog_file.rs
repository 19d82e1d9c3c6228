//! The catalog file as the tool sees it: every entry in any state (the server's
//! [`Catalog`](crate::storage::catalog::Catalog) indexes only valid ones), read with bounds checks so a
//! damaged file gives errors and never a panic, and changed field by field with positional writes.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::storage::catalog::{
    RecordingDescriptor, ALIGNMENT, CATALOG_FILE_NAME, CHECKSUM_OFFSET, DESCRIPTOR_HEADER_LENGTH,
    HEADER_LENGTH,
};
use crate::storage::checksum::Checksum;
use crate::storage::StorageError;

use super::{io, ToolError};

/// Alignment and first entry offset of a catalog whose header has no alignment (catalog versions before
/// 3.0.0, Java's `Catalog.DEFAULT_ALIGNMENT`).
pub const LEGACY_ALIGNMENT: usize = 1024;
/// Offset of `stopTimestamp` in a descriptor body.
const STOP_TIMESTAMP_OFFSET: usize = 32;
/// Offset of `stopPosition` in a descriptor body.
const STOP_POSITION_OFFSET: usize = 48;

/// State of a catalog entry, as stored (Java's `RecordingState`, plus values it does not know).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// 0: not usable (marked by `verify` or `mark-invalid`).
    Invalid,
    /// 1: a recording that can be listed and replayed.
    Valid,
    /// 2: purged.
    Deleted,
    /// Any other value.
    Unknown(i32),
}

impl EntryState {
    /// From the stored value.
    pub fn from_i32(v: i32) -> EntryState {
        match v {
            0 => EntryState::Invalid,
            1 => EntryState::Valid,
            2 => EntryState::Deleted,
            v => EntryState::Unknown(v),
        }
    }

    /// The stored value.
    pub fn to_i32(self) -> i32 {
        match self {
            EntryState::Invalid => 0,
            EntryState::Valid => 1,
            EntryState::Deleted => 2,
            EntryState::Unknown(v) => v,
        }
    }

    /// The name Java prints (`VALID`, `INVALID`, `DELETED`; `UNKNOWN(<n>)` otherwise).
    pub fn name(self) -> String {
        match self {
            EntryState::Invalid => "INVALID".into(),
            EntryState::Valid => "VALID".into(),
            EntryState::Deleted => "DELETED".into(),
            EntryState::Unknown(v) => format!("UNKNOWN({v})"),
        }
    }
}

/// One entry of the catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Offset of the descriptor header in the file.
    pub offset: usize,
    /// `length` field of the descriptor header: the body length including padding.
    pub length: usize,
    /// State field.
    pub state: EntryState,
    /// Checksum field (0 unless the archive keeps a record checksum).
    pub checksum: i32,
    /// Recording id as stored in the body (even when the rest does not decode), if the body is long enough.
    pub recording_id: Option<i64>,
    /// The decoded descriptor; `None` if the body does not decode (truncated, bad string lengths, not UTF-8).
    pub descriptor: Option<RecordingDescriptor>,
}

impl Entry {
    /// The recording id, or -1 when not even that can be read.
    pub fn id(&self) -> i64 {
        self.recording_id.unwrap_or(-1)
    }

    /// Offset of the body in the file.
    pub fn body_offset(&self) -> usize {
        self.offset + DESCRIPTOR_HEADER_LENGTH
    }

    /// Length of the whole entry (header and body).
    pub fn frame_length(&self) -> usize {
        DESCRIPTOR_HEADER_LENGTH + self.length
    }
}

/// An opened catalog file: its bytes in memory, the header fields and every entry.
#[derive(Debug)]
pub struct CatalogFile {
    path: PathBuf,
    file: File,
    writable: bool,
    bytes: Vec<u8>,
    /// `version` (semantic version, 0x030100 for 3.1.0).
    pub version: i32,
    /// `length` of the header.
    pub header_length: i32,
    /// `nextRecordingId`.
    pub next_recording_id: i64,
    /// `alignment` (0 in catalogs before 3.0.0).
    pub alignment: i32,
    /// Every entry, in file order.
    pub entries: Vec<Entry>,
    /// What is wrong with the file beyond single entries (an entry running past the end of the file).
    pub problems: Vec<String>,
}

fn get_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn get_i64(b: &[u8], at: usize) -> Option<i64> {
    Some(i64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

fn corrupt(path: &Path, what: impl Into<String>) -> ToolError {
    ToolError::Storage(StorageError::Corrupt {
        path: path.to_path_buf(),
        what: what.into(),
    })
}

impl CatalogFile {
    /// Opens `archive.catalog` in `archive_dir`, for reading only or for changes too. With `any_version`
    /// the major version is not checked (for `migrate`); otherwise it must be 3.
    pub fn open(
        archive_dir: &Path,
        writable: bool,
        any_version: bool,
    ) -> Result<CatalogFile, ToolError> {
        let path = archive_dir.join(CATALOG_FILE_NAME);
        let file = OpenOptions::new()
            .read(true)
            .write(writable)
            .open(&path)
            .map_err(io(&path))?;
        let len = file.metadata().map_err(io(&path))?.len();
        let len = usize::try_from(len).map_err(|_| corrupt(&path, "file too large"))?;
        let mut bytes = vec![0u8; len];
        file.read_exact_at(&mut bytes, 0).map_err(io(&path))?;
        if bytes.len() < HEADER_LENGTH {
            return Err(corrupt(
                &path,
                format!("catalog header truncated: {} bytes", bytes.len()),
            ));
        }
        let version = get_i32(&bytes, 0).unwrap_or(0);
        if !any_version && version >> 16 != 3 {
            return Err(corrupt(
                &path,
                format!(
                    "incompatible catalog file version {}, this tool reads 3.x (run `migrate` first)",
                    super::format::version(version)
                ),
            ));
        }
        let mut catalog = CatalogFile {
            header_length: get_i32(&bytes, 4).unwrap_or(0),
            next_recording_id: get_i64(&bytes, 8).unwrap_or(0),
            alignment: get_i32(&bytes, 16).unwrap_or(0),
            version,
            path,
            file,
            writable,
            bytes,
            entries: Vec::new(),
            problems: Vec::new(),
        };
        catalog.index();
        Ok(catalog)
    }

    /// Offset of the first entry: after the header, or at [`LEGACY_ALIGNMENT`] in a catalog without an
    /// alignment field (as Java's `Catalog` reads it).
    pub fn first_entry_offset(&self) -> usize {
        if self.alignment == 0 {
            LEGACY_ALIGNMENT
        } else {
            HEADER_LENGTH
        }
    }

    fn index(&mut self) {
        self.entries.clear();
        self.problems.clear();
        if self.version >> 16 == 3 {
            // What the archive's start-up (`recovery::validate_catalog_header`) refuses.
            if self.header_length != HEADER_LENGTH as i32 {
                self.problems.push(format!(
                    "catalog header length {}, expected {HEADER_LENGTH}: the archive refuses to start",
                    self.header_length
                ));
            }
            if self.alignment != ALIGNMENT as i32 {
                self.problems.push(format!(
                    "catalog alignment {}, expected {ALIGNMENT}: the archive refuses to start",
                    self.alignment
                ));
            }
        }
        let mut offset = self.first_entry_offset();
        while let Some(length) = get_i32(&self.bytes, offset) {
            if length <= 0 {
                break;
            }
            let length = length as usize;
            let end = offset + DESCRIPTOR_HEADER_LENGTH + length;
            if end > self.bytes.len() {
                self.problems.push(format!(
                    "entry at offset {offset} has length {length}, running past the end of the file ({} bytes): \
                     the archive refuses to start",
                    self.bytes.len()
                ));
                break;
            }
            let body = &self.bytes[offset + DESCRIPTOR_HEADER_LENGTH..end];
            self.entries.push(Entry {
                offset,
                length,
                state: EntryState::from_i32(get_i32(&self.bytes, offset + 4).unwrap_or(0)),
                checksum: get_i32(&self.bytes, offset + CHECKSUM_OFFSET).unwrap_or(0),
                recording_id: get_i64(body, 16),
                descriptor: RecordingDescriptor::decode_body(body),
            });
            offset = end;
        }
    }

    /// Path of the catalog file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Capacity: the file length in bytes.
    pub fn capacity(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Offset after the last entry.
    pub fn end_of_entries(&self) -> usize {
        self.entries
            .last()
            .map(|e| e.offset + e.frame_length())
            .unwrap_or_else(|| self.first_entry_offset())
    }

    /// Index (into [`entries`](Self::entries)) of the entry of `recording_id`.
    pub fn find(&self, recording_id: i64) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.recording_id == Some(recording_id))
    }

    /// The body bytes of entry `index` (including padding), as the descriptor checksum covers them.
    pub fn body(&self, index: usize) -> &[u8] {
        let e = &self.entries[index];
        &self.bytes[e.body_offset()..e.body_offset() + e.length]
    }

    /// The checksum of entry `index`'s body (Java's `Catalog.computeRecordingDescriptorChecksum`).
    pub fn compute_checksum(&self, index: usize, checksum: Checksum) -> i32 {
        checksum.compute(self.body(index))
    }

    /// The checksum the stored descriptor checksum was made with: `None` when the field is 0 or matches
    /// neither CRC-32 nor CRC-32C.
    pub fn detect_checksum(&self, index: usize) -> Option<Checksum> {
        let stored = self.entries[index].checksum;
        if stored == 0 {
            return None;
        }
        [Checksum::Crc32c, Checksum::Crc32]
            .into_iter()
            .find(|c| self.compute_checksum(index, *c) == stored)
    }

    fn write(&mut self, at: usize, value: &[u8]) -> Result<(), ToolError> {
        if !self.writable {
            return Err(corrupt(&self.path, "opened read-only"));
        }
        self.bytes[at..at + value.len()].copy_from_slice(value);
        self.file
            .write_all_at(value, at as u64)
            .map_err(io(&self.path))
    }

    /// Writes the state of entry `index`.
    pub fn set_state(&mut self, index: usize, state: EntryState) -> Result<(), ToolError> {
        let at = self.entries[index].offset + 4;
        self.write(at, &state.to_i32().to_le_bytes())?;
        self.entries[index].state = state;
        Ok(())
    }

    /// Writes the stop position and stop timestamp of entry `index` (its body must be long enough).
    pub fn set_stop(
        &mut self,
        index: usize,
        stop_position: i64,
        stop_timestamp: i64,
    ) -> Result<(), ToolError> {
        let body = self.entries[index].body_offset();
        if self.entries[index].length < STOP_POSITION_OFFSET + 8 {
            return Err(corrupt(
                &self.path,
                format!(
                    "entry at offset {} is too short",
                    self.entries[index].offset
                ),
            ));
        }
        self.write(body + STOP_TIMESTAMP_OFFSET, &stop_timestamp.to_le_bytes())?;
        self.write(body + STOP_POSITION_OFFSET, &stop_position.to_le_bytes())?;
        if let Some(d) = self.entries[index].descriptor.as_mut() {
            d.stop_position = stop_position;
            d.stop_timestamp = stop_timestamp;
        }
        Ok(())
    }

    /// Writes into entry `index`'s header the checksum of its body.
    pub fn stamp_checksum(&mut self, index: usize, checksum: Checksum) -> Result<(), ToolError> {
        let value = self.compute_checksum(index, checksum);
        let at = self.entries[index].offset + CHECKSUM_OFFSET;
        self.write(at, &value.to_le_bytes())?;
        self.entries[index].checksum = value;
        Ok(())
    }

    /// Grows the file to `capacity` bytes (sparse); a smaller capacity changes nothing. Returns the capacity.
    pub fn grow(&mut self, capacity: u64) -> Result<u64, ToolError> {
        if capacity > self.capacity() {
            if capacity > i32::MAX as u64 {
                return Err(ToolError::InvalidArgument(format!(
                    "capacity {capacity} is above the catalog maximum of {} bytes",
                    i32::MAX
                )));
            }
            self.file.set_len(capacity).map_err(io(&self.path))?;
            self.bytes.resize(capacity as usize, 0);
        }
        Ok(self.capacity())
    }

    /// Forces the changes to disk.
    pub fn sync(&self) -> Result<(), ToolError> {
        self.file.sync_all().map_err(io(&self.path))
    }

    /// Replaces the file by a new one (same capacity, at least the header and the entries) holding the header
    /// with `version`, `next_recording_id` and `alignment` 64 and the given entry frames back to back: written
    /// to `archive.catalog.<suffix>`, synced, then renamed over the catalog and the directory synced.
    pub fn replace(
        &mut self,
        version: i32,
        frames: &[Vec<u8>],
        suffix: &str,
    ) -> Result<(), ToolError> {
        let used: usize = HEADER_LENGTH + frames.iter().map(Vec::len).sum::<usize>();
        let mut bytes = vec![0u8; self.bytes.len().max(used)];
        bytes[0..4].copy_from_slice(&version.to_le_bytes());
        bytes[4..8].copy_from_slice(&(HEADER_LENGTH as i32).to_le_bytes());
        bytes[8..16].copy_from_slice(&self.next_recording_id.to_le_bytes());
        bytes[16..20].copy_from_slice(&(ALIGNMENT as i32).to_le_bytes());
        let mut at = HEADER_LENGTH;
        for f in frames {
            bytes[at..at + f.len()].copy_from_slice(f);
            at += f.len();
        }
        let dir = self
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let tmp = dir.join(format!("{CATALOG_FILE_NAME}.{suffix}"));
        let result = (|| {
            let f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)
                .map_err(io(&tmp))?;
            f.write_all_at(&bytes, 0).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
            std::fs::rename(&tmp, &self.path).map_err(io(&self.path))?;
            crate::storage::sync::sync_dir(&dir, crate::storage::SyncLevel::DataAndMetadata)
                .map_err(ToolError::Storage)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result?;
        self.file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)
            .map_err(io(&self.path))?;
        self.bytes = bytes;
        self.version = version;
        self.header_length = HEADER_LENGTH as i32;
        self.alignment = ALIGNMENT as i32;
        self.index();
        Ok(())
    }

    /// The bytes of entry `index` (header and body).
    pub fn frame(&self, index: usize) -> Vec<u8> {
        let e = &self.entries[index];
        self.bytes[e.offset..e.offset + e.frame_length()].to_vec()
    }
}
