//! Criterion micro-benchmarks of the hot paths: each operation through the safe API and the same C call made
//! directly through `aeron-sys` on the very same publication, subscription or image, so that the
//! difference is the cost of the wrapper. Embedded driver, IPC, shared threading, sleeping idle strategy
//! (docs/benchmarks.md).
//!
//! `cargo bench -p rusteron-client --bench client_ops`, or `cargo xtask bench --ops`, which also counts the
//! instructions of every operation under callgrind and writes both tables into docs/benchmarks.md.
//!
//! The C side of every pair is written as the Aeron C samples write it: a negative poll result is an error
//! (`if (fragments_read < 0) { fprintf(..., aeron_errmsg()); ... }`, here a cold panic with that message),
//! the claim's out-struct is left uninitialised and `aeron_buffer_claim_commit`'s result is ignored
//! (`streaming_exclusive_publisher.c`).

use criterion::{criterion_group, Criterion};
use rusteron_client::bindings as sys;
use rusteron_client::*;
use rusteron_media_driver::TestMediaDriver;
use std::ffi::{c_void, CStr};
use std::mem::MaybeUninit;
use std::time::{Duration, Instant};

/// Messages per timed batch: well inside the publication window, so offers are never back-pressured.
const BATCH: u64 = 256;
/// Payload of every message, as in the end-to-end benchmarks.
const MESSAGE: [u8; 32] = [7; 32];
/// Length of one such message in the log (header + payload, aligned): what a block poll returns per message.
const FRAME: usize = 64;

/// Driver, client, an exclusive and a concurrent IPC publication, and their subscription.
struct Fixture {
    exclusive: AeronExclusivePublication,
    concurrent: AeronPublication,
    subscription: AeronSubscription,
    _aeron: Aeron,
    _driver: TestMediaDriver,
}

// ---- Handlers: the same work through the safe API's traits and as raw C handlers.

/// Counts fragments through the safe API's trait handler.
struct Count(u64);

impl AeronFragmentHandlerCallback for Count {
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, _msg: &[u8], _header: AeronHeader<'_>) {
        self.0 += 1;
    }
}

/// Counts fragments and adds up their lengths and first bytes: a handler that reads the fragment slice (so
/// the wrapper's bound on the slice cannot be optimised away).
struct CountBytes(u64, u64);

impl CountBytes {
    #[inline(always)]
    fn add(&mut self, msg: &[u8]) {
        self.0 += 1;
        self.1 += msg.len() as u64 + msg.first().copied().unwrap_or(0) as u64;
    }
}

impl AeronFragmentHandlerCallback for CountBytes {
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
        self.add(msg);
    }
}

impl AeronControlledFragmentHandlerCallback for CountBytes {
    #[inline]
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        msg: &[u8],
        _header: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        self.add(msg);
        AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE
    }
}

/// For block polls: counts messages (`len / FRAME`) and adds up lengths and first bytes of the blocks.
impl AeronBlockHandlerCallback for CountBytes {
    #[inline]
    fn handle_aeron_block_handler(&mut self, block: &[u8], _session_id: i32, _term_id: i32) {
        self.0 += (block.len() / FRAME) as u64;
        self.1 += block.len() as u64 + block.first().copied().unwrap_or(0) as u64;
    }
}

/// The raw C counterpart of [`CountBytes`]: `clientd` is a `*mut [u64; 2]`.
unsafe extern "C" fn raw_count_bytes(
    clientd: *mut c_void,
    b: *const u8,
    l: usize,
    _h: *mut sys::aeron_header_t,
) {
    // SAFETY: clientd is a live [u64; 2] of this benchmark; C passes `l` readable bytes at `b`.
    unsafe {
        let c = &mut *(clientd as *mut [u64; 2]);
        c[0] += 1;
        c[1] += l as u64 + if l > 0 { *b as u64 } else { 0 };
    }
}

/// The raw C counterpart of the controlled [`CountBytes`].
unsafe extern "C" fn raw_count_bytes_controlled(
    clientd: *mut c_void,
    b: *const u8,
    l: usize,
    _h: *mut sys::aeron_header_t,
) -> sys::aeron_controlled_fragment_handler_action_t {
    // SAFETY: as in raw_count_bytes.
    unsafe {
        let c = &mut *(clientd as *mut [u64; 2]);
        c[0] += 1;
        c[1] += l as u64 + if l > 0 { *b as u64 } else { 0 };
    }
    AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE
}

/// The raw C counterpart of the block [`CountBytes`].
unsafe extern "C" fn raw_block_bytes(
    clientd: *mut c_void,
    b: *const u8,
    l: usize,
    _session_id: i32,
    _term_id: i32,
) {
    // SAFETY: as in raw_count_bytes (C passes a block of `l` readable bytes).
    unsafe {
        let c = &mut *(clientd as *mut [u64; 2]);
        c[0] += (l / FRAME) as u64;
        c[1] += l as u64 + if l > 0 { *b as u64 } else { 0 };
    }
}

