//! Commands that change files: `capacity <bytes>`, `checksum`, `mark-valid`, `mark-invalid`, `compact`,
//! `delete-orphaned-segments`, `migrate`, `truncate`, `purge`. Each refuses while an archive is running on
//! the directory; the ones that delete data need `--yes`.

use std::fmt::Write;
use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::Path;

use serde_json::json;

use crate::storage::catalog::{ALIGNMENT, CATALOG_VERSION, DESCRIPTOR_HEADER_LENGTH};
use crate::storage::checksum::Checksum;
use crate::storage::frame;
use crate::storage::positions::segment_base_position;
use crate::storage::truncate::{truncate_segments, TruncateError};
use crate::storage::{StorageError, SyncLevel};

use super::archive::{ArchiveDir, SegmentFile};
use super::catalog_file::{CatalogFile, EntryState};
use super::format;
use super::{io, Report, ToolError};

fn open_for_change(dir: &ArchiveDir, command: &str) -> Result<CatalogFile, ToolError> {
    dir.ensure_stopped(command)?;
    CatalogFile::open(dir.path(), true, false)
}

fn confirm(yes: bool, what: &str) -> Result<(), ToolError> {
    if yes {
        Ok(())
    } else {
        Err(ToolError::NotConfirmed(what.to_owned()))
    }
}

fn delete(dir: &ArchiveDir, name: &str) -> Result<(), ToolError> {
    let path = dir.path().join(name);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(&path)(e)),
    }
}

/// `capacity <bytes>`: grows the catalog file (a smaller value changes nothing) and prints the capacity.
pub fn grow_capacity(dir: &ArchiveDir, bytes: u64) -> Result<Report, ToolError> {
    let mut catalog = open_for_change(dir, "capacity")?;
    let c = catalog.grow(bytes)?;
    catalog.sync()?;
    Ok(Report::new(format!("{c}\n"), json!({ "capacity": c })))
}

/// `mark-valid` / `mark-invalid`: INVALID -> VALID or VALID -> INVALID (Java's transitions; already in the
/// target state: nothing printed, nothing changed).
pub fn mark(dir: &ArchiveDir, recording_id: i64, valid: bool) -> Result<Report, ToolError> {
    let mut catalog = open_for_change(dir, if valid { "mark-valid" } else { "mark-invalid" })?;
    let i = catalog
        .find(recording_id)
        .ok_or(ToolError::UnknownRecording(recording_id))?;
    let (expected, target) = if valid {
        (EntryState::Invalid, EntryState::Valid)
    } else {
        (EntryState::Valid, EntryState::Invalid)
    };
    let current = catalog.entries[i].state;
    let mut text = String::new();
    if current != target {
        if current != expected {
            return Err(ToolError::StateTransition {
                recording_id,
                from: current.name(),
                to: target.name(),
            });
        }
        catalog.set_state(i, target)?;
        catalog.sync()?;
        let _ = writeln!(
            text,
            "(recordingId={recording_id}) changed state to {}",
            target.name()
        );
    }
    let json = json!({ "recordingId": recording_id, "stateBefore": current.name(), "stateAfter": target.name() });
    Ok(Report::new(text, json))
}

/// Walks the frames of one segment file from `first_offset` while lengths are positive, writing each data
/// frame's checksum into its session id field. Returns the number of frames stamped.
fn stamp_segment(path: &Path, first_offset: i64, checksum: Checksum) -> Result<u64, ToolError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io(path))?;
    let size = file.metadata().map_err(io(path))?.len() as i64;
    let mut offset = first_offset;
    let mut header = [0u8; frame::HEADER_LENGTH];
    let mut data = Vec::new();
    let mut stamped = 0;
    while offset + frame::HEADER_LENGTH as i64 <= size {
        file.read_exact_at(&mut header, offset as u64)
            .map_err(io(path))?;
        let length = frame::frame_length(&header).unwrap_or(0);
        if length <= 0 {
            break;
        }
        let aligned = frame::align(i64::from(length));
        if frame::frame_type(&header) == Some(frame::TYPE_DATA) {
            if offset + aligned > size {
                return Err(ToolError::Storage(StorageError::Corrupt {
                    path: path.to_path_buf(),
                    what: format!(
                        "frame at offset {offset} ({aligned} bytes) runs past the end of the file"
                    ),
                }));
            }
            data.resize(aligned as usize, 0);
            file.read_exact_at(&mut data, offset as u64)
                .map_err(io(path))?;
            let value = checksum.of_frame(&data, data.len());
            file.write_all_at(
                &value.to_le_bytes(),
                (offset + frame::offset::SESSION_ID as i64) as u64,
            )
            .map_err(io(path))?;
            stamped += 1;
        }
        offset += aligned;
    }
    file.sync_data().map_err(io(path))?;
    Ok(stamped)
}

