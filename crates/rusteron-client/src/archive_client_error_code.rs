//! [`ArchiveClientErrorCode`]: the errors the C archive client raises itself (not the archive's error
//! responses), and their codes.
//!
//! `aeron_archive_client_error.h` lists them as "client-side errors" (`AERON_ARCHIVE_CLIENT_ERROR_*`, 2000 to
//! 2002). `aeron_archive_client.c` sets them negated (`aeron_errcode()` of -2001 for an archive that got
//! disconnected) when it refuses a call before sending anything: from inside one of its own callbacks, after
//! the archive's responses stopped, or after an earlier fatal error.
//! [`AeronErrorType::from_code`](crate::AeronErrorType::from_code) classifies those codes as
//! [`AeronErrorType::ArchiveClient`](crate::AeronErrorType::ArchiveClient).

use aeron_sys::{
    AERON_ARCHIVE_CLIENT_ERROR_ILLEGAL_STATE, AERON_ARCHIVE_CLIENT_ERROR_NOT_CONNECTED,
    AERON_ARCHIVE_CLIENT_ERROR_REENTRANT_CALL,
};

/// Why the C archive client refused a call by itself, before asking the archive
/// (`AERON_ARCHIVE_CLIENT_ERROR_*` of `aeron_archive_client_error.h`).
///
/// Get it from a failed archive call with
/// [`AeronCError::archive_client_code`](crate::AeronCError::archive_client_code), or match the error's kind,
/// [`AeronErrorType::ArchiveClient`](crate::AeronErrorType::ArchiveClient). Both
/// [`NotConnected`](Self::NotConnected) and [`IllegalState`](Self::IllegalState) mean the archive client is
/// finished: drop it and connect again.
///
/// ```
/// use rusteron_client::{AeronCError, AeronErrorType, ArchiveClientErrorCode};
///
/// // What a call fails with once the archive's control responses stopped (errcode -2001).
/// let err = AeronCError::with_message(-2001, "aeron_archive_t got disconnected from the archive");
/// assert_eq!(err.archive_client_code(), Some(ArchiveClientErrorCode::NotConnected));
/// match err.kind() {
///     AeronErrorType::ArchiveClient(
///         ArchiveClientErrorCode::NotConnected | ArchiveClientErrorCode::IllegalState,
///     ) => { /* drop the archive client and connect again */ }
///     AeronErrorType::ArchiveClient(ArchiveClientErrorCode::ReentrantCall) => {
///         /* called from inside a callback of the same archive client: call after it returned */
///     }
///     other => panic!("unexpected {other:?}: {err}"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArchiveClientErrorCode {
    /// 2000 (`AERON_ARCHIVE_CLIENT_ERROR_REENTRANT_CALL`): the call was made from inside a callback of the
    /// same archive client (a descriptor consumer of a listing, the recording signal consumer, ...) while
    /// the outer call is running; nothing was sent, and the client stays usable.
    ReentrantCall,
    /// 2001 (`AERON_ARCHIVE_CLIENT_ERROR_NOT_CONNECTED`): the archive's control responses stopped (the
    /// archive closed the session or stopped); nothing was sent. The client is finished: every later call
    /// fails with [`IllegalState`](Self::IllegalState).
    NotConnected,
    /// 2002 (`AERON_ARCHIVE_CLIENT_ERROR_ILLEGAL_STATE`): the client met a fatal error earlier (it got
    /// disconnected, or its Aeron client was closed) and must be closed and discarded; the message names
    /// the earlier error.
    IllegalState,
}

impl ArchiveClientErrorCode {
    /// The C client's code (`AERON_ARCHIVE_CLIENT_ERROR_*`, 2000 to 2002); a failed call reports it negated
    /// (`aeron_errcode()`, [`AeronCError::code`](crate::AeronCError::code)).
    pub const fn client_code(&self) -> i32 {
        match self {
            ArchiveClientErrorCode::ReentrantCall => AERON_ARCHIVE_CLIENT_ERROR_REENTRANT_CALL,
            ArchiveClientErrorCode::NotConnected => AERON_ARCHIVE_CLIENT_ERROR_NOT_CONNECTED,
            ArchiveClientErrorCode::IllegalState => AERON_ARCHIVE_CLIENT_ERROR_ILLEGAL_STATE,
        }
    }

    /// The code a C client code stands for: 2000 to 2002, or -2002 to -2000 as `aeron_errcode()` and
    /// [`AeronCError::code`](crate::AeronCError::code) have it; `None` for any other code.
    pub const fn from_client_code(code: i32) -> Option<Self> {
        match code.unsigned_abs() as i32 {
            AERON_ARCHIVE_CLIENT_ERROR_REENTRANT_CALL => {
                Some(ArchiveClientErrorCode::ReentrantCall)
            }
            AERON_ARCHIVE_CLIENT_ERROR_NOT_CONNECTED => Some(ArchiveClientErrorCode::NotConnected),
            AERON_ARCHIVE_CLIENT_ERROR_ILLEGAL_STATE => Some(ArchiveClientErrorCode::IllegalState),
            _ => None,
        }
    }

    /// The name of the C constant without its prefix (`"REENTRANT_CALL"`, `"NOT_CONNECTED"`,
    /// `"ILLEGAL_STATE"`).
    pub const fn name(&self) -> &'static str {
        match self {
            ArchiveClientErrorCode::ReentrantCall => "REENTRANT_CALL",
            ArchiveClientErrorCode::NotConnected => "NOT_CONNECTED",
            ArchiveClientErrorCode::IllegalState => "ILLEGAL_STATE",
        }
    }

    /// A fixed description of the code.
    pub const fn description(&self) -> &'static str {
        match self {
            ArchiveClientErrorCode::ReentrantCall => {
                "archive client call refused inside its own callback"
            }
            ArchiveClientErrorCode::NotConnected => "archive client not connected to the archive",
            ArchiveClientErrorCode::IllegalState => {
                "archive client failed earlier and must be closed"
            }
        }
    }
}

impl std::fmt::Display for ArchiveClientErrorCode {
    /// The constant's name and the C client's code, e.g. `NOT_CONNECTED (2001)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name(), self.client_code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_c_client() {
        let all = [
            ArchiveClientErrorCode::ReentrantCall,
            ArchiveClientErrorCode::NotConnected,
            ArchiveClientErrorCode::IllegalState,
        ];
        for (code, c) in all.into_iter().zip(2000..) {
            assert_eq!(code.client_code(), c);
            assert_eq!(ArchiveClientErrorCode::from_client_code(c), Some(code));
            assert_eq!(ArchiveClientErrorCode::from_client_code(-c), Some(code));
        }
        for other in [0, 1999, -1999, 2003, -2003, 200, -1005, i32::MIN] {
            assert_eq!(ArchiveClientErrorCode::from_client_code(other), None);
        }
        assert_eq!(
            ArchiveClientErrorCode::NotConnected.to_string(),
            "NOT_CONNECTED (2001)"
        );
    }
}
