//! Storage space: the low-storage-space check made before a recording starts or is extended (Java's
//! `ArchiveConductor.isLowStorageSpace`), and the error a recording ends with when a segment write fails
//! (Java's `RecordingWriter.checkErrorType`): `STORAGE_SPACE` when the file system is full.

use std::path::Path;

use super::codes;
use crate::config::ArchiveConfig;
use crate::storage::space::{io_error_message, is_storage_space_error, usable_space};
use crate::storage::StorageError;

/// If the archive dir's file system has no more usable bytes than the threshold, the `STORAGE_SPACE` error
/// (code and Java's message) a recording request is refused with; a `GENERIC` error if the usable space
/// cannot be read; otherwise `None`.
pub(crate) fn low_storage_space(config: &ArchiveConfig) -> Option<(i64, String)> {
    let threshold = config.effective_low_storage_space_threshold();
    match usable_space(&config.archive_dir) {
        Ok(usable) if usable <= threshold => {
            let message = format!("low storage threshold={threshold} <= usableSpace={usable}");
            log::warn!("{message}");
            Some((codes::STORAGE_SPACE, message))
        }
        Ok(_) => None,
        Err(e) => {
            // Java lets this IOException escape the request unanswered; a GENERIC error is kinder.
            let message = format!(
                "cannot get the usable space of {}: {e}",
                config.archive_dir.display()
            );
            log::error!("{message}");
            Some((codes::GENERIC, message))
        }
    }
}

/// The error code and message a recording ends with when writing a block of `write_length` bytes failed, as
/// Java's `RecordingWriter`: an I/O error is `STORAGE_SPACE` if the file system is full (`ENOSPC`) or has
/// fewer usable bytes than the block, `GENERIC` otherwise, with the message of Java's `ArchiveException`.
pub(crate) fn recording_write_error(
    error: &StorageError,
    archive_dir: &Path,
    write_length: usize,
) -> (i64, String) {
    match error {
        StorageError::Io { source, .. } => {
            let full = is_storage_space_error(source)
                || usable_space(archive_dir).is_ok_and(|usable| usable < write_length as u64);
            let code = if full {
                codes::STORAGE_SPACE
            } else {
                codes::GENERIC
            };
            (
                code,
                format!("ERROR - java.io.IOException - {}", io_error_message(source)),
            )
        }
        other => (codes::GENERIC, format!("ERROR - {other}")),
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::path::PathBuf;

    use super::*;

    fn io_error(code: i32) -> StorageError {
        StorageError::Io {
            path: PathBuf::from("/a/0-0.rec"),
            source: io::Error::from_raw_os_error(code),
        }
    }

    #[test]
    fn a_full_disk_ends_a_recording_with_storage_space() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            recording_write_error(&io_error(libc::ENOSPC), dir.path(), 4096),
            (
                codes::STORAGE_SPACE,
                "ERROR - java.io.IOException - No space left on device".to_owned()
            )
        );
        // Less usable space than the block also counts as a full disk.
        assert_eq!(
            recording_write_error(&io_error(libc::EIO), dir.path(), usize::MAX).0,
            codes::STORAGE_SPACE
        );
    }

    #[test]
    fn other_write_errors_are_generic() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            recording_write_error(&io_error(libc::EIO), dir.path(), 4096),
            (
                codes::GENERIC,
                "ERROR - java.io.IOException - Input/output error".to_owned()
            )
        );
        let exists = StorageError::SegmentExists(PathBuf::from("/a/0-131072.rec"));
        assert_eq!(
            recording_write_error(&exists, dir.path(), 4096),
            (
                codes::GENERIC,
                "ERROR - segment file already exists: /a/0-131072.rec".to_owned()
            )
        );
    }
}
