//! Read-only commands: `describe`, `dump`, `errors`, `pid`, `count-entries`, `max-entries`, `capacity`.

use std::fmt::Write;

use serde_json::{json, Value};

use crate::storage::error_log::{read_records, ErrorRecord};
use crate::storage::frame;
use crate::storage::mark_file::{epoch_ms, MarkFileHeader};
use crate::storage::segment::{RecordingLayout, SegmentReader};
use crate::storage::StorageError;

use super::archive::ArchiveDir;
use super::catalog_file::{CatalogFile, Entry, EntryState};
use super::format;
use super::{Report, ToolError};

fn mark_file_text(out: &mut String, dir: &ArchiveDir, mark: &Result<MarkFileHeader, ToolError>) {
    let path = dir.mark_file_path();
    match mark {
        Err(e) => {
            let _ = writeln!(out, "Mark file: {}: {e}", path.display());
        }
        Ok(h) => {
            let activity = if h.activity_timestamp == -1 {
                "-1 (stopped cleanly)".to_owned()
            } else {
                format!(
                    "{} ({})",
                    h.activity_timestamp,
                    format::timestamp(h.activity_timestamp)
                )
            };
            let running = if h.may_be_running(epoch_ms()) {
                "yes"
            } else {
                "no"
            };
            let _ = writeln!(out, "Mark file: {}", path.display());
            let _ = writeln!(
                out,
                "  version={} pid={} archiveId={} running={running}",
                format::version(h.version),
                h.pid,
                h.archive_id
            );
            let _ = writeln!(
                out,
                "  startTimestamp={} ({}) activityTimestamp={activity}",
                h.start_timestamp,
                format::timestamp(h.start_timestamp)
            );
            let _ = writeln!(
                out,
                "  controlChannel={} controlStreamId={}",
                h.control_channel, h.control_stream_id
            );
            let _ = writeln!(
                out,
                "  localControlChannel={} localControlStreamId={}",
                h.local_control_channel, h.local_control_stream_id
            );
            let _ = writeln!(
                out,
                "  eventsChannel={} eventsStreamId={}",
                h.events_channel, h.events_stream_id
            );
            let _ = writeln!(out, "  aeronDirectory={}", h.aeron_directory);
            let _ = writeln!(
                out,
                "  headerLength={} errorBufferLength={}",
                h.header_length, h.error_buffer_length
            );
        }
    }
}

fn mark_file_json(dir: &ArchiveDir, mark: &Result<MarkFileHeader, ToolError>) -> Value {
    let path = dir.mark_file_path().display().to_string();
    match mark {
        Err(e) => json!({ "path": path, "error": e.to_string() }),
        Ok(h) => json!({
            "path": path,
            "version": format::version(h.version),
            "pid": h.pid,
            "archiveId": h.archive_id,
            "running": h.may_be_running(epoch_ms()),
            "startTimestamp": h.start_timestamp,
            "activityTimestamp": h.activity_timestamp,
            "controlChannel": h.control_channel,
            "controlStreamId": h.control_stream_id,
            "localControlChannel": h.local_control_channel,
            "localControlStreamId": h.local_control_stream_id,
            "eventsChannel": h.events_channel,
            "eventsStreamId": h.events_stream_id,
            "aeronDirectory": h.aeron_directory,
            "headerLength": h.header_length,
            "errorBufferLength": h.error_buffer_length,
        }),
    }
}

/// One entry on one line: its state, then its descriptor (or why it does not decode).
pub fn entry_text(e: &Entry) -> String {
    match &e.descriptor {
        Some(d) => format!("{} {}", e.state.name(), format::descriptor(d)),
        None => format!(
            "{} recordingId={}: descriptor cannot be decoded (entry at offset {}, length {})",
            e.state.name(),
            e.id(),
            e.offset,
            e.length
        ),
    }
}

