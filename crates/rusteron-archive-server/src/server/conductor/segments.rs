//! Requests that change which segment files belong to a recording: truncate, purge, detach, delete
//! detached, purge segments, attach and migrate. File deletions run synchronously on the conductor; the OK
//! (with the number of files) is followed by the DELETE signal, as Java sends them.

use std::path::PathBuf;

use rusteron_archive_codecs::RecordingSignal;

use super::Conductor;
use crate::server::codes;
use crate::storage::catalog::RecordingDescriptor;
use crate::storage::frame;
use crate::storage::positions::{self, segment_file_name};
use crate::storage::segment::{list_segments, RecordingLayout, SegmentReader};
use crate::storage::truncate::{check_position, truncate_segments, TruncateError};
use crate::storage::StorageError;

impl Conductor {
    fn segment_path(&self, recording_id: i64, base: i64) -> PathBuf {
        self.config
            .archive_dir
            .join(segment_file_name(recording_id, base))
    }

    fn delete_files(&self, recording_id: i64, bases: &[i64]) {
        for base in bases {
            let path = self.segment_path(recording_id, *base);
            if let Err(e) = std::fs::remove_file(&path) {
                log::warn!("deleting {}: {e}", path.display());
            }
        }
    }

    fn ok_then_delete_signal(&mut self, csid: i64, corr: i64, recording_id: i64, count: i64) {
        self.ok(csid, corr, count);
        if let Some(s) = self.session(csid) {
            s.send_signal(corr, recording_id, -1, -1, RecordingSignal::Delete);
        }
    }

