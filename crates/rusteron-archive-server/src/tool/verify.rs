//! `verify`: Java's `ArchiveTool verify` with a stronger contract. Per recording: VALID or INVALID with the
//! reason. Faulty recordings are marked INVALID; a recording left active by a crash (stop position NULL) gets
//! the stop position the archive's recovery would give it, a torn last frame being cut off as the recovery
//! does; what recovery cut at an earlier start is reported from the recovery log. `--dry-run` only reports.
//!
//! Checks, in order (Java's, then this tool's additions marked +):
//! 1. state: only VALID and INVALID entries are verified; an undecodable descriptor (+) is INVALID;
//! 2. positions: start not negative, start and stop frame aligned, stop not before start;
//! 3. layout (+): term and segment lengths powers of two;
//! 4. segment file names parse, and the positions do not exceed the last segment file;
//! 5. with `--checksum`, the descriptor's checksum;
//! 6. the stop position: recomputed from the last segment file as recovery does; for a recording with a
//!    stop position, data ending before it (+) or a torn frame below it (+) is INVALID;
//! 7. (+) every segment file between the start and the stop position exists and is long enough;
//! 8. the frames of the last (or with `-a` every) segment file up to the stop position: positive lengths,
//!    term offset, term id and stream id as expected, and with `--checksum` each data frame's checksum.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::fs::File;
use std::os::unix::fs::FileExt;

use serde_json::{json, Value};

use crate::storage::catalog::RecordingDescriptor;
use crate::storage::checksum::Checksum;
use crate::storage::frame;
use crate::storage::mark_file::epoch_ms;
use crate::storage::positions::{segment_file_name, term_id};
use crate::storage::recovery::{
    append_recovery_log, cut_torn_frame, read_recovery_log, scan_stop, valid_layout,
    RecoveryLogEntry, TornFrame,
};
use crate::storage::segment::RecordingLayout;
use crate::storage::SyncLevel;

use super::archive::{ArchiveDir, SegmentFile};
use super::catalog_file::{CatalogFile, Entry, EntryState};
use super::format;
use super::{Report, ToolError};

/// What `verify` checks and whether it may change files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Only this recording.
    pub recording_id: Option<i64>,
    /// Walk every segment file, not only the last one.
    pub all_segments: bool,
    /// Check data frame and descriptor checksums with this algorithm.
    pub checksum: Option<Checksum>,
    /// Report only.
    pub dry_run: bool,
}

/// The verdict on one recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Passed every check.
    Valid,
    /// Failed a check (the first failure is the reason).
    Invalid,
    /// Not verified (a DELETED or unknown state).
    Skipped,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Valid => "VALID",
            Status::Invalid => "INVALID",
            Status::Skipped => "SKIPPED",
        }
    }
}

/// What verification found for one recording (before anything is changed).
#[derive(Debug, Clone, Default)]
struct Findings {
    errors: Vec<String>,
    notes: Vec<String>,
    skipped: Option<String>,
    computed_stop: Option<i64>,
    /// Stop position to write (the recording was active).
    new_stop: Option<i64>,
    /// Torn last frame of an active recording, cut when the stop position is written.
    torn: Option<(TornFrame, i64)>,
    /// Torn frame reported only (below a recorded stop position).
    torn_below_stop: Option<TornFrame>,
    /// The descriptor checksum only predates a recovered stop position.
    stale_checksum: bool,
    segments_checked: u64,
    frames_checked: u64,
    bytes_checked: i64,
}

fn torn_text(t: &TornFrame) -> String {
    format!(
        "torn last frame at position {} ({} bytes) in {}",
        t.position, t.length, t.segment_file
    )
}

fn torn_json(t: &TornFrame, action: &str) -> Value {
    json!({ "segmentFile": t.segment_file, "position": t.position, "length": t.length, "action": action })
}

