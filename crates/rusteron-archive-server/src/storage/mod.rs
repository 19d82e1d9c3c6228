//! On-disk layout of an archive, the same as the Java archive's: segment files, catalog and mark file.

pub mod catalog;
pub mod checksum;
pub mod error_log;
pub mod frame;
pub mod mark_file;
pub mod mark_keeper;
pub mod positions;
pub mod recovery;
pub mod segment;
pub mod space;
pub mod startup;
pub mod sync;
pub mod truncate;

use std::path::{Path, PathBuf};

/// How hard the archive pushes writes to disk (`aeron.archive.file.sync.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncLevel {
    /// 0: leave it to the OS page cache (survives a killed process, not a power cut).
    #[default]
    None,
    /// 1: `fdatasync` after writes.
    Data,
    /// 2: `fsync` (data and metadata) after writes.
    DataAndMetadata,
}

impl SyncLevel {
    /// From the numeric Java property value (0, 1 or 2).
    pub fn from_level(level: u8) -> Option<SyncLevel> {
        match level {
            0 => Some(SyncLevel::None),
            1 => Some(SyncLevel::Data),
            2 => Some(SyncLevel::DataAndMetadata),
            _ => None,
        }
    }

    /// This level, but at least [`SyncLevel::Data`]: a repair or a cut of recorded data is always made
    /// durable (at least `fdatasync`), whatever the configured level.
    pub fn at_least_data(self) -> SyncLevel {
        if self == SyncLevel::None {
            SyncLevel::Data
        } else {
            self
        }
    }
}

/// Maps an I/O error on `path` to [`StorageError::Io`] (for `map_err`).
pub fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// An I/O operation on `path` failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// File or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A recording would roll over into a segment file that already exists.
    #[error("segment file already exists: {0}")]
    SegmentExists(PathBuf),
    /// A file does not have the expected format.
    #[error("{path} is not a valid archive file: {what}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The catalog cannot grow any further.
    #[error("catalog {0} is full")]
    CatalogFull(PathBuf),
    /// No valid recording has this id.
    #[error("unknown recording id: {0}")]
    UnknownRecording(i64),
    /// The mark file belongs to an archive that is still running.
    #[error("active archive mark file detected: {path} (pid {pid})")]
    ArchiveActive {
        /// The mark file.
        path: PathBuf,
        /// Process id recorded in it.
        pid: i64,
    },
}
