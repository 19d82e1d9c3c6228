//! [`AeronOfferError`]: publication results as a `Result`, and the `*_result` variants of the publication
//! calls that return it.
//!
//! `offer`, `offer_vectored`, `offer_block`, `append_padding` and `try_claim_with` keep returning Aeron's raw
//! `i64` (the stream position, or a negative `AERON_PUBLICATION_*` sentinel), as the C client and earlier
//! rusteron versions do; each has a `*_result` twin that classifies the sentinel. The twins cost one
//! compare and branch on the success path (the classification is out of line), so they compile to the same
//! loop as the raw call with its own check.

use crate::error::AeronCError;
use crate::generated::AeronReservedValueSupplierCallback;
use crate::publication::{AeronBufferClaim, AeronExclusivePublication, AeronPublication};

/// Why an offer or claim did not put a message into the stream: Aeron's `AERON_PUBLICATION_*` results.
///
/// [`is_retryable`](Self::is_retryable) tells the sentinels to retry on (not connected, back pressured,
/// admin action; ideally with an idle strategy) from the final ones (closed, max position exceeded, error),
/// as Aeron's `BasicPublisher` sample does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AeronOfferError {
    /// `AERON_PUBLICATION_NOT_CONNECTED` (-1): no subscriber is connected yet.
    #[error("the publication is not connected (no subscriber yet)")]
    NotConnected,
    /// `AERON_PUBLICATION_BACK_PRESSURED` (-2): the subscribers are behind.
    #[error("the publication is back pressured")]
    BackPressured,
    /// `AERON_PUBLICATION_ADMIN_ACTION` (-3): a term rotation or similar is in progress.
    #[error("an administrative action is in progress on the publication")]
    AdminAction,
    /// `AERON_PUBLICATION_CLOSED` (-4).
    #[error("the publication is closed")]
    Closed,
    /// `AERON_PUBLICATION_MAX_POSITION_EXCEEDED` (-5): the stream reached its maximum position.
    #[error("the publication reached its maximum position")]
    MaxPositionExceeded,
    /// `AERON_PUBLICATION_ERROR` (-6) or any other negative result, with the C client's error.
    #[error("the publication failed: {0}")]
    Error(#[source] AeronCError),
    /// `offer_block_result` refused the block before C saw it (nothing was written).
    #[error("offer_block refused the block: {0}")]
    InvalidBlock(#[source] crate::BlockError),
}

impl AeronOfferError {
    /// `Ok(position)` for a position (> 0), otherwise the classified sentinel. Inlined: one compare and
    /// branch; the classification is out of line.
    #[inline(always)]
    pub fn from_result(result: i64) -> Result<i64, AeronOfferError> {
        if result > 0 {
            Ok(result)
        } else {
            Err(AeronOfferError::classify(result))
        }
    }

    /// The error of a non-positive publication result.
    #[cold]
    #[inline(never)]
    pub fn classify(result: i64) -> AeronOfferError {
        match result {
            aeron_sys::AERON_PUBLICATION_NOT_CONNECTED => AeronOfferError::NotConnected,
            aeron_sys::AERON_PUBLICATION_BACK_PRESSURED => AeronOfferError::BackPressured,
            aeron_sys::AERON_PUBLICATION_ADMIN_ACTION => AeronOfferError::AdminAction,
            aeron_sys::AERON_PUBLICATION_CLOSED => AeronOfferError::Closed,
            aeron_sys::AERON_PUBLICATION_MAX_POSITION_EXCEEDED => {
                AeronOfferError::MaxPositionExceeded
            }
            aeron_sys::AERON_PUBLICATION_ERROR => AeronOfferError::Error(AeronCError::last()),
            other => AeronOfferError::Error(AeronCError::from_publication_result(other)),
        }
    }

    /// `true` for the results worth retrying: not connected, back pressured, admin action.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            AeronOfferError::NotConnected
                | AeronOfferError::BackPressured
                | AeronOfferError::AdminAction
        )
    }

    /// `true` for the results after which offering again is pointless: closed, max position, error.
    pub fn is_fatal(&self) -> bool {
        !self.is_retryable()
    }

    /// The raw sentinel (`AERON_PUBLICATION_*`), or the error's code for [`Error`](Self::Error).
    pub fn code(&self) -> i64 {
        match self {
            AeronOfferError::NotConnected => aeron_sys::AERON_PUBLICATION_NOT_CONNECTED,
            AeronOfferError::BackPressured => aeron_sys::AERON_PUBLICATION_BACK_PRESSURED,
            AeronOfferError::AdminAction => aeron_sys::AERON_PUBLICATION_ADMIN_ACTION,
            AeronOfferError::Closed => aeron_sys::AERON_PUBLICATION_CLOSED,
            AeronOfferError::MaxPositionExceeded => {
                aeron_sys::AERON_PUBLICATION_MAX_POSITION_EXCEEDED
            }
            AeronOfferError::Error(e) => i64::from(e.code),
            AeronOfferError::InvalidBlock(_) => aeron_sys::AERON_PUBLICATION_ERROR,
        }
    }
}