/// The raw C fragment handler: `clientd` is a `*mut u64` counter.
unsafe extern "C" fn raw_count(
    clientd: *mut c_void,
    _b: *const u8,
    _l: usize,
    _h: *mut sys::aeron_header_t,
) {
    // SAFETY: every raw poll below passes a valid, exclusively borrowed `u64` as clientd.
    unsafe { *(clientd as *mut u64) += 1 };
}

/// What a C program does with a negative result: report `aeron_errmsg()` (the samples print it and stop).
#[cold]
#[inline(never)]
fn c_failed(call: &str) -> ! {
    // SAFETY: aeron_errmsg returns a NUL-terminated thread-local string.
    let msg = unsafe { CStr::from_ptr(sys::aeron_errmsg()) };
    panic!("{call}: {}", msg.to_string_lossy())
}

impl Fixture {
    fn new() -> Self {
        // A 16 MiB IPC term: an 8 MiB window, so the sleeping driver never back-pressures a batch.
        let driver = TestMediaDriver::launch_with(|b| b.ipc_term_buffer_length(16 * 1024 * 1024))
            .expect("driver");
        let ctx = AeronContext::new().expect("context");
        ctx.set_dir(driver.dir()).expect("dir");
        let aeron = Aeron::new(&ctx).expect("client");
        aeron.start().expect("start");
        let t = Duration::from_secs(10);
        let subscription = aeron
            .add_subscription("aeron:ipc", 10, t)
            .expect("subscription");
        let exclusive = aeron
            .add_exclusive_publication("aeron:ipc", 10, t)
            .expect("exclusive publication");
        let concurrent = aeron
            .add_publication("aeron:ipc", 10, t)
            .expect("publication");
        while !(exclusive.is_connected()
            && concurrent.is_connected()
            && subscription.image_count() == 2)
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        Fixture {
            exclusive,
            concurrent,
            subscription,
            _aeron: aeron,
            _driver: driver,
        }
    }

    /// The image of the exclusive publication (the one `fill` writes to), retained.
    fn image(&self) -> AeronImage<'_> {
        self.subscription
            .image_by_session_id(self.exclusive.constants().expect("constants").session_id)
            .expect("image of the exclusive publication")
    }

    /// Consumes everything published so far (untimed).
    fn drain(&self, mut expected: u64) {
        let mut count = Count(0);
        while expected > 0 {
            count.0 = 0;
            self.subscription.poll(&mut count, 1024).expect("poll");
            expected -= count.0;
        }
    }

    /// Publishes `n` messages (untimed).
    fn fill(&self, n: u64) {
        for _ in 0..n {
            while self
                .exclusive
                .offer(&MESSAGE, Handlers::no_reserved_value_supplier_handler())
                < 0
            {}
        }
    }
}

// ---- One operation each, never inlined, so that the safe and the raw variant carry the same call overhead
// and callgrind can attribute instructions to them (see `callgrind_mode`).

#[inline(never)]
fn op_offer_exclusive_rusteron(p: &AeronExclusivePublication) {
    while p.offer(&MESSAGE, Handlers::no_reserved_value_supplier_handler()) < 0 {}
}

#[inline(never)]
fn op_offer_exclusive_c(raw: *mut sys::aeron_exclusive_publication_t) {
    // SAFETY: the fixture keeps the publication open; the buffer is valid for the call.
    while unsafe {
        sys::aeron_exclusive_publication_offer(
            raw,
            MESSAGE.as_ptr(),
            MESSAGE.len(),
            None,
            std::ptr::null_mut(),
        )
    } < 0
    {}
}

/// The typed result (`offer_result`), retried on every error as the raw loops retry on `< 0`.
#[inline(never)]
fn op_offer_result_exclusive_rusteron(p: &AeronExclusivePublication) {
    while p
        .offer_result(&MESSAGE, Handlers::no_reserved_value_supplier_handler())
        .is_err()
    {}
}

#[inline(never)]
fn op_offer_concurrent_rusteron(p: &AeronPublication) {
    while p.offer(&MESSAGE, Handlers::no_reserved_value_supplier_handler()) < 0 {}
}

#[inline(never)]
fn op_offer_concurrent_c(raw: *mut sys::aeron_publication_t) {
    // SAFETY: the fixture keeps the publication open; the buffer is valid for the call.
    while unsafe {
        sys::aeron_publication_offer(
            raw,
            MESSAGE.as_ptr(),
            MESSAGE.len(),
            None,
            std::ptr::null_mut(),
        )
    } < 0
    {}
}

#[inline(never)]
fn op_claim_rusteron(p: &AeronExclusivePublication) {
    loop {
        if let Ok(mut claim) = p.try_claim(MESSAGE.len()) {
            claim.data()[0] = 1;
            claim.commit().expect("commit");
            return;
        }
    }
}

