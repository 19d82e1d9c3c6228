//! The guard that refuses a call into an object from inside a handler of a call of the same object.
//!
//! The C archive client takes a recursive lock and refuses nested commands only while it runs a descriptor
//! consumer; from the recording signal consumer, the idle strategy or the delegating invoker a nested
//! command would poll the control response subscription from inside that subscription's own poll. A
//! persistent subscription would run its state machine and fragment assembler inside its own poll. The
//! wrappers hold a `Cell<bool>` (they are not `Sync`) set around every such C call, and refuse a call that
//! finds it set with `ReentrantCall` (docs/safety.md).

use std::cell::Cell;

use rusteron_client::AeronCError;

/// Holds an object's busy flag set for the duration of a C call; clears it on drop (also on unwind).
pub(crate) struct Busy<'a>(&'a Cell<bool>);

impl<'a> Busy<'a> {
    /// Sets `flag`, or refuses with `ReentrantCall` (naming `what`) if it is set already.
    #[inline]
    pub(crate) fn enter(flag: &'a Cell<bool>, what: &'static str) -> Result<Self, AeronCError> {
        Self::enter_or(flag, || AeronCError::reentrant(what))
    }

    /// Sets `flag`, or refuses with the error `refusal` makes if it is set already.
    #[inline]
    pub(crate) fn enter_or(
        flag: &'a Cell<bool>,
        refusal: impl FnOnce() -> AeronCError,
    ) -> Result<Self, AeronCError> {
        if flag.replace(true) {
            return Err(refusal());
        }
        Ok(Busy(flag))
    }
}

impl Drop for Busy<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.set(false);
    }
}
