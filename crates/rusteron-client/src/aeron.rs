//! [`Aeron`]: the client, and the bookkeeping that keeps handlers alive while C can call them.

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use aeron_sys::*;
use parking_lot::Mutex;

use crate::handler_box::HandlerBox;
use crate::{AeronCError, AeronContext};

/// An Aeron client (`aeron_t`) connected to a media driver.
///
/// Cheap to clone (all clones are the same client) and `Send + Sync`: the C client is thread-safe for
/// adding and removing resources. Every resource made from it (publication, subscription, counter,
/// counters reader, ...) holds a reference to the client, so the client closes only when the last of
/// them has been dropped; dropping the `Aeron` handle first is safe.
///
/// A handler owned by something registered with this client (or by its context) must not own a clone
/// of this `Aeron`: that would be a reference cycle that keeps the client open.
#[derive(Clone)]
pub struct Aeron {
    pub(crate) inner: Arc<AeronInner>,
}

pub(crate) struct AeronInner {
    ptr: *mut aeron_t,
    started: AtomicBool,
    pub(crate) graveyard: Arc<Graveyard>,
    context: AeronContext,
}

// SAFETY: the C client is thread-safe for the operations this crate exposes on a shared client (adding and
// removing resources, queries); the conductor agent invoker (the one non-thread-safe mode) is not exposed.
unsafe impl Send for AeronInner {}
// SAFETY: as above.
unsafe impl Sync for AeronInner {}

impl Drop for AeronInner {
    fn drop(&mut self) {
        let close = CloseClient {
            ptr: self.ptr,
            graveyard: self.graveyard.clone(),
            _context: self.context.clone(),
        };
        if crate::panic::in_callback() {
            // The last reference was dropped inside a handler, possibly on the conductor thread itself,
            // which aeron_close would join: close from a helper thread instead.
            std::thread::spawn(move || close.run());
        } else {
            close.run();
        }
    }
}

/// What closing a client needs; the context is released only after the client has closed.
struct CloseClient {
    ptr: *mut aeron_t,
    graveyard: Arc<Graveyard>,
    _context: AeronContext,
}

// SAFETY: the client pointer is only used to close it, once, by the thread running `run`.
unsafe impl Send for CloseClient {}

impl CloseClient {
    fn run(self) {
        // SAFETY: ptr came from aeron_init and no resource of the client exists any more (each holds an Arc
        // of the client). aeron_close stops and joins the conductor thread, so no C callback runs after it.
        unsafe { aeron_close(self.ptr) };
        // Whatever C did not hand back through a close notification can go now.
        self.graveyard.clear();
    }
}

impl std::fmt::Debug for Aeron {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aeron")
            .field("client_id", &self.client_id())
            .finish()
    }
}

impl Aeron {
    /// Creates a client from `context` (`aeron_init`): maps the driver's CnC file. Call
    /// [`start`](Self::start) before using it. A context can be used by one client only.
    pub fn new(context: &AeronContext) -> Result<Self, AeronCError> {
        let ptr = context.claim_for_client(|ctx| {
            let mut ptr = std::ptr::null_mut();
            // SAFETY: valid out-pointer and a live context, which the client keeps (we hold an Arc of it).
            AeronCError::check(unsafe { aeron_init(&mut ptr, ctx) })?;
            Ok(ptr)
        })?;
        Ok(Aeron {
            inner: Arc::new(AeronInner {
                ptr,
                started: AtomicBool::new(false),
                graveyard: Arc::new(Graveyard::default()),
                context: context.clone(),
            }),
        })
    }

    /// Starts the client's conductor thread (`aeron_start`). Calling it again does nothing.
    pub fn start(&self) -> Result<i32, AeronCError> {
        if self.inner.started.swap(true, Ordering::AcqRel) {
            return Ok(0);
        }
        // SAFETY: live client; started once thanks to the flag above.
        let rc = unsafe { aeron_start(self.inner.ptr) };
        if rc < 0 {
            self.inner.started.store(false, Ordering::Release);
        }
        AeronCError::check(rc)
    }

    /// Shorthand for [`new`](Self::new) followed by [`start`](Self::start).
    pub fn connect(context: &AeronContext) -> Result<Self, AeronCError> {
        let aeron = Aeron::new(context)?;
        aeron.start()?;
        Ok(aeron)
    }