#[inline(never)]
fn op_claim_with_rusteron(p: &AeronExclusivePublication) {
    while p.try_claim_with(MESSAGE.len(), |buf| buf[0] = 1) < 0 {}
}

#[inline(never)]
fn op_claim_c(raw: *mut sys::aeron_exclusive_publication_t) {
    // As streaming_exclusive_publisher.c: an uninitialised out-struct, commit's result (always 0) ignored.
    let mut claim = MaybeUninit::<sys::aeron_buffer_claim_t>::uninit();
    // SAFETY: open publication, valid out-struct; on success C has written all of it and `data` points at
    // the claimed bytes.
    unsafe {
        while sys::aeron_exclusive_publication_try_claim(raw, MESSAGE.len(), claim.as_mut_ptr()) < 0
        {
        }
        *(*claim.as_ptr()).data = 1;
        sys::aeron_buffer_claim_commit(claim.as_mut_ptr());
    }
}

// ---- Polls. The bodies are written once (`#[inline(always)]`, taking the fragment limit); `named!` makes a
// separately named `#[inline(never)]` function per fragment limit, so that callgrind tells them apart
// (legacy symbol names do not show generic or const arguments).

#[inline(always)]
fn poll_count_rusteron(s: &AeronSubscription, count: &mut Count, limit: usize) -> u64 {
    count.0 = 0;
    s.poll(count, limit).expect("poll");
    count.0
}

#[inline(always)]
fn poll_count_c(raw: *mut sys::aeron_subscription_t, count: &mut u64, limit: usize) -> u64 {
    *count = 0;
    // SAFETY: open subscription polled from this thread only; clientd is our live counter.
    let rc = unsafe {
        sys::aeron_subscription_poll(
            raw,
            Some(raw_count),
            count as *mut u64 as *mut c_void,
            limit,
        )
    };
    if rc < 0 {
        c_failed("aeron_subscription_poll");
    }
    *count
}

#[inline(always)]
fn poll_bytes_rusteron(s: &AeronSubscription, count: &mut CountBytes, limit: usize) -> u64 {
    count.0 = 0;
    s.poll(count, limit).expect("poll");
    count.0
}

#[inline(always)]
fn poll_bytes_c(raw: *mut sys::aeron_subscription_t, count: &mut [u64; 2], limit: usize) -> u64 {
    count[0] = 0;
    // SAFETY: open subscription polled from this thread only; clientd is our live counter pair.
    let rc = unsafe {
        sys::aeron_subscription_poll(
            raw,
            Some(raw_count_bytes),
            count as *mut [u64; 2] as *mut c_void,
            limit,
        )
    };
    if rc < 0 {
        c_failed("aeron_subscription_poll");
    }
    count[0]
}

#[inline(always)]
fn image_poll_rusteron(image: &AeronImage<'_>, count: &mut CountBytes, limit: usize) -> u64 {
    count.0 = 0;
    image.poll(count, limit).expect("image poll");
    count.0
}

#[inline(always)]
fn image_poll_c(raw: *mut sys::aeron_image_t, count: &mut [u64; 2], limit: usize) -> u64 {
    count[0] = 0;
    // SAFETY: retained image polled from the subscription's thread; clientd is our live counter pair.
    let rc = unsafe {
        sys::aeron_image_poll(
            raw,
            Some(raw_count_bytes),
            count as *mut [u64; 2] as *mut c_void,
            limit,
        )
    };
    if rc < 0 {
        c_failed("aeron_image_poll");
    }
    count[0]
}

#[inline(always)]
fn controlled_poll_rusteron(s: &AeronSubscription, count: &mut CountBytes, limit: usize) -> u64 {
    count.0 = 0;
    s.controlled_poll(count, limit).expect("controlled poll");
    count.0
}

#[inline(always)]
fn controlled_poll_c(
    raw: *mut sys::aeron_subscription_t,
    count: &mut [u64; 2],
    limit: usize,
) -> u64 {
    count[0] = 0;
    // SAFETY: as in poll_bytes_c.
    let rc = unsafe {
        sys::aeron_subscription_controlled_poll(
            raw,
            Some(raw_count_bytes_controlled),
            count as *mut [u64; 2] as *mut c_void,
            limit,
        )
    };
    if rc < 0 {
        c_failed("aeron_subscription_controlled_poll");
    }
    count[0]
}

#[inline(always)]
fn block_poll_rusteron(s: &AeronSubscription, count: &mut CountBytes, limit: usize) -> u64 {
    count.0 = 0;
    s.block_poll(count, limit * FRAME).expect("block poll");
    count.0
}

