//! `rusteron-archive-tool`: Java's `io.aeron.archive.ArchiveTool` (Aeron 1.54) for the files of a stopped
//! archive, this archive's or Java's (the formats are the same). See `docs/archive-server.md`, "Operations".
//!
//! [`run`] executes parsed [`args::ToolArgs`] and returns a [`Report`]: its text (what the tool prints by
//! default), its JSON document (`--json`) and whether `verify` found invalid recordings. Commands that
//! change files refuse while the mark file says an archive is running ([`ToolError::ArchiveRunning`]);
//! commands that delete files need `--yes`.

pub mod archive;
pub mod args;
pub mod catalog_file;
pub mod format;
pub mod inspect;
pub mod maintain;
pub mod verify;

use std::path::{Path, PathBuf};

use crate::storage::{io_err, StorageError};

use archive::ArchiveDir;
use args::{Command, ToolArgs};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// The archive dir does not exist.
    #[error("archive folder not found: {0}")]
    NoArchiveDir(PathBuf),
    /// A file could not be read or written, or is damaged beyond use.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The mark file says an archive is using the files.
    #[error(
        "{command}: the archive is running (mark file {mark_file}: pid {pid}, activity {activity_ms_ago} ms ago); \
         stop it first, this tool does not change the files of a running archive"
    )]
    ArchiveRunning {
        /// The refused command.
        command: String,
        /// The mark file.
        mark_file: PathBuf,
        /// Its pid.
        pid: i64,
        /// Age of its activity timestamp.
        activity_ms_ago: i64,
    },
    /// No catalog entry has this recording id.
    #[error("no recording found with recordingId: {0}")]
    UnknownRecording(i64),
    /// `mark-valid` / `mark-invalid` from a state that does not allow it.
    #[error("(recordingId={recording_id}) state transition {from} -> {to} is not allowed")]
    StateTransition {
        /// The recording.
        recording_id: i64,
        /// Its state.
        from: String,
        /// The state asked for.
        to: String,
    },
    /// A recording that is active (stop position NULL) cannot be truncated or purged.
    #[error("(recordingId={0}) is active (stopPosition=-1): run `verify` to recover its stop position first")]
    ActiveRecording(i64),
    /// A command that deletes data was not confirmed.
    #[error("{0}; pass --yes to confirm")]
    NotConfirmed(String),
    /// An argument does not fit the archive (position, capacity, ...).
    #[error("{0}")]
    InvalidArgument(String),
}

/// Maps an I/O error on `path` to [`ToolError::Storage`] (for `map_err`).
pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ToolError + '_ {
    move |source| ToolError::Storage(io_err(path)(source))
}

/// What a command produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The text printed by default (lines ending with `\n`).
    pub text: String,
    /// The JSON document printed with `--json`.
    pub json: serde_json::Value,
    /// `true` if `verify` found at least one invalid recording (exit code 1).
    pub found_damage: bool,
}

impl Report {
    /// A report with text and JSON and no damage.
    pub fn new(text: String, json: serde_json::Value) -> Report {
        Report {
            text,
            json,
            found_damage: false,
        }
    }
}

/// Runs the command of `args`.
pub fn run(args: &ToolArgs) -> Result<Report, ToolError> {
    let dir = ArchiveDir::open(&args.archive_dir)?;
    match &args.command {
        Command::Describe { recording_id, all } => inspect::describe(&dir, *recording_id, *all),
        Command::DescribeAll => inspect::describe(&dir, None, true),
        Command::Dump {
            recording_id,
            limit,
            hex,
        } => inspect::dump(&dir, *recording_id, *limit, *hex),
        Command::Errors => inspect::errors(&dir),
        Command::Pid => inspect::pid(&dir),
        Command::CountEntries => inspect::count_entries(&dir),
        Command::MaxEntries { .. } => Ok(inspect::max_entries()),
        Command::Capacity { bytes: None } => inspect::capacity(&dir),
        Command::Capacity { bytes: Some(bytes) } => maintain::grow_capacity(&dir, *bytes),
        Command::Verify {
            recording_id,
            all,
            checksum,
            dry_run,
        } => verify::verify(
            &dir,
            &verify::VerifyOptions {
                recording_id: *recording_id,
                all_segments: *all,
                checksum: *checksum,
                dry_run: *dry_run,
            },
        ),
        Command::Checksum {
            checksum,
            recording_id,
            all,
        } => maintain::checksum(&dir, *checksum, *recording_id, *all),
        Command::MarkValid { recording_id } => maintain::mark(&dir, *recording_id, true),
        Command::MarkInvalid { recording_id } => maintain::mark(&dir, *recording_id, false),
        Command::Compact { yes } => maintain::compact(&dir, *yes),
        Command::DeleteOrphanedSegments { recording_id, yes } => {
            maintain::delete_orphaned_segments(&dir, *recording_id, *yes)
        }
        Command::Migrate { yes } => maintain::migrate(&dir, *yes),
        Command::Truncate {
            recording_id,
            position,
            yes,
        } => maintain::truncate(&dir, *recording_id, *position, *yes),
        Command::Purge { recording_id, yes } => maintain::purge(&dir, *recording_id, *yes),
    }
}

