//! [`AeronContext`]: configuration of a client, and the owner of the handlers registered on it.

use std::collections::HashMap;
use std::ffi::{c_int, c_void, CStr, CString};
use std::sync::Arc;

use aeron_sys::*;
use parking_lot::Mutex;

use crate::generated::HandlerDefaults;
use crate::handler_box::HandlerBox;
use crate::AeronCError;

/// Configuration of an [`Aeron`](crate::Aeron) client (`aeron_context_t`).
///
/// Setters take `&self` and return `Result<i32, AeronCError>` (the C return code) like the earlier
/// wrapper; they fail with [`AeronErrorType::ClientErrorClientIllegalState`](crate::AeronErrorType) once a
/// client has been created from the context, because the client's conductor thread reads the context
/// from then on. A context can be used by exactly one client. Cloning gives another handle to the same
/// context. Handlers set on the context (error handler, `on_new_publication`, ...) are owned by it and
/// freed when the context is closed, which happens after the client using it has closed.
#[derive(Clone)]
pub struct AeronContext {
    pub(crate) inner: Arc<ContextInner>,
}

pub(crate) struct ContextInner {
    ptr: *mut aeron_context_t,
    pub(crate) defaults: HandlerDefaults,
    state: Mutex<ContextState>,
}

struct ContextState {
    in_use: bool,
    handlers: HashMap<&'static str, HandlerBox>,
}

// SAFETY: the context pointer is only written under the `state` mutex, and only while no client uses it;
// reads also take the mutex. Handlers stored here are `Send` (HandlerBox). The defaults hold C function
// pointers and the C default clientd values (NULL), which are plain values.
unsafe impl Send for ContextInner {}
// SAFETY: see above; every access goes through the mutex.
unsafe impl Sync for ContextInner {}

impl Drop for ContextInner {
    fn drop(&mut self) {
        // SAFETY: ptr came from aeron_context_init; the client using it (if any) has been closed already,
        // because every client holds an Arc of this inner. Handlers are dropped after this, once C is gone.
        unsafe { aeron_context_close(self.ptr) };
    }
}

impl std::fmt::Debug for AeronContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronContext")
            .field("dir", &self.get_dir())
            .finish()
    }
}

impl AeronContext {
    /// Creates a context with Aeron's defaults (which honour the `AERON_*` environment variables).
    pub fn new() -> Result<Self, AeronCError> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: valid out-pointer.
        AeronCError::check(unsafe { aeron_context_init(&mut ptr) })?;
        // SAFETY: ptr is a freshly initialised context; the getters only read it.
        let mut defaults = unsafe { HandlerDefaults::capture(ptr) };
        // The C default error handler calls exit(): replace it (and what `set_error_handler(None)`
        // restores) with one that reports the error and lets the process decide.
        defaults.error_handler = Some(report_client_error);
        defaults.error_handler_clientd = std::ptr::null_mut();
        // SAFETY: fresh context, not shared yet; the handler is a plain function that needs no clientd.
        AeronCError::check(unsafe {
            aeron_context_set_error_handler(ptr, Some(report_client_error), std::ptr::null_mut())
        })?;
        Ok(AeronContext {
            inner: Arc::new(ContextInner {
                ptr,
                defaults,
                state: Mutex::new(ContextState {
                    in_use: false,
                    handlers: HashMap::new(),
                }),
            }),
        })
    }

    /// The raw `aeron_context_t`, for code layered on this crate.
    ///
    /// The pointer stays valid while this context (or a client made from it) exists. Mutating the
    /// context through it after a client was created from it is a data race with the client's conductor.
    pub fn as_raw(&self) -> *mut aeron_context_t {
        self.inner.ptr
    }

    /// True once a client has been created from this context.
    pub fn is_in_use(&self) -> bool {
        self.inner.state.lock().in_use
    }

    /// Runs a setter on the raw context if no client uses it yet.
    pub(crate) fn write(
        &self,
        f: impl FnOnce(*mut aeron_context_t) -> c_int,
    ) -> Result<i32, AeronCError> {
        let state = self.inner.state.lock();
        if state.in_use {
            return Err(AeronCError::illegal_state(
                "the context is in use by a client and can no longer be changed",
            ));
        }
        AeronCError::check(f(self.inner.ptr))
    }

    /// Runs a getter on the raw context.
    pub(crate) fn read<R>(&self, f: impl FnOnce(*mut aeron_context_t) -> R) -> R {
        let _state = self.inner.state.lock();
        f(self.inner.ptr)
    }

    /// Installs (`Some`) or removes (`None`) the handler of `slot`. `set` receives the raw context and the
    /// new handler's clientd (None: restore the C default), and returns the C result.
    pub(crate) fn install_handler(
        &self,
        slot: &'static str,
        handler: Option<HandlerBox>,
        set: impl FnOnce(*mut aeron_context_t, Option<*mut c_void>) -> c_int,
    ) -> Result<i32, AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(AeronCError::illegal_state(
                "the context is in use by a client and can no longer be changed",
            ));
        }
        let rc = AeronCError::check(set(
            self.inner.ptr,
            handler.as_ref().map(HandlerBox::clientd),
        ))?;
        // C now points at the new handler (or the default); the previous one can go.
        let old = match handler {
            Some(h) => state.handlers.insert(slot, h),
            None => state.handlers.remove(slot),
        };
        drop(state);
        drop(old);
        Ok(rc)
    }

    /// Marks the context as used by a client; fails if it already is. Runs `init` under the lock and
    /// keeps the context unused if `init` fails.
    pub(crate) fn claim_for_client<R>(
        &self,
        init: impl FnOnce(*mut aeron_context_t) -> Result<R, AeronCError>,
    ) -> Result<R, AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(AeronCError::illegal_state(
                "an AeronContext can be used by one client only",
            ));
        }
        let r = init(self.inner.ptr)?;
        state.in_use = true;
        Ok(r)
    }

    /// Sets the Aeron directory (shorthand for [`set_dir`](Self::set_dir) with a path).
    pub fn set_dir_path(&self, dir: &std::path::Path) -> Result<i32, AeronCError> {
        self.set_dir(
            dir.to_str()
                .ok_or_else(|| AeronCError::with_message(-1, "aeron dir path is not UTF-8"))?,
        )
    }
}

