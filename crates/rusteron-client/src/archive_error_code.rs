//! [`ArchiveErrorCode`]: the error codes an Aeron Archive sends with an error response (Java's
//! `ArchiveException` codes), and their place among the C client's error codes.
//!
//! The archive puts the code in the `relevantId` of an ERROR control response (the "wire code", 0 to 16). The
//! C archive client (`aeron_archive_client_map_archive_to_client_error_code`) moves the known codes up by 200
//! (`AERON_ARCHIVE_ERROR_CODE_*` of `aeron_archive_client_error.h`) so that they do not collide with the
//! client's own codes, and reports a failed request with the negated result (`aeron_errcode()` of -205 for
//! an unknown recording). [`AeronErrorType::from_code`](crate::AeronErrorType::from_code) classifies those
//! codes as [`AeronErrorType::Archive`](crate::AeronErrorType::Archive).

use aeron_sys::{
    AERON_ARCHIVE_ERROR_CODE_ACTIVE_LISTING, AERON_ARCHIVE_ERROR_CODE_ACTIVE_RECORDING,
    AERON_ARCHIVE_ERROR_CODE_ACTIVE_SUBSCRIPTION, AERON_ARCHIVE_ERROR_CODE_AUTHENTICATION_REJECTED,
    AERON_ARCHIVE_ERROR_CODE_EMPTY_RECORDING, AERON_ARCHIVE_ERROR_CODE_GENERIC,
    AERON_ARCHIVE_ERROR_CODE_INVALID_EXTENSION, AERON_ARCHIVE_ERROR_CODE_INVALID_POSITION,
    AERON_ARCHIVE_ERROR_CODE_MAX_RECORDINGS, AERON_ARCHIVE_ERROR_CODE_MAX_REPLAYS,
    AERON_ARCHIVE_ERROR_CODE_REPLICATION_CONNECTION_FAILURE,
    AERON_ARCHIVE_ERROR_CODE_STORAGE_SPACE, AERON_ARCHIVE_ERROR_CODE_UNAUTHORISED_ACTION,
    AERON_ARCHIVE_ERROR_CODE_UNKNOWN_RECORDING, AERON_ARCHIVE_ERROR_CODE_UNKNOWN_REPLAY,
    AERON_ARCHIVE_ERROR_CODE_UNKNOWN_REPLICATION, AERON_ARCHIVE_ERROR_CODE_UNKNOWN_SUBSCRIPTION,
};

/// The offset the C client adds to a known archive wire code (`AERON_ARCHIVE_ERROR_CODE_GENERIC` is 200).
const CLIENT_CODE_OFFSET: i32 = AERON_ARCHIVE_ERROR_CODE_GENERIC;