#[cfg(test)]
mod tests {
    use super::args::ToolArgs;
    use super::*;
    use crate::storage::catalog::{Catalog, RecordingDescriptor, CATALOG_FILE_NAME};
    use crate::storage::segment::{RecordingLayout, SegmentWriter};
    use crate::storage::SyncLevel;
    use clap::Parser;

    fn data_frame(term_offset: i32, term_id: i32) -> Vec<u8> {
        let mut f = vec![0x5Au8; 1056];
        f[0..4].copy_from_slice(&1056i32.to_le_bytes());
        f[4] = 0;
        f[5] = 0xC0;
        f[6..8].copy_from_slice(&1u16.to_le_bytes());
        f[8..12].copy_from_slice(&term_offset.to_le_bytes());
        f[16..20].copy_from_slice(&1001i32.to_le_bytes());
        f[20..24].copy_from_slice(&term_id.to_le_bytes());
        f
    }

    /// A small archive: two recordings of a few frames, one active (stop NULL).
    fn archive(dir: &std::path::Path) {
        let mut c = Catalog::open(dir, 4096, SyncLevel::None).unwrap();
        for stop in [8 * 1056, -1] {
            let id = c
                .add(RecordingDescriptor {
                    stop_position: stop,
                    stop_timestamp: -1,
                    term_buffer_length: 64 * 1024,
                    segment_file_length: 128 * 1024,
                    mtu_length: 1408,
                    stream_id: 1001,
                    initial_term_id: 5,
                    stripped_channel: "aeron:ipc".into(),
                    original_channel: "aeron:ipc".into(),
                    source_identity: "aeron:ipc".into(),
                    ..Default::default()
                })
                .unwrap();
            let layout = RecordingLayout {
                recording_id: id,
                start_position: 0,
                term_length: 64 * 1024,
                segment_length: 128 * 1024,
            };
            let mut w = SegmentWriter::new(dir, layout, 0, SyncLevel::None);
            for i in 0..8 {
                w.write_block(&data_frame(i * 1056, 5)).unwrap();
            }
        }
    }

    #[test]
    fn damaged_catalogs_and_segments_give_errors_never_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        archive(dir.path());
        let catalog = std::fs::read(dir.path().join(CATALOG_FILE_NAME)).unwrap();
        let segment = std::fs::read(dir.path().join("0-0.rec")).unwrap();
        let run_all = |dir: &std::path::Path| {
            for cmd in [
                &["describe", "--all"][..],
                &["dump", "0"],
                &["dump", "1", "--hex"],
                &["verify", "--dry-run", "-a", "--checksum", "CRC-32C"],
                &["verify", "-a"],
                &["count-entries"],
                &["delete-orphaned-segments", "--yes"],
                &["truncate", "0", "1056", "--yes"],
                &["compact", "--yes"],
            ] {
                let mut argv = vec!["rusteron-archive-tool", dir.to_str().unwrap()];
                argv.extend_from_slice(cmd);
                let _ = run(&ToolArgs::parse_from(argv));
            }
        };
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let work = tempfile::tempdir().unwrap();
            let mut c = catalog.clone();
            let mut s = segment.clone();
            // A few random bytes or words anywhere in the header and entries, and in the first frames.
            for _ in 0..1 + next() % 4 {
                let at = (next() % 400) as usize;
                let value = match next() % 4 {
                    0 => 0,
                    1 => -1,
                    2 => i32::MAX,
                    _ => next() as i32,
                };
                c[at..at + 4].copy_from_slice(&value.to_le_bytes());
                let at = (next() % 9000) as usize;
                s[at..at + 4].copy_from_slice(&(next() as i32).to_le_bytes());
            }
            if round % 7 == 0 {
                c.truncate((next() % 300) as usize);
            }
            std::fs::write(work.path().join(CATALOG_FILE_NAME), &c).unwrap();
            std::fs::write(
                work.path().join("0-0.rec"),
                &s[..s.len() - (next() % 2) as usize * 100_000],
            )
            .unwrap();
            std::fs::copy(dir.path().join("1-0.rec"), work.path().join("1-0.rec")).unwrap();
            run_all(work.path());
        }
    }
}
