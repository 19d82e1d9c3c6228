//! Sync helpers applying `aeron.archive.file.sync.level` (segment files) and
//! `aeron.archive.catalog.file.sync.level` (catalog) as the Java archive does:
//!
//! * level 0 ([`SyncLevel::None`]): nothing; data reaches the disk when the OS writes the page cache back
//!   (survives a killed archive, not a power cut);
//! * level 1 ([`SyncLevel::Data`]): `fdatasync` (Java's `FileChannel.force(false)`) after each write;
//! * level 2 ([`SyncLevel::DataAndMetadata`]): `fsync` (`force(true)`) after each write.
//!
//! At levels 1 and 2 the archive directory is flushed the same way ([`sync_dir`]) after a segment file is
//! opened for recording and after the catalog file is created, as Java forces its `archiveDirChannel`
//! (`RecordingWriter.openRecordingSegmentFile`, `Catalog`), so the new directory entries are durable too.
//! Java does not flush the directory after deleting segment files, and neither does this archive.

use std::fs::File;
use std::path::Path;

use super::{io_err, StorageError, SyncLevel};

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

/// Flushes the directory `dir` per `level`, so entries created in it are durable: nothing at level 0,
/// `fdatasync` at level 1, `fsync` at level 2 (Java's `archiveDirChannel.force(fileSyncLevel > 1)`).
pub fn sync_dir(dir: &Path, level: SyncLevel) -> Result<(), StorageError> {
    sync_path(dir, level)
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
        assert!(matches!(
            sync_path(&dir.path().join("missing"), SyncLevel::Data),
            Err(StorageError::Io { .. })
        ));
        assert!(
            sync_path(&dir.path().join("missing"), SyncLevel::None).is_ok(),
            "level 0 touches nothing"
        );
        assert!(matches!(
            sync_dir(&dir.path().join("missing"), SyncLevel::Data),
            Err(StorageError::Io { .. })
        ));
        assert!(
            sync_dir(&dir.path().join("missing"), SyncLevel::None).is_ok(),
            "level 0 touches nothing"
        );
    }
}