#[inline(always)]
fn block_poll_c(raw: *mut sys::aeron_subscription_t, count: &mut [u64; 2], limit: usize) -> u64 {
    count[0] = 0;
    // SAFETY: as in poll_bytes_c.
    let rc = unsafe {
        sys::aeron_subscription_block_poll(
            raw,
            Some(raw_block_bytes),
            count as *mut [u64; 2] as *mut c_void,
            limit * FRAME,
        )
    };
    if rc < 0 {
        c_failed("aeron_subscription_block_poll");
    }
    count[0]
}

/// A C fragment assembler (of any of the four kinds) whose delegate is a raw C handler over a `[u64; 2]`.
struct RawAssembler<T> {
    ptr: *mut T,
    count: Box<[u64; 2]>,
    delete: unsafe extern "C" fn(*mut T) -> i32,
}

impl<T> RawAssembler<T> {
    /// `create(out, clientd)` creates the C assembler with the delegate's `clientd`.
    fn new(
        create: impl FnOnce(*mut *mut T, *mut c_void) -> i32,
        delete: unsafe extern "C" fn(*mut T) -> i32,
    ) -> Self {
        let mut count = Box::new([0u64; 2]);
        let mut ptr = std::ptr::null_mut();
        // The counter is boxed and outlives the assembler (deleted first in Drop).
        let rc = create(&mut ptr, &mut *count as *mut [u64; 2] as *mut c_void);
        assert!(rc >= 0, "assembler");
        RawAssembler { ptr, count, delete }
    }
}

impl<T> Drop for RawAssembler<T> {
    fn drop(&mut self) {
        // SAFETY: created in new, deleted once.
        unsafe { (self.delete)(self.ptr) };
    }
}

#[inline(always)]
fn assembler_poll_rusteron(
    s: &AeronSubscription,
    a: &mut AeronFragmentAssembler<CountBytes>,
    limit: usize,
) -> u64 {
    a.delegate().0 = 0;
    a.poll_subscription(s, limit).expect("assembler poll");
    a.delegate().0
}

#[inline(always)]
fn assembler_poll_c(
    raw: *mut sys::aeron_subscription_t,
    a: &mut RawAssembler<sys::aeron_fragment_assembler_t>,
    limit: usize,
) -> u64 {
    a.count[0] = 0;
    // SAFETY: as in poll_bytes_c; clientd is the live C assembler.
    let rc = unsafe {
        sys::aeron_subscription_poll(
            raw,
            Some(sys::aeron_fragment_assembler_handler),
            a.ptr as *mut c_void,
            limit,
        )
    };
    if rc < 0 {
        c_failed("aeron_subscription_poll");
    }
    a.count[0]
}

#[inline(always)]
fn controlled_assembler_poll_rusteron(
    s: &AeronSubscription,
    a: &mut AeronControlledFragmentAssembler<CountBytes>,
    limit: usize,
) -> u64 {
    a.delegate().0 = 0;
    a.poll_subscription(s, limit)
        .expect("controlled assembler poll");
    a.delegate().0
}

#[inline(always)]
fn controlled_assembler_poll_c(
    raw: *mut sys::aeron_subscription_t,
    a: &mut RawAssembler<sys::aeron_controlled_fragment_assembler_t>,
    limit: usize,
) -> u64 {
    a.count[0] = 0;
    // SAFETY: as in poll_bytes_c; clientd is the live C assembler.
    let rc = unsafe {
        sys::aeron_subscription_controlled_poll(
            raw,
            Some(sys::aeron_controlled_fragment_assembler_handler),
            a.ptr as *mut c_void,
            limit,
        )
    };
    if rc < 0 {
        c_failed("aeron_subscription_controlled_poll");
    }
    a.count[0]
}

#[inline(always)]
fn image_assembler_poll_rusteron(
    image: &AeronImage<'_>,
    a: &mut AeronImageFragmentAssembler<CountBytes>,
    limit: usize,
) -> u64 {
    a.delegate().0 = 0;
    a.poll_image(image, limit).expect("image assembler poll");
    a.delegate().0
}

#[inline(always)]
fn image_assembler_poll_c(
    raw: *mut sys::aeron_image_t,
    a: &mut RawAssembler<sys::aeron_image_fragment_assembler_t>,
    limit: usize,
) -> u64 {
    a.count[0] = 0;
    // SAFETY: as in image_poll_c; clientd is the live C assembler.
    let rc = unsafe {
        sys::aeron_image_poll(
            raw,
            Some(sys::aeron_image_fragment_assembler_handler),
            a.ptr as *mut c_void,
            limit,
        )
    };
    if rc < 0 {
        c_failed("aeron_image_poll");
    }
    a.count[0]
}

/// `named!(fn_name = body(args...) with limit;)`: an `#[inline(never)]` function per fragment limit.
macro_rules! named {
    ($($name:ident = $body:ident($($arg:ident: $ty:ty),*) limit $k:expr;)*) => {
        $(
            #[inline(never)]
            fn $name($($arg: $ty),*) -> u64 {
                $body($($arg),*, $k)
            }
        )*
    };
}