    fn segments_of(&mut self, csid: i64, corr: i64, recording_id: i64) -> Option<Vec<i64>> {
        match list_segments(&self.config.archive_dir, recording_id) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e.to_string());
                None
            }
        }
    }

    fn refuse_active(&mut self, csid: i64, corr: i64, d: &RecordingDescriptor, what: &str) -> bool {
        if self.recordings.is_active(d.recording_id) || d.stop_position == -1 {
            self.error(
                csid,
                corr,
                codes::ACTIVE_RECORDING,
                &format!("cannot {what} active recording {}", d.recording_id),
            );
            return true;
        }
        false
    }

    /// TruncateRecording of the stopped recording `d` to `position` (the files: [`truncate_segments`]).
    pub(crate) fn truncate_recording(
        &mut self,
        csid: i64,
        corr: i64,
        d: RecordingDescriptor,
        position: i64,
    ) {
        let id = d.recording_id;
        if self.recordings.is_active(id) || d.stop_position == -1 {
            self.error(
                csid,
                corr,
                codes::ACTIVE_RECORDING,
                "cannot truncate active recording",
            );
            return;
        }
        if let Err(e) = check_position(&d, position) {
            self.error(csid, corr, codes::INVALID_POSITION, &e.to_string());
            return;
        }
        self.abort_replays(id);
        let Some(files) = self.segments_of(csid, corr, id) else {
            return;
        };
        let delete = match truncate_segments(
            &self.config.archive_dir,
            &d,
            position,
            &files,
            self.config.file_sync_level,
        ) {
            Ok(delete) => delete,
            Err(TruncateError::Storage(StorageError::Io { path, source })) => {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!("truncating {}: {source}", path.display()),
                );
                return;
            }
            Err(e) => {
                self.error(csid, corr, codes::GENERIC, &e.to_string());
                return;
            }
        };
        if let Err(e) = self.catalog.update(id, |d| d.stop_position = position) {
            self.error(csid, corr, codes::GENERIC, &e.to_string());
            return;
        }
        self.delete_files(id, &delete);
        self.ok_then_delete_signal(csid, corr, id, delete.len() as i64);
    }

    /// PurgeRecording of the recording `d`.
    pub(crate) fn purge_recording(&mut self, csid: i64, corr: i64, d: RecordingDescriptor) {
        let id = d.recording_id;
        if self.replays.has_replay_of(id) {
            self.error(
                csid,
                corr,
                codes::ACTIVE_RECORDING,
                &format!("cannot purge recording with active replay {id}"),
            );
            return;
        }
        if self.refuse_active(csid, corr, &d, "purge") {
            return;
        }
        let Some(files) = self.segments_of(csid, corr, id) else {
            return;
        };
        if let Err(e) = self.catalog.mark_deleted(id) {
            self.error(csid, corr, codes::GENERIC, &e.to_string());
            return;
        }
        self.delete_files(id, &files);
        self.ok_then_delete_signal(csid, corr, id, files.len() as i64);
    }

    /// Validates a new start position for detach/purge segments; sends the error if invalid.
    fn check_detach(
        &mut self,
        csid: i64,
        corr: i64,
        d: &RecordingDescriptor,
        new_start: i64,
    ) -> bool {
        let l = RecordingLayout::of(d);
        let end = self
            .recordings
            .active_position(d.recording_id)
            .unwrap_or(d.stop_position);
        let first_base = l.segment_base(d.start_position);
        let msg = if l.segment_base(new_start) != new_start {
            Some(format!(
                "invalid segment start: newStartPosition={new_start}"
            ))
        } else if new_start < first_base + l.segment_length {
            Some(format!(
                "invalid detach: newStartPosition={new_start} is before the end of the first segment {}",
                first_base + l.segment_length
            ))
        } else if new_start > l.segment_base(end) {
            Some(format!(
                "invalid detach: newStartPosition={new_start} is beyond the segment of the recorded position {end}"
            ))
        } else if let Some((_, detail)) =
            self.replays.min_replay_below(d.recording_id, new_start, &l)
        {
            // Java's message has two spaces after the dash.
            Some(format!("invalid detach: replay in progress - {detail}"))
        } else {
            None
        };
        match msg {
            Some(m) => {
                self.error(csid, corr, codes::GENERIC, &m);
                false
            }
            None => true,
        }
    }

    /// DetachSegments of the recording `d`.
    pub(crate) fn detach_segments(
        &mut self,
        csid: i64,
        corr: i64,
        d: RecordingDescriptor,
        new_start: i64,
    ) {
        let id = d.recording_id;
        if !self.check_detach(csid, corr, &d, new_start) {
            return;
        }
        match self.catalog.update(id, |d| d.start_position = new_start) {
            Ok(_) => self.ok(csid, corr, 0),
            Err(e) => self.error(csid, corr, codes::GENERIC, &e.to_string()),
        }
    }

    /// DeleteDetachedSegments of the recording `d`.
    pub(crate) fn delete_detached_segments(
        &mut self,
        csid: i64,
        corr: i64,
        d: RecordingDescriptor,
    ) {
        let id = d.recording_id;
        let Some(files) = self.segments_of(csid, corr, id) else {
            return;
        };
        let start_base = RecordingLayout::of(&d).segment_base(d.start_position);
        let delete: Vec<i64> = files.into_iter().filter(|b| *b < start_base).collect();
        self.delete_files(id, &delete);
        self.ok_then_delete_signal(csid, corr, id, delete.len() as i64);
    }

    /// PurgeSegments of the recording `d`.
    pub(crate) fn purge_segments(
        &mut self,
        csid: i64,
        corr: i64,
        d: RecordingDescriptor,
        new_start: i64,
    ) {
        let id = d.recording_id;
        if !self.check_detach(csid, corr, &d, new_start) {
            return;
        }
        if let Err(e) = self.catalog.update(id, |d| d.start_position = new_start) {
            self.error(csid, corr, codes::GENERIC, &e.to_string());
            return;
        }
        let Some(files) = self.segments_of(csid, corr, id) else {
            return;
        };
        let delete: Vec<i64> = files.into_iter().filter(|b| *b < new_start).collect();
        self.delete_files(id, &delete);
        self.ok_then_delete_signal(csid, corr, id, delete.len() as i64);
    }

    /// AttachSegments of the recording `d`.
    pub(crate) fn attach_segments(&mut self, csid: i64, corr: i64, d: RecordingDescriptor) {
        let id = d.recording_id;
        let l = RecordingLayout::of(&d);
        let mut base = l.segment_base(d.start_position) - l.segment_length;
        let mut new_start = d.start_position;
        let mut attached = 0i64;
        let mut reader = SegmentReader::new(&self.config.archive_dir, l);
        while base >= 0 {
            let path = self.segment_path(id, base);
            match std::fs::metadata(&path) {
                Ok(m) if m.len() == l.segment_length as u64 => {}
                _ => break,
            }
            // First frame of the segment: at offset 0, or later in the first term if it started mid-term.
            let mut found = None;
            let mut offset = 0i64;
            let mut header = [0u8; frame::HEADER_LENGTH];
            while offset < l.term_length.min(l.segment_length) {
                let pos = base + offset;
                if reader.read_at(pos, &mut header).ok() != Some(header.len()) {
                    break;
                }
                if frame::frame_length(&header).is_some_and(|len| len > 0) {
                    if frame::term_id(&header)
                        == Some(positions::term_id(pos, d.initial_term_id, l.term_length))
                        && frame::stream_id(&header) == Some(d.stream_id)
                    {
                        found = Some(pos);
                    }
                    break;
                }
                offset += frame::FRAME_ALIGNMENT;
            }
            let Some(pos) = found else { break };
            new_start = pos;
            attached += 1;
            if pos != base {
                break;
            }
            base -= l.segment_length;
        }
        if attached > 0 {
            if let Err(e) = self.catalog.update(id, |d| d.start_position = new_start) {
                self.error(csid, corr, codes::GENERIC, &e.to_string());
                return;
            }
        }
        self.ok(csid, corr, attached);
    }

    /// MigrateSegments: moves the segments of the recording `s` in front of (or after) the recording `d` when
    /// `s` ends where `d` starts (or starts where `d` ends).
    pub(crate) fn migrate_segments(
        &mut self,
        csid: i64,
        corr: i64,
        s: RecordingDescriptor,
        d: RecordingDescriptor,
    ) {
        let (src, dst) = (s.recording_id, d.recording_id);
        // As Java: only an active *source* is refused.
        if s.stop_position == -1 || self.recordings.is_active(src) {
            self.error(
                csid,
                corr,
                codes::GENERIC,
                &format!("recording {src} is still active"),
            );
            return;
        }
        let mismatch = [
            (
                "SegmentFileLength",
                s.segment_file_length,
                d.segment_file_length,
            ),
            (
                "TermBufferLength",
                s.term_buffer_length,
                d.term_buffer_length,
            ),
            ("InitialTermId", s.initial_term_id, d.initial_term_id),
            ("StreamId", s.stream_id, d.stream_id),
        ]
        .into_iter()
        .find(|(_, a, b)| a != b);
        if let Some((name, a, b)) = mismatch {
            self.error(
                csid,
                corr,
                codes::GENERIC,
                &format!("invalid migrate: src{name}={a} dst{name}={b}"),
            );
            return;
        }
        // Source before the destination (prepend) or after it (append).
        let prepend = s.stop_position == d.start_position;
        let join = if prepend {
            s.stop_position
        } else if s.start_position == d.stop_position {
            s.start_position
        } else {
            self.error(
                csid,
                corr,
                codes::GENERIC,
                &format!(
                    "invalid migrate: src and dst are not contiguous srcStartPosition={} srcStopPosition={} \
                     dstStartPosition={} dstStopPosition={}",
                    s.start_position, s.stop_position, d.start_position, d.stop_position
                ),
            );
            return;
        };
        for (label, r) in [("src", &s), ("dst", &d)] {
            if RecordingLayout::of(r).segment_base(join) != join {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!(
                        "invalid migrate: join position is not on segment boundary of {label} recording \
                         seamPosition={join} startPosition={} stopPosition={} termBufferLength={} segmentFileLength={}",
                        r.start_position, r.stop_position, r.term_buffer_length, r.segment_file_length
                    ),
                );
                return;
            }
        }
        // Every src segment from its first to the one holding its stop position; a segment starting exactly
        // at the stop position is empty and deleted instead of moved.
        let l = RecordingLayout::of(&s);
        let (first, last, seg) = (
            l.segment_base(s.start_position),
            l.segment_base(s.stop_position),
            l.segment_length,
        );
        let bases: Vec<i64> = (0..)
            .map(|k| first + k * seg)
            .take_while(|b| *b <= last)
            .collect();
        for &base in &bases {
            if base == s.stop_position {
                continue;
            }
            let (from, to) = (self.segment_path(src, base), self.segment_path(dst, base));
            if !from.is_file() {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!("missing src segment file {}", from.display()),
                );
                return;
            }
            if to.exists() {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!("preexisting dst segment file {}", to.display()),
                );
                return;
            }
        }
        let mut moved = 0i64;
        let mut empty = Vec::new();
        for base in bases {
            if base == s.stop_position {
                empty.push(base);
                continue;
            }
            let (from, to) = (self.segment_path(src, base), self.segment_path(dst, base));
            if let Err(e) = std::fs::rename(&from, &to) {
                self.error(
                    csid,
                    corr,
                    codes::GENERIC,
                    &format!(
                        "failed to rename {} to {}: {e}",
                        from.display(),
                        to.display()
                    ),
                );
                return;
            }
            moved += 1;
        }
        let empty: Vec<i64> = empty
            .into_iter()
            .filter(|b| self.segment_path(src, *b).is_file())
            .collect();
        self.delete_files(src, &empty);
        let updated = if prepend {
            self.catalog
                .update(dst, |r| r.start_position = s.start_position)
        } else {
            self.catalog
                .update(dst, |r| r.stop_position = s.stop_position)
        }
        .and_then(|_| {
            self.catalog
                .update(src, |r| r.stop_position = s.start_position)
        });
        if let Err(e) = updated {
            self.error(csid, corr, codes::GENERIC, &e.to_string());
            return;
        }
        self.ok(csid, corr, moved);
        // Java signals DELETE here only when segments moved and none is left to delete; a deletion signals
        // when it finishes (immediately here, deletion is synchronous).
        if moved > 0 || !empty.is_empty() {
            if let Some(session) = self.session(csid) {
                session.send_signal(corr, src, -1, -1, RecordingSignal::Delete);
            }
        }
    }
}
