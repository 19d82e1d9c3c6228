//! Criterion micro-benchmarks of the hot paths: each operation through the safe API and the same C call made
//! directly through `aeron-sys` on the very same publication or subscription, so that the difference is the
//! cost of the wrapper. Embedded driver, IPC, shared threading, sleeping idle strategy (docs/benchmarks.md).
//!
//! `cargo bench -p rusteron-client --bench client_ops`

use criterion::{criterion_group, BenchmarkId, Criterion};
use rusteron_client::bindings as sys;
use rusteron_client::*;
use rusteron_media_driver::TestMediaDriver;
use std::ffi::c_void;
use std::time::{Duration, Instant};

/// Messages per timed batch: well inside the publication window, so offers are never back-pressured.
const BATCH: u64 = 256;
/// Payload of every message, as in the end-to-end benchmarks.
const MESSAGE: [u8; 32] = [7; 32];

/// Driver, client, an exclusive and a concurrent IPC publication, and their subscription.
struct Fixture {
    exclusive: AeronExclusivePublication,
    concurrent: AeronPublication,
    subscription: AeronSubscription,
    _aeron: Aeron,
    _driver: TestMediaDriver,
}

/// Counts fragments through the safe API's trait handler.
struct Count(u64);

impl AeronFragmentHandlerCallback for Count {
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, _msg: &[u8], _header: AeronHeader<'_>) {
        self.0 += 1;
    }
}

/// Counts fragments and adds up their lengths: a handler that reads the fragment slice (so the wrapper's
/// bound on the slice cannot be optimised away).
struct CountBytes(u64, u64);

impl AeronFragmentHandlerCallback for CountBytes {
    #[inline]
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
        self.0 += 1;
        self.1 += msg.len() as u64 + msg.first().copied().unwrap_or(0) as u64;
    }
}

/// The raw C counterpart of [`CountBytes`]: `clientd` is a `*mut [u64; 2]`.
unsafe extern "C" fn raw_count_bytes(
    clientd: *mut c_void,
    b: *const u8,
    l: usize,
    _h: *mut sys::aeron_header_t,
) {
    // SAFETY: clientd is the live [u64; 2] of op_poll_bytes_c; C passes `l` readable bytes at `b`.
    unsafe {
        let c = &mut *(clientd as *mut [u64; 2]);
        c[0] += 1;
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
            && subscription.is_connected())
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
    while p.offer_result(&MESSAGE, Handlers::no_reserved_value_supplier_handler()).is_err() {}
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
    let mut claim = sys::aeron_buffer_claim_t {
        frame_header: std::ptr::null_mut(),
        data: std::ptr::null_mut(),
        length: 0,
    };
    // SAFETY: open publication, valid out-struct; on success `data` points at the claimed bytes.
    unsafe {
        while sys::aeron_exclusive_publication_try_claim(raw, MESSAGE.len(), &mut claim) < 0 {}
        *claim.data = 1;
        assert!(sys::aeron_buffer_claim_commit(&mut claim) >= 0);
    }
}

#[inline(never)]
fn op_poll_rusteron(s: &AeronSubscription, count: &mut Count, limit: usize) -> u64 {
    count.0 = 0;
    s.poll(count, limit).expect("poll");
    count.0
}

#[inline(never)]
fn op_poll_c(raw: *mut sys::aeron_subscription_t, count: &mut u64, limit: usize) -> u64 {
    *count = 0;
    // SAFETY: open subscription polled from this thread only; clientd is our live counter.
    unsafe {
        sys::aeron_subscription_poll(
            raw,
            Some(raw_count),
            count as *mut u64 as *mut c_void,
            limit,
        )
    };
    *count
}

#[inline(never)]
fn op_poll_bytes_rusteron(s: &AeronSubscription, count: &mut CountBytes, limit: usize) -> u64 {
    count.0 = 0;
    s.poll(count, limit).expect("poll");
    count.0
}

#[inline(never)]
fn op_poll_bytes_c(raw: *mut sys::aeron_subscription_t, count: &mut [u64; 2], limit: usize) -> u64 {
    count[0] = 0;
    // SAFETY: open subscription polled from this thread only; clientd is our live counter pair.
    unsafe {
        sys::aeron_subscription_poll(
            raw,
            Some(raw_count_bytes),
            count as *mut [u64; 2] as *mut c_void,
            limit,
        )
    };
    count[0]
}

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