/// Checks one entry; changes nothing.
fn check(
    dir: &ArchiveDir,
    catalog: &CatalogFile,
    index: usize,
    files: &[SegmentFile],
    opts: &VerifyOptions,
) -> Result<Findings, ToolError> {
    let e: &Entry = &catalog.entries[index];
    let mut f = Findings::default();
    if !matches!(e.state, EntryState::Valid | EntryState::Invalid) {
        f.skipped = Some(format!("skipping: {}", e.state.name()));
        return Ok(f);
    }
    let Some(d) = &e.descriptor else {
        f.errors.push(format!(
            "descriptor cannot be decoded (catalog offset {}, length {})",
            e.offset, e.length
        ));
        return Ok(f);
    };
    let (start, stop) = (d.start_position, d.stop_position);
    let aligned = |p: i64| p & (frame::FRAME_ALIGNMENT - 1) == 0;
    if start < 0 {
        f.errors.push(format!("Negative startPosition={start}"));
    } else if !aligned(start) {
        f.errors.push(format!("Non-aligned startPosition={start}"));
    } else if stop != -1 && stop < start {
        f.errors.push(format!(
            "Invariant violation stopPosition={stop} is before startPosition={start}"
        ));
    } else if stop != -1 && !aligned(stop) {
        f.errors.push(format!("Non-aligned stopPosition={stop}"));
    }
    let layout = RecordingLayout::of(d);
    if f.errors.is_empty() && !valid_layout(&layout) {
        f.errors.push(format!(
            "invalid layout: termBufferLength={} segmentFileLength={}",
            d.term_buffer_length, d.segment_file_length
        ));
    }
    if let Some(bad) = files.iter().find(|s| s.base.is_none_or(|b| b < 0)) {
        f.errors.push(format!(
            "invalid position encoded in the segment file name: {}",
            bad.name
        ));
    }
    if !f.errors.is_empty() {
        return Ok(f);
    }
    let seg_len = layout.segment_length;
    let max_base = files.last().and_then(|s| s.base);
    if let Some(max_base) = max_base {
        let end = max_base + seg_len;
        if start > end || stop > end {
            f.errors.push(format!(
                "Invariant violation: startPosition={start} and/or stopPosition={stop} exceed the end of the last \
                 segment file (position {end})"
            ));
            return Ok(f);
        }
    }
    if let Some(checksum) = opts.checksum {
        let computed = catalog.compute_checksum(index, checksum);
        if computed != e.checksum {
            if stale_after_recovery(catalog, index, checksum) {
                f.stale_checksum = true;
                f.notes.push(
                    "descriptor checksum was made before recovery set the stop position".to_owned(),
                );
            } else {
                f.errors.push(format!(
                    "invalid Catalog checksum: expected={computed}, actual={}",
                    e.checksum
                ));
                return Ok(f);
            }
        }
    }

    let scan = scan_stop(dir.path(), &layout, opts.checksum)?;
    f.computed_stop = Some(scan.stop_position);
    let effective_stop = if stop == -1 {
        if let (Some(t), Some(base)) = (scan.torn.clone(), scan.last_segment_base) {
            f.torn = Some((t, base));
        }
        f.new_stop = Some(scan.stop_position);
        scan.stop_position
    } else {
        match scan.torn.clone() {
            Some(t) if t.position < stop => {
                f.errors.push(format!(
                    "{} is incomplete, below stopPosition={stop}",
                    torn_text(&t)
                ));
                f.torn_below_stop = Some(t);
                return Ok(f);
            }
            _ if scan.stop_position < stop && max_base.is_some() => {
                f.errors.push(format!(
                    "recorded data ends at position {}, before stopPosition={stop}",
                    scan.stop_position
                ));
            }
            _ if scan.stop_position > stop => {
                f.notes.push(format!(
                    "frames past stopPosition={stop} up to position {} are ignored",
                    scan.stop_position
                ));
            }
            _ => {}
        }
        stop
    };

    // Every segment file holding positions in [start, stop) must exist and hold them.
    let by_base: BTreeMap<i64, &SegmentFile> =
        files.iter().filter_map(|s| Some((s.base?, s))).collect();
    let first_base = layout.segment_base(start);
    if effective_stop > start {
        let last_needed = layout.segment_base(effective_stop - 1);
        let mut base = first_base;
        while base <= last_needed {
            match by_base.get(&base) {
                None => f.errors.push(format!(
                    "missing segment file {}",
                    segment_file_name(d.recording_id, base)
                )),
                Some(s) => {
                    let needed = (effective_stop - base).min(seg_len);
                    let path = dir.path().join(&s.name);
                    let size = std::fs::metadata(&path)
                        .map_err(|source| crate::storage::StorageError::Io {
                            path: path.clone(),
                            source,
                        })?
                        .len() as i64;
                    if size < needed {
                        f.errors.push(format!(
                            "segment file {} is truncated: {size} bytes, positions up to {} need {needed}",
                            s.name,
                            base + needed
                        ));
                    }
                }
            }
            base += seg_len;
        }
    }
    if !f.errors.is_empty() {
        return Ok(f);
    }

    // Frame walk of the last (or every) segment file, up to the stop position.
    let walk: Vec<i64> = if opts.all_segments {
        by_base
            .keys()
            .copied()
            .filter(|b| *b >= first_base && *b < effective_stop.max(start + 1))
            .collect()
    } else {
        max_base.filter(|b| *b >= first_base).into_iter().collect()
    };
    for base in walk {
        f.segments_checked += 1;
        if let Err(err) = walk_segment(dir, d, &layout, base, effective_stop, opts.checksum, &mut f)
        {
            f.errors.push(err);
            break;
        }
    }
    Ok(f)
}

