//! [`AeronArchiveContext`]: configuration of an archive connection, and the owner of its handlers and of
//! the [`Aeron`] client it uses.

use std::collections::HashMap;
use std::ffi::{c_int, c_void};
use std::sync::Arc;

use parking_lot::Mutex;
use rusteron_client::bindings::*;
use rusteron_client::{Aeron, AeronCError, AeronContext};

use crate::credentials::{AeronArchiveCredentialsSupplier, CredentialsBox};
use crate::handler_box::HandlerBox;
use crate::util::check;

/// Configuration of an archive connection (`aeron_archive_context_t`).
///
/// Cloning gives another handle to the same context. The context owns:
/// * the [`Aeron`] client set with [`set_aeron`](Self::set_aeron) (a clone: the client stays open while
///   the context or an archive connected through it exists);
/// * every handler set on it (credentials supplier, recording signal consumer, error handler, idle
///   strategy, delegating invoker), freed when the last handle to the context and every archive connected
///   through it are gone.
///
/// A context serves one connection at a time: from [`AeronArchiveAsyncConnect::new`](crate::AeronArchiveAsyncConnect::new)
/// until the connect fails or the resulting [`AeronArchive`](crate::AeronArchive) is dropped it is *in
/// use*; setters then fail with `ClientErrorClientIllegalState` (the C archive keeps pointers to the
/// context's handlers) and a second connect through it fails the same way.
#[derive(Clone)]
pub struct AeronArchiveContext {
    pub(crate) inner: Arc<ContextInner>,
}

pub(crate) struct ContextInner {
    ptr: *mut aeron_archive_context_t,
    state: Mutex<ContextState>,
}

struct ContextState {
    in_use: bool,
    aeron: Option<Aeron>,
    handlers: HashMap<&'static str, HandlerBox>,
    credentials: Option<CredentialsBox>,
}

// SAFETY: the raw context is only accessed under the `state` mutex (writes only while not in use; while in
// use, C reads its own duplicate of it on the archive's thread). The handlers stored are `Send`.
unsafe impl Send for ContextInner {}
// SAFETY: as above; every access goes through the mutex.
unsafe impl Sync for ContextInner {}

impl Drop for ContextInner {
    fn drop(&mut self) {
        // SAFETY: ptr came from aeron_archive_context_init. No archive or connect uses it any more (each holds
        // an Arc of this inner), and `owns_aeron_client` is never set, so C does not close our client. The
        // handlers and the Aeron clone are dropped after this, once C can no longer call them.
        unsafe { aeron_archive_context_close(self.ptr) };
    }
}

impl std::fmt::Debug for AeronArchiveContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchiveContext")
            .field(
                "control_request_channel",
                &self.get_control_request_channel(),
            )
            .field(
                "control_request_stream_id",
                &self.get_control_request_stream_id(),
            )
            .field(
                "control_response_channel",
                &self.get_control_response_channel(),
            )
            .field("in_use", &self.is_in_use())
            .finish()
    }
}

