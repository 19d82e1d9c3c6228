//! Sync helpers applying `aeron.archive.file.sync.level` (segment files) and
//! `aeron.archive.catalog.file.sync.level` (catalog) as the Java archive does:
//!
//! * level 0 ([`SyncLevel::None`]): nothing; data reaches the disk when the OS writes the page cache back
//!   (survives a killed archive, not a power cut);
//! * level 1 ([`SyncLevel::Data`]): `fdatasync` (Java's `FileChannel.force(false)`) after each write;
//! * level 2 ([`SyncLevel::DataAndMetadata`]): `fsync` (`force(true)`), plus an `fsync` of the directory
//!   after a file is created, renamed or deleted, so the directory entry is durable too.
//!
//! The recorder calls [`sync_file`] after writing a block (or on rollover/stop) with the file sync level,
//! [`sync_dir`] after creating or deleting a segment file; catalog updates use the catalog sync level.

use std::fs::File;
use std::path::Path;

use super::{StorageError, SyncLevel};

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::Io { path: path.to_path_buf(), source }
}

/// Flushes `file` (named `path` for errors) per `level`: nothing, `fdatasync`, or `fsync`.
pub fn sync_file(file: &File, path: &Path, level: SyncLevel) -> Result<(), StorageError> {
    match level {
        SyncLevel::None => Ok(()),
        SyncLevel::Data => file.sync_data().map_err(io_err(path)),
        SyncLevel::DataAndMetadata => file.sync_all().map_err(io_err(path)),
    }
}

/// Opens `path` and flushes it per `level` (no-op at level 0).
pub fn sync_path(path: &Path, level: SyncLevel) -> Result<(), StorageError> {
    if level == SyncLevel::None {
        return Ok(());
    }
    let file = File::open(path).map_err(io_err(path))?;
    sync_file(&file, path, level)
}

/// At level 2 only, `fsync`s the directory so created, renamed or deleted entries in it are durable.
pub fn sync_dir(dir: &Path, level: SyncLevel) -> Result<(), StorageError> {
    if level != SyncLevel::DataAndMetadata {
        return Ok(());
    }
    let file = File::open(dir).map_err(io_err(dir))?;
    file.sync_all().map_err(io_err(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_syncs_files_and_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"x").unwrap();
        for level in [SyncLevel::None, SyncLevel::Data, SyncLevel::DataAndMetadata] {
            sync_path(&path, level).unwrap();
            sync_dir(dir.path(), level).unwrap();
        }
        assert!(matches!(sync_path(&dir.path().join("missing"), SyncLevel::Data), Err(StorageError::Io { .. })));
        assert!(sync_path(&dir.path().join("missing"), SyncLevel::None).is_ok(), "level 0 touches nothing");
    }
}
