//! Typed forms of the archive calls whose answer can be a sentinel rather than a value: `Option` instead of
//! `AERON_NULL_POSITION` / `AERON_NULL_VALUE` (-1), as [`AeronOfferError`](rusteron_client::AeronOfferError)
//! is for publication results. The raw calls (`get_recording_position`, …) stay as they are.

use rusteron_client::AeronCError;

use crate::archive::AeronArchive;

/// `None` for Aeron's -1 "no value" sentinel (`AERON_NULL_POSITION`, `AERON_NULL_VALUE`).
fn non_null(value: i64) -> Option<i64> {
    (value != i64::from(rusteron_client::bindings::AERON_NULL_POSITION)).then_some(value)
}

impl AeronArchive {
    /// The recorded position of an active recording, or `None` when the recording is not active
    /// ([`get_recording_position`](Self::get_recording_position) answers `AERON_NULL_POSITION` then).
    pub fn active_recording_position(&self, recording_id: i64) -> Result<Option<i64>, AeronCError> {
        self.get_recording_position(recording_id).map(non_null)
    }

    /// The stop position of a recording, or `None` while it is still active
    /// ([`get_stop_position`](Self::get_stop_position) answers `AERON_NULL_POSITION` then).
    pub fn recording_stop_position(&self, recording_id: i64) -> Result<Option<i64>, AeronCError> {
        self.get_stop_position(recording_id).map(non_null)
    }

    /// The id of the newest recording at or above `min_recording_id` whose channel contains
    /// `channel_fragment` with this stream and session id, or `None` when there is none
    /// ([`find_last_matching_recording`](Self::find_last_matching_recording) answers `AERON_NULL_VALUE`).
    pub fn find_last_matching_recording_id(
        &self,
        min_recording_id: i64,
        channel_fragment: &str,
        stream_id: i32,
        session_id: i32,
    ) -> Result<Option<i64>, AeronCError> {
        self.find_last_matching_recording(min_recording_id, channel_fragment, stream_id, session_id)
            .map(non_null)
    }
}

#[cfg(test)]
mod tests {
    use super::non_null;

    #[test]
    fn minus_one_is_none() {
        assert_eq!(non_null(-1), None);
        assert_eq!(non_null(0), Some(0));
        assert_eq!(non_null(4096), Some(4096));
    }
}