/// `true` if the stored descriptor checksum is the checksum of the body with a NULL stop position and stop
/// timestamp: recovery set them without recomputing it, as Java's catalog refresh does.
fn stale_after_recovery(catalog: &CatalogFile, index: usize, checksum: Checksum) -> bool {
    let mut body = catalog.body(index).to_vec();
    if body.len() < 56 {
        return false;
    }
    body[32..40].copy_from_slice(&(-1i64).to_le_bytes());
    body[48..56].copy_from_slice(&(-1i64).to_le_bytes());
    checksum.compute(&body) == catalog.entries[index].checksum
}

/// Walks the frames of the segment at `base` from its first frame to `stop` (or its end).
fn walk_segment(
    dir: &ArchiveDir,
    d: &RecordingDescriptor,
    layout: &RecordingLayout,
    base: i64,
    stop: i64,
    checksum: Option<Checksum>,
    f: &mut Findings,
) -> Result<(), String> {
    let name = segment_file_name(d.recording_id, base);
    let path = dir.path().join(&name);
    let file = File::open(&path).map_err(|e| format!("failed to open segment file {name}: {e}"))?;
    let start_term_base = d.start_position - (d.start_position & (layout.term_length - 1));
    let mut position = if base == start_term_base {
        d.start_position
    } else {
        base
    };
    let end = (base + layout.segment_length).min(stop);
    let mut header = [0u8; frame::HEADER_LENGTH];
    let mut data = Vec::new();
    while position < end {
        let offset = (position - base) as u64;
        let n =
            read_full(&file, &mut header, offset).map_err(|e| format!("reading {name}: {e}"))?;
        if n < header.len() {
            return Err(format!(
                "failed to read fragment header at position {position} in {name}"
            ));
        }
        let length = frame::frame_length(&header).unwrap_or(0);
        if length <= 0 {
            return Err(format!(
                "no frame at position {position} in {name}, below stopPosition={stop}"
            ));
        }
        let expected_offset = (position & (layout.term_length - 1)) as i32;
        let expected_term = term_id(position, d.initial_term_id, layout.term_length);
        let (got_offset, got_term, got_stream) = (
            frame::term_offset(&header).unwrap_or(0),
            frame::term_id(&header).unwrap_or(0),
            frame::stream_id(&header).unwrap_or(0),
        );
        if got_offset != expected_offset || got_term != expected_term || got_stream != d.stream_id {
            return Err(format!(
                "fragment termOffset={got_offset} (expected={expected_offset}), termId={got_term} \
                 (expected={expected_term}), streamId={got_stream} (expected={}) at position {position} in {name}",
                d.stream_id
            ));
        }
        let aligned = frame::align(i64::from(length));
        let is_data = frame::frame_type(&header) == Some(frame::TYPE_DATA);
        if is_data && position + aligned > end {
            return Err(format!(
                "frame at position {position} ({aligned} bytes) runs past position {end} in {name}"
            ));
        }
        if let (Some(checksum), true) = (checksum, is_data) {
            data.resize(aligned as usize, 0);
            let got =
                read_full(&file, &mut data, offset).map_err(|e| format!("reading {name}: {e}"))?;
            if got < data.len() {
                return Err(format!(
                    "failed to read {} byte(s) of data at position {} in {name}",
                    aligned as usize - frame::HEADER_LENGTH,
                    position + frame::HEADER_LENGTH as i64
                ));
            }
            if let Err(m) = checksum.verify_frame(&data, data.len()) {
                return Err(format!(
                    "checksum failed recorded={} (expected={}) at position {position} in {name}",
                    m.recorded, m.computed
                ));
            }
        }
        f.frames_checked += 1;
        f.bytes_checked += aligned.min(end - position);
        position += aligned;
    }
    Ok(())
}