fn offer(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("offer_exclusive");
    let raw = f.exclusive.as_raw();
    g.bench_function("rusteron", |b| {
        b.iter_custom(|iters| {
            publish_batches(f, iters, || op_offer_exclusive_rusteron(&f.exclusive))
        })
    });
    g.bench_function("c", |b| {
        b.iter_custom(|iters| publish_batches(f, iters, || op_offer_exclusive_c(raw)))
    });
    g.finish();

    let mut g = c.benchmark_group("offer_concurrent");
    let raw = f.concurrent.as_raw();
    g.bench_function("rusteron", |b| {
        b.iter_custom(|iters| {
            publish_batches(f, iters, || op_offer_concurrent_rusteron(&f.concurrent))
        })
    });
    g.bench_function("c", |b| {
        b.iter_custom(|iters| publish_batches(f, iters, || op_offer_concurrent_c(raw)))
    });
    g.finish();
}

fn try_claim(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("try_claim_commit");
    let raw = f.exclusive.as_raw();
    g.bench_function("rusteron", |b| {
        b.iter_custom(|iters| publish_batches(f, iters, || op_claim_rusteron(&f.exclusive)))
    });
    g.bench_function("rusteron_with", |b| {
        b.iter_custom(|iters| publish_batches(f, iters, || op_claim_with_rusteron(&f.exclusive)))
    });
    g.bench_function("c", |b| {
        b.iter_custom(|iters| publish_batches(f, iters, || op_claim_c(raw)))
    });
    g.finish();
}

fn poll(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group("poll");
    let raw = f.subscription.as_raw();
    for per_poll in [1u64, 10] {
        g.bench_with_input(
            BenchmarkId::new("rusteron", per_poll),
            &per_poll,
            |b, &k| {
                let mut count = Count(0);
                b.iter_custom(|iters| {
                    poll_batches(f, iters, k, || {
                        op_poll_rusteron(&f.subscription, &mut count, k as usize)
                    })
                })
            },
        );
        g.bench_with_input(BenchmarkId::new("c", per_poll), &per_poll, |b, &k| {
            let mut count = 0u64;
            b.iter_custom(|iters| {
                poll_batches(f, iters, k, || op_poll_c(raw, &mut count, k as usize))
            })
        });
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    let f = Fixture::new();
    offer(c, &f);
    try_claim(c, &f);
    poll(c, &f);
}

/// `RUSTERON_OPS_CALLGRIND=<n>`: instead of timing, run every operation `n` times (`n` <= 256), for
/// `valgrind --tool=callgrind`: the inclusive instruction count of each `op_*` function divided by `n` is
/// the per-operation cost, stable on a noisy machine (docs/benchmarks.md shows how).
fn callgrind_mode(n: u64) {
    let f = Fixture::new();
    let (ex, co, sub) = (
        f.exclusive.as_raw(),
        f.concurrent.as_raw(),
        f.subscription.as_raw(),
    );
    publish_batches(&f, n, || op_offer_exclusive_rusteron(&f.exclusive));
    publish_batches(&f, n, || op_offer_exclusive_c(ex));
    publish_batches(&f, n, || op_offer_result_exclusive_rusteron(&f.exclusive));
    publish_batches(&f, n, || op_offer_concurrent_rusteron(&f.concurrent));
    publish_batches(&f, n, || op_offer_concurrent_c(co));
    publish_batches(&f, n, || op_claim_rusteron(&f.exclusive));
    publish_batches(&f, n, || op_claim_with_rusteron(&f.exclusive));
    publish_batches(&f, n, || op_claim_c(ex));
    for k in [1u64, 10] {
        let mut count = Count(0);
        poll_batches(&f, n / k, k, || {
            op_poll_rusteron(&f.subscription, &mut count, k as usize)
        });
        let mut raw = 0u64;
        poll_batches(&f, n / k, k, || op_poll_c(sub, &mut raw, k as usize));
    }
    for k in [1u64, 10] {
        let mut count = CountBytes(0, 0);
        poll_batches(&f, n / k, k, || {
            op_poll_bytes_rusteron(&f.subscription, &mut count, k as usize)
        });
        let mut raw = [0u64; 2];
        poll_batches(&f, n / k, k, || op_poll_bytes_c(sub, &mut raw, k as usize));
        std::hint::black_box((count.1, raw[1]));
    }
}

criterion_group! {
    name = client_ops;
    config = Criterion::default().sample_size(30).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = benches
}

fn main() {
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