impl From<AeronOfferError> for AeronCError {
    fn from(e: AeronOfferError) -> AeronCError {
        match e {
            AeronOfferError::Error(inner) => inner,
            AeronOfferError::InvalidBlock(e) => AeronCError::with_message(
                aeron_sys::AERON_PUBLICATION_ERROR as i32,
                format!("offer_block refused: {e}"),
            ),
            other => AeronCError::from_publication_result(other.code()),
        }
    }
}

/// The error of a failed claim, classified.
#[cold]
fn claim_error(e: AeronCError) -> AeronOfferError {
    match e.kind {
        crate::error::AeronErrorType::PublicationError => AeronOfferError::Error(e),
        _ => AeronOfferError::classify(i64::from(e.code)),
    }
}

/// The error of a block refused before C saw it.
#[cold]
fn block_refused(e: crate::BlockError) -> AeronOfferError {
    AeronOfferError::InvalidBlock(e)
}

macro_rules! result_variants {
    ($publication:ty) => {
        impl $publication {
            /// [`offer`](Self::offer) with the result classified: `Ok(new position)` or the
            /// [`AeronOfferError`].
            #[inline]
            pub fn offer_result<T: AeronReservedValueSupplierCallback>(
                &self,
                buffer: &[u8],
                reserved_value_supplier: Option<T>,
            ) -> Result<i64, AeronOfferError> {
                AeronOfferError::from_result(self.offer(buffer, reserved_value_supplier))
            }

            /// [`offer_vectored`](Self::offer_vectored) with the result classified.
            #[inline]
            pub fn offer_vectored_result<T: AeronReservedValueSupplierCallback>(
                &self,
                buffers: &[&[u8]],
                reserved_value_supplier: Option<T>,
            ) -> Result<i64, AeronOfferError> {
                AeronOfferError::from_result(self.offer_vectored(buffers, reserved_value_supplier))
            }

            /// [`try_claim_with`](Self::try_claim_with) with the result classified (`fill` runs only on
            /// `Ok`).
            #[inline]
            pub fn try_claim_with_result(
                &self,
                length: usize,
                fill: impl FnOnce(&mut [u8]),
            ) -> Result<i64, AeronOfferError> {
                AeronOfferError::from_result(self.try_claim_with(length, fill))
            }

            /// [`try_claim`](Self::try_claim) with the error classified.
            #[inline]
            pub fn try_claim_result(
                &self,
                length: usize,
            ) -> Result<AeronBufferClaim<'_>, AeronOfferError> {
                self.try_claim(length).map_err(claim_error)
            }
        }
    };
}

result_variants!(AeronPublication);
result_variants!(AeronExclusivePublication);

impl AeronExclusivePublication {
    /// [`offer_block`](Self::offer_block) with the result classified; a block refused by the validation is
    /// [`AeronOfferError::InvalidBlock`] with the [`BlockError`](crate::BlockError) as its source.
    #[inline]
    pub fn offer_block_result(&self, buffer: &[u8]) -> Result<i64, AeronOfferError> {
        if let Err(e) = AeronExclusivePublication::validate_block(buffer) {
            return Err(block_refused(e));
        }
        // SAFETY: validated just above.
        AeronOfferError::from_result(unsafe { self.offer_validated_block(buffer) })
    }

    /// [`append_padding`](Self::append_padding) with the result classified.
    #[inline]
    pub fn append_padding_result(&self, length: usize) -> Result<i64, AeronOfferError> {
        AeronOfferError::from_result(self.append_padding(length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sentinel_is_classified_and_keeps_its_code() {
        assert_eq!(AeronOfferError::from_result(64), Ok(64));
        for (code, e, retry) in [
            (-1, AeronOfferError::NotConnected, true),
            (-2, AeronOfferError::BackPressured, true),
            (-3, AeronOfferError::AdminAction, true),
            (-4, AeronOfferError::Closed, false),
            (-5, AeronOfferError::MaxPositionExceeded, false),
        ] {
            let got = AeronOfferError::from_result(code).unwrap_err();
            assert_eq!(got, e);
            assert_eq!(got.is_retryable(), retry);
            assert_eq!(got.is_fatal(), !retry);
            assert_eq!(got.code(), code);
            assert_eq!(AeronCError::from(got).code, code as i32);
        }
        let other = AeronOfferError::from_result(-42).unwrap_err();
        assert!(matches!(other, AeronOfferError::Error(_)) && other.is_fatal());
        assert!(
            std::error::Error::source(&other).is_some(),
            "the C error is the source"
        );
        let block = AeronOfferError::InvalidBlock(crate::BlockError::Length(24));
        assert!(block.is_fatal() && block.code() == -6);
        assert!(std::error::Error::source(&block).is_some());
        assert!(
            AeronOfferError::from_result(0).is_err(),
            "0 is not a position an offer returns"
        );
    }
}
