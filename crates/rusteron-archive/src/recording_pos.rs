//! Helpers over the archive's recording position counters and segment files.

use rusteron_client::bindings::*;
use rusteron_client::{AeronCError, AeronCountersReader};

use crate::util::check;

/// Finding and reading the archive's recording position counters (`aeron_archive_recording_pos_*`) in a
/// client's counters (see `Aeron::counters_reader`).
#[derive(Debug, Clone, Copy)]
pub struct RecordingPos;

impl RecordingPos {
    /// The counter id of the active recording `recording_id` of archive `archive_id`, or
    /// `AERON_NULL_COUNTER_ID` (-1).
    pub fn find_counter_id_by_recording_id(
        reader: &AeronCountersReader,
        recording_id: i64,
        archive_id: i64,
    ) -> i32 {
        // SAFETY: the reader is live (borrowed) and only read.
        unsafe {
            aeron_archive_recording_pos_find_counter_id_by_recording_id(
                reader.as_raw(),
                recording_id,
                archive_id,
            )
        }
    }

    /// The counter id of the active recording of session `session_id` of archive `archive_id`, or -1.
    pub fn find_counter_id_by_session_id(
        reader: &AeronCountersReader,
        session_id: i32,
        archive_id: i64,
    ) -> i32 {
        // SAFETY: the reader is live (borrowed) and only read.
        unsafe {
            aeron_archive_recording_pos_find_counter_id_by_session_id(
                reader.as_raw(),
                session_id,
                archive_id,
            )
        }
    }

    /// The recording id of recording counter `counter_id`, or -1.
    pub fn get_recording_id(reader: &AeronCountersReader, counter_id: i32) -> i64 {
        // SAFETY: the reader is live (borrowed) and only read.
        unsafe { aeron_archive_recording_pos_get_recording_id(reader.as_raw(), counter_id) }
    }

    /// The source identity of recording counter `counter_id`.
    pub fn get_source_identity(
        reader: &AeronCountersReader,
        counter_id: i32,
    ) -> Result<String, AeronCError> {
        let mut buf = vec![0u8; 4096];
        let mut len = buf.len();
        // SAFETY: live reader; the buffer is writable for `len` bytes and C sets `len` to what it wrote.
        check(unsafe {
            aeron_archive_recording_pos_get_source_identity(
                reader.as_raw(),
                counter_id,
                buf.as_mut_ptr() as *mut std::ffi::c_char,
                &mut len,
            )
        })?;
        buf.truncate(len.min(buf.len()));
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// True if counter `counter_id` is still the active recording counter of `recording_id`.
    pub fn is_active(
        reader: &AeronCountersReader,
        counter_id: i32,
        recording_id: i64,
    ) -> Result<bool, AeronCError> {
        let mut active = false;
        // SAFETY: live reader and a valid out-pointer.
        check(unsafe {
            aeron_archive_recording_pos_is_active(
                &mut active,
                reader.as_raw(),
                counter_id,
                recording_id,
            )
        })?;
        Ok(active)
    }
}

/// The position at the base of the segment file holding `position` (`aeron_archive_segment_file_base_position`).
pub fn segment_file_base_position(
    start_position: i64,
    position: i64,
    term_buffer_length: i32,
    segment_file_length: i32,
) -> i64 {
    // SAFETY: pure arithmetic on plain values.
    unsafe {
        aeron_archive_segment_file_base_position(
            start_position,
            position,
            term_buffer_length,
            segment_file_length,
        )
    }
}

/// Maps an archive's wire error code (0 to 16, e.g. 5 for an unknown recording) to the C client's unique
/// error code (`aeron_archive_client_map_archive_to_client_error_code`: 200 to 216, e.g.
/// `AERON_ARCHIVE_ERROR_CODE_UNKNOWN_RECORDING`); other codes are returned unchanged. The typed form is
/// [`ArchiveErrorCode::client_code`](rusteron_client::ArchiveErrorCode::client_code).
pub fn map_archive_to_client_error_code(error_code: i32) -> i32 {
    // SAFETY: pure function of a plain value.
    unsafe { aeron_archive_client_map_archive_to_client_error_code(error_code) }
}
