//! [`AeronCError`]: the error type of every fallible call, and the [`AeronErrorType`] table.

use std::borrow::Cow;
use std::ffi::CStr;

use crate::archive_client_error_code::ArchiveClientErrorCode;
use crate::archive_error_code::ArchiveErrorCode;

/// Aeron-specific error with a code (negative for Aeron/client/publication errors, positive for OS
/// `errno` values) and a message.
///
/// Errors from the C library carry the thread-local `aeron_errmsg()` text captured at the failing call.
/// Errors made from a known code (e.g. publication results) carry a static message and do not allocate.
///
/// It is a leaf error (`source()` is `None`): what caused it is in the message (the C client's text, the
/// offending string). It stays three words on purpose: it travels in the `Result` of hot calls such as
/// `try_claim`, and a cause field measured +11 instructions per claim (docs/benchmarks.md). Typed errors
/// that wrap it ([`AeronOfferError`](crate::AeronOfferError)) give it as their `source()`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?} (code {code}): {msg}")]
pub struct AeronCError {
    /// The raw code as reported by Aeron.
    pub code: i32,
    /// The classified code.
    pub kind: AeronErrorType,
    /// Human readable description.
    pub msg: Cow<'static, str>,
}

impl AeronCError {
    /// An error for `code` with the default description of its [`AeronErrorType`] (no allocation).
    pub fn from_code(code: i32) -> Self {
        let kind = AeronErrorType::from_code(code);
        AeronCError {
            code,
            kind,
            msg: Cow::Borrowed(kind.description()),
        }
    }

    /// An error with an explicit code and message.
    pub fn with_message(code: i32, msg: impl Into<Cow<'static, str>>) -> Self {
        AeronCError {
            code,
            kind: AeronErrorType::from_code(code),
            msg: msg.into(),
        }
    }

    /// The last error of the C library on this thread (`aeron_errcode()` / `aeron_errmsg()`).
    #[cold]
    pub fn last() -> Self {
        // SAFETY: both functions read thread-local state; aeron_errmsg returns a NUL-terminated string that
        // stays valid until the next Aeron call on this thread, and we copy it at once.
        let (code, msg) = unsafe {
            let code = aeron_sys::aeron_errcode();
            let p = aeron_sys::aeron_errmsg();
            let msg = if p.is_null() {
                String::new()
            } else {
                CStr::from_ptr(p).to_string_lossy().into_owned()
            };
            (code, msg)
        };
        // Aeron stores its own error codes negated in errcode (e.g. -1000 for driver timeout).
        let code = if code == 0 { -1 } else { code };
        AeronCError {
            code,
            kind: AeronErrorType::from_code(code),
            msg: Cow::Owned(msg),
        }
    }

    /// The error for a negative publication result (`offer`, `try_claim`, ...).
    ///
    /// `AERON_PUBLICATION_NOT_CONNECTED` (-1) is classified as [`AeronErrorType::PublicationNotConnected`].
    ///
    /// Inlined, with the classification out of line: the compiler then sees that the message is a static
    /// string (no drop glue), so an error that the caller drops unused (a claim retried in a loop) is never
    /// built in memory, and the `Result` of `try_claim` stays in registers (docs/benchmarks.md).
    #[inline]
    pub fn from_publication_result(result: i64) -> Self {
        let kind = publication_result_kind(result);
        AeronCError {
            code: result as i32,
            kind,
            msg: Cow::Borrowed(kind.description()),
        }
    }

    /// An illegal-state error raised by the Rust wrapper itself.
    pub fn illegal_state(msg: &'static str) -> Self {
        AeronCError {
            code: AeronErrorType::ClientErrorClientIllegalState.code(),
            kind: AeronErrorType::ClientErrorClientIllegalState,
            msg: Cow::Borrowed(msg),
        }
    }

    /// A timeout raised by a `poll_blocking`-style call of the wrapper.
    pub fn timed_out(msg: &'static str) -> Self {
        AeronCError {
            code: AeronErrorType::TimedOut.code(),
            kind: AeronErrorType::TimedOut,
            msg: Cow::Borrowed(msg),
        }
    }

    /// A call refused because it was made from inside a handler of the same object (or of its parent)
    /// while C is in the middle of the outer call (docs/safety.md has the rule per method).
    #[cold]
    pub fn reentrant(msg: &'static str) -> Self {
        AeronCError {
            code: AeronErrorType::ReentrantCall.code(),
            kind: AeronErrorType::ReentrantCall,
            msg: Cow::Borrowed(msg),
        }
    }