/// Why an Aeron Archive refused a request: the code of its error response (Java's `ArchiveException`
/// codes, `aeron_archive_client_error.h`).
///
/// Get it from a failed archive call with [`AeronCError::archive_code`](crate::AeronCError::archive_code),
/// or match the error's kind, [`AeronErrorType::Archive`](crate::AeronErrorType::Archive). The archive's own
/// text stays in the error's message.
///
/// ```
/// use rusteron_client::{AeronCError, AeronErrorType, ArchiveErrorCode};
///
/// // What a `start_replay` of a recording id the archive does not know fails with (errcode -205).
/// let err = AeronCError::with_message(-205, "response for correlationId=7, errorCode=5, error: unknown recording id: 42");
/// assert_eq!(err.archive_code(), Some(ArchiveErrorCode::UnknownRecording));
/// match err.kind() {
///     AeronErrorType::Archive(ArchiveErrorCode::UnknownRecording) => { /* nothing to replay */ }
///     AeronErrorType::Archive(ArchiveErrorCode::MaxReplays) => { /* retry later */ }
///     other => panic!("unexpected {other:?}: {err}"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArchiveErrorCode {
    /// 0 (`GENERIC`): any other failure; the message says what.
    Generic,
    /// 1 (`ACTIVE_LISTING`): a listing is already in progress on the session.
    ActiveListing,
    /// 2 (`ACTIVE_RECORDING`): the recording is active (or being replayed), e.g. a purge or truncate of a
    /// recording still being recorded.
    ActiveRecording,
    /// 3 (`ACTIVE_SUBSCRIPTION`): a recording subscription already exists for the channel and stream.
    ActiveSubscription,
    /// 4 (`UNKNOWN_SUBSCRIPTION`): no recording subscription with that id (or channel and stream).
    UnknownSubscription,
    /// 5 (`UNKNOWN_RECORDING`): no recording with that id.
    UnknownRecording,
    /// 6 (`UNKNOWN_REPLAY`): no replay with that id.
    UnknownReplay,
    /// 7 (`MAX_REPLAYS`): the archive's maximum of concurrent replays is reached.
    MaxReplays,
    /// 8 (`MAX_RECORDINGS`): the archive's maximum of concurrent recordings is reached.
    MaxRecordings,
    /// 9 (`INVALID_EXTENSION`): the stream does not match the recording it should extend.
    InvalidExtension,
    /// 10 (`AUTHENTICATION_REJECTED`): the archive rejected the credentials.
    AuthenticationRejected,
    /// 11 (`STORAGE_SPACE`): the archive's storage is (nearly) full.
    StorageSpace,
    /// 12 (`UNKNOWN_REPLICATION`): no replication with that id.
    UnknownReplication,
    /// 13 (`UNAUTHORISED_ACTION`): the session is not authorised for the request.
    UnauthorisedAction,
    /// 14 (`REPLICATION_CONNECTION_FAILURE`): the replication could not connect to the source archive.
    ReplicationConnectionFailure,
    /// 15 (`EMPTY_RECORDING`): the replay would be empty (a replay-and-stop of nothing).
    EmptyRecording,
    /// 16 (`INVALID_POSITION`): the position is not valid for the recording.
    InvalidPosition,
    /// A wire code this version does not know (a newer archive); made only by
    /// [`from_wire_code`](Self::from_wire_code) for codes outside 0..=16.
    Other(i32),
}

impl ArchiveErrorCode {
    /// The code from the `relevantId` of an archive's ERROR response (0 to 16; any other value is
    /// [`Other`](Self::Other)).
    pub const fn from_wire_code(code: i32) -> Self {
        match code {
            0 => ArchiveErrorCode::Generic,
            1 => ArchiveErrorCode::ActiveListing,
            2 => ArchiveErrorCode::ActiveRecording,
            3 => ArchiveErrorCode::ActiveSubscription,
            4 => ArchiveErrorCode::UnknownSubscription,
            5 => ArchiveErrorCode::UnknownRecording,
            6 => ArchiveErrorCode::UnknownReplay,
            7 => ArchiveErrorCode::MaxReplays,
            8 => ArchiveErrorCode::MaxRecordings,
            9 => ArchiveErrorCode::InvalidExtension,
            10 => ArchiveErrorCode::AuthenticationRejected,
            11 => ArchiveErrorCode::StorageSpace,
            12 => ArchiveErrorCode::UnknownReplication,
            13 => ArchiveErrorCode::UnauthorisedAction,
            14 => ArchiveErrorCode::ReplicationConnectionFailure,
            15 => ArchiveErrorCode::EmptyRecording,
            16 => ArchiveErrorCode::InvalidPosition,
            other => ArchiveErrorCode::Other(other),
        }
    }

    /// The code as the archive sends it (Java's `ArchiveException` code, 0 to 16).
    pub const fn wire_code(&self) -> i32 {
        match self {
            ArchiveErrorCode::Other(code) => *code,
            known => known.client_code() - CLIENT_CODE_OFFSET,
        }
    }

