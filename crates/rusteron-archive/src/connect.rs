//! Connecting to an archive: [`AeronArchiveAsyncConnect`] and [`AeronArchive::connect`].

use std::cell::{Cell, RefCell};
use std::ffi::c_int;
use std::time::{Duration, Instant};

use rusteron_client::bindings::*;
use rusteron_client::{AeronCError, AeronErrorType};

use crate::context::ContextClaim;
use crate::reentry::Busy;
use crate::util::check;
use crate::{AeronArchive, AeronArchiveContext};

extern "C" {
    // Declared in the C archive client's internal `aeron_archive_async_connect.h` (not in `aeron_archive.h`)
    // and exported by the library: frees a connect that has not completed. Used only to cancel on drop.
    fn aeron_archive_async_connect_delete(async_: *mut aeron_archive_async_connect_t) -> c_int;
    // Also from `aeron_archive_async_connect.h`: the connect's state (`ADD_PUBLICATION` 0, ...,
    // `SEND_CONNECT_REQUEST` 2, ..., `AWAIT_CHALLENGE_RESPONSE` 9). Tells whether a failure came after the
    // connect request, and whether a blocking connect made progress.
    fn aeron_archive_async_connect_step(async_: *mut aeron_archive_async_connect_t) -> u8;
    // Declared in the internal `aeron_archive_context.h`: one idle of the context's idle strategy, and one
    // duty cycle of an agent-invoker client plus the context's delegating invoker. `aeron_archive_connect`
    // runs them between polls; so does [`AeronArchive::connect`].
    fn aeron_archive_context_idle(ctx: *mut aeron_archive_context_t);
    fn aeron_archive_context_invoke_aeron_client(ctx: *mut aeron_archive_context_t) -> c_int;
}

/// `SEND_CONNECT_REQUEST`: from this state on the connect has sent (or sends in this poll) its request.
const STEP_SEND_CONNECT_REQUEST: u8 = 2;

/// `EINVAL`: the code of C's connect for an archive's error response to the connect.
const EINVAL: i32 = 22;

/// A connect in progress (`aeron_archive_async_connect_t`). `Send`, not `Sync`.
///
/// Poll it with [`poll`](Self::poll) until it yields the [`AeronArchive`]; or use
/// [`poll_blocking`](Self::poll_blocking). The connect fails by itself after the context's message timeout.
/// Dropping it before it completed cancels it. A poll from inside a handler that a poll of this connect
/// runs (the credentials supplier, the idle strategy, ...) is refused with
/// [`AeronErrorType::ReentrantCall`](rusteron_client::AeronErrorType): it would run C's connect state
/// machine inside itself, and a nested poll that completes frees the connect the outer one still uses.
pub struct AeronArchiveAsyncConnect {
    ptr: Cell<*mut aeron_archive_async_connect_t>,
    /// True while a poll of this connect runs.
    polling: Cell<bool>,
    claim: RefCell<Option<ContextClaim>>,
    aeron: rusteron_client::Aeron,
    /// What a failure message names.
    target: ConnectTarget,
}

/// The channels and the timeout of a connect, for its error messages.
#[derive(Debug, Clone)]
struct ConnectTarget {
    request: String,
    response: String,
    timeout: Duration,
}

impl ConnectTarget {
    fn of(context: &AeronArchiveContext) -> ConnectTarget {
        ConnectTarget {
            request: context.get_control_request_channel(),
            response: context.get_control_response_channel(),
            timeout: Duration::from_nanos(context.get_message_timeout_ns()),
        }
    }

    /// The C client's failure of a poll that started at connect step `step`, named: a connect that got no
    /// answer within the message timeout becomes a [`TimedOut`](AeronErrorType::TimedOut) error naming the
    /// channels and the timeout, and C's own text; an `EINVAL` after the connect request was sent is the
    /// archive's refusal, [`ArchiveConnectRejected`](AeronErrorType::ArchiveConnectRejected) (code and
    /// message stay C's); any other failure is C's own error.
    fn explain(&self, c_error: AeronCError, step: u8) -> AeronCError {
        if step >= STEP_SEND_CONNECT_REQUEST && c_error.code == EINVAL {
            // In 1.54 `aeron_archive_async_connect_poll` reports only an archive's ERROR response (or an
            // unexpected response code) to the connect request or challenge response with EINVAL after this
            // step; its text is the archive's. C drops the archive's code (`relevantId`).
            return AeronCError {
                kind: AeronErrorType::ArchiveConnectRejected,
                ..c_error
            };
        }
        if !c_error.msg.contains("connect timeout") {
            return c_error;
        }
        AeronCError::timed_out_with(format!(
            "no answer from an Aeron Archive within the message timeout of {:?}: control requests were \
             sent on {} and responses expected on {}; is the archive running and listening there? (C \
             client: {})",
            self.timeout,
            self.request,
            self.response,
            c_error.msg.trim_end()
        ))
    }

    /// The wrapper's own wait ran out first.
    fn waited(&self, waited: Duration) -> AeronCError {
        AeronCError::timed_out_with(format!(
            "the archive connect did not complete within {waited:?} (control request channel {}, response \
             channel {}); it goes on until the message timeout of {:?}",
            self.request, self.response, self.timeout
        ))
    }
}

// SAFETY: the C connect is driven from one thread at a time (the type is !Sync because of its cells), never
// re-entered (the `polling` flag), and its
// state (the client, the context duplicate) does not depend on the thread that created it.
unsafe impl Send for AeronArchiveAsyncConnect {}