type Sub<'a> = &'a AeronSubscription;
type RawSub = *mut sys::aeron_subscription_t;
type Img<'a, 'b> = &'a AeronImage<'b>;
type RawImg = *mut sys::aeron_image_t;
type Asm = sys::aeron_fragment_assembler_t;
type CAsm = sys::aeron_controlled_fragment_assembler_t;
type IAsm = sys::aeron_image_fragment_assembler_t;

named! {
    op_poll1_rusteron = poll_count_rusteron(s: Sub, c: &mut Count) limit 1;
    op_poll10_rusteron = poll_count_rusteron(s: Sub, c: &mut Count) limit 10;
    op_poll1_c = poll_count_c(s: RawSub, c: &mut u64) limit 1;
    op_poll10_c = poll_count_c(s: RawSub, c: &mut u64) limit 10;
    op_poll_bytes1_rusteron = poll_bytes_rusteron(s: Sub, c: &mut CountBytes) limit 1;
    op_poll_bytes10_rusteron = poll_bytes_rusteron(s: Sub, c: &mut CountBytes) limit 10;
    op_poll_bytes1_c = poll_bytes_c(s: RawSub, c: &mut [u64; 2]) limit 1;
    op_poll_bytes10_c = poll_bytes_c(s: RawSub, c: &mut [u64; 2]) limit 10;
    op_image_poll1_rusteron = image_poll_rusteron(i: Img, c: &mut CountBytes) limit 1;
    op_image_poll10_rusteron = image_poll_rusteron(i: Img, c: &mut CountBytes) limit 10;
    op_image_poll1_c = image_poll_c(i: RawImg, c: &mut [u64; 2]) limit 1;
    op_image_poll10_c = image_poll_c(i: RawImg, c: &mut [u64; 2]) limit 10;
    op_controlled_poll1_rusteron = controlled_poll_rusteron(s: Sub, c: &mut CountBytes) limit 1;
    op_controlled_poll10_rusteron = controlled_poll_rusteron(s: Sub, c: &mut CountBytes) limit 10;
    op_controlled_poll1_c = controlled_poll_c(s: RawSub, c: &mut [u64; 2]) limit 1;
    op_controlled_poll10_c = controlled_poll_c(s: RawSub, c: &mut [u64; 2]) limit 10;
    op_block_poll1_rusteron = block_poll_rusteron(s: Sub, c: &mut CountBytes) limit 1;
    op_block_poll10_rusteron = block_poll_rusteron(s: Sub, c: &mut CountBytes) limit 10;
    op_block_poll1_c = block_poll_c(s: RawSub, c: &mut [u64; 2]) limit 1;
    op_block_poll10_c = block_poll_c(s: RawSub, c: &mut [u64; 2]) limit 10;
    op_assembler_poll1_rusteron = assembler_poll_rusteron(s: Sub, a: &mut AeronFragmentAssembler<CountBytes>) limit 1;
    op_assembler_poll10_rusteron = assembler_poll_rusteron(s: Sub, a: &mut AeronFragmentAssembler<CountBytes>) limit 10;
    op_assembler_poll1_c = assembler_poll_c(s: RawSub, a: &mut RawAssembler<Asm>) limit 1;
    op_assembler_poll10_c = assembler_poll_c(s: RawSub, a: &mut RawAssembler<Asm>) limit 10;
    op_controlled_assembler_poll1_rusteron = controlled_assembler_poll_rusteron(s: Sub, a: &mut AeronControlledFragmentAssembler<CountBytes>) limit 1;
    op_controlled_assembler_poll10_rusteron = controlled_assembler_poll_rusteron(s: Sub, a: &mut AeronControlledFragmentAssembler<CountBytes>) limit 10;
    op_controlled_assembler_poll1_c = controlled_assembler_poll_c(s: RawSub, a: &mut RawAssembler<CAsm>) limit 1;
    op_controlled_assembler_poll10_c = controlled_assembler_poll_c(s: RawSub, a: &mut RawAssembler<CAsm>) limit 10;
    op_image_assembler_poll1_rusteron = image_assembler_poll_rusteron(i: Img, a: &mut AeronImageFragmentAssembler<CountBytes>) limit 1;
    op_image_assembler_poll10_rusteron = image_assembler_poll_rusteron(i: Img, a: &mut AeronImageFragmentAssembler<CountBytes>) limit 10;
    op_image_assembler_poll1_c = image_assembler_poll_c(i: RawImg, a: &mut RawAssembler<IAsm>) limit 1;
    op_image_assembler_poll10_c = image_assembler_poll_c(i: RawImg, a: &mut RawAssembler<IAsm>) limit 10;
}

// ---- Timing loops

/// Times `iters` publishing operations in batches, draining between batches outside the clock.
fn publish_batches(f: &Fixture, iters: u64, mut op: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(BATCH);
        let start = Instant::now();
        for _ in 0..n {
            op();
        }
        total += start.elapsed();
        f.drain(n);
        left -= n;
    }
    total
}