    /// The code of the C client for it: `AERON_ARCHIVE_ERROR_CODE_*` (200 to 216) for a known code, the wire
    /// code itself for [`Other`](Self::Other) (as `aeron_archive_client_map_archive_to_client_error_code`).
    /// A failed call reports it negated (`aeron_errcode()`); the context's error handler gets it as is.
    pub const fn client_code(&self) -> i32 {
        match self {
            ArchiveErrorCode::Generic => AERON_ARCHIVE_ERROR_CODE_GENERIC,
            ArchiveErrorCode::ActiveListing => AERON_ARCHIVE_ERROR_CODE_ACTIVE_LISTING,
            ArchiveErrorCode::ActiveRecording => AERON_ARCHIVE_ERROR_CODE_ACTIVE_RECORDING,
            ArchiveErrorCode::ActiveSubscription => AERON_ARCHIVE_ERROR_CODE_ACTIVE_SUBSCRIPTION,
            ArchiveErrorCode::UnknownSubscription => AERON_ARCHIVE_ERROR_CODE_UNKNOWN_SUBSCRIPTION,
            ArchiveErrorCode::UnknownRecording => AERON_ARCHIVE_ERROR_CODE_UNKNOWN_RECORDING,
            ArchiveErrorCode::UnknownReplay => AERON_ARCHIVE_ERROR_CODE_UNKNOWN_REPLAY,
            ArchiveErrorCode::MaxReplays => AERON_ARCHIVE_ERROR_CODE_MAX_REPLAYS,
            ArchiveErrorCode::MaxRecordings => AERON_ARCHIVE_ERROR_CODE_MAX_RECORDINGS,
            ArchiveErrorCode::InvalidExtension => AERON_ARCHIVE_ERROR_CODE_INVALID_EXTENSION,
            ArchiveErrorCode::AuthenticationRejected => {
                AERON_ARCHIVE_ERROR_CODE_AUTHENTICATION_REJECTED
            }
            ArchiveErrorCode::StorageSpace => AERON_ARCHIVE_ERROR_CODE_STORAGE_SPACE,
            ArchiveErrorCode::UnknownReplication => AERON_ARCHIVE_ERROR_CODE_UNKNOWN_REPLICATION,
            ArchiveErrorCode::UnauthorisedAction => AERON_ARCHIVE_ERROR_CODE_UNAUTHORISED_ACTION,
            ArchiveErrorCode::ReplicationConnectionFailure => {
                AERON_ARCHIVE_ERROR_CODE_REPLICATION_CONNECTION_FAILURE
            }
            ArchiveErrorCode::EmptyRecording => AERON_ARCHIVE_ERROR_CODE_EMPTY_RECORDING,
            ArchiveErrorCode::InvalidPosition => AERON_ARCHIVE_ERROR_CODE_INVALID_POSITION,
            ArchiveErrorCode::Other(code) => *code,
        }
    }

    /// The known archive code a C client code stands for: 200 to 216 (as the context's error handler gets
    /// it) or -216 to -200 (as `aeron_errcode()` and [`AeronCError::code`](crate::AeronCError::code) have it);
    /// `None` for any other code.
    pub const fn from_client_code(code: i32) -> Option<Self> {
        let magnitude = code.unsigned_abs();
        if magnitude >= AERON_ARCHIVE_ERROR_CODE_GENERIC as u32
            && magnitude <= AERON_ARCHIVE_ERROR_CODE_INVALID_POSITION as u32
        {
            Some(Self::from_wire_code(magnitude as i32 - CLIENT_CODE_OFFSET))
        } else {
            None
        }
    }

