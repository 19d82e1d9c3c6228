//! The distinct error log in the mark file, in Agrona's `DistinctErrorLog` format, so Java's
//! `ErrorLogReader` (used by `ArchiveTool errors` and `AeronStat`-style tools) reads it.
//!
//! Records start at offset 0 and are 8-byte aligned; each is `length` i32 (of the whole record, written
//! last), `observationCount` i32, `lastObservationTimestamp` i64, `firstObservationTimestamp` i64 (epoch
//! ms), then the error text (UTF-8). The log ends at the first record whose length is 0. The same text
//! seen again only increments the count and updates the last timestamp.

use std::fmt::Write;
use std::sync::atomic::{fence, Ordering};

/// Offset of the observation count in a record.
pub const OBSERVATION_COUNT_OFFSET: usize = 4;
/// Offset of the last observation timestamp in a record.
pub const LAST_OBSERVATION_TIMESTAMP_OFFSET: usize = 8;
/// Offset of the first observation timestamp in a record.
pub const FIRST_OBSERVATION_TIMESTAMP_OFFSET: usize = 16;
/// Offset of the error text in a record.
pub const ENCODED_ERROR_OFFSET: usize = 24;
/// Record alignment.
pub const RECORD_ALIGNMENT: usize = 8;

/// One record read back from a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRecord {
    /// How often the error was seen.
    pub observation_count: i32,
    /// Epoch ms of the first observation.
    pub first_observation_timestamp: i64,
    /// Epoch ms of the last observation.
    pub last_observation_timestamp: i64,
    /// The error text.
    pub text: String,
}

/// A distinct error log over a byte area (the mark file's error buffer).
#[derive(Debug)]
pub struct DistinctErrorLog<'a> {
    area: &'a mut [u8],
}

fn get_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn get_i64(b: &[u8], at: usize) -> Option<i64> {
    Some(i64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Reads every record of `area`; stops at the first empty or malformed one.
pub fn read_records(area: &[u8]) -> Vec<ErrorRecord> {
    let mut out = Vec::new();
    let mut offset = 0;
    while let Some(length) = get_i32(area, offset) {
        let length = length as usize;
        if length < ENCODED_ERROR_OFFSET || offset + length > area.len() {
            break;
        }
        out.push(ErrorRecord {
            observation_count: get_i32(area, offset + OBSERVATION_COUNT_OFFSET).unwrap_or(0),
            last_observation_timestamp: get_i64(area, offset + LAST_OBSERVATION_TIMESTAMP_OFFSET)
                .unwrap_or(0),
            first_observation_timestamp: get_i64(area, offset + FIRST_OBSERVATION_TIMESTAMP_OFFSET)
                .unwrap_or(0),
            text: String::from_utf8_lossy(&area[offset + ENCODED_ERROR_OFFSET..offset + length])
                .into_owned(),
        });
        offset += length.next_multiple_of(RECORD_ALIGNMENT);
    }
    out
}

impl<'a> DistinctErrorLog<'a> {
    /// A log over `area` (all zeros for an empty log).
    pub fn new(area: &'a mut [u8]) -> Self {
        DistinctErrorLog { area }
    }

    /// Records `text` at `now_ms`. Returns `false` if a new record does not fit.
    pub fn record(&mut self, text: &str, now_ms: i64) -> bool {
        let mut offset = 0;
        while let Some(length) = get_i32(self.area, offset) {
            let length = length as usize;
            if length < ENCODED_ERROR_OFFSET || offset + length > self.area.len() {
                break;
            }
            if &self.area[offset + ENCODED_ERROR_OFFSET..offset + length] == text.as_bytes() {
                let count = get_i32(self.area, offset + OBSERVATION_COUNT_OFFSET).unwrap_or(0);
                self.put_i64(offset + LAST_OBSERVATION_TIMESTAMP_OFFSET, now_ms);
                self.put_i32(offset + OBSERVATION_COUNT_OFFSET, count.saturating_add(1));
                return true;
            }
            offset += length.next_multiple_of(RECORD_ALIGNMENT);
        }
        let length = ENCODED_ERROR_OFFSET + text.len();
        if offset + length > self.area.len() || i32::try_from(length).is_err() {
            return false;
        }
        self.area[offset + ENCODED_ERROR_OFFSET..offset + length].copy_from_slice(text.as_bytes());
        self.put_i64(offset + FIRST_OBSERVATION_TIMESTAMP_OFFSET, now_ms);
        self.put_i64(offset + LAST_OBSERVATION_TIMESTAMP_OFFSET, now_ms);
        self.put_i32(offset + OBSERVATION_COUNT_OFFSET, 1);
        // The length publishes the record to concurrent readers: everything else must be visible first.
        fence(Ordering::Release);
        self.put_i32(offset, length as i32);
        true
    }

    fn put_i32(&mut self, at: usize, v: i32) {
        self.area[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn put_i64(&mut self, at: usize, v: i64) {
        self.area[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// The records of a previous run's log as text (empty if there are none), one block per error.
    pub fn format_existing(area: &[u8]) -> String {
        let mut text = String::new();
        for r in read_records(area) {
            let _ = writeln!(
                text,
                "{} observations from {} to {} (epoch ms) for:\n {}\n",
                r.observation_count,
                r.first_observation_timestamp,
                r.last_observation_timestamp,
                r.text
            );
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_errors_are_counted_and_aligned() {
        let mut area = vec![0u8; 256];
        let mut log = DistinctErrorLog::new(&mut area);
        assert!(log.record("first error", 10));
        assert!(log.record("second", 20));
        assert!(log.record("first error", 30));
        let records = read_records(&area);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].observation_count, 2);
        assert_eq!(
            (
                records[0].first_observation_timestamp,
                records[0].last_observation_timestamp
            ),
            (10, 30)
        );
        assert_eq!(records[1].text, "second");
        // Second record starts at align(24 + 11, 8) = 40.
        assert_eq!(i32::from_le_bytes(area[40..44].try_into().unwrap()), 24 + 6);
    }

    #[test]
    fn a_full_log_refuses_without_panicking() {
        let mut area = vec![0u8; 40];
        let mut log = DistinctErrorLog::new(&mut area);
        assert!(!log.record(&"x".repeat(100), 1));
        assert!(log.record("fits", 1));
        assert!(!log.record("no more room", 1));
        assert_eq!(read_records(&area).len(), 1);
        assert!(
            read_records(&[0xFF; 16]).is_empty(),
            "garbage is not a record"
        );
    }
}