/// One entry as JSON.
pub fn entry_json(e: &Entry) -> Value {
    let mut v = json!({ "recordingId": e.id(), "state": e.state.name(), "offset": e.offset, "length": e.length, "checksum": e.checksum });
    match &e.descriptor {
        Some(d) => v["descriptor"] = format::descriptor_json(d),
        None => v["error"] = json!("descriptor cannot be decoded"),
    }
    v
}

fn catalog_text(out: &mut String, c: &CatalogFile) {
    let count = |s: EntryState| c.entries.iter().filter(|e| e.state == s).count();
    let _ = writeln!(out, "Catalog: {}", c.path().display());
    let _ = writeln!(
        out,
        "  version={} capacity={} nextRecordingId={} alignment={} entries={} (VALID {}, INVALID {}, DELETED {})",
        format::version(c.version),
        c.capacity(),
        c.next_recording_id,
        c.alignment,
        c.entries.len(),
        count(EntryState::Valid),
        count(EntryState::Invalid),
        count(EntryState::Deleted)
    );
    for p in &c.problems {
        let _ = writeln!(out, "  ERR: {p}");
    }
}

fn catalog_json(c: &CatalogFile, entries: &[&Entry]) -> Value {
    json!({
        "path": c.path().display().to_string(),
        "version": format::version(c.version),
        "capacity": c.capacity(),
        "nextRecordingId": c.next_recording_id,
        "alignment": c.alignment,
        "entryCount": c.entries.len(),
        "problems": c.problems,
        "entries": entries.iter().map(|e| entry_json(e)).collect::<Vec<_>>(),
    })
}

/// `describe [id] [--all]`: the mark file, the catalog header and the descriptors of the valid entries (all
/// entries with `--all`); with a recording id, only that entry's descriptor, whatever its state.
pub fn describe(
    dir: &ArchiveDir,
    recording_id: Option<i64>,
    all: bool,
) -> Result<Report, ToolError> {
    let catalog = CatalogFile::open(dir.path(), false, false)?;
    if let Some(id) = recording_id {
        let i = catalog.find(id).ok_or(ToolError::UnknownRecording(id))?;
        let e = &catalog.entries[i];
        return Ok(Report::new(format!("{}\n", entry_text(e)), entry_json(e)));
    }
    let mark = dir.mark_file();
    let mut text = String::new();
    mark_file_text(&mut text, dir, &mark);
    catalog_text(&mut text, &catalog);
    let shown: Vec<&Entry> = catalog
        .entries
        .iter()
        .filter(|e| all || e.state == EntryState::Valid)
        .collect();
    for e in &shown {
        let _ = writeln!(text, "{}", entry_text(e));
    }
    let json = json!({ "markFile": mark_file_json(dir, &mark), "catalog": catalog_json(&catalog, &shown) });
    Ok(Report::new(text, json))
}

fn frame_flags(flags: u8) -> &'static str {
    match flags & 0xC0 {
        0xC0 => "UNFRAGMENTED",
        0x80 => "BEGIN_FRAGMENT",
        0x40 => "END_FRAGMENT",
        _ => "MIDDLE_FRAGMENT",
    }
}

fn hex_lines(out: &mut String, bytes: &[u8]) {
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(out, "    {:08x}  {}", i * 16, hex.join(" "));
    }
}