    /// Java's name of the code (`"UNKNOWN_RECORDING"`, ...; `"UNKNOWN"` for [`Other`](Self::Other)).
    pub const fn name(&self) -> &'static str {
        match self {
            ArchiveErrorCode::Generic => "GENERIC",
            ArchiveErrorCode::ActiveListing => "ACTIVE_LISTING",
            ArchiveErrorCode::ActiveRecording => "ACTIVE_RECORDING",
            ArchiveErrorCode::ActiveSubscription => "ACTIVE_SUBSCRIPTION",
            ArchiveErrorCode::UnknownSubscription => "UNKNOWN_SUBSCRIPTION",
            ArchiveErrorCode::UnknownRecording => "UNKNOWN_RECORDING",
            ArchiveErrorCode::UnknownReplay => "UNKNOWN_REPLAY",
            ArchiveErrorCode::MaxReplays => "MAX_REPLAYS",
            ArchiveErrorCode::MaxRecordings => "MAX_RECORDINGS",
            ArchiveErrorCode::InvalidExtension => "INVALID_EXTENSION",
            ArchiveErrorCode::AuthenticationRejected => "AUTHENTICATION_REJECTED",
            ArchiveErrorCode::StorageSpace => "STORAGE_SPACE",
            ArchiveErrorCode::UnknownReplication => "UNKNOWN_REPLICATION",
            ArchiveErrorCode::UnauthorisedAction => "UNAUTHORISED_ACTION",
            ArchiveErrorCode::ReplicationConnectionFailure => "REPLICATION_CONNECTION_FAILURE",
            ArchiveErrorCode::EmptyRecording => "EMPTY_RECORDING",
            ArchiveErrorCode::InvalidPosition => "INVALID_POSITION",
            ArchiveErrorCode::Other(_) => "UNKNOWN",
        }
    }

    /// A fixed description of the code.
    pub const fn description(&self) -> &'static str {
        match self {
            ArchiveErrorCode::Generic => "archive error",
            ArchiveErrorCode::ActiveListing => "archive listing already in progress",
            ArchiveErrorCode::ActiveRecording => "archive recording is active",
            ArchiveErrorCode::ActiveSubscription => "archive recording subscription already exists",
            ArchiveErrorCode::UnknownSubscription => "unknown archive recording subscription",
            ArchiveErrorCode::UnknownRecording => "unknown archive recording",
            ArchiveErrorCode::UnknownReplay => "unknown archive replay",
            ArchiveErrorCode::MaxReplays => "archive max concurrent replays reached",
            ArchiveErrorCode::MaxRecordings => "archive max concurrent recordings reached",
            ArchiveErrorCode::InvalidExtension => "invalid archive recording extension",
            ArchiveErrorCode::AuthenticationRejected => "archive authentication rejected",
            ArchiveErrorCode::StorageSpace => "archive storage space low",
            ArchiveErrorCode::UnknownReplication => "unknown archive replication",
            ArchiveErrorCode::UnauthorisedAction => "unauthorised archive action",
            ArchiveErrorCode::ReplicationConnectionFailure => {
                "archive replication connection failure"
            }
            ArchiveErrorCode::EmptyRecording => "empty archive recording",
            ArchiveErrorCode::InvalidPosition => "invalid archive recording position",
            ArchiveErrorCode::Other(_) => "unknown archive error code",
        }
    }
}

impl std::fmt::Display for ArchiveErrorCode {
    /// Java's name and the wire code, e.g. `UNKNOWN_RECORDING (5)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name(), self.wire_code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_and_client_codes_match_the_c_client() {
        for wire in -3..40 {
            let code = ArchiveErrorCode::from_wire_code(wire);
            assert_eq!(code.wire_code(), wire);
            // SAFETY: a pure function of a plain value.
            let c =
                unsafe { aeron_sys::aeron_archive_client_map_archive_to_client_error_code(wire) };
            assert_eq!(code.client_code(), c, "{code:?}");
            let known = (0..=16).contains(&wire);
            assert_eq!(matches!(code, ArchiveErrorCode::Other(_)), !known);
            let back = ArchiveErrorCode::from_client_code(c);
            assert_eq!(back, known.then_some(code));
            assert_eq!(ArchiveErrorCode::from_client_code(-c), back);
        }
        assert_eq!(ArchiveErrorCode::from_client_code(199), None);
        assert_eq!(ArchiveErrorCode::from_client_code(-217), None);
        assert_eq!(
            ArchiveErrorCode::UnknownRecording.to_string(),
            "UNKNOWN_RECORDING (5)"
        );
    }
}