/// Times `iters` polls of `per_poll` fragments each, publishing their messages beforehand outside the clock.
fn poll_batches(f: &Fixture, iters: u64, per_poll: u64, mut op: impl FnMut() -> u64) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(BATCH / per_poll);
        f.fill(n * per_poll);
        let start = Instant::now();
        let mut got = 0;
        for _ in 0..n {
            got += op();
        }
        total += start.elapsed();
        // A poll may return fewer than `per_poll` at a term end; consume the rest untimed.
        f.drain(n * per_poll - got);
        left -= n;
    }
    total
}

/// One row of the report: what is measured, its criterion group, and the two functions (C, ours) whose
/// inclusive instructions per call callgrind compares. `cargo xtask bench --ops` reads this list
/// (`RUSTERON_OPS_LIST=1`).
struct Row {
    label: &'static str,
    group: &'static str,
    c: &'static str,
    ours: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        label: "`offer`, exclusive publication",
        group: "offer_exclusive",
        c: "op_offer_exclusive_c",
        ours: "op_offer_exclusive_rusteron",
    },
    Row {
        label: "`offer_result`, exclusive publication (C: `offer`)",
        group: "offer_result",
        c: "op_offer_exclusive_c",
        ours: "op_offer_result_exclusive_rusteron",
    },
    Row {
        label: "`offer`, concurrent publication",
        group: "offer_concurrent",
        c: "op_offer_concurrent_c",
        ours: "op_offer_concurrent_rusteron",
    },
    Row {
        label: "`try_claim` + write 1 byte + `commit`",
        group: "try_claim_commit",
        c: "op_claim_c",
        ours: "op_claim_rusteron",
    },
    Row {
        label: "`try_claim_with` (claim, write 1 byte, commit)",
        group: "try_claim_with",
        c: "op_claim_c",
        ours: "op_claim_with_rusteron",
    },
    Row {
        label: "subscription `poll`, 1 fragment, handler ignores the bytes",
        group: "poll_1",
        c: "op_poll1_c",
        ours: "op_poll1_rusteron",
    },
    Row {
        label: "subscription `poll`, 10 fragments, handler ignores the bytes",
        group: "poll_10",
        c: "op_poll10_c",
        ours: "op_poll10_rusteron",
    },
    Row {
        label: "subscription `poll`, 1 fragment, reading the bytes",
        group: "poll_bytes_1",
        c: "op_poll_bytes1_c",
        ours: "op_poll_bytes1_rusteron",
    },
    Row {
        label: "subscription `poll`, 10 fragments, reading the bytes",
        group: "poll_bytes_10",
        c: "op_poll_bytes10_c",
        ours: "op_poll_bytes10_rusteron",
    },
    Row {
        label: "image `poll`, 1 fragment",
        group: "image_poll_1",
        c: "op_image_poll1_c",
        ours: "op_image_poll1_rusteron",
    },
    Row {
        label: "image `poll`, 10 fragments",
        group: "image_poll_10",
        c: "op_image_poll10_c",
        ours: "op_image_poll10_rusteron",
    },
    Row {
        label: "`controlled_poll`, 1 fragment",
        group: "controlled_poll_1",
        c: "op_controlled_poll1_c",
        ours: "op_controlled_poll1_rusteron",
    },
    Row {
        label: "`controlled_poll`, 10 fragments",
        group: "controlled_poll_10",
        c: "op_controlled_poll10_c",
        ours: "op_controlled_poll10_rusteron",
    },
    Row {
        label: "`block_poll`, 1 message",
        group: "block_poll_1",
        c: "op_block_poll1_c",
        ours: "op_block_poll1_rusteron",
    },
    Row {
        label: "`block_poll`, 10 messages",
        group: "block_poll_10",
        c: "op_block_poll10_c",
        ours: "op_block_poll10_rusteron",
    },
    Row {
        label: "fragment assembler poll, 1 unfragmented message",
        group: "assembler_poll_1",
        c: "op_assembler_poll1_c",
        ours: "op_assembler_poll1_rusteron",
    },
    Row {
        label: "fragment assembler poll, 10 unfragmented messages",
        group: "assembler_poll_10",
        c: "op_assembler_poll10_c",
        ours: "op_assembler_poll10_rusteron",
    },
    Row {
        label: "controlled assembler poll, 1 unfragmented message",
        group: "controlled_assembler_poll_1",
        c: "op_controlled_assembler_poll1_c",
        ours: "op_controlled_assembler_poll1_rusteron",
    },
    Row {
        label: "controlled assembler poll, 10 unfragmented messages",
        group: "controlled_assembler_poll_10",
        c: "op_controlled_assembler_poll10_c",
        ours: "op_controlled_assembler_poll10_rusteron",
    },
    Row {
        label: "image assembler poll, 1 unfragmented message",
        group: "image_assembler_poll_1",
        c: "op_image_assembler_poll1_c",
        ours: "op_image_assembler_poll1_rusteron",
    },
    Row {
        label: "image assembler poll, 10 unfragmented messages",
        group: "image_assembler_poll_10",
        c: "op_image_assembler_poll10_c",
        ours: "op_image_assembler_poll10_rusteron",
    },
];