    /// A timeout raised by the wrapper with a message saying what it waited for.
    pub fn timed_out_with(msg: String) -> Self {
        AeronCError::with_message(AeronErrorType::TimedOut.code(), msg)
    }

    /// The classified kind of this error.
    pub fn kind(&self) -> AeronErrorType {
        self.kind
    }

    /// The archive's error code if an Aeron Archive refused the request with an error response (the kind is
    /// [`AeronErrorType::Archive`]), e.g. [`ArchiveErrorCode::UnknownRecording`] for a replay of a recording
    /// id it does not know. The archive's text is in [`msg`](Self::msg).
    pub fn archive_code(&self) -> Option<ArchiveErrorCode> {
        match self.kind {
            AeronErrorType::Archive(code) => Some(code),
            _ => None,
        }
    }

    /// The C archive client's own error code if it refused the call by itself, before asking the archive
    /// (the kind is [`AeronErrorType::ArchiveClient`]), e.g. [`ArchiveClientErrorCode::NotConnected`] for a
    /// call after the archive's responses stopped.
    pub fn archive_client_code(&self) -> Option<ArchiveClientErrorCode> {
        match self.kind {
            AeronErrorType::ArchiveClient(code) => Some(code),
            _ => None,
        }
    }

    /// `Ok(rc)` when `rc >= 0`, otherwise the last C error. Inlined: on every hot-path call (poll, commit).
    #[inline]
    pub(crate) fn check(rc: i32) -> Result<i32, AeronCError> {
        if rc < 0 {
            Err(AeronCError::last())
        } else {
            Ok(rc)
        }
    }

    /// Turns a publication result (`offer`, `try_claim`, ...) into a `Result`; does not allocate.
    #[inline]
    pub fn publication_result(result: i64) -> Result<i64, AeronCError> {
        if result < 0 {
            Err(AeronCError::from_publication_result(result))
        } else {
            Ok(result)
        }
    }
}

/// The kind of a negative publication result (see [`AeronCError::from_publication_result`]).
#[cold]
#[inline(never)]
fn publication_result_kind(result: i64) -> AeronErrorType {
    match result {
        aeron_sys::AERON_PUBLICATION_NOT_CONNECTED => AeronErrorType::PublicationNotConnected,
        other => AeronErrorType::from_code(other as i32),
    }
}

/// `ETIMEDOUT` (Linux): the code of [`AeronErrorType::TimedOut`], also when C reports it as `errno`.
const ETIMEDOUT: i32 = 110;

/// `EINVAL` (Linux): the code of [`AeronErrorType::ArchiveConnectRejected`] (as C reports it).
const EINVAL: i32 = 22;

/// Classified Aeron error codes (the table of the earlier rusteron wrapper, plus
/// [`PublicationNotConnected`](Self::PublicationNotConnected) for publication results,
/// [`Archive`](Self::Archive) for the error responses of an Aeron Archive and
/// [`ArchiveClient`](Self::ArchiveClient) for the calls the C archive client refuses by itself, and
/// [`ArchiveConnectRejected`](Self::ArchiveConnectRejected) for an archive connect the archive refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeronErrorType {
    /// -1: a generic failure; see the message.
    GenericError,
    /// -1000: the media driver did not respond in time.
    ClientErrorDriverTimeout,
    /// -1001: the client was timed out by the driver.
    ClientErrorClientTimeout,
    /// -1002: the conductor service interval was exceeded.
    ClientErrorConductorServiceTimeout,
    /// -1003: a client buffer is full.
    ClientErrorBufferFull,
    /// -1004: the driver's buffer is full.
    ClientErrorDriverBufferFull,
    /// -1005: the client is in an illegal state for the call (also used by this wrapper).
    ClientErrorClientIllegalState,
    /// -1006: the broadcast receiver is in an illegal state.
    ClientErrorBroadcastReceiverIllegalState,
    /// -1 as a publication result: no subscriber is connected.
    PublicationNotConnected,
    /// -2: the publication is back pressured.
    PublicationBackPressured,
    /// -3: an administrative action (e.g. term rotation) is in progress; retry.
    PublicationAdminAction,
    /// -4: the publication is closed.
    PublicationClosed,
    /// -5: the maximum position of the stream has been reached.
    PublicationMaxPositionExceeded,
    /// -6: the publication failed.
    PublicationError,
    /// A blocking wait timed out (code `ETIMEDOUT`, 110: the wrapper's waits, an archive connect without
    /// answer, or C reporting `ETIMEDOUT`).
    TimedOut,
    /// The wrapper refused a re-entrant call: made from inside a handler of the same object (or of its
    /// parent) while the outer C call is still running (docs/safety.md).
    ReentrantCall,
    /// -200 to -216: an Aeron Archive refused the request with an error response carrying this code (the C
    /// archive client's `AERON_ARCHIVE_ERROR_CODE_*`, negated); the message has the archive's text.
    Archive(ArchiveErrorCode),
    /// -2000 to -2002: the C archive client refused the call by itself, without asking the archive: a
    /// re-entrant call from inside one of its callbacks, an archive whose responses stopped, or a client that
    /// failed earlier (its `AERON_ARCHIVE_CLIENT_ERROR_*`, negated).
    ArchiveClient(ArchiveClientErrorCode),
    /// The archive refused the session: it answered the connect request (or the challenge response) with an
    /// error, as it does when it rejects the credentials (Java's `AUTHENTICATION_REJECTED`) or the client's
    /// protocol version. Set by `rusteron-archive`'s connect; the code stays C's `EINVAL` (22), which the C
    /// archive client reports without the archive's error code, so the message (the archive's text, e.g.
    /// `authentication rejected`) is the only thing that says which. Like
    /// [`PublicationNotConnected`](Self::PublicationNotConnected) it comes from where the code was reported:
    /// [`from_code`](Self::from_code) classifies a bare 22 as [`Unknown`](Self::Unknown).
    ArchiveConnectRejected,
    /// Any other code (e.g. a positive `errno`).
    Unknown(i32),
}

