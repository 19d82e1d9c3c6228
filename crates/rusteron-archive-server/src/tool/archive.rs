//! The archive directory the tool works on: where its mark file is (the archive dir, or the dir named by
//! `archive-mark.lnk`), whether an archive is running on it, and its segment files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::storage::mark_file::{
    epoch_ms, read_mark_file, MarkFileHeader, LINK_FILE_NAME, MARK_FILE_NAME,
};
use crate::storage::positions::parse_segment_file_name;
use crate::storage::StorageError;

use super::ToolError;

/// A segment file of the archive dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentFile {
    /// File name.
    pub name: String,
    /// Base position parsed from the name; `None` if the name has no valid position.
    pub base: Option<i64>,
}

/// An archive directory.
#[derive(Debug, Clone)]
pub struct ArchiveDir {
    dir: PathBuf,
    mark_file_dir: PathBuf,
}

impl ArchiveDir {
    /// The archive dir `dir`, which must exist; its mark file dir is read from `archive-mark.lnk` if present.
    pub fn open(dir: &Path) -> Result<ArchiveDir, ToolError> {
        if !dir.is_dir() {
            return Err(ToolError::NoArchiveDir(dir.to_path_buf()));
        }
        let link = dir.join(LINK_FILE_NAME);
        let mark_file_dir = match std::fs::read(&link) {
            Ok(bytes) => PathBuf::from(String::from_utf8_lossy(&bytes).trim()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => dir.to_path_buf(),
            Err(source) => return Err(ToolError::Storage(StorageError::Io { path: link, source })),
        };
        Ok(ArchiveDir {
            dir: dir.to_path_buf(),
            mark_file_dir,
        })
    }

    /// The archive dir.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Path of the mark file.
    pub fn mark_file_path(&self) -> PathBuf {
        self.mark_file_dir.join(MARK_FILE_NAME)
    }

    /// The mark file's header.
    pub fn mark_file(&self) -> Result<MarkFileHeader, ToolError> {
        Ok(read_mark_file(&self.mark_file_path())?)
    }

    /// Fails with [`ToolError::ArchiveRunning`] if the mark file says an archive may be using the files: its
    /// activity timestamp is younger than 10 s and its process exists (Java's liveness test, plus the pid).
    /// A missing or undecodable mark file does not stop the command.
    pub fn ensure_stopped(&self, command: &str) -> Result<(), ToolError> {
        let path = self.mark_file_path();
        if !path.exists() {
            return Ok(());
        }
        let Ok(header) = read_mark_file(&path) else {
            return Ok(());
        };
        let now = epoch_ms();
        if header.may_be_running(now) {
            return Err(ToolError::ArchiveRunning {
                command: command.to_owned(),
                mark_file: path,
                pid: header.pid,
                activity_ms_ago: now - header.activity_timestamp,
            });
        }
        Ok(())
    }

    /// Segment files (`<id>-<position>.rec`) by recording id, each list sorted by base position (files whose
    /// position does not parse last). Other files are ignored.
    pub fn segment_files(&self) -> Result<BTreeMap<i64, Vec<SegmentFile>>, ToolError> {
        let io = |source| {
            ToolError::Storage(StorageError::Io {
                path: self.dir.clone(),
                source,
            })
        };
        let mut index: BTreeMap<i64, Vec<SegmentFile>> = BTreeMap::new();
        for entry in std::fs::read_dir(&self.dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".rec") else {
                continue;
            };
            let Some((id, _)) = stem.split_once('-') else {
                continue;
            };
            let Ok(id) = id.parse::<i64>() else { continue };
            let base = parse_segment_file_name(&name).map(|(_, base)| base);
            index
                .entry(id)
                .or_default()
                .push(SegmentFile { name, base });
        }
        for files in index.values_mut() {
            files.sort_by_key(|f| (f.base.is_none(), f.base, f.name.clone()));
        }
        Ok(index)
    }
}