/// Converts a Rust string for C; interior NUL bytes are an error.
pub(crate) fn cstring(s: &str) -> Result<CString, AeronCError> {
    CString::new(s).map_err(|e| {
        AeronCError::with_message(
            -1,
            format!(
                "string contains an interior NUL byte at {}",
                e.nul_position()
            ),
        )
    })
}

/// Copies a possibly-NULL C string.
pub(crate) fn owned_str(p: *const std::ffi::c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        // SAFETY: callers pass NUL-terminated strings returned by the C API and valid for this call.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

/// Borrows a possibly-NULL C string (invalid UTF-8 gives `""`).
///
/// # Safety
/// `p` must be NULL or NUL-terminated and valid for `'a`.
pub(crate) unsafe fn borrowed_str<'a>(p: *const std::ffi::c_char) -> &'a str {
    if p.is_null() {
        ""
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("")
    }
}

/// Borrows `len` bytes at `p` (NULL or zero length gives `&[]`).
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes valid for `'a`.
pub(crate) unsafe fn bytes<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}

/// Borrows `len` bytes at `p` as text (invalid UTF-8 gives `""`).
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn str_n<'a>(p: *const std::ffi::c_char, len: usize) -> &'a str {
    // SAFETY: guaranteed by the caller.
    std::str::from_utf8(unsafe { bytes(p as *const u8, len) }).unwrap_or("")
}

/// Borrows `len` writable bytes at `p` (NULL or zero length gives an empty slice).
///
/// # Safety
/// `p` must be NULL or point to `len` writable bytes, valid and not otherwise accessed for `'a`.
pub(crate) unsafe fn bytes_mut<'a>(p: *mut u8, len: usize) -> &'a mut [u8] {
    if p.is_null() || len == 0 {
        &mut []
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts_mut(p, len) }
    }
}

/// The default error handler of every [`AeronContext`]: reports the client error through `log::error!`
/// (or on stderr when no logger is installed) instead of the C default, which ends the process.
unsafe extern "C" fn report_client_error(
    _clientd: *mut std::ffi::c_void,
    errcode: i32,
    message: *const std::ffi::c_char,
) {
    crate::panic::catch_detached((), || {
        let text = if message.is_null() {
            std::borrow::Cow::Borrowed("")
        } else {
            // SAFETY: C passes a NUL-terminated message valid for the duration of this call.
            unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy()
        };
        if log::log_enabled!(log::Level::Error) {
            log::error!("aeron client error {errcode}: {text}");
        } else {
            eprintln!("aeron client error {errcode}: {text}");
        }
    })
}