impl AeronErrorType {
    /// The numeric code.
    pub const fn code(&self) -> i32 {
        match self {
            AeronErrorType::GenericError => -1,
            AeronErrorType::ClientErrorDriverTimeout => -1000,
            AeronErrorType::ClientErrorClientTimeout => -1001,
            AeronErrorType::ClientErrorConductorServiceTimeout => -1002,
            AeronErrorType::ClientErrorBufferFull => -1003,
            AeronErrorType::ClientErrorDriverBufferFull => -1004,
            AeronErrorType::ClientErrorClientIllegalState => -1005,
            AeronErrorType::ClientErrorBroadcastReceiverIllegalState => -1006,
            AeronErrorType::PublicationNotConnected => -1,
            AeronErrorType::PublicationBackPressured => -2,
            AeronErrorType::PublicationAdminAction => -3,
            AeronErrorType::PublicationClosed => -4,
            AeronErrorType::PublicationMaxPositionExceeded => -5,
            AeronErrorType::PublicationError => -6,
            AeronErrorType::TimedOut => ETIMEDOUT,
            AeronErrorType::ReentrantCall => -234325,
            AeronErrorType::Archive(code) => -code.client_code(),
            AeronErrorType::ArchiveClient(code) => -code.client_code(),
            AeronErrorType::ArchiveConnectRejected => EINVAL,
            AeronErrorType::Unknown(code) => *code,
        }
    }

    /// Classifies a code (-1 is [`GenericError`](Self::GenericError); -200 to -216 are
    /// [`Archive`](Self::Archive); -2000 to -2002 are [`ArchiveClient`](Self::ArchiveClient)).
    pub const fn from_code(code: i32) -> Self {
        match code {
            -1 => AeronErrorType::GenericError,
            -1000 => AeronErrorType::ClientErrorDriverTimeout,
            -1001 => AeronErrorType::ClientErrorClientTimeout,
            -1002 => AeronErrorType::ClientErrorConductorServiceTimeout,
            -1003 => AeronErrorType::ClientErrorBufferFull,
            -1004 => AeronErrorType::ClientErrorDriverBufferFull,
            -1005 => AeronErrorType::ClientErrorClientIllegalState,
            -1006 => AeronErrorType::ClientErrorBroadcastReceiverIllegalState,
            -2 => AeronErrorType::PublicationBackPressured,
            -3 => AeronErrorType::PublicationAdminAction,
            -4 => AeronErrorType::PublicationClosed,
            -5 => AeronErrorType::PublicationMaxPositionExceeded,
            -6 => AeronErrorType::PublicationError,
            ETIMEDOUT => AeronErrorType::TimedOut,
            -234325 => AeronErrorType::ReentrantCall,
            -216..=-200 => match ArchiveErrorCode::from_client_code(code) {
                Some(archive) => AeronErrorType::Archive(archive),
                None => AeronErrorType::Unknown(code),
            },
            -2002..=-2000 => match ArchiveClientErrorCode::from_client_code(code) {
                Some(client) => AeronErrorType::ArchiveClient(client),
                None => AeronErrorType::Unknown(code),
            },
            _ => AeronErrorType::Unknown(code),
        }
    }