impl std::fmt::Debug for AeronArchiveAsyncConnect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchiveAsyncConnect")
            .field("pending", &!self.ptr.get().is_null())
            .finish()
    }
}

impl AeronArchiveAsyncConnect {
    /// Starts connecting with `context` (`aeron_archive_async_connect`). The context is in use from now on
    /// until the connect fails or the archive it yields is dropped.
    pub fn new(context: &AeronArchiveContext) -> Result<Self, AeronCError> {
        let target = ConnectTarget::of(context);
        let (claim, aeron, raw) = context.claim(|ctx| {
            let mut ptr = std::ptr::null_mut();
            // SAFETY: valid out-pointer and a live context with a live client; C duplicates the context.
            check(crate::panic::call(|| unsafe {
                aeron_archive_async_connect(&mut ptr, ctx)
            }))?;
            Ok(ptr as *mut std::ffi::c_void)
        })?;
        Ok(AeronArchiveAsyncConnect {
            ptr: Cell::new(raw as *mut aeron_archive_async_connect_t),
            polling: Cell::new(false),
            claim: RefCell::new(Some(claim)),
            aeron,
            target,
        })
    }

    /// Advances the connect (`aeron_archive_async_connect_poll`): `Ok(Some(archive))` once connected,
    /// `Ok(None)` while in progress, `Err` if it failed (timeout, rejected, ...). Polling again after it
    /// completed fails with `ClientErrorClientIllegalState`; polling from inside a handler of a poll of
    /// this connect fails with `ReentrantCall`.
    pub fn poll(&self) -> Result<Option<AeronArchive>, AeronCError> {
        let _polling = Busy::enter(
            &self.polling,
            "reentrant call: a handler of this archive connect's poll polled it again",
        )?;
        let ptr = self.ptr.get();
        if ptr.is_null() {
            return Err(AeronCError::illegal_state(
                "the archive connect has already completed",
            ));
        }
        // SAFETY: live connect (not yet completed); reads its state.
        let step = unsafe { aeron_archive_async_connect_step(ptr) };
        let mut archive = std::ptr::null_mut();
        // SAFETY: live connect (not yet completed), polled from this thread only and not from inside a poll
        // of it (guarded above).
        let rc =
            crate::panic::call(|| unsafe { aeron_archive_async_connect_poll(&mut archive, ptr) });
        match rc {
            0 => Ok(None),
            1 => {
                // C has freed the connect and handed over the archive.
                self.ptr.set(std::ptr::null_mut());
                let claim = self
                    .claim
                    .borrow_mut()
                    .take()
                    .expect("claim present until completion");
                Ok(Some(AeronArchive::from_parts(
                    archive,
                    self.aeron.clone(),
                    claim,
                )))
            }
            _ => {
                // C has freed the connect; the error is this thread's last error.
                let err = self.target.explain(AeronCError::last(), step);
                self.ptr.set(std::ptr::null_mut());
                drop(self.claim.borrow_mut().take());
                Err(err)
            }
        }
    }

    /// The C connect's state (`aeron_archive_async_connect_step`); `None` once it completed or failed.
    fn step(&self) -> Option<u8> {
        let ptr = self.ptr.get();
        // SAFETY: a live connect that has not completed.
        (!ptr.is_null()).then(|| unsafe { aeron_archive_async_connect_step(ptr) })
    }

    /// Polls until connected, failed, or `timeout` elapsed (then `TimedOut`, and the connect stays pending).
    pub fn poll_blocking(&self, timeout: Duration) -> Result<AeronArchive, AeronCError> {
        let start = Instant::now();
        loop {
            if let Some(archive) = self.poll()? {
                return Ok(archive);
            }
            if start.elapsed() >= timeout {
                return Err(self.target.waited(timeout));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for AeronArchiveAsyncConnect {
    fn drop(&mut self) {
        let ptr = self.ptr.get();
        if !ptr.is_null() {
            // SAFETY: a live connect that has not completed; freed once (the pointer is dropped with self).
            // The client and the context it uses are still alive (we hold them until after this call).
            crate::panic::call_in_drop(|| unsafe { aeron_archive_async_connect_delete(ptr) });
        }
    }
}

impl AeronArchive {
    /// Connects with `context` and waits for the archive's answer (as `aeron_archive_connect`: polls the
    /// connect, running the context's idle strategy when a poll made no progress and the agent invoker and
    /// delegating invoker between polls); fails after the context's message timeout. Fails as
    /// [`AeronArchiveAsyncConnect::poll`] does, e.g. with
    /// [`ArchiveConnectRejected`](AeronErrorType::ArchiveConnectRejected) when the archive refuses the
    /// session.
    pub fn connect(context: &AeronArchiveContext) -> Result<AeronArchive, AeronCError> {
        let connect = AeronArchiveAsyncConnect::new(context)?;
        let ctx = context.as_raw();
        let mut previous = connect.step();
        loop {
            if let Some(archive) = connect.poll()? {
                return Ok(archive);
            }
            let step = connect.step();
            if step == previous {
                // SAFETY: the context is alive (borrowed) and in use by this connect; C only calls its idle
                // strategy, on this thread.
                crate::panic::call(|| unsafe { aeron_archive_context_idle(ctx) });
            } else {
                previous = step;
            }
            // SAFETY: as above; C runs the client's duty cycle (invoker mode) and the delegating invoker.
            check(crate::panic::call(|| unsafe {
                aeron_archive_context_invoke_aeron_client(ctx)
            }))?;
        }
    }
}