fn read_full(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let n = file.read_at(&mut buf[done..], offset + done as u64)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// Runs `verify` (see the module docs).
pub fn verify(dir: &ArchiveDir, opts: &VerifyOptions) -> Result<Report, ToolError> {
    if !opts.dry_run {
        dir.ensure_stopped("verify")?;
    }
    let mut catalog = CatalogFile::open(dir.path(), !opts.dry_run, false)?;
    let segments = dir.segment_files()?;
    let history = read_recovery_log(dir.path())?;
    let targets: Vec<usize> = match opts.recording_id {
        Some(id) => vec![catalog.find(id).ok_or(ToolError::UnknownRecording(id))?],
        None => (0..catalog.entries.len()).collect(),
    };
    let now = epoch_ms();
    let mut text = String::new();
    let mut recordings = Vec::new();
    let mut log_entries = Vec::new();
    let (mut valid, mut invalid, mut skipped) = (0, 0, 0);
    for p in &catalog.problems {
        let _ = writeln!(text, "ERR: {p}");
    }
    for index in targets {
        let id = catalog.entries[index].id();
        let files = segments.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        let f = check(dir, &catalog, index, files, opts)?;
        let state_before = catalog.entries[index].state;
        let stop_before = catalog.entries[index]
            .descriptor
            .as_ref()
            .map(|d| d.stop_position);
        let mut notes = f.notes.clone();
        let would = if opts.dry_run { "would " } else { "" };
        let status = if f.skipped.is_some() {
            Status::Skipped
        } else if f.errors.is_empty() {
            Status::Valid
        } else {
            Status::Invalid
        };
        let mut torn = Value::Null;
        let mut state_after = state_before;
        match status {
            Status::Skipped => skipped += 1,
            Status::Invalid => {
                invalid += 1;
                if let Some(t) = &f.torn_below_stop {
                    torn = torn_json(t, "reported");
                }
                if state_before != EntryState::Invalid {
                    state_after = EntryState::Invalid;
                    notes.push(format!("{would}mark INVALID"));
                    if !opts.dry_run {
                        catalog.set_state(index, EntryState::Invalid)?;
                    }
                }
            }
            Status::Valid => {
                valid += 1;
                let restamp = catalog
                    .detect_checksum(index)
                    .or(opts.checksum.filter(|_| f.stale_checksum));
                let mut cut = None;
                if let Some((t, base)) = &f.torn {
                    notes.push(format!("{}cut {}", would, torn_text(t)));
                    torn = torn_json(t, if opts.dry_run { "would cut" } else { "cut" });
                    if !opts.dry_run {
                        let d = catalog.entries[index].descriptor.as_ref().expect("checked");
                        cut_torn_frame(
                            dir.path(),
                            &RecordingLayout::of(d),
                            *base,
                            t,
                            SyncLevel::Data,
                        )?;
                    }
                    cut = Some(t.clone());
                }
                if let Some(new_stop) = f.new_stop {
                    notes.push(format!("{would}set stopPosition -1 -> {new_stop}"));
                    if !opts.dry_run {
                        catalog.set_stop(index, new_stop, now)?;
                        if let Some(c) = restamp {
                            catalog.stamp_checksum(index, c)?;
                        }
                        log_entries.push(RecoveryLogEntry {
                            timestamp: now,
                            recording_id: id,
                            stop_position: new_stop,
                            cut,
                        });
                    }
                } else if f.stale_checksum && !opts.dry_run {
                    if let Some(c) = opts.checksum {
                        catalog.stamp_checksum(index, c)?;
                    }
                }
                if state_before == EntryState::Invalid && !files.is_empty() {
                    state_after = EntryState::Valid;
                    notes.push(format!("{would}mark VALID"));
                    if !opts.dry_run {
                        catalog.set_state(index, EntryState::Valid)?;
                    }
                }
            }
        }
        let past: Vec<&RecoveryLogEntry> =
            history.iter().filter(|h| h.recording_id == id).collect();
        for h in &past {
            let what = match &h.cut {
                Some(t) => format!("cut {}", torn_text(t)),
                None => "no frame cut".to_owned(),
            };
            notes.push(format!(
                "recovered at {}: stopPosition={}, {what}",
                format::timestamp(h.timestamp),
                h.stop_position
            ));
        }
        match (&f.skipped, status) {
            (Some(s), _) => {
                let _ = writeln!(text, "(recordingId={id}) {s}");
            }
            (None, Status::Valid) => {
                let _ = writeln!(text, "(recordingId={id}) OK");
            }
            _ => {
                for e in &f.errors {
                    let _ = writeln!(text, "(recordingId={id}) ERR: {e}");
                }
            }
        }
        for n in &notes {
            let _ = writeln!(text, "  {n}");
        }
        recordings.push(json!({
            "recordingId": id,
            "status": status.name(),
            "reason": f.errors.first(),
            "errors": f.errors,
            "notes": notes,
            "stateBefore": state_before.name(),
            "stateAfter": state_after.name(),
            "stopPosition": stop_before,
            "computedStopPosition": f.computed_stop,
            "newStopPosition": f.new_stop,
            "tornFrame": torn,
            "recoveryLog": past.iter().map(|h| json!({
                "timestamp": h.timestamp,
                "stopPosition": h.stop_position,
                "cut": h.cut.as_ref().map(|t| torn_json(t, "cut")),
            })).collect::<Vec<_>>(),
            "segmentsChecked": f.segments_checked,
            "framesChecked": f.frames_checked,
            "bytesChecked": f.bytes_checked,
        }));
    }
    if !opts.dry_run {
        catalog.sync()?;
        append_recovery_log(dir.path(), &log_entries)?;
    }
    let total = valid + invalid + skipped;
    let _ = writeln!(
        text,
        "verified {total} recording(s): {valid} VALID, {invalid} INVALID, {skipped} skipped{}",
        if opts.dry_run {
            " (dry run: nothing changed)"
        } else {
            ""
        }
    );
    let json = json!({
        "archiveDir": dir.path().display().to_string(),
        "dryRun": opts.dry_run,
        "allSegments": opts.all_segments,
        "checksum": opts.checksum.map(|c| match c { Checksum::Crc32 => "CRC-32", Checksum::Crc32c => "CRC-32C" }),
        "catalogProblems": catalog.problems,
        "recordings": recordings,
        "valid": valid,
        "invalid": invalid,
        "skipped": skipped,
    });
    let found_damage = invalid > 0 || !catalog.problems.is_empty();
    Ok(Report {
        text,
        json,
        found_damage,
    })
}
