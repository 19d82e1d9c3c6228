//! Persistent subscriptions: a subscription that replays a recording from the archive and then joins the
//! live stream, transparently (`aeron_archive_persistent_subscription_*`).

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

use parking_lot::Mutex;
use rusteron_client::bindings::*;
use rusteron_client::{
    Aeron, AeronCError, AeronControlledFragmentHandlerCallback, AeronFragmentHandlerCallback,
    AeronFragmentHandlerClosure, AeronHeader,
};

use crate::context::ContextClaim;
use crate::generated::handlers::{
    archive_aeron_controlled_fragment_handler_trampoline, archive_aeron_fragment_handler_trampoline,
};
use crate::handler_box::HandlerBox;
use crate::reentry::Busy;
use crate::util::check;
use crate::AeronArchiveContext;

/// Start position of a persistent subscription: the start of the recording
/// (`AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START`, a macro bindgen cannot translate).
pub const AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_START: i64 = -1;

/// Start position of a persistent subscription: join the live stream without replaying
/// (`AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE`).
pub const AERON_ARCHIVE_PERSISTENT_SUBSCRIPTION_FROM_LIVE: i64 = -2;

/// Events of a persistent subscription, called on the thread that polls it.
pub trait AeronArchivePersistentSubscriptionListener: Send + 'static {
    /// The subscription now reads the live stream.
    fn on_live_joined(&mut self) {}
    /// The subscription left the live stream (it will replay to catch up).
    fn on_live_left(&mut self) {}
    /// An error occurred (`errcode`, message).
    fn on_error(&mut self, errcode: i32, message: &str) {
        let _ = (errcode, message);
    }
}

/// Configuration of a persistent subscription (`aeron_archive_persistent_subscription_context_t`).
///
/// Owns the listener set on it and keeps the [`Aeron`] client and the [`AeronArchiveContext`] it is given.
/// Cloning gives another handle to the same context; a persistent subscription made from it keeps it alive
/// and *in use* (setters fail) until it is dropped.
#[derive(Clone)]
pub struct AeronArchivePersistentSubscriptionContext {
    inner: Arc<PsContextInner>,
}

struct PsContextInner {
    ptr: *mut aeron_archive_persistent_subscription_context_t,
    state: Mutex<PsState>,
}

struct PsState {
    in_use: bool,
    aeron: Option<Aeron>,
    archive_context: Option<AeronArchiveContext>,
    listener: Option<HandlerBox>,
}

// SAFETY: the raw context is only accessed under the mutex, and written only while no persistent
// subscription uses it; the listener is `Send`.
unsafe impl Send for PsContextInner {}
// SAFETY: as above.
unsafe impl Sync for PsContextInner {}

impl Drop for PsContextInner {
    fn drop(&mut self) {
        // SAFETY: ptr came from the init call; no persistent subscription uses it any more (each holds an Arc
        // of this inner). C closes only what it created itself (counters, a client of its own).
        unsafe { aeron_archive_persistent_subscription_context_close(self.ptr) };
    }
}

impl std::fmt::Debug for AeronArchivePersistentSubscriptionContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchivePersistentSubscriptionContext")
            .field("recording_id", &self.get_recording_id())
            .field("live_channel", &self.get_live_channel())
            .finish()
    }
}

unsafe extern "C" fn on_live_joined<L: AeronArchivePersistentSubscriptionListener>(
    clientd: *mut c_void,
) {
    crate::panic::catch((), || {
        // SAFETY: clientd is the live boxed `L` owned by the context, used by the polling thread only.
        unsafe { &mut *(clientd as *mut L) }.on_live_joined()
    })
}

unsafe extern "C" fn on_live_left<L: AeronArchivePersistentSubscriptionListener>(
    clientd: *mut c_void,
) {
    crate::panic::catch((), || {
        // SAFETY: as in `on_live_joined`.
        unsafe { &mut *(clientd as *mut L) }.on_live_left()
    })
}

unsafe extern "C" fn on_error<L: AeronArchivePersistentSubscriptionListener>(
    clientd: *mut c_void,
    errcode: c_int,
    message: *const c_char,
) {
    crate::panic::catch((), || {
        // SAFETY: as in `on_live_joined`; the message is valid for the callback.
        let (l, msg) = unsafe {
            (
                &mut *(clientd as *mut L),
                crate::util::borrowed_str(message),
            )
        };
        l.on_error(errcode, msg)
    })
}

impl AeronArchivePersistentSubscriptionContext {
    /// Creates a context with the C defaults.
    pub fn new() -> Result<Self, AeronCError> {
        let mut ptr = std::ptr::null_mut();
        // SAFETY: valid out-pointer.
        check(unsafe { aeron_archive_persistent_subscription_context_init(&mut ptr) })?;
        Ok(AeronArchivePersistentSubscriptionContext {
            inner: Arc::new(PsContextInner {
                ptr,
                state: Mutex::new(PsState {
                    in_use: false,
                    aeron: None,
                    archive_context: None,
                    listener: None,
                }),
            }),
        })
    }