    /// A fixed description of the kind.
    pub const fn description(&self) -> &'static str {
        match self {
            AeronErrorType::GenericError => "generic error",
            AeronErrorType::ClientErrorDriverTimeout => "driver timeout",
            AeronErrorType::ClientErrorClientTimeout => "client timeout",
            AeronErrorType::ClientErrorConductorServiceTimeout => "conductor service timeout",
            AeronErrorType::ClientErrorBufferFull => "client buffer full",
            AeronErrorType::ClientErrorDriverBufferFull => "driver buffer full",
            AeronErrorType::ClientErrorClientIllegalState => "client illegal state",
            AeronErrorType::ClientErrorBroadcastReceiverIllegalState => {
                "broadcast receiver illegal state"
            }
            AeronErrorType::PublicationNotConnected => "publication not connected",
            AeronErrorType::PublicationBackPressured => "publication back pressured",
            AeronErrorType::PublicationAdminAction => "publication admin action",
            AeronErrorType::PublicationClosed => "publication closed",
            AeronErrorType::PublicationMaxPositionExceeded => "publication max position exceeded",
            AeronErrorType::PublicationError => "publication error",
            AeronErrorType::TimedOut => "timed out",
            AeronErrorType::ReentrantCall => "re-entrant call refused",
            AeronErrorType::Archive(code) => code.description(),
            AeronErrorType::ArchiveClient(code) => code.description(),
            AeronErrorType::ArchiveConnectRejected => "archive rejected the connect",
            AeronErrorType::Unknown(_) => "unknown error",
        }
    }

    /// True for [`PublicationBackPressured`](Self::PublicationBackPressured).
    pub fn is_back_pressured(&self) -> bool {
        *self == AeronErrorType::PublicationBackPressured
    }

    /// True for [`PublicationAdminAction`](Self::PublicationAdminAction).
    pub fn is_admin_action(&self) -> bool {
        *self == AeronErrorType::PublicationAdminAction
    }

    /// True when a retry may succeed (back pressure or admin action).
    pub fn is_back_pressured_or_admin_action(&self) -> bool {
        self.is_back_pressured() || self.is_admin_action()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in [
            -1, -1000, -1001, -1002, -1003, -1004, -1005, -1006, -2, -3, -4, -5, -6, 110, -234325,
            7, -200, -205, -216, -199, -217, 205, -2000, -2001, -2002, -1999, -2003, 2001,
        ] {
            assert_eq!(AeronErrorType::from_code(code).code(), code);
        }
        assert_eq!(
            AeronErrorType::from_code(-205),
            AeronErrorType::Archive(ArchiveErrorCode::UnknownRecording)
        );
        assert_eq!(AeronErrorType::from_code(205), AeronErrorType::Unknown(205));
        for (code, client) in [
            (-2000, ArchiveClientErrorCode::ReentrantCall),
            (-2001, ArchiveClientErrorCode::NotConnected),
            (-2002, ArchiveClientErrorCode::IllegalState),
        ] {
            assert_eq!(
                AeronErrorType::from_code(code),
                AeronErrorType::ArchiveClient(client)
            );
            let e = AeronCError::from_code(code);
            assert_eq!(e.archive_client_code(), Some(client));
            assert_eq!(e.archive_code(), None);
            assert_eq!(e.msg, client.description());
        }
        assert_eq!(
            AeronErrorType::from_code(-2003),
            AeronErrorType::Unknown(-2003)
        );
        assert_eq!(
            AeronErrorType::from_code(2001),
            AeronErrorType::Unknown(2001)
        );
        assert_eq!(AeronCError::from_code(-205).archive_client_code(), None);
        // The classification keeps the error small (docs/client.md).
        assert_eq!(std::mem::size_of::<AeronErrorType>(), 8);
        assert_eq!(std::mem::size_of::<AeronCError>(), 40);
        // Only the archive connect says that an EINVAL is a rejection.
        assert_eq!(AeronErrorType::ArchiveConnectRejected.code(), 22);
        assert_eq!(AeronErrorType::from_code(22), AeronErrorType::Unknown(22));
        let e = AeronCError::with_message(-211, "low storage threshold=1 <= usableSpace=0");
        assert_eq!(e.archive_code(), Some(ArchiveErrorCode::StorageSpace));
        assert!(e.to_string().contains("usableSpace"), "{e}");
        assert_eq!(AeronCError::from_code(-1).archive_code(), None);
        let e = AeronCError::from_publication_result(-1);
        assert_eq!(e.kind(), AeronErrorType::PublicationNotConnected);
        assert!(AeronCError::from_publication_result(-2)
            .kind()
            .is_back_pressured());
        assert!(e.to_string().contains("not connected"), "{e}");
    }
}