    /// The raw `aeron_t`, for crates layered on this one (e.g. the archive client).
    ///
    /// # Safety
    /// The pointer is valid while this `Aeron` (or any clone or resource of it) is alive. The caller must
    /// not close the client, must not switch it to invoker mode, and must uphold the C API's threading
    /// rules for whatever it does with the pointer.
    pub unsafe fn as_raw(&self) -> *mut aeron_t {
        self.inner.ptr
    }

    pub(crate) fn ptr(&self) -> *mut aeron_t {
        self.inner.ptr
    }

    /// The context this client was made from.
    pub fn context(&self) -> &AeronContext {
        &self.inner.context
    }

    /// The raw context the C client reports (`aeron_context`); the same as [`context`](Self::context).
    pub fn context_ptr(&self) -> *mut aeron_context_t {
        // SAFETY: live client.
        unsafe { aeron_context(self.inner.ptr) }
    }

    /// True once [`start`](Self::start) has succeeded.
    pub fn is_started(&self) -> bool {
        self.inner.started.load(Ordering::Acquire)
    }

    /// Prints the driver's counters to stdout (`aeron_print_counters`).
    pub fn print_counters(&self) {
        unsafe extern "C" fn out(line: *const std::ffi::c_char) {
            crate::panic::catch((), || {
                // SAFETY: the C side passes a NUL-terminated line valid for this call.
                print!("{}", unsafe { crate::context::borrowed_str(line) });
            })
        }
        // SAFETY: live client; `out` is a plain function that stays valid.
        crate::panic::call(|| unsafe { aeron_print_counters(self.inner.ptr, Some(out)) });
    }
}

/// Handlers whose C registration has been closed but which C may still call until the conductor has
/// processed the close. Each lives in a [`RetireNode`] whose address is the close notification's clientd.
#[derive(Default)]
pub(crate) struct Graveyard {
    nodes: Mutex<HashMap<usize, Box<RetireNode>>>,
}

// SAFETY: the nodes' payloads are `Send` handlers; the raw graveyard pointer in each node is only
// dereferenced by the close notification, while the graveyard is alive (see `retire_notification`).
unsafe impl Send for Graveyard {}
// SAFETY: all access to the nodes goes through the mutex.
unsafe impl Sync for Graveyard {}

pub(crate) struct RetireNode {
    graveyard: *const Graveyard,
    _payload: Vec<HandlerBox>,
}

impl Graveyard {
    /// Parks `payload` until the C notification with the returned clientd fires (or the client closes).
    pub(crate) fn retire(self: &Arc<Self>, payload: Vec<HandlerBox>) -> *mut c_void {
        let node = Box::new(RetireNode {
            graveyard: Arc::as_ptr(self),
            _payload: payload,
        });
        let key = &*node as *const RetireNode as usize;
        self.nodes.lock().insert(key, node);
        key as *mut c_void
    }

    /// Parks `handler` under its own `clientd` until [`release`](Self::release) of that `clientd` or the
    /// client's close (used by handlers added to a running client, see `client_handlers`).
    pub(crate) fn park(self: &Arc<Self>, handler: HandlerBox) {
        let key = handler.clientd() as usize;
        let node = Box::new(RetireNode {
            graveyard: Arc::as_ptr(self),
            _payload: vec![handler],
        });
        self.nodes.lock().insert(key, node);
    }

    /// Frees the node of `clientd` now (used when the C call that would have notified failed).
    pub(crate) fn release(&self, clientd: *mut c_void) {
        let node = self.nodes.lock().remove(&(clientd as usize));
        drop(node);
    }

    fn clear(&self) {
        let nodes: Vec<_> = self.nodes.lock().drain().collect();
        drop(nodes);
    }
}

/// `aeron_notification_t` given to the C close/remove calls: frees the parked handlers.
pub(crate) unsafe extern "C" fn retire_notification(clientd: *mut c_void) {
    crate::panic::catch_detached((), || {
        let node = clientd as *const RetireNode;
        // SAFETY: clientd is the address of a node that is still in its graveyard: nodes are only removed
        // here or when the client has closed (after which C makes no more calls). The graveyard is kept
        // alive by the client, which has not closed while its conductor runs this notification.
        let graveyard = unsafe { &*(*node).graveyard };
        graveyard.release(clientd);
    })
}