impl AeronArchiveContext {
    /// Creates a context with the C defaults (which honour the `AERON_ARCHIVE_*` environment variables).
    pub fn new() -> Result<Self, AeronCError> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: valid out-pointer.
        check(unsafe { aeron_archive_context_init(&mut ptr) })?;
        Ok(AeronArchiveContext {
            inner: Arc::new(ContextInner {
                ptr,
                state: Mutex::new(ContextState {
                    in_use: false,
                    aeron: None,
                    handlers: HashMap::new(),
                    credentials: None,
                }),
            }),
        })
    }

    /// A context using `aeron`, the given control request / response channels and recording events
    /// channel, with no credentials supplier (the seed's constructor).
    pub fn new_with_no_credentials_supplier(
        aeron: &Aeron,
        request_control_channel: &str,
        response_control_channel: &str,
        recording_events_channel: &str,
    ) -> Result<Self, AeronCError> {
        let ctx = Self::new()?;
        ctx.set_aeron(aeron)?;
        ctx.set_control_request_channel(request_control_channel)?;
        ctx.set_control_response_channel(response_control_channel)?;
        ctx.set_recording_events_channel(recording_events_channel)?;
        Ok(ctx)
    }

    /// Sets the client used to talk to the media driver (`aeron_archive_context_set_aeron`). The context
    /// keeps a clone, so the client stays open while the context or an archive made from it exists; C never
    /// owns or closes it. Without one, connecting creates a client on
    /// [`get_aeron_directory_name`](Self::get_aeron_directory_name).
    pub fn set_aeron(&self, aeron: &Aeron) -> Result<i32, AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(in_use());
        }
        // SAFETY: live context that nothing uses; the client stays alive (we keep a clone below) for as long
        // as the context, which outlives every archive made from it.
        let rc = check(unsafe { aeron_archive_context_set_aeron(self.inner.ptr, aeron.as_raw()) })?;
        state.aeron = Some(aeron.clone());
        Ok(rc)
    }

    /// The client set with [`set_aeron`](Self::set_aeron) (or created by a connect), if any.
    pub fn get_aeron(&self) -> Option<Aeron> {
        let state = self.inner.state.lock();
        debug_assert!(state.aeron.as_ref().is_none_or(|a| {
            // SAFETY: both pointers are only compared.
            unsafe { a.as_raw() == aeron_archive_context_get_aeron(self.inner.ptr) }
        }));
        state.aeron.clone()
    }

    /// Sets the credentials supplier used when connecting (`aeron_archive_context_set_credentials_supplier`).
    /// `None` restores the default (no credentials). The supplier is owned by the context.
    pub fn set_credentials_supplier<S: AeronArchiveCredentialsSupplier>(
        &self,
        supplier: Option<S>,
    ) -> Result<i32, AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(in_use());
        }
        let boxed = supplier.map(CredentialsBox::new);
        let rc = match &boxed {
            // SAFETY: live context that nothing uses; the box (the clientd) is kept by the context below until
            // it is replaced or the context closes, and the functions match its type.
            Some(b) => unsafe {
                aeron_archive_context_set_credentials_supplier(
                    self.inner.ptr,
                    Some(crate::credentials::encoded_credentials_trampoline::<S>),
                    Some(crate::credentials::on_challenge_trampoline::<S>),
                    Some(crate::credentials::on_free_trampoline),
                    b.clientd(),
                )
            },
            // SAFETY: live context that nothing uses; NULLs are the C default.
            None => unsafe {
                aeron_archive_context_set_credentials_supplier(
                    self.inner.ptr,
                    None,
                    None,
                    None,
                    std::ptr::null_mut(),
                )
            },
        };
        let rc = check(rc)?;
        let old = std::mem::replace(&mut state.credentials, boxed);
        drop(state);
        drop(old);
        Ok(rc)
    }

    /// True while a connect or an archive uses this context.
    pub fn is_in_use(&self) -> bool {
        self.inner.state.lock().in_use
    }

    /// The raw context. Valid while this context exists; changing it through the pointer while the context
    /// is in use is a data race with the archive using it.
    pub fn as_raw(&self) -> *mut aeron_archive_context_t {
        self.inner.ptr
    }

    /// Runs a setter on the raw context if nothing uses it.
    pub(crate) fn write(
        &self,
        f: impl FnOnce(*mut aeron_archive_context_t) -> c_int,
    ) -> Result<i32, AeronCError> {
        let state = self.inner.state.lock();
        if state.in_use {
            return Err(in_use());
        }
        check(f(self.inner.ptr))
    }

    /// Runs a getter on the raw context.
    pub(crate) fn read<R>(&self, f: impl FnOnce(*mut aeron_archive_context_t) -> R) -> R {
        let _state = self.inner.state.lock();
        f(self.inner.ptr)
    }

    /// Installs (`Some`) or removes (`None`) the handler of `slot`; `set` gets the raw context and the new
    /// handler's clientd and returns the C result. The previous handler is freed once C no longer points at it.
    pub(crate) fn install_handler(
        &self,
        slot: &'static str,
        handler: Option<HandlerBox>,
        set: impl FnOnce(*mut aeron_archive_context_t, Option<*mut c_void>) -> c_int,
    ) -> Result<i32, AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(in_use());
        }
        let rc = check(set(
            self.inner.ptr,
            handler.as_ref().map(HandlerBox::clientd),
        ))?;
        let old = match handler {
            Some(h) => state.handlers.insert(slot, h),
            None => state.handlers.remove(slot),
        };
        drop(state);
        drop(old);
        Ok(rc)
    }

    /// Marks the context in use for a connect, making sure it has a client, and runs `start` with the raw
    /// context. The claim is released if `start` fails.
    pub(crate) fn claim(
        &self,
        start: impl FnOnce(*mut aeron_archive_context_t) -> Result<*mut c_void, AeronCError>,
    ) -> Result<(ContextClaim, Aeron, *mut c_void), AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(AeronCError::illegal_state(
                "the archive context is already used by another connect or archive",
            ));
        }
        let aeron = match &state.aeron {
            Some(a) => a.clone(),
            None => {
                // SAFETY: live context; the string is copied at once.
                let dir = unsafe {
                    crate::util::owned_str(aeron_archive_context_get_aeron_directory_name(
                        self.inner.ptr,
                    ))
                };
                let client_ctx = AeronContext::new()?;
                if !dir.is_empty() {
                    client_ctx.set_dir(&dir)?;
                }
                let aeron = Aeron::connect(&client_ctx)?;
                // SAFETY: live context that nothing uses; the client is kept in the state below.
                check(unsafe { aeron_archive_context_set_aeron(self.inner.ptr, aeron.as_raw()) })?;
                state.aeron = Some(aeron.clone());
                aeron
            }
        };
        // In use from here on; the lock is not held while C connects (it may call handlers for long).
        state.in_use = true;
        drop(state);
        let claim = ContextClaim { ctx: self.clone() };
        // On failure the claim is dropped, which releases the context.
        let raw = start(self.inner.ptr)?;
        Ok((claim, aeron, raw))
    }
}

/// Keeps a context marked in use (and alive) for a connect or an archive; releases it on drop.
pub(crate) struct ContextClaim {
    pub(crate) ctx: AeronArchiveContext,
}

impl Drop for ContextClaim {
    fn drop(&mut self) {
        self.ctx.inner.state.lock().in_use = false;
    }
}

fn in_use() -> AeronCError {
    AeronCError::illegal_state(
        "the archive context is in use by a connect or an archive and can no longer be changed",
    )
}
