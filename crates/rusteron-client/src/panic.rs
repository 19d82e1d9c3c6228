//! Panics inside handlers never unwind across C frames, and no panic payload is dropped inside one.
//!
//! Handlers come in two kinds (docs/safety.md):
//!
//! * **in-call** handlers (fragment, controlled fragment, block, reserved-value supplier, for-each, counters
//!   and error-log readers) run inside a C call that the wrapper made from Rust on the same thread, always
//!   inside [`call`]. Their trampoline runs the handler in [`catch`]: a panic is parked in a thread-local
//!   and [`call`] re-raises it once the C function has returned. Further panics of the same C call are
//!   parked too and dropped by [`call`] (outside any `extern "C"` frame) before it re-raises the first;
//!   a payload whose `Drop` panics is contained there ([`drop_contained`]).
//! * **detached** handlers (context handlers, image and counter handlers, notifications) run on the client
//!   conductor thread (or inside `aeron_close`) with no Rust caller to resume on. Their trampoline uses
//!   [`catch_detached`]: the panic is reported (stderr and `log::error!`, themselves guarded) and the
//!   payload dropped under `catch_unwind`, so a panicking `Drop` cannot escape the `extern "C"` frame.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

type Payload = Box<dyn Any + Send>;

/// How many threads have a payload parked in their `PENDING` right now. The hot path ([`resume_if_pending`],
/// after every poll and offer) reads this one static instead of the thread-local, whose accessor is not
/// inlined across crates (about 17 instructions per call under callgrind): zero means no thread, so not
/// this one, has a parked panic. A thread always sees its own increment (program order), so a panic
/// parked by this thread is never missed; a count left by another thread only sends this one to the
/// thread-local check.
static PARKED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // A raw pointer (from `Box::into_raw`) rather than a `Box`: a thread-local without drop glue needs no
    // lazily registered destructor, so `call` (on every poll and offer) reads it with one load and no
    // registration check. It is only non-null between a caught panic and the end of the C call.
    static PENDING: Cell<Option<NonNull<dyn Any + Send>>> = const { Cell::new(None) };
    // Later panics of the same C call; only touched on the (cold) panic path.
    static EXTRA: RefCell<Vec<Payload>> = const { RefCell::new(Vec::new()) };
    // Depth of detached handlers running on this thread (see `in_detached_callback`).
    static IN_DETACHED: Cell<u32> = const { Cell::new(0) };
}

/// True while this thread runs a detached handler (conductor thread, `aeron_close`): dropping the last
/// client handle there must not join the conductor from itself.
pub(crate) fn in_callback() -> bool {
    IN_DETACHED.with(|c| c.get()) > 0
}

/// Runs an in-call handler from an `extern "C"` trampoline; on panic parks the payload for [`call`] and
/// returns `default`. Must only be used by trampolines whose C caller runs inside [`call`] on this thread
/// (otherwise the panic surfaces at the next [`call`] of this thread).
#[inline(always)]
pub(crate) fn catch<R>(default: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            park(payload);
            default
        }
    }
}

#[cold]
#[inline(never)]
fn park(payload: Payload) {
    if PENDING.with(|p| p.get()).is_none() {
        PENDING.with(|p| p.set(NonNull::new(Box::into_raw(payload))));
        PARKED.fetch_add(1, Ordering::Relaxed);
    } else {
        // Not dropped here (we are inside an extern "C" frame): `call` drops it after the C call.
        EXTRA.with(|e| match e.try_borrow_mut() {
            Ok(mut v) => v.push(payload),
            // Only reachable if a payload's Drop re-entered this module while we drain: leak it.
            Err(_) => std::mem::forget(payload),
        });
    }
}

/// Runs a detached handler (conductor thread); on panic reports it, drops the payload with a panicking
/// `Drop` contained, and returns `default`.
#[inline]
pub(crate) fn catch_detached<R>(default: R, f: impl FnOnce() -> R) -> R {
    IN_DETACHED.with(|c| c.set(c.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    IN_DETACHED.with(|c| c.set(c.get() - 1));
    match result {
        Ok(r) => r,
        Err(payload) => {
            report(&*payload);
            drop_contained(payload);
            default
        }
    }
}

#[cold]
#[inline(never)]
fn report(payload: &(dyn Any + Send)) {
    let msg = payload_message(payload);
    // A user logger may panic too: contained, and stderr errors are ignored (eprintln! would panic).
    let _ = catch_unwind(AssertUnwindSafe(|| {
        log::error!("rusteron: handler panicked on an Aeron thread: {msg}")
    }));
    let _ = writeln!(
        std::io::stderr(),
        "rusteron: handler panicked on an Aeron thread: {msg}"
    );
}

/// Drops a panic payload with a panicking `Drop` contained: the payload of that panic is dropped the same
/// way (a few rounds, then leaked), so nothing unwinds out of here.
#[cold]
#[inline(never)]
pub(crate) fn drop_contained(payload: Payload) {
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

/// Runs a C call that may invoke in-call handlers on this thread, and re-raises a handler panic afterwards.
#[inline(always)]
pub(crate) fn call<R>(f: impl FnOnce() -> R) -> R {
    resume_if_pending_with(f())
}

/// Re-raises a handler panic parked during the C call that just returned (the second half of [`call`],
/// for callers that must restore state between the C call and the re-raise), passing the C call's result
/// through: on the hot path one load of [`PARKED`], a test and a branch. The result goes through the cold call (argument in, return value out) rather than
/// around it, so that it needs no callee-saved register (a push and a pop per call) to survive that call.
#[inline(always)]
pub(crate) fn resume_if_pending_with<R>(r: R) -> R {
    if PARKED.load(Ordering::Relaxed) != 0 {
        resume_if_parked_here(r)
    } else {
        r
    }
}

/// Some thread has a parked panic: re-raise it if it is this one's (out of line, so that the thread-local
/// is not read on the hot path); otherwise give `r` back.
#[cold]
#[inline(never)]
fn resume_if_parked_here<R>(r: R) -> R {
    if PENDING.with(|p| p.get()).is_some() {
        drop(r);
        resume_pending();
    }
    r
}

/// Re-raises the panic parked by [`catch`], after dropping (contained) any later ones.
#[cold]
#[inline(never)]
fn resume_pending() -> ! {
    let payload = PENDING.with(|p| p.take()).expect("a pending panic");
    PARKED.fetch_sub(1, Ordering::Relaxed);
    // SAFETY: PENDING only ever holds a pointer from `Box::into_raw`, taken out exactly once here.
    let payload = unsafe { Box::from_raw(payload.as_ptr()) };
    let extra = EXTRA.with(|e| e.try_borrow_mut().map(|mut v| std::mem::take(&mut *v)));
    if let Ok(extra) = extra {
        for p in extra {
            drop_contained(p);
        }
    }
    resume_unwind(payload)
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
