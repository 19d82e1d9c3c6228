//! Panics in handlers never unwind through C frames.
//!
//! Every trampoline runs its handler under [`catch`]. The archive client calls handlers synchronously on
//! the thread that called into it (descriptor consumers during a list call; the recording signal consumer,
//! error handler, idle strategy and delegating invoker during any command or poll), and every such C call
//! is made through [`call`]: a caught panic is stored and resumed on the caller's thread once the C function
//! has returned normally. A panic with no Rust caller to resume on is reported on stderr and via `log`.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

thread_local! {
    static PENDING: Cell<Option<Box<dyn Any + Send>>> = const { Cell::new(None) };
    static EXTRA: RefCell<Vec<Box<dyn Any + Send>>> = const { RefCell::new(Vec::new()) };
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs a handler from an `extern "C"` trampoline; on panic keeps (or reports) it and returns `default`.
/// No payload is dropped here (inside the `extern "C"` frame): later panics of the same C call are queued
/// and dropped by [`call`] after the C function returned; a reported one is dropped with a panicking `Drop`
/// contained (docs/safety.md).
#[inline]
pub(crate) fn catch<R>(default: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            if DEPTH.with(|d| d.get()) > 0 {
                // Keep the first panic of this C call; later ones wait for `call` to drop them.
                PENDING.with(|p| match p.take() {
                    None => p.set(Some(payload)),
                    Some(first) => {
                        p.set(Some(first));
                        EXTRA.with(|e| match e.try_borrow_mut() {
                            Ok(mut v) => v.push(payload),
                            Err(_) => std::mem::forget(payload),
                        });
                    }
                });
            } else {
                report("handler panicked outside a Rust call", payload);
            }
            default
        }
    }
}

/// Reports a panic (a panicking logger is contained, stderr errors ignored) and drops its payload contained.
#[cold]
fn report(what: &str, payload: Box<dyn Any + Send>) {
    let msg = message(&*payload);
    let _ = catch_unwind(AssertUnwindSafe(|| {
        log::error!("rusteron-archive: {what}: {msg}")
    }));
    let _ = writeln!(std::io::stderr(), "rusteron-archive: {what}: {msg}");
    drop_contained(payload);
}

/// Drops a payload with a panicking `Drop` contained (that panic's payload is dropped the same way, a few
/// rounds, then leaked).
#[cold]
fn drop_contained(payload: Box<dyn Any + Send>) {
    // A payload whose Drop panics yields a new payload (usually a message, which drops cleanly): drop that
    // one contained too; after a few rounds of panicking drops, leak the last one.
    let mut payload = payload;
    for _ in 0..8 {
        match catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(inner) => payload = inner,
        }
    }
    std::mem::forget(payload);
}

/// Drops the queued later panics of the C call that just returned.
fn drop_extra() {
    let extra = EXTRA.with(|e| e.try_borrow_mut().map(|mut v| std::mem::take(&mut *v)));
    if let Ok(extra) = extra {
        for p in extra {
            drop_contained(p);
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
            drop_extra();
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
            drop_extra();
            report("handler panicked while closing", payload);
        }
    }
    r
}