/// `dump [id] [--limit N] [--hex]`: every entry's descriptor; with a recording id, that recording's frames
/// from its start position to its stop position (to the end of the recorded frames if it is active).
pub fn dump(
    dir: &ArchiveDir,
    recording_id: Option<i64>,
    limit: u64,
    hex: bool,
) -> Result<Report, ToolError> {
    let catalog = CatalogFile::open(dir.path(), false, false)?;
    let Some(id) = recording_id else {
        let mut text = String::new();
        catalog_text(&mut text, &catalog);
        let all: Vec<&Entry> = catalog.entries.iter().collect();
        for e in &all {
            let _ = writeln!(text, "{}", entry_text(e));
        }
        return Ok(Report::new(
            text,
            json!({ "catalog": catalog_json(&catalog, &all) }),
        ));
    };
    let i = catalog.find(id).ok_or(ToolError::UnknownRecording(id))?;
    let e = &catalog.entries[i];
    let mut text = format!("{}\n", entry_text(e));
    let mut frames = Vec::new();
    let mut error = None;
    if let Some(d) = &e.descriptor {
        let layout = RecordingLayout::of(d);
        if !crate::storage::recovery::valid_layout(&layout) {
            error = Some(format!(
                "invalid layout: termBufferLength={} segmentFileLength={}",
                d.term_buffer_length, d.segment_file_length
            ));
        } else {
            let mut reader = SegmentReader::new(dir.path(), layout);
            let mut position = d.start_position;
            let end = if d.stop_position == -1 {
                i64::MAX
            } else {
                d.stop_position
            };
            let mut header = [0u8; frame::HEADER_LENGTH];
            while position < end && (frames.len() as u64) < limit {
                if !reader.segment_exists(position) {
                    if d.stop_position != -1 {
                        let base = layout.segment_base(position);
                        error = Some(format!(
                            "missing segment file {id}-{base}.rec at position {position}"
                        ));
                    }
                    break;
                }
                let n = reader.read_at(position, &mut header)?;
                let length = frame::frame_length(&header[..n]).unwrap_or(0);
                if n < header.len() || length <= 0 {
                    if d.stop_position != -1 {
                        error = Some(format!(
                            "no frame at position {position} (stopPosition={})",
                            d.stop_position
                        ));
                    }
                    break;
                }
                if i64::from(length) > layout.term_length {
                    error = Some(format!(
                        "frame at position {position} has length {length}, more than a term"
                    ));
                    break;
                }
                let frame_type = frame::frame_type(&header).unwrap_or(0);
                let flags = header[frame::offset::FLAGS];
                let kind = match frame_type {
                    frame::TYPE_PAD => "PAD",
                    frame::TYPE_DATA => "DATA",
                    _ => "OTHER",
                };
                let _ = writeln!(
                    text,
                    "  frame position={position} length={length} type={kind} flags={} termOffset={} termId={} \
                     sessionId={} streamId={}",
                    frame_flags(flags),
                    frame::term_offset(&header).unwrap_or(0),
                    frame::term_id(&header).unwrap_or(0),
                    frame::session_id(&header).unwrap_or(0),
                    frame::stream_id(&header).unwrap_or(0)
                );
                if hex && frame_type == frame::TYPE_DATA && length as usize > frame::HEADER_LENGTH {
                    let mut payload = vec![0u8; length as usize - frame::HEADER_LENGTH];
                    let got =
                        reader.read_at(position + frame::HEADER_LENGTH as i64, &mut payload)?;
                    hex_lines(&mut text, &payload[..got]);
                }
                frames.push(json!({
                    "position": position,
                    "length": length,
                    "type": kind,
                    "flags": frame_flags(flags),
                    "termOffset": frame::term_offset(&header).unwrap_or(0),
                    "termId": frame::term_id(&header).unwrap_or(0),
                    "sessionId": frame::session_id(&header).unwrap_or(0),
                    "streamId": frame::stream_id(&header).unwrap_or(0),
                }));
                position += frame::align(i64::from(length));
            }
        }
    }
    if let Some(err) = &error {
        let _ = writeln!(text, "  ERR: {err}");
    }
    let _ = writeln!(text, "{} frame(s)", frames.len());
    let json = json!({ "entry": entry_json(e), "frames": frames, "error": error });
    Ok(Report::new(text, json))
}

fn error_record_text(out: &mut String, count: i32, first: i64, last: i64, text: &str) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{count} observations from {} to {} for:",
        format::timestamp(first),
        format::timestamp(last)
    );
    let _ = writeln!(out, "{text}");
}