/// `checksum <algorithm> [id] [-a]`: Java's `ArchiveTool checksum`: every data frame of the last (or every)
/// segment file of each entry (or one) gets its checksum in its session id field, and each descriptor header
/// the checksum of its body.
pub fn checksum(
    dir: &ArchiveDir,
    checksum: Checksum,
    recording_id: Option<i64>,
    all: bool,
) -> Result<Report, ToolError> {
    let mut catalog = open_for_change(dir, "checksum")?;
    let segments = dir.segment_files()?;
    let targets: Vec<usize> = match recording_id {
        Some(id) => vec![catalog.find(id).ok_or(ToolError::UnknownRecording(id))?],
        None => (0..catalog.entries.len()).collect(),
    };
    let mut text = String::new();
    let mut out = Vec::new();
    for i in targets {
        let id = catalog.entries[i].id();
        let Some(d) = catalog.entries[i].descriptor.clone() else {
            let _ = writeln!(text, "(recordingId={id}) ERR: descriptor cannot be decoded");
            out.push(json!({ "recordingId": id, "error": "descriptor cannot be decoded" }));
            continue;
        };
        catalog.stamp_checksum(i, checksum)?;
        let files: Vec<&SegmentFile> = segments
            .get(&id)
            .map(|v| v.iter().filter(|s| s.base.is_some()).collect())
            .unwrap_or_default();
        let chosen: Vec<&SegmentFile> = if all {
            files
        } else {
            files.last().copied().into_iter().collect()
        };
        let term = i64::from(d.term_buffer_length).max(1);
        let start_term_base = d.start_position - (d.start_position & (term - 1));
        let mut frames = 0;
        let mut error = None;
        for s in &chosen {
            let base = s.base.unwrap_or(0);
            let first = if base == start_term_base {
                d.start_position - base
            } else {
                0
            };
            match stamp_segment(&dir.path().join(&s.name), first, checksum) {
                Ok(n) => frames += n,
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            }
        }
        match &error {
            None => {
                let _ = writeln!(
                    text,
                    "(recordingId={id}) checksums written: {frames} frame(s) in {} segment file(s)",
                    chosen.len()
                );
            }
            Some(e) => {
                let _ = writeln!(
                    text,
                    "(recordingId={id}) ERR: failed to compute checksums: {e}"
                );
            }
        }
        out.push(json!({ "recordingId": id, "frames": frames, "segmentFiles": chosen.len(), "error": error }));
    }
    catalog.sync()?;
    Ok(Report::new(text, json!({ "recordings": out })))
}

/// `compact --yes`: Java's compaction: entries that are not VALID leave the catalog (written anew and renamed
/// over the old one; its capacity stays) and their segment files are deleted.
pub fn compact(dir: &ArchiveDir, yes: bool) -> Result<Report, ToolError> {
    confirm(
        yes,
        "compact removes every non-VALID entry and deletes its segment files",
    )?;
    let mut catalog = open_for_change(dir, "compact")?;
    let segments = dir.segment_files()?;
    let mut keep = Vec::new();
    let (mut deleted, mut reclaimed) = (0usize, 0usize);
    let mut removed = Vec::new();
    let mut deleted_files = Vec::new();
    for (i, e) in catalog.entries.iter().enumerate() {
        if e.state == EntryState::Valid {
            keep.push(catalog.frame(i));
            continue;
        }
        deleted += 1;
        reclaimed += e.frame_length();
        removed.push(json!({ "recordingId": e.id(), "state": e.state.name() }));
        if let Some(id) = e.recording_id {
            for s in segments.get(&id).into_iter().flatten() {
                deleted_files.push(s.name.clone());
            }
        }
    }
    let version = catalog.version;
    catalog.replace(version, &keep, "compact")?;
    for name in &deleted_files {
        delete(dir, name)?;
    }
    let mut text = String::new();
    for name in &deleted_files {
        let _ = writeln!(text, "deleted {name}");
    }
    let _ = writeln!(
        text,
        "Compaction result: deleted {deleted} records and reclaimed {reclaimed} bytes"
    );
    let json = json!({ "deletedRecords": deleted, "reclaimedBytes": reclaimed, "removed": removed, "deletedFiles": deleted_files });
    Ok(Report::new(text, json))
}