    pub(crate) fn write(
        &self,
        f: impl FnOnce(*mut aeron_archive_persistent_subscription_context_t) -> c_int,
    ) -> Result<i32, AeronCError> {
        let state = self.inner.state.lock();
        if state.in_use {
            return Err(in_use());
        }
        check(f(self.inner.ptr))
    }

    pub(crate) fn read<R>(
        &self,
        f: impl FnOnce(*mut aeron_archive_persistent_subscription_context_t) -> R,
    ) -> R {
        let _state = self.inner.state.lock();
        f(self.inner.ptr)
    }

    /// Sets the client (`aeron_archive_persistent_subscription_context_set_aeron`); the context keeps a clone.
    pub fn set_aeron(&self, aeron: &Aeron) -> Result<i32, AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(in_use());
        }
        // SAFETY: live context nothing uses; the client is kept alive by the clone stored below.
        let rc = check(unsafe {
            aeron_archive_persistent_subscription_context_set_aeron(self.inner.ptr, aeron.as_raw())
        })?;
        state.aeron = Some(aeron.clone());
        Ok(rc)
    }

    /// Sets the archive context the subscription connects with
    /// (`aeron_archive_persistent_subscription_context_set_archive_context`); the context keeps a clone, and
    /// a persistent subscription keeps it in use while it runs.
    pub fn set_archive_context(
        &self,
        archive_context: &AeronArchiveContext,
    ) -> Result<i32, AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(in_use());
        }
        // SAFETY: live contexts; the archive context is kept alive by the clone stored below.
        let rc = check(unsafe {
            aeron_archive_persistent_subscription_context_set_archive_context(
                self.inner.ptr,
                archive_context.as_raw(),
            )
        })?;
        state.archive_context = Some(archive_context.clone());
        Ok(rc)
    }

    /// Sets the listener (`aeron_archive_persistent_subscription_context_set_listener`); `None` removes it.
    pub fn set_listener<L: AeronArchivePersistentSubscriptionListener>(
        &self,
        listener: Option<L>,
    ) -> Result<i32, AeronCError> {
        let mut state = self.inner.state.lock();
        if state.in_use {
            return Err(in_use());
        }
        let boxed = listener.map(HandlerBox::new);
        let raw = match &boxed {
            Some(b) => aeron_archive_persistent_subscription_listener_t {
                on_live_joined: Some(on_live_joined::<L>),
                on_live_left: Some(on_live_left::<L>),
                on_error: Some(on_error::<L>),
                clientd: b.clientd(),
            },
            None => aeron_archive_persistent_subscription_listener_t {
                on_live_joined: None,
                on_live_left: None,
                on_error: None,
                clientd: std::ptr::null_mut(),
            },
        };
        // SAFETY: live context nothing uses; C copies the struct; the box stays in the state below.
        let rc = check(unsafe {
            aeron_archive_persistent_subscription_context_set_listener(self.inner.ptr, &raw)
        })?;
        let old = std::mem::replace(&mut state.listener, boxed);
        drop(state);
        drop(old);
        Ok(rc)
    }
}

/// A persistent subscription (`aeron_archive_persistent_subscription_t`). `Send`, not `Sync`; poll it from
/// one thread. Closed on drop.
///
/// A poll called from inside a handler of a poll of this same subscription (its fragment handler or its
/// listener) is refused with [`AeronErrorType::ReentrantCall`](rusteron_client::AeronErrorType): C would
/// run the subscription's state machine and fragment assembler inside the outer poll, overwriting the
/// assembler buffer the outer handler's slice points into, or closing the replay subscription the outer
/// poll is reading (docs/safety.md).
pub struct AeronArchivePersistentSubscription {
    ptr: *mut aeron_archive_persistent_subscription_t,
    /// True while a poll of this subscription runs (its handlers may call back into it).
    polling: Cell<bool>,
    // Dropped after the subscription is closed: the C context, its listener, client and archive context.
    _claim: Option<ContextClaim>,
    context: AeronArchivePersistentSubscriptionContext,
}

// SAFETY: the C persistent subscription is driven by one thread at a time (!Sync: raw pointer and the
// `polling` cell) and keeps no thread-affine state; its listener is `Send`.
unsafe impl Send for AeronArchivePersistentSubscription {}

impl Drop for AeronArchivePersistentSubscription {
    fn drop(&mut self) {
        // SAFETY: ptr came from create and is closed once; it no longer owns its context (taken back in
        // `create`), which stays alive until our fields drop.
        crate::panic::call_in_drop(|| unsafe {
            aeron_archive_persistent_subscription_close(self.ptr)
        });
        self.context.inner.state.lock().in_use = false;
    }
}

impl std::fmt::Debug for AeronArchivePersistentSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeronArchivePersistentSubscription")
            .field("is_live", &self.is_live())
            .field("is_replaying", &self.is_replaying())
            .finish()
    }
}

