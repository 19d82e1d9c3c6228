//! Free space of the file system holding the archive, as Java's `FileStore.getUsableSpace`, and telling a
//! full file system from other I/O errors, as Java's `StorageSpaceException.isStorageSpaceError`.

use std::ffi::CString;
use std::io;
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Bytes available to an unprivileged process on the file system holding `path`: `statvfs`'s
/// `f_bavail * f_frsize`, as Java's `FileStore.getUsableSpace` on Linux.
pub fn usable_space(path: &Path) -> io::Result<u64> {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut stat = MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a NUL-terminated string that outlives the call and `stat` is a writable
    // `statvfs` that the call fills in when it returns 0.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `statvfs` returned 0, so it initialised `stat`.
    let stat = unsafe { stat.assume_init() };
    // Both fields are `u64` on 64-bit Linux but narrower on some other targets.
    #[allow(clippy::useless_conversion)]
    let (available_blocks, fragment_size) = (u64::from(stat.f_bavail), u64::from(stat.f_frsize));
    Ok(available_blocks.saturating_mul(fragment_size))
}

/// `true` if `error` says the file system is full (`ENOSPC`, "No space left on device").
pub fn is_storage_space_error(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ENOSPC)
}

/// The message of an I/O error without Rust's ` (os error N)` suffix: the `strerror` text Java puts in an
/// `IOException` (e.g. "No space left on device").
pub fn io_error_message(error: &io::Error) -> String {
    let text = error.to_string();
    match error.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .map(str::to_owned)
            .unwrap_or(text),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usable_space_of_a_dir_and_of_a_missing_path() {
        let dir = tempfile::tempdir().unwrap();
        assert!(usable_space(dir.path()).unwrap() > 0);
        let missing = usable_space(&dir.path().join("missing")).unwrap_err();
        assert_eq!(missing.raw_os_error(), Some(libc::ENOENT));
    }

    #[test]
    fn a_full_disk_is_told_apart_and_named_as_java_does() {
        let full = io::Error::from_raw_os_error(libc::ENOSPC);
        assert!(is_storage_space_error(&full));
        assert_eq!(io_error_message(&full), "No space left on device");
        let other = io::Error::from_raw_os_error(libc::EIO);
        assert!(!is_storage_space_error(&other));
        assert_eq!(io_error_message(&other), "Input/output error");
        assert_eq!(io_error_message(&io::Error::other("custom")), "custom");
    }
}
