//! Hot paths allocate nothing: offer, try_claim + commit, try_claim_with, poll with a trait handler, and fragment assembly
//! of unfragmented messages. A counting global allocator (this test binary only) counts the allocations
//! made by the measuring thread inside the measured region.

mod common;

use common::*;
use rusteron_client::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if MEASURING.try_with(|m| m.get()).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if MEASURING.try_with(|m| m.get()).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    MEASURING.with(|m| m.set(true));
    let r = f();
    MEASURING.with(|m| m.set(false));
    (r, ALLOCATIONS.load(Ordering::SeqCst) - before)
}

struct Sum {
    count: usize,
    bytes: usize,
}

impl AeronFragmentHandlerCallback for Sum {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], header: AeronHeader<'_>) {
        self.count += 1;
        self.bytes += msg.len();
        let _ = header.position();
    }
}

#[test]
fn hot_paths_do_not_allocate() {
    // The counter works (the test is not vacuous).
    let (_v, counted) = measure(|| vec![1u8; 16]);
    assert!(counted >= 1);

    let env = env();
    let publication = env.aeron.add_publication("aeron:ipc", 1, TIMEOUT).unwrap();
    let exclusive = env
        .aeron
        .add_exclusive_publication("aeron:ipc", 2, TIMEOUT)
        .unwrap();
    let subscription = subscribe(&env.aeron, "aeron:ipc", 1);
    let subscription2 = subscribe(&env.aeron, "aeron:ipc", 2);
    wait_for("connected", || {
        (publication.is_connected() && exclusive.is_connected()).then_some(())
    });
    let msg = [42u8; 100];
    let mut handler = Sum { count: 0, bytes: 0 };
    let mut assembler = AeronFragmentAssembler::new(Sum { count: 0, bytes: 0 }).unwrap();

    // Warm up every path once (first-use initialisation is not the hot path).
    offer_all(&publication, &msg);
    wait_for("warm-up", || {
        (subscription.poll(&mut handler, 10).unwrap() > 0).then_some(())
    });

    const N: usize = 200;
    let (sent, allocs) = measure(|| {
        let mut sent = 0;
        for i in 0..N {
            // offer (concurrent and exclusive)
            while publication.offer(&msg, Handlers::no_reserved_value_supplier_handler()) < 0 {
                subscription.poll(&mut handler, 10).unwrap();
            }
            while exclusive.offer(&msg, Handlers::no_reserved_value_supplier_handler()) < 0 {
                subscription2.poll(&mut assembler, 10).unwrap();
            }
            // try_claim + commit
            loop {
                match publication.try_claim(64) {
                    Ok(mut claim) => {
                        claim.data()[0] = i as u8;
                        claim.commit().unwrap();
                        break;
                    }
                    Err(_) => {
                        subscription.poll(&mut handler, 10).unwrap();
                    }
                }
            }
            // try_claim_with (claim, fill, commit in one call)
            while publication.try_claim_with(64, |buf| buf[0] = i as u8) < 0 {
                subscription.poll(&mut handler, 10).unwrap();
            }
            sent += 3;
            // poll with a trait handler, and through the assembler
            subscription.poll(&mut handler, 10).unwrap();
            subscription2.poll(&mut assembler, 10).unwrap();
        }
        let deadline = std::time::Instant::now() + TIMEOUT;
        while (handler.count < 1 + sent || assembler.delegate().count < N)
            && std::time::Instant::now() < deadline
        {
            subscription.poll(&mut handler, 10).unwrap();
            subscription2.poll(&mut assembler, 10).unwrap();
        }
        sent
    });
    assert_eq!(
        handler.count,
        1 + sent,
        "all concurrent-publication messages received"
    );
    assert_eq!(
        assembler.delegate().count,
        N,
        "all exclusive-publication messages assembled"
    );
    assert_eq!(allocs, 0, "hot paths allocated {allocs} times");
}