/// Everything the operations need besides the fixture: handlers, assemblers, the image.
struct State<'f> {
    f: &'f Fixture,
    image: AeronImage<'f>,
    count: Count,
    raw_count: u64,
    bytes: CountBytes,
    raw_bytes: [u64; 2],
    asm: AeronFragmentAssembler<CountBytes>,
    raw_asm: RawAssembler<Asm>,
    casm: AeronControlledFragmentAssembler<CountBytes>,
    raw_casm: RawAssembler<CAsm>,
    iasm: AeronImageFragmentAssembler<CountBytes>,
    raw_iasm: RawAssembler<IAsm>,
}

impl<'f> State<'f> {
    fn new(f: &'f Fixture) -> Self {
        State {
            f,
            image: f.image(),
            count: Count(0),
            raw_count: 0,
            bytes: CountBytes(0, 0),
            raw_bytes: [0; 2],
            asm: AeronFragmentAssembler::new(CountBytes(0, 0)).expect("assembler"),
            raw_asm: RawAssembler::new(
                // SAFETY: valid out-pointer; clientd is the boxed counter the delegate expects.
                |p, cd| unsafe {
                    sys::aeron_fragment_assembler_create(p, Some(raw_count_bytes), cd)
                },
                sys::aeron_fragment_assembler_delete,
            ),
            casm: AeronControlledFragmentAssembler::new(CountBytes(0, 0)).expect("assembler"),
            raw_casm: RawAssembler::new(
                // SAFETY: valid out-pointer; clientd is the boxed counter the delegate expects.
                |p, cd| unsafe {
                    sys::aeron_controlled_fragment_assembler_create(
                        p,
                        Some(raw_count_bytes_controlled),
                        cd,
                    )
                },
                sys::aeron_controlled_fragment_assembler_delete,
            ),
            iasm: AeronImageFragmentAssembler::new(CountBytes(0, 0)).expect("assembler"),
            raw_iasm: RawAssembler::new(
                // SAFETY: valid out-pointer; clientd is the boxed counter the delegate expects.
                |p, cd| unsafe {
                    sys::aeron_image_fragment_assembler_create(p, Some(raw_count_bytes), cd)
                },
                sys::aeron_image_fragment_assembler_delete,
            ),
        }
    }

