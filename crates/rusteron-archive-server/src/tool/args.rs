//! Command line of `rusteron-archive-tool` (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::storage::checksum::{Checksum, CRC32C_NAMES, CRC32_NAMES};

/// Inspects and repairs the files of a stopped Aeron Archive (this archive's or Java's): Java's
/// `io.aeron.archive.ArchiveTool` commands, with text output or `--json`.
///
/// Exit codes: 0 success; 1 `verify` found invalid recordings; 2 bad usage; 3 the command failed (archive
/// running, unreadable files, unknown recording, ...).
#[derive(Debug, Clone, Parser)]
#[command(name = "rusteron-archive-tool", version)]
pub struct ToolArgs {
    /// The archive directory (`aeron.archive.dir`).
    pub archive_dir: PathBuf,
    /// Print one JSON document instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The arguments with Java's single-dash `-checksum` flag spelled `--checksum`, so Java command lines
/// (`verify -a -checksum CRC-32C`) work as they are.
pub fn java_compatible(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    args.into_iter()
        .map(|a| {
            if a == "-checksum" {
                "--checksum".into()
            } else {
                a
            }
        })
        .collect()
}

/// A checksum algorithm named as Java names it (`CRC-32`, `CRC-32C`, or the class names
/// `io.aeron.archive.checksum.Crc32` / `Crc32c`, `org.agrona.checksum.Crc32` / `Crc32c`).
pub fn parse_checksum(name: &str) -> Result<Checksum, String> {
    let name = name.trim();
    if CRC32_NAMES.contains(&name) {
        Ok(Checksum::Crc32)
    } else if CRC32C_NAMES.contains(&name) {
        Ok(Checksum::Crc32c)
    } else {
        Err(format!(
            "unknown checksum {name:?}: use one of {}, {}",
            CRC32_NAMES.join(", "),
            CRC32C_NAMES.join(", ")
        ))
    }
}

/// The commands (Java's `ArchiveTool` commands, plus `truncate` and `purge`).
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Prints the mark file, the catalog header and the descriptors of the valid recordings (or of one).
    Describe {
        /// Only this recording (any state).
        recording_id: Option<i64>,
        /// Every entry, whatever its state (Java's `describe-all`).
        #[arg(short = 'a', long = "all")]
        all: bool,
    },
    /// Java's `describe-all`: `describe --all`.
    DescribeAll,
    /// Prints the descriptors; with a recording id, that recording's frames too.
    Dump {
        /// The recording whose frames are printed.
        recording_id: Option<i64>,
        /// At most this many frames.
        #[arg(long, default_value_t = u64::MAX, hide_default_value = true)]
        limit: u64,
        /// Also print each data frame's payload as hex.
        #[arg(long)]
        hex: bool,
    },
    /// Prints the archive's error log (in the mark file) and the media driver's, if its CnC file is there.
    Errors,
    /// Prints the pid in the mark file.
    Pid,
    /// Prints the number of VALID entries in the catalog.
    CountEntries,
    /// Deprecated in Java: prints that `capacity` is to be used.
    MaxEntries {
        /// Ignored.
        entries: Option<u64>,
    },
    /// Prints the catalog capacity in bytes, or grows it to BYTES (a smaller value changes nothing).
    Capacity {
        /// The new capacity.
        bytes: Option<u64>,
    },
    /// Verifies recordings (all, or one): positions, segment files, frame headers; marks faulty ones INVALID
    /// and sets the stop position of recordings left active by a crash (cutting a torn last frame off, as the
    /// archive's recovery does). Prints VALID / INVALID with the reason per recording.
    Verify {
        /// Only this recording.
        recording_id: Option<i64>,
        /// Check every segment file (default: only the last one of each recording).
        #[arg(short = 'a', long = "all")]
        all: bool,
        /// Also check each data frame's checksum and each descriptor's checksum with this algorithm.
        #[arg(long = "checksum", alias = "C", value_parser = parse_checksum, value_name = "CRC-32|CRC-32C")]
        checksum: Option<Checksum>,
        /// Change nothing: only report (allowed while the archive runs).
        #[arg(long)]
        dry_run: bool,
    },
    /// Computes and writes the checksum of every data frame (in its session id field) of the last, or with
    /// `-a` every, segment file, and of each descriptor.
    Checksum {
        /// The algorithm.
        #[arg(value_parser = parse_checksum, value_name = "CRC-32|CRC-32C")]
        checksum: Checksum,
        /// Only this recording.
        recording_id: Option<i64>,
        /// Every segment file (default: only the last one of each recording).
        #[arg(short = 'a', long = "all")]
        all: bool,
    },
    /// Marks an INVALID recording VALID.
    MarkValid {
        /// The recording.
        recording_id: i64,
    },
    /// Marks a VALID recording INVALID.
    MarkInvalid {
        /// The recording.
        recording_id: i64,
    },
    /// Removes every entry that is not VALID from the catalog and deletes its segment files.
    Compact {
        /// Confirms the deletion.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Deletes segment files outside a recording's start and stop segments (all recordings, or one).
    DeleteOrphanedSegments {
        /// Only this recording.
        recording_id: Option<i64>,
        /// Confirms the deletion.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Upgrades a catalog in an older layout (2.x) to the 3.x layout; reports the versions.
    Migrate {
        /// Confirms the change.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Truncates a stopped recording to POSITION (a frame boundary): later segment files are deleted.
    Truncate {
        /// The recording.
        recording_id: i64,
        /// The new stop position.
        position: i64,
        /// Confirms the deletion.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Purges a stopped recording: its entry is marked DELETED and its segment files are deleted.
    Purge {
        /// The recording.
        recording_id: i64,
        /// Confirms the deletion.
        #[arg(short = 'y', long)]
        yes: bool,
    },
}
