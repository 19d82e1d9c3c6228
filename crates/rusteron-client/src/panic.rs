//! Panics inside handlers never unwind across C frames.
//!
//! Every `extern "C"` trampoline runs the Rust handler inside [`catch`]. When the C call that invoked the
//! handler was made from Rust on the same thread (poll, offer, for-each, ...), the wrapper runs it inside
//! [`call`], which re-raises the caught panic once the C function has returned. Handlers called on the
//! Aeron client conductor thread have no Rust caller to resume on: their panics are reported on stderr
//! (and through the `log` crate) and the callback returns a neutral value.

use std::any::Any;
use std::cell::Cell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

thread_local! {
    // A raw pointer (from `Box::into_raw`) rather than a `Box`: a thread-local without drop glue needs no
    // lazily registered destructor, so `call` (on every poll and offer) reads it with one load and no
    // registration check. It is only non-null between a caught panic and the end of the C call.
    static PENDING: Cell<Option<NonNull<dyn Any + Send>>> = const { Cell::new(None) };
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    static IN_CALLBACK: Cell<u32> = const { Cell::new(0) };
}

/// True while this thread is running a handler called from C.
pub(crate) fn in_callback() -> bool {
    IN_CALLBACK.with(|c| c.get()) > 0
}

/// Runs a handler from an `extern "C"` trampoline; on panic stores (or reports) it and returns `default`.
#[inline]
pub(crate) fn catch<R>(default: R, f: impl FnOnce() -> R) -> R {
    IN_CALLBACK.with(|c| c.set(c.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_CALLBACK.with(|c| c.set(c.get() - 1));
    match result {
        Ok(r) => r,
        Err(payload) => {
            if DEPTH.with(|d| d.get()) > 0 {
                // Keep the first panic; later ones of the same C call are dropped.
                PENDING.with(|p| {
                    if p.get().is_none() {
                        p.set(NonNull::new(Box::into_raw(payload)));
                    }
                });
            } else {
                let msg = payload_message(&*payload);
                log::error!("rusteron: handler panicked on an Aeron thread: {msg}");
                eprintln!("rusteron: handler panicked on an Aeron thread: {msg}");
            }
            default
        }
    }
}

/// Runs a C call that may invoke handlers on this thread, and re-raises a handler panic afterwards.
#[inline]
pub(crate) fn call<R>(f: impl FnOnce() -> R) -> R {
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = f();
    DEPTH.with(|d| d.set(d.get() - 1));
    if PENDING.with(|p| p.get()).is_some() {
        resume_pending();
    }
    r
}

/// Re-raises the panic parked by [`catch`].
#[cold]
#[inline(never)]
fn resume_pending() -> ! {
    let payload = PENDING.with(|p| p.take()).expect("a pending panic");
    // SAFETY: PENDING only ever holds a pointer from `Box::into_raw`, taken out exactly once here.
    resume_unwind(unsafe { Box::from_raw(payload.as_ptr()) })
}

fn payload_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "<non-string panic payload>"
    }
}