    /// Runs `iters` operations of `row`'s `which` side ("c" or "rusteron"), returning the timed duration.
    fn run(&mut self, group: &str, which: &str, iters: u64) -> Duration {
        let f = self.f;
        let (ex, co, sub, img) = (
            f.exclusive.as_raw(),
            f.concurrent.as_raw(),
            f.subscription.as_raw(),
            self.image.as_raw(),
        );
        let s = &f.subscription;
        let c = which == "c";
        macro_rules! poll {
            ($k:expr, $c:expr, $ours:expr) => {
                poll_batches(f, iters, $k, || if c { $c } else { $ours })
            };
        }
        match group {
            "offer_exclusive" if c => publish_batches(f, iters, || op_offer_exclusive_c(ex)),
            "offer_exclusive" => {
                publish_batches(f, iters, || op_offer_exclusive_rusteron(&f.exclusive))
            }
            "offer_result" if c => publish_batches(f, iters, || op_offer_exclusive_c(ex)),
            "offer_result" => publish_batches(f, iters, || {
                op_offer_result_exclusive_rusteron(&f.exclusive)
            }),
            "offer_concurrent" if c => publish_batches(f, iters, || op_offer_concurrent_c(co)),
            "offer_concurrent" => {
                publish_batches(f, iters, || op_offer_concurrent_rusteron(&f.concurrent))
            }
            "try_claim_commit" | "try_claim_with" if c => {
                publish_batches(f, iters, || op_claim_c(ex))
            }
            "try_claim_commit" => publish_batches(f, iters, || op_claim_rusteron(&f.exclusive)),
            "try_claim_with" => publish_batches(f, iters, || op_claim_with_rusteron(&f.exclusive)),
            "poll_1" => poll!(
                1,
                op_poll1_c(sub, &mut self.raw_count),
                op_poll1_rusteron(s, &mut self.count)
            ),
            "poll_10" => poll!(
                10,
                op_poll10_c(sub, &mut self.raw_count),
                op_poll10_rusteron(s, &mut self.count)
            ),
            "poll_bytes_1" => poll!(
                1,
                op_poll_bytes1_c(sub, &mut self.raw_bytes),
                op_poll_bytes1_rusteron(s, &mut self.bytes)
            ),
            "poll_bytes_10" => poll!(
                10,
                op_poll_bytes10_c(sub, &mut self.raw_bytes),
                op_poll_bytes10_rusteron(s, &mut self.bytes)
            ),
            "image_poll_1" => poll!(
                1,
                op_image_poll1_c(img, &mut self.raw_bytes),
                op_image_poll1_rusteron(&self.image, &mut self.bytes)
            ),
            "image_poll_10" => poll!(
                10,
                op_image_poll10_c(img, &mut self.raw_bytes),
                op_image_poll10_rusteron(&self.image, &mut self.bytes)
            ),
            "controlled_poll_1" => poll!(
                1,
                op_controlled_poll1_c(sub, &mut self.raw_bytes),
                op_controlled_poll1_rusteron(s, &mut self.bytes)
            ),
            "controlled_poll_10" => poll!(
                10,
                op_controlled_poll10_c(sub, &mut self.raw_bytes),
                op_controlled_poll10_rusteron(s, &mut self.bytes)
            ),
            "block_poll_1" => poll!(
                1,
                op_block_poll1_c(sub, &mut self.raw_bytes),
                op_block_poll1_rusteron(s, &mut self.bytes)
            ),
            "block_poll_10" => poll!(
                10,
                op_block_poll10_c(sub, &mut self.raw_bytes),
                op_block_poll10_rusteron(s, &mut self.bytes)
            ),
            "assembler_poll_1" => poll!(
                1,
                op_assembler_poll1_c(sub, &mut self.raw_asm),
                op_assembler_poll1_rusteron(s, &mut self.asm)
            ),
            "assembler_poll_10" => poll!(
                10,
                op_assembler_poll10_c(sub, &mut self.raw_asm),
                op_assembler_poll10_rusteron(s, &mut self.asm)
            ),
            "controlled_assembler_poll_1" => poll!(
                1,
                op_controlled_assembler_poll1_c(sub, &mut self.raw_casm),
                op_controlled_assembler_poll1_rusteron(s, &mut self.casm)
            ),
            "controlled_assembler_poll_10" => poll!(
                10,
                op_controlled_assembler_poll10_c(sub, &mut self.raw_casm),
                op_controlled_assembler_poll10_rusteron(s, &mut self.casm)
            ),
            "image_assembler_poll_1" => poll!(
                1,
                op_image_assembler_poll1_c(img, &mut self.raw_iasm),
                op_image_assembler_poll1_rusteron(&self.image, &mut self.iasm)
            ),
            "image_assembler_poll_10" => poll!(
                10,
                op_image_assembler_poll10_c(img, &mut self.raw_iasm),
                op_image_assembler_poll10_rusteron(&self.image, &mut self.iasm)
            ),
            other => panic!("unknown group {other}"),
        }
    }
}

fn benches(c: &mut Criterion) {
    let f = Fixture::new();
    let mut state = State::new(&f);
    let mut seen = Vec::new();
    for row in ROWS {
        if seen.contains(&row.group) {
            continue;
        }
        seen.push(row.group);
        let mut g = c.benchmark_group(row.group);
        for which in ["c", "rusteron"] {
            g.bench_function(which, |b| {
                b.iter_custom(|iters| state.run(row.group, which, iters))
            });
        }
        g.finish();
    }
    std::hint::black_box((state.bytes.1, state.raw_bytes[1]));
}

/// `RUSTERON_OPS_CALLGRIND=<n>`: instead of timing, run every operation `n` times (polls of 10 fragments
/// `n / 10` times), for `valgrind --tool=callgrind`: the inclusive instruction count of each `op_*`
/// function divided by its calls is the per-operation cost, stable on a noisy machine
/// (docs/benchmarks.md shows how).
fn callgrind_mode(n: u64) {
    let f = Fixture::new();
    let mut state = State::new(&f);
    let mut seen = Vec::new();
    for row in ROWS {
        if seen.contains(&row.group) {
            continue;
        }
        seen.push(row.group);
        let iters = if row.group.ends_with("_10") {
            n / 10
        } else {
            n
        };
        for which in ["c", "rusteron"] {
            state.run(row.group, which, iters);
        }
    }
    std::hint::black_box((state.bytes.1, state.raw_bytes[1]));
}

criterion_group! {
    name = client_ops;
    config = Criterion::default().sample_size(30).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = benches
}

fn main() {
    if std::env::var_os("RUSTERON_OPS_LIST").is_some() {
        // label, criterion group, C function, our function: one row per line, tab-separated.
        for r in ROWS {
            println!("{}\t{}\t{}\t{}", r.label, r.group, r.c, r.ours);
        }
        return;
    }
    if let Some(n) = std::env::var("RUSTERON_OPS_CALLGRIND")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        callgrind_mode(n);
        return;
    }
    client_ops();
    Criterion::default().configure_from_args().final_summary();
}