/// `delete-orphaned-segments [id] --yes`: Java's: for each entry (or one), deletes its segment files whose
/// base is before the start position's segment or after the stop position's segment, and files of the
/// recording whose name has no valid position. Segment files of ids not in the catalog are left alone.
pub fn delete_orphaned_segments(
    dir: &ArchiveDir,
    recording_id: Option<i64>,
    yes: bool,
) -> Result<Report, ToolError> {
    confirm(
        yes,
        "delete-orphaned-segments deletes segment files outside each recording's range",
    )?;
    let catalog = open_for_change(dir, "delete-orphaned-segments")?;
    if let Some(id) = recording_id {
        catalog.find(id).ok_or(ToolError::UnknownRecording(id))?;
    }
    let segments = dir.segment_files()?;
    let mut deleted = Vec::new();
    for e in &catalog.entries {
        let (Some(id), Some(d)) = (e.recording_id, &e.descriptor) else {
            continue;
        };
        if recording_id.is_some_and(|r| r != id) {
            continue;
        }
        let (term, seg) = (
            i64::from(d.term_buffer_length),
            i64::from(d.segment_file_length),
        );
        if term <= 0
            || seg <= 0
            || !(term as u64).is_power_of_two()
            || !(seg as u64).is_power_of_two()
        {
            continue;
        }
        let min_base = segment_base_position(d.start_position, d.start_position, term, seg);
        let max_base = (d.stop_position != -1)
            .then(|| segment_base_position(d.start_position, d.stop_position, term, seg));
        for s in segments.get(&id).into_iter().flatten() {
            let orphan = match s.base {
                None => true,
                Some(b) => b < min_base || max_base.is_some_and(|m| b > m),
            };
            if orphan {
                delete(dir, &s.name)?;
                deleted.push(s.name.clone());
            }
        }
    }
    let mut text = String::new();
    for name in &deleted {
        let _ = writeln!(text, "deleted {name}");
    }
    let _ = writeln!(text, "deleted {} orphaned segment file(s)", deleted.len());
    Ok(Report::new(text, json!({ "deletedFiles": deleted })))
}

/// `migrate --yes`: reports the mark file and catalog versions; a catalog in the 2.x layout (no alignment in
/// its header, entries at 1024-byte alignment from offset 1024) is rewritten in the 3.x layout (32-byte
/// header, entries padded to 64 bytes), as Java's `ArchiveMigration_2_3`. A 3.x catalog needs nothing.
pub fn migrate(dir: &ArchiveDir, yes: bool) -> Result<Report, ToolError> {
    dir.ensure_stopped("migrate")?;
    let mut catalog = CatalogFile::open(dir.path(), true, true)?;
    let mut text = String::new();
    let mark_version = dir.mark_file().ok().map(|h| format::version(h.version));
    let _ = writeln!(
        text,
        "MarkFile version={}",
        mark_version.clone().unwrap_or_else(|| "unknown".into())
    );
    let _ = writeln!(text, "Catalog version={}", format::version(catalog.version));
    let _ = writeln!(text, "Latest version={}", format::version(CATALOG_VERSION));
    let major = catalog.version >> 16;
    let before = format::version(catalog.version);
    let migrated = match major {
        3 => {
            let _ = writeln!(text, "nothing to migrate");
            false
        }
        2 => {
            confirm(
                yes,
                "migrate rewrites the catalog; take a backup of the archive directory first",
            )?;
            let mut frames = Vec::new();
            for i in 0..catalog.entries.len() {
                let e = &catalog.entries[i];
                let Some(d) = &e.descriptor else {
                    return Err(ToolError::InvalidArgument(format!(
                        "catalog entry at offset {} cannot be decoded; nothing migrated",
                        e.offset
                    )));
                };
                let mut body = Vec::new();
                d.encode_body(&mut body);
                let length =
                    (DESCRIPTOR_HEADER_LENGTH + body.len()).div_ceil(ALIGNMENT) * ALIGNMENT;
                let mut f = vec![0u8; length];
                let old = catalog.frame(i);
                f[..DESCRIPTOR_HEADER_LENGTH].copy_from_slice(&old[..DESCRIPTOR_HEADER_LENGTH]);
                f[0..4]
                    .copy_from_slice(&((length - DESCRIPTOR_HEADER_LENGTH) as i32).to_le_bytes());
                f[DESCRIPTOR_HEADER_LENGTH..DESCRIPTOR_HEADER_LENGTH + body.len()]
                    .copy_from_slice(&body);
                frames.push(f);
            }
            catalog.replace(3 << 16, &frames, "updated")?;
            let _ = writeln!(
                text,
                "Migration step to 3.0.0: catalog rewritten, {} entries",
                frames.len()
            );
            true
        }
        _ => {
            return Err(ToolError::InvalidArgument(format!(
                "catalog version {before}: only 2.x catalogs can be migrated (to 3.0.0)"
            )))
        }
    };
    let json = json!({
        "markFileVersion": mark_version,
        "catalogVersionBefore": before,
        "catalogVersion": format::version(catalog.version),
        "latestVersion": format::version(CATALOG_VERSION),
        "migrated": migrated,
    });
    Ok(Report::new(text, json))
}