fn error_log_text(out: &mut String, records: &[ErrorRecord]) {
    for r in records {
        error_record_text(
            out,
            r.observation_count,
            r.first_observation_timestamp,
            r.last_observation_timestamp,
            &r.text,
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{} distinct errors observed.", records.len());
}

fn record_json(count: i32, first: i64, last: i64, text: &str) -> Value {
    json!({ "observationCount": count, "firstObservationTimestamp": first, "lastObservationTimestamp": last, "error": text })
}

/// `errors`: the archive's distinct error log (in the mark file), then the media driver's (from the CnC file
/// in the mark file's Aeron directory), in the form of Java's `CommonContext.printErrorLog` (UTC times).
pub fn errors(dir: &ArchiveDir) -> Result<Report, ToolError> {
    let header = dir.mark_file()?;
    let path = dir.mark_file_path();
    let bytes = std::fs::read(&path).map_err(|source| StorageError::Io {
        path: path.clone(),
        source,
    })?;
    let start = header.header_length.max(0) as usize;
    let end = start
        .saturating_add(header.error_buffer_length.max(0) as usize)
        .min(bytes.len());
    let records = read_records(bytes.get(start..end).unwrap_or(&[]));
    let mut text = String::from("Archive error log:\n");
    error_log_text(&mut text, &records);
    let _ = writeln!(text);
    let _ = writeln!(
        text,
        "Aeron driver error log (directory: {}):",
        header.aeron_directory
    );
    let mut driver = Vec::new();
    let driver_error = match rusteron_client::AeronCnc::new(&header.aeron_directory, 100) {
        Ok(cnc) => {
            let mut out = String::new();
            {
                let mut handler = rusteron_client::AeronErrorLogReaderFuncClosure::from(
                    |count: i32, first: i64, last: i64, error: &str| {
                        error_record_text(&mut out, count, first, last, error);
                        driver.push(record_json(count, first, last, error));
                    },
                );
                cnc.error_log_read(&mut handler, 0);
            }
            text.push_str(&out);
            let _ = writeln!(text);
            let _ = writeln!(text, "{} distinct errors observed.", driver.len());
            None
        }
        Err(e) => {
            let _ = writeln!(text, "not available: {e}");
            Some(e.to_string())
        }
    };
    let json = json!({
        "archive": records.iter().map(|r| record_json(r.observation_count, r.first_observation_timestamp, r.last_observation_timestamp, &r.text)).collect::<Vec<_>>(),
        "aeronDirectory": header.aeron_directory,
        "driver": driver,
        "driverError": driver_error,
    });
    Ok(Report::new(text, json))
}

/// `pid`: the pid in the mark file.
pub fn pid(dir: &ArchiveDir) -> Result<Report, ToolError> {
    let pid = dir.mark_file()?.pid;
    Ok(Report::new(format!("{pid}\n"), json!({ "pid": pid })))
}

/// `count-entries`: the number of VALID entries.
pub fn count_entries(dir: &ArchiveDir) -> Result<Report, ToolError> {
    let catalog = CatalogFile::open(dir.path(), false, false)?;
    let n = catalog
        .entries
        .iter()
        .filter(|e| e.state == EntryState::Valid)
        .count();
    Ok(Report::new(format!("{n}\n"), json!({ "entries": n })))
}

/// `max-entries`: deprecated in Java, which only prints this.
pub fn max_entries() -> Report {
    let msg = "max-entries is deprecated please use capacity.";
    Report::new(format!("{msg}\n"), json!({ "deprecated": msg }))
}

/// `capacity`: the catalog file's length in bytes.
pub fn capacity(dir: &ArchiveDir) -> Result<Report, ToolError> {
    let catalog = CatalogFile::open(dir.path(), false, false)?;
    let c = catalog.capacity();
    Ok(Report::new(format!("{c}\n"), json!({ "capacity": c })))
}
