//! Panics in handlers never unwind through C frames.
//!
//! Every trampoline runs its handler under [`catch`]. The archive client calls handlers synchronously on
//! the thread that called into it (descriptor consumers during a list call; the recording signal consumer,
//! error handler, idle strategy and delegating invoker during any command or poll), and every such C call
//! is made through [`call`]: a caught panic is stored and resumed on the caller's thread once the C function
//! has returned normally. A panic with no Rust caller to resume on is reported on stderr and via `log`.

use std::any::Any;
use std::cell::Cell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

thread_local! {
    static PENDING: Cell<Option<Box<dyn Any + Send>>> = const { Cell::new(None) };
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs a handler from an `extern "C"` trampoline; on panic keeps (or reports) it and returns `default`.
#[inline]
pub(crate) fn catch<R>(default: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            if DEPTH.with(|d| d.get()) > 0 {
                // Keep the first panic of this C call; later ones are dropped.
                PENDING.with(|p| {
                    let first = p.take().unwrap_or(payload);
                    p.set(Some(first));
                });
            } else {
                let msg = message(&*payload);
                log::error!("rusteron-archive: handler panicked outside a Rust call: {msg}");
                eprintln!("rusteron-archive: handler panicked outside a Rust call: {msg}");
            }
            default
        }
    }
}

/// Runs a C call that may invoke handlers on this thread and resumes a handler panic afterwards.
#[inline]
pub(crate) fn call<R>(f: impl FnOnce() -> R) -> R {
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = f();
    DEPTH.with(|d| d.set(d.get() - 1));
    if DEPTH.with(|d| d.get()) == 0 {
        if let Some(payload) = PENDING.with(|p| p.take()) {
            resume_unwind(payload);
        }
    }
    r
}

fn message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "<non-string panic payload>"
    }
}

/// Runs a C call from a destructor: a handler panic is reported instead of resumed (a destructor must not
/// start unwinding, possibly during another unwind).
pub(crate) fn call_in_drop<R>(f: impl FnOnce() -> R) -> R {
    DEPTH.with(|d| d.set(d.get() + 1));
    let r = f();
    DEPTH.with(|d| d.set(d.get() - 1));
    if DEPTH.with(|d| d.get()) == 0 {
        if let Some(payload) = PENDING.with(|p| p.take()) {
            let msg = message(&*payload);
            log::error!("rusteron-archive: handler panicked while closing: {msg}");
            eprintln!("rusteron-archive: handler panicked while closing: {msg}");
        }
    }
    r
}
