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

use std::path::PathBuf;

use crate::storage::StorageError;

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
        Report { text, json, found_damage: false }
    }
}

/// Runs the command of `args`.
pub fn run(args: &ToolArgs) -> Result<Report, ToolError> {
    let dir = ArchiveDir::open(&args.archive_dir)?;
    match &args.command {
        Command::Describe { recording_id, all } => inspect::describe(&dir, *recording_id, *all),
        Command::DescribeAll => inspect::describe(&dir, None, true),
        Command::Dump { recording_id, limit, hex } => inspect::dump(&dir, *recording_id, *limit, *hex),
        Command::Errors => inspect::errors(&dir),
        Command::Pid => inspect::pid(&dir),
        Command::CountEntries => inspect::count_entries(&dir),
        Command::MaxEntries { .. } => Ok(inspect::max_entries()),
        Command::Capacity { bytes: None } => inspect::capacity(&dir),
        Command::Capacity { bytes: Some(bytes) } => maintain::grow_capacity(&dir, *bytes),
        Command::Verify { recording_id, all, checksum, dry_run } => verify::verify(
            &dir,
            &verify::VerifyOptions {
                recording_id: *recording_id,
                all_segments: *all,
                checksum: *checksum,
                dry_run: *dry_run,
            },
        ),
        Command::Checksum { checksum, recording_id, all } => maintain::checksum(&dir, *checksum, *recording_id, *all),
        Command::MarkValid { recording_id } => maintain::mark(&dir, *recording_id, true),
        Command::MarkInvalid { recording_id } => maintain::mark(&dir, *recording_id, false),
        Command::Compact { yes } => maintain::compact(&dir, *yes),
        Command::DeleteOrphanedSegments { recording_id, yes } => {
            maintain::delete_orphaned_segments(&dir, *recording_id, *yes)
        }
        Command::Migrate { yes } => maintain::migrate(&dir, *yes),
        Command::Truncate { recording_id, position, yes } => maintain::truncate(&dir, *recording_id, *position, *yes),
        Command::Purge { recording_id, yes } => maintain::purge(&dir, *recording_id, *yes),
    }
}