impl AeronArchivePersistentSubscription {
    /// Creates a persistent subscription (`aeron_archive_persistent_subscription_create`). The context (and
    /// its archive context) is in use until the subscription is dropped.
    pub fn create(
        context: &AeronArchivePersistentSubscriptionContext,
    ) -> Result<Self, AeronCError> {
        let mut state = context.inner.state.lock();
        if state.in_use {
            return Err(AeronCError::illegal_state(
                "the persistent subscription context is already in use",
            ));
        }
        let Some(archive_context) = state.archive_context.clone() else {
            return Err(AeronCError::illegal_state(
                "the persistent subscription context has no archive context",
            ));
        };
        let Some(aeron) = state.aeron.clone() else {
            return Err(AeronCError::illegal_state(
                "the persistent subscription context has no Aeron client",
            ));
        };
        // C points the archive context at our client: make the archive context keep that client too, and
        // keep it unchanged while the subscription runs.
        archive_context.set_aeron(&aeron)?;
        let (claim, _, _) = archive_context.claim(|_| Ok(std::ptr::null_mut()))?;
        let mut ptr = std::ptr::null_mut();
        // SAFETY: valid out-pointer, live context with a live client and archive context (both kept alive by
        // the context's state and the claim).
        check(crate::panic::call(|| unsafe {
            aeron_archive_persistent_subscription_create(&mut ptr, context.inner.ptr)
        }))?;
        // SAFETY: live subscription; from now on our Arc owns (and closes) the context, after the subscription.
        unsafe {
            aeron_archive_persistent_subscription_get_and_own_persistent_subscription_context(ptr)
        };
        state.in_use = true;
        drop(state);
        Ok(AeronArchivePersistentSubscription {
            ptr,
            polling: Cell::new(false),
            _claim: Some(claim),
            context: context.clone(),
        })
    }

    pub(crate) fn ptr(&self) -> *mut aeron_archive_persistent_subscription_t {
        self.ptr
    }

    /// The context this subscription was made from.
    pub fn context(&self) -> &AeronArchivePersistentSubscriptionContext {
        &self.context
    }

    /// Runs a poll with the `polling` flag set; refuses to start inside another poll of this subscription
    /// (a handler or the listener calling back). The flag is cleared also when a handler panic is resumed.
    fn guarded(&self, poll: impl FnOnce() -> c_int) -> Result<i32, AeronCError> {
        let _polling = Busy::enter(
            &self.polling,
            "reentrant call: a handler of this persistent subscription's poll polled it again",
        )?;
        check(crate::panic::call(poll))
    }

    /// Polls up to `fragment_limit` fragments of whole messages into `handler`
    /// (`aeron_archive_persistent_subscription_poll`); also drives the replay/live state machine. Refused
    /// with `ReentrantCall` from inside a handler of a poll of this subscription.
    pub fn poll<H: AeronFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        // SAFETY: live subscription, not inside a poll of it (guarded); the trampoline matches `H`, which
        // outlives the call.
        self.guarded(|| unsafe {
            aeron_archive_persistent_subscription_poll(
                self.ptr,
                Some(archive_aeron_fragment_handler_trampoline::<H>),
                handler as *mut H as *mut c_void,
                fragment_limit,
            )
        })
    }

    /// [`poll`](Self::poll) with a closure.
    pub fn poll_once<F: FnMut(&[u8], AeronHeader<'_>)>(
        &self,
        f: F,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        self.poll(&mut AeronFragmentHandlerClosure::new(f), fragment_limit)
    }

    /// Controlled poll (`aeron_archive_persistent_subscription_controlled_poll`); refused like
    /// [`poll`](Self::poll) from inside a handler of a poll of this subscription.
    pub fn controlled_poll<H: AeronControlledFragmentHandlerCallback>(
        &self,
        handler: &mut H,
        fragment_limit: usize,
    ) -> Result<i32, AeronCError> {
        // SAFETY: as in `poll`.
        self.guarded(|| unsafe {
            aeron_archive_persistent_subscription_controlled_poll(
                self.ptr,
                Some(archive_aeron_controlled_fragment_handler_trampoline::<H>),
                handler as *mut H as *mut c_void,
                fragment_limit,
            )
        })
    }

    /// The terminal error if the subscription has failed
    /// (`aeron_archive_persistent_subscription_failure_reason`).
    pub fn failure_reason(&self) -> Option<AeronCError> {
        let mut code: c_int = 0;
        let mut msg: *const c_char = std::ptr::null();
        // SAFETY: live subscription and valid out-pointers; the message is copied at once.
        let failed = unsafe {
            aeron_archive_persistent_subscription_failure_reason(self.ptr, &mut code, &mut msg)
        };
        // SAFETY: the message belongs to the live subscription.
        failed.then(|| AeronCError::with_message(code, unsafe { crate::util::owned_str(msg) }))
    }
}

fn in_use() -> AeronCError {
    AeronCError::illegal_state(
        "the persistent subscription context is in use and can no longer be changed",
    )
}
