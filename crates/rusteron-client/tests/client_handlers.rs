//! Handlers added to a running client (`Aeron::add_*_handler`): called while registered, never after the
//! registration is dropped, freed with the registration or with the client.

mod common;

use common::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Drops of this value are counted, to see when the client frees a handler.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn counter_handlers_see_counters_until_the_registration_is_dropped() {
    let env = env();
    let available = Arc::new(Mutex::new(Vec::new()));
    let unavailable = Arc::new(Mutex::new(Vec::new()));
    let freed = Arc::new(AtomicUsize::new(0));
    let (a, guard) = (available.clone(), DropCounter(freed.clone()));
    let on_available = env
        .aeron
        .add_available_counter_handler(AeronAvailableCounterClosure::from(
            move |reg: i64, _id: i32| {
                let _ = &guard;
                a.lock().unwrap().push(reg);
            },
        ))
        .unwrap();
    let u = unavailable.clone();
    let on_unavailable = env
        .aeron
        .add_unavailable_counter_handler(AeronUnavailableCounterClosure::from(
            move |reg: i64, _id: i32| u.lock().unwrap().push(reg),
        ))
        .unwrap();

    let counter = env
        .aeron
        .async_add_counter(1002, b"k", "first")
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    let first = counter.constants().unwrap().registration_id;
    wait_for("available callback", || {
        available.lock().unwrap().contains(&first).then_some(())
    });
    counter.close();
    wait_for("unavailable callback", || {
        unavailable.lock().unwrap().contains(&first).then_some(())
    });

    assert_eq!(freed.load(Ordering::SeqCst), 0);
    drop(on_available);
    assert_eq!(
        freed.load(Ordering::SeqCst),
        1,
        "dropping the registration frees the handler"
    );
    let second = env
        .aeron
        .async_add_counter(1002, b"k", "second")
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    let second_id = second.constants().unwrap().registration_id;
    second.close();
    // The unavailable handler (still registered) sees the second counter go; the removed one never saw it.
    wait_for("second unavailable", || {
        unavailable
            .lock()
            .unwrap()
            .contains(&second_id)
            .then_some(())
    });
    assert!(
        !available.lock().unwrap().contains(&second_id),
        "a removed handler was called"
    );
    drop(on_unavailable);
}

#[test]
fn close_handler_runs_at_close_and_registration_may_outlive_the_client() {
    let env = env();
    let closed = Arc::new(AtomicUsize::new(0));
    let freed = Arc::new(AtomicUsize::new(0));
    let (c, guard) = (closed.clone(), DropCounter(freed.clone()));
    let registration = env
        .aeron
        .add_close_handler(AeronCloseClientClosure::from(move || {
            let _ = &guard;
            c.fetch_add(1, Ordering::SeqCst);
        }))
        .unwrap();
    let removed = env
        .aeron
        .add_close_handler(AeronCloseClientClosure::from(|| {
            panic!("removed handler ran")
        }))
        .unwrap();
    drop(removed);
    let Env { aeron, driver } = env;
    drop(aeron); // last reference: the client closes
    assert_eq!(
        closed.load(Ordering::SeqCst),
        1,
        "close handler called once"
    );
    assert_eq!(
        freed.load(Ordering::SeqCst),
        1,
        "handler freed with the client"
    );
    drop(registration); // after the client: nothing to do, no double free
    drop(driver);
}

#[test]
fn adding_a_handler_needs_a_started_client() {
    let driver = rusteron_media_driver::TestMediaDriver::launch().unwrap();
    let aeron = Aeron::new(&client_context(driver.dir())).unwrap();
    let err = aeron
        .add_close_handler(AeronCloseClientClosure::from(|| ()))
        .unwrap_err();
    assert_eq!(
        err.kind(),
        AeronErrorType::ClientErrorClientIllegalState,
        "{err}"
    );
}

static ZST_A_DROPS: AtomicUsize = AtomicUsize::new(0);
static ZST_B_DROPS: AtomicUsize = AtomicUsize::new(0);
static ZST_B_CALLS: AtomicUsize = AtomicUsize::new(0);

/// Zero-sized handlers (a handler type without data, like a non-capturing closure) whose drops are counted.
struct ZstA;
struct ZstB;

impl Drop for ZstA {
    fn drop(&mut self) {
        ZST_A_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for ZstB {
    fn drop(&mut self) {
        ZST_B_DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

impl AeronAvailableCounterCallback for ZstA {
    fn handle_aeron_on_available_counter(&mut self, _registration_id: i64, _counter_id: i32) {}
}

impl AeronAvailableCounterCallback for ZstB {
    fn handle_aeron_on_available_counter(&mut self, _registration_id: i64, _counter_id: i32) {
        ZST_B_CALLS.fetch_add(1, Ordering::SeqCst);
    }
}

/// Boxes of zero-sized handlers all have the same dangling address: each registration still owns its own
/// handler, which is dropped exactly once, with its registration and never while C may still call it (the
/// client's parking lot is keyed by the handler's address).
#[test]
fn zero_sized_handlers_are_each_freed_with_their_own_registration() {
    let env = env();
    let a = env.aeron.add_available_counter_handler(ZstA).unwrap();
    let b = env.aeron.add_available_counter_handler(ZstB).unwrap();
    assert_eq!(
        ZST_A_DROPS.load(Ordering::SeqCst),
        0,
        "A dropped while registered"
    );
    assert_eq!(
        ZST_B_DROPS.load(Ordering::SeqCst),
        0,
        "B dropped while registered"
    );
    drop(a);
    assert_eq!(
        ZST_A_DROPS.load(Ordering::SeqCst),
        1,
        "A freed with its registration"
    );
    assert_eq!(
        ZST_B_DROPS.load(Ordering::SeqCst),
        0,
        "B dropped with A's registration"
    );
    let counter = env
        .aeron
        .async_add_counter(1003, b"k", "zst")
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    wait_for("B called", || {
        (ZST_B_CALLS.load(Ordering::SeqCst) > 0).then_some(())
    });
    assert_eq!(
        ZST_B_DROPS.load(Ordering::SeqCst),
        0,
        "B dropped while registered"
    );
    drop(b);
    assert_eq!(
        ZST_B_DROPS.load(Ordering::SeqCst),
        1,
        "B freed with its registration"
    );
    drop(counter);
    let Env { aeron, driver } = env;
    drop(aeron);
    assert_eq!(ZST_A_DROPS.load(Ordering::SeqCst), 1, "A dropped twice");
    assert_eq!(ZST_B_DROPS.load(Ordering::SeqCst), 1, "B dropped twice");
    drop(driver);
}