fn stopped_recording(catalog: &CatalogFile, recording_id: i64) -> Result<usize, ToolError> {
    let i = catalog
        .find(recording_id)
        .ok_or(ToolError::UnknownRecording(recording_id))?;
    let e = &catalog.entries[i];
    let Some(d) = &e.descriptor else {
        return Err(ToolError::InvalidArgument(format!(
            "(recordingId={recording_id}) descriptor cannot be decoded"
        )));
    };
    if e.state != EntryState::Valid {
        return Err(ToolError::InvalidArgument(format!(
            "(recordingId={recording_id}) is {}, not VALID",
            e.state.name()
        )));
    }
    if d.stop_position == -1 {
        return Err(ToolError::ActiveRecording(recording_id));
    }
    Ok(i)
}

/// `truncate <id> <position> --yes`: as the archive's TruncateRecording on a stopped archive (the files:
/// [`truncate_segments`], the cut segment fsynced): the position must be a frame boundary in [start, stop];
/// the segment holding it is cut there (and re-extended), later segment files are deleted, and the stop
/// position is set (the descriptor checksum recomputed if it has one).
pub fn truncate(
    dir: &ArchiveDir,
    recording_id: i64,
    position: i64,
    yes: bool,
) -> Result<Report, ToolError> {
    confirm(yes, "truncate deletes the recorded data after the position")?;
    let mut catalog = open_for_change(dir, "truncate")?;
    let i = stopped_recording(&catalog, recording_id)?;
    let d = catalog.entries[i].descriptor.clone().expect("checked");
    let stop = d.stop_position;
    let files = dir
        .segment_files()?
        .remove(&recording_id)
        .unwrap_or_default();
    let bases: Vec<i64> = files.iter().filter_map(|s| s.base).collect();
    let delete_bases =
        truncate_segments(dir.path(), &d, position, &bases, SyncLevel::DataAndMetadata).map_err(
            |e| match e {
                TruncateError::Storage(e) => ToolError::Storage(e),
                e => ToolError::InvalidArgument(e.to_string()),
            },
        )?;
    let delete_names: Vec<String> = files
        .into_iter()
        .filter(|s| s.base.is_some_and(|b| delete_bases.contains(&b)))
        .map(|s| s.name)
        .collect();
    let checksum = catalog.detect_checksum(i);
    let stop_timestamp = d.stop_timestamp;
    catalog.set_stop(i, position, stop_timestamp)?;
    if let Some(c) = checksum {
        catalog.stamp_checksum(i, c)?;
    }
    catalog.sync()?;
    for name in &delete_names {
        delete(dir, name)?;
    }
    let text = format!(
        "(recordingId={recording_id}) truncated: stopPosition {stop} -> {position}, deleted {} segment file(s)\n",
        delete_names.len()
    );
    let json = json!({ "recordingId": recording_id, "stopPositionBefore": stop, "stopPosition": position, "deletedFiles": delete_names });
    Ok(Report::new(text, json))
}

/// `purge <id> --yes`: as the archive's PurgeRecording on a stopped archive: the entry is marked DELETED and
/// every segment file of the recording is deleted.
pub fn purge(dir: &ArchiveDir, recording_id: i64, yes: bool) -> Result<Report, ToolError> {
    confirm(yes, "purge deletes the recording's segment files")?;
    let mut catalog = open_for_change(dir, "purge")?;
    let i = stopped_recording(&catalog, recording_id)?;
    catalog.set_state(i, EntryState::Deleted)?;
    catalog.sync()?;
    let files = dir
        .segment_files()?
        .remove(&recording_id)
        .unwrap_or_default();
    let names: Vec<String> = files.into_iter().map(|s| s.name).collect();
    for name in &names {
        delete(dir, name)?;
    }
    let text = format!(
        "(recordingId={recording_id}) purged: state DELETED, deleted {} segment file(s)\n",
        names.len()
    );
    Ok(Report::new(
        text,
        json!({ "recordingId": recording_id, "state": "DELETED", "deletedFiles": names }),
    ))
}
