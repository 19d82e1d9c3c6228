//! API-sequence fuzzer (issue 13): seeded random programs over the safe API against a real media driver.
//!
//! Each program gets its own embedded driver and client, three subscriptions (some with image handlers that
//! panic on the conductor thread) and then runs random operations: add / drop exclusive and concurrent
//! publications, offer (with reserved-value suppliers), try_claim, try_claim_with, offer_block (valid and
//! malformed blocks), poll / controlled_poll / block_poll / assembler polls, for_each_image, image_at_index,
//! retain / drop / poll / query retained images, counters and counter labels of random ids, sleeps that let
//! the conductor remove images. Inside every kind of handler (fragment, controlled, block, assembler
//! delegate, for-each, reserved-value supplier, try_claim_with filler) it runs random operations again
//! (on the same and other objects, nested up to depth 2) or panics (a `&str` or a payload whose `Drop`
//! panics).
//!
//! A program fails when the process crashes (programs run in a child process), when a received message or
//! a retained image's constants are inconsistent (`FUZZ-INVARIANT`), or when the API panics with anything
//! but an injected panic or a documented re-entrancy refusal.
//!
//! `RUSTERON_FUZZ_SEED` (first seed, default 1), `RUSTERON_FUZZ_PROGRAMS` (default 8),
//! `RUSTERON_FUZZ_OPS` (operations per program, default 150), `RUSTERON_FUZZ_OFF` (see [`off`]).

#![forbid(unsafe_code)]

mod common;

use common::*;
use rusteron_client::*;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::time::Duration;

const CHILD_VAR: &str = "RUSTERON_FUZZ_CHILD";
const STREAM: i32 = 7;
const MAX_DEPTH: u32 = 2;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: small, seedable, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// `RUSTERON_FUZZ_OFF=bombs,blocks,suppliers` turns off payloads whose `Drop` panics, malformed
/// `offer_block` blocks, reserved-value suppliers: used to look for one route on code that crashes
/// earlier on another (docs/safety.md).
fn off(what: &str) -> bool {
    std::env::var("RUSTERON_FUZZ_OFF").is_ok_and(|v| v.split(',').any(|w| w == what))
}

fn bombs() -> bool {
    !off("bombs")
}

/// A panic payload whose `Drop` panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("FUZZ-INJECTED bomb dropped");
    }
}

/// A message: `[payload length u32][payload sum u32][payload]`, checked by every handler that reads one.
fn message(rng: &mut Rng) -> Vec<u8> {
    let n = rng.below(200) as usize;
    let seed = rng.next() as u8;
    let payload: Vec<u8> = (0..n)
        .map(|i| seed.wrapping_add((i as u8).wrapping_mul(7)))
        .collect();
    let sum: u32 = payload.iter().map(|&b| b as u32).sum();
    let mut m = Vec::with_capacity(n + 8);
    m.extend_from_slice(&(n as u32).to_le_bytes());
    m.extend_from_slice(&sum.to_le_bytes());
    m.extend_from_slice(&payload);
    m
}

/// Checks a whole message (a fragment of a larger one, `flags` without both begin and end, is skipped).
fn check_message(msg: &[u8], flags: u8) {
    if flags & 0xC0 != 0xC0 {
        return;
    }
    let ok = msg.len() >= 8 && {
        let n = u32::from_le_bytes(msg[0..4].try_into().unwrap()) as usize;
        let sum = u32::from_le_bytes(msg[4..8].try_into().unwrap());
        n == msg.len() - 8 && msg[8..].iter().map(|&b| b as u32).sum::<u32>() == sum
    };
    if !ok {
        panic!(
            "FUZZ-INVARIANT: corrupt message of {} bytes: {:?}",
            msg.len(),
            &msg[..msg.len().min(16)]
        );
    }
}

/// A retained image with what was true of it when it was retained.
struct KeptImage<'s> {
    image: AeronImage<'s>,
    session_id: i32,
    correlation_id: i64,
    join_position: i64,
}

struct World<'s> {
    aeron: Aeron,
    subs: &'s [AeronSubscription],
    excl: RefCell<Vec<Rc<AeronExclusivePublication>>>,
    conc: RefCell<Vec<AeronPublication>>,
    images: RefCell<Vec<Rc<KeptImage<'s>>>>,
    counters: RefCell<Vec<AeronCounter>>,
    rng: RefCell<Rng>,
    depth: Cell<u32>,
}

impl<'s> World<'s> {
    fn r(&self, n: u64) -> u64 {
        self.rng.borrow_mut().below(n)
    }
    fn chance(&self, p: u64) -> bool {
        self.rng.borrow_mut().chance(p)
    }
    fn msg(&self) -> Vec<u8> {
        message(&mut self.rng.borrow_mut())
    }
    fn sub(&self) -> &'s AeronSubscription {
        &self.subs[self.r(self.subs.len() as u64) as usize]
    }
    fn pick_excl(&self) -> Option<Rc<AeronExclusivePublication>> {
        let v = self.excl.borrow();
        (!v.is_empty()).then(|| v[self.r(v.len() as u64) as usize].clone())
    }
    fn pick_conc(&self) -> Option<AeronPublication> {
        let v = self.conc.borrow();
        (!v.is_empty()).then(|| v[self.r(v.len() as u64) as usize].clone())
    }
    fn pick_image(&self) -> Option<Rc<KeptImage<'s>>> {
        let v = self.images.borrow();
        (!v.is_empty()).then(|| v[self.r(v.len() as u64) as usize].clone())
    }

    fn keep(&self, image: AeronImage<'s>) {
        let c = image.constants().expect("image constants");
        let kept = KeptImage {
            session_id: c.session_id,
            correlation_id: c.correlation_id,
            join_position: c.join_position,
            image,
        };
        self.images.borrow_mut().push(Rc::new(kept));
    }

    fn check_image(&self, k: &KeptImage<'s>) {
        let c = k.image.constants().expect("image constants");
        let position = k.image.position();
        if c.session_id != k.session_id
            || c.correlation_id != k.correlation_id
            || c.join_position != k.join_position
            || position < k.join_position
            || position > (1i64 << 40)
        {
            panic!(
                "FUZZ-INVARIANT: retained image changed: session {} -> {}, correlation {} -> {}, join {} -> {}, position {position}",
                k.session_id, c.session_id, k.correlation_id, c.correlation_id, k.join_position, c.join_position
            );
        }
        let _ = k.image.is_closed();
        let _ = k.image.is_end_of_stream();
    }

    /// Inside a handler: another random operation (nested) or a panic, sometimes nothing.
    fn inner(&self) {
        let d = self.depth.get();
        if d >= MAX_DEPTH || self.chance(40) {
            return;
        }
        if self.chance(8) {
            if self.chance(50) || !bombs() {
                panic!("FUZZ-INJECTED panic in a handler");
            }
            std::panic::panic_any(Bomb);
        }
        self.depth.set(d + 1);
        let r = catch_unwind(AssertUnwindSafe(|| self.op()));
        self.depth.set(d);
        if let Err(p) = r {
            // Keep unwinding: the outer C call must re-raise it.
            std::panic::resume_unwind(p);
        }
    }

    fn offer_result(&self, r: i64) {
        // Any publication result is fine; nothing to check beyond "no crash".
        std::hint::black_box(r);
    }

    /// One random operation.
    fn op(&self) {
        let depth = self.depth.get();
        let op = self.r(24);
        eprintln!("{}op {op}", "  ".repeat(depth as usize));
        match op {
            0 => {
                if self.excl.borrow().len() < 4 {
                    if let Ok(p) =
                        self.aeron
                            .add_exclusive_publication("aeron:ipc", STREAM, TIMEOUT)
                    {
                        self.excl.borrow_mut().push(Rc::new(p));
                    }
                }
            }
            1 => {
                if self.conc.borrow().len() < 3 {
                    if let Ok(p) = self.aeron.add_publication("aeron:ipc", STREAM, TIMEOUT) {
                        self.conc.borrow_mut().push(p);
                    }
                }
            }
            2 => {
                let mut v = self.excl.borrow_mut();
                if !v.is_empty() {
                    let i = self.r(v.len() as u64) as usize;
                    let p = v.swap_remove(i);
                    drop(v);
                    drop(p);
                }
            }
            3 => {
                let mut v = self.conc.borrow_mut();
                if !v.is_empty() {
                    let i = self.r(v.len() as u64) as usize;
                    let p = v.swap_remove(i);
                    drop(v);
                    drop(p);
                }
            }
            4 => {
                let m = self.msg();
                let with_supplier = self.chance(50) && !off("suppliers");
                let supplier = with_supplier.then(|| {
                    AeronReservedValueSupplierClosure::new(|_frame: &mut [u8]| {
                        self.inner();
                        42
                    })
                });
                if self.chance(50) {
                    if let Some(p) = self.pick_excl() {
                        self.offer_result(p.offer(&m, supplier));
                    }
                } else if let Some(p) = self.pick_conc() {
                    self.offer_result(p.offer(&m, supplier));
                }
            }
            5 => {
                let m = self.msg();
                if let Some(p) = self.pick_excl() {
                    if let Ok(mut claim) = p.try_claim(m.len()) {
                        claim.data().copy_from_slice(&m);
                        match self.r(3) {
                            0 => {
                                let _ = claim.commit();
                            }
                            1 => {
                                let _ = claim.abort();
                            }
                            _ => drop(claim),
                        }
                    }
                } else if let Some(p) = self.pick_conc() {
                    if let Ok(mut claim) = p.try_claim(m.len()) {
                        claim.data().copy_from_slice(&m);
                        let _ = claim.commit();
                    }
                }
            }
            6 => {
                let m = self.msg();
                if let Some(p) = self.pick_excl() {
                    self.offer_result(p.try_claim_with(m.len(), |buf| {
                        buf.copy_from_slice(&m);
                        self.inner();
                    }));
                }
            }
            7 => {
                if let Some(p) = self.pick_excl() {
                    let block = self.block(&p);
                    self.offer_result(p.offer_block(&block));
                }
            }
            8 => {
                let sub = self.sub();
                let _ = sub.poll_once(
                    |msg, h| {
                        check_message(msg, h.flags());
                        self.inner();
                    },
                    self.r(12) as usize,
                );
            }
            9 => {
                let sub = self.sub();
                let mut h =
                    AeronControlledFragmentHandlerClosure::new(|msg: &[u8], h: AeronHeader<'_>| {
                        check_message(msg, h.flags());
                        self.inner();
                        AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE
                    });
                let _ = sub.controlled_poll(&mut h, self.r(12) as usize);
            }
            10 => {
                let sub = self.sub();
                let mut h = AeronBlockHandlerClosure::new(|block: &[u8], _s: i32, _t: i32| {
                    std::hint::black_box(block.iter().map(|&b| b as u64).sum::<u64>());
                    self.inner();
                });
                let _ = sub.block_poll(&mut h, 1 + self.r(4096) as usize);
            }
            11 => {
                let sub = self.sub();
                sub.for_each_image(|image| {
                    let _ = image.position();
                    if self.chance(50) {
                        if let Some(kept) = image.retain() {
                            self.keep(kept);
                        }
                    }
                    if self.chance(30) {
                        let mut h =
                            AeronFragmentHandlerClosure::new(|msg: &[u8], h: AeronHeader<'_>| {
                                check_message(msg, h.flags())
                            });
                        let _ = image.poll(&mut h, 4);
                    }
                    self.inner();
                });
            }
            12 => {
                let sub = self.sub();
                if let Some(image) = sub.image_at_index(self.r(3) as usize) {
                    self.keep(image);
                }
            }
            13 => {
                if let Some(k) = self.pick_image() {
                    if let Some(again) = k.image.retain() {
                        self.keep(again);
                    }
                }
            }
            14 => {
                let mut v = self.images.borrow_mut();
                if !v.is_empty() {
                    let i = self.r(v.len() as u64) as usize;
                    let k = v.swap_remove(i);
                    drop(v);
                    drop(k);
                }
            }
            15 => {
                if let Some(k) = self.pick_image() {
                    self.check_image(&k);
                    let mut h =
                        AeronFragmentHandlerClosure::new(|msg: &[u8], h: AeronHeader<'_>| {
                            check_message(msg, h.flags());
                            self.inner();
                        });
                    let _ = k.image.poll(&mut h, self.r(8) as usize);
                }
            }
            16 => {
                if let Some(k) = self.pick_image() {
                    self.check_image(&k);
                }
            }
            17 => {
                let sub = self.sub();
                let _ = sub.image_count();
                let _ = sub.is_connected();
                let imgs = sub.images();
                for i in imgs {
                    let _ = i.position();
                }
            }
            18 => {
                let reader = self.aeron.counters_reader();
                let max = reader.max_counter_id();
                let id = self.r(max as u64 + 4) as i32 - 2;
                let _ = reader.counter_label(id);
                let _ = reader.metadata_key(id);
                let _ = reader.get_counter_value(id.max(0).min(max));
                if self.chance(30) && self.counters.borrow().len() < 3 {
                    if let Ok(c) = self
                        .aeron
                        .async_add_counter(1001, b"fuzz", "fuzz counter")
                        .and_then(|a| a.poll_blocking(TIMEOUT))
                    {
                        c.increment();
                        self.counters.borrow_mut().push(c);
                    }
                } else if self.chance(30) {
                    let c = self.counters.borrow_mut().pop();
                    drop(c);
                }
            }
            19 => {
                let sub = self.sub();
                let delegate =
                    AeronFragmentHandlerClosure::new(|msg: &[u8], h: AeronHeader<'_>| {
                        check_message(msg, h.flags());
                        self.inner();
                    });
                if self.chance(30) {
                    // The controlled assemblers, through their poll helpers or as handlers.
                    let delegate = AeronControlledFragmentHandlerClosure::new(
                        |msg: &[u8], h: AeronHeader<'_>| {
                            check_message(msg, h.flags());
                            self.inner();
                            AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE
                        },
                    );
                    if let Some(k) = self.chance(30).then(|| self.pick_image()).flatten() {
                        if let Ok(mut a) = AeronImageControlledFragmentAssembler::new(delegate) {
                            let _ = a.poll_image(&k.image, self.r(12) as usize);
                        }
                    } else if let Ok(mut a) = AeronControlledFragmentAssembler::new(delegate) {
                        if self.chance(50) {
                            let _ = a.poll_subscription(sub, self.r(12) as usize);
                        } else {
                            let _ = sub.controlled_poll(&mut a, self.r(12) as usize);
                        }
                    }
                } else if let Ok(mut assembler) = AeronFragmentAssembler::new(delegate) {
                    if self.chance(50) {
                        let _ = assembler.poll_subscription(sub, self.r(12) as usize);
                    } else {
                        let _ = sub.poll(&mut assembler, self.r(12) as usize);
                    }
                }
            }
            20 | 21 => {
                // Let the conductor act (image removals, list pruning), then reuse freed heap blocks.
                std::thread::sleep(Duration::from_millis(1 + self.r(25)));
                let mut keep = Vec::new();
                for size in (8..=256).step_by(24) {
                    keep.push(vec![0x41u8; size]);
                }
                std::hint::black_box(&keep);
            }
            22 => {
                // A large, fragmented message.
                let n = 1000 + self.r(5000) as usize;
                let payload = vec![3u8; n];
                let mut m = Vec::new();
                m.extend_from_slice(&(n as u32).to_le_bytes());
                m.extend_from_slice(&(3 * n as u32).to_le_bytes());
                m.extend_from_slice(&payload);
                if let Some(p) = self.pick_excl() {
                    self.offer_result(p.offer(&m, Handlers::no_reserved_value_supplier_handler()));
                }
            }
            _ => {
                if depth == 0 && self.chance(20) {
                    panic!("FUZZ-INJECTED panic at top level");
                }
            }
        }
    }

    /// A block for offer_block: well formed at the publication's position, or malformed in a random way.
    fn block(&self, p: &AeronExclusivePublication) -> Vec<u8> {
        let Ok(c) = p.constants() else {
            return Vec::new();
        };
        let term_length = c.term_buffer_length as i64;
        let position = p.position().max(0);
        let mut term_offset = (position & (term_length - 1)) as i32;
        let term_id = c.initial_term_id + (position / term_length) as i32;
        let mut block = Vec::new();
        for _ in 0..1 + self.r(3) {
            let m = self.msg();
            let frame_length = 32 + m.len() as i32;
            let aligned = (frame_length as usize).div_ceil(32) * 32;
            let mut f = vec![0u8; aligned];
            f[0..4].copy_from_slice(&frame_length.to_le_bytes());
            f[5] = 0xC0;
            f[6] = 1;
            f[8..12].copy_from_slice(&term_offset.to_le_bytes());
            f[12..16].copy_from_slice(&c.session_id.to_le_bytes());
            f[16..20].copy_from_slice(&c.stream_id.to_le_bytes());
            f[20..24].copy_from_slice(&term_id.to_le_bytes());
            f[32..32 + m.len()].copy_from_slice(&m);
            block.extend_from_slice(&f);
            term_offset += aligned as i32;
        }
        match if off("blocks") { 7 } else { self.r(8) } {
            0 => block.truncate(self.r(block.len() as u64) as usize),
            1 => {
                let bogus = [1i32 << 30, 24, 0, -7, i32::MAX][self.r(5) as usize];
                block[0..4].copy_from_slice(&bogus.to_le_bytes());
            }
            2 => {
                // A header byte of the first frame (a changed payload byte would be a valid message with
                // other content, which the content check cannot tell from corruption).
                let i = 4 + self.r(28) as usize; // not frame_length: a small change there can stay valid
                block[i] = self.r(256) as u8;
            }
            _ => {}
        }
        block
    }
}

thread_local! {
    /// Expected panics seen at the top of an operation: [injected, re-entrant refusals, RefCell conflicts].
    static SEEN: Cell<[u64; 3]> = const { Cell::new([0; 3]) };
}

fn count(i: usize) {
    SEEN.with(|s| {
        let mut v = s.get();
        v[i] += 1;
        s.set(v);
    });
}

/// Classifies a panic that reached the top of an operation: `None` if expected, else a description.
fn unexpected(payload: Box<dyn Any + Send>) -> Option<String> {
    if payload.is::<Bomb>() {
        // Its Drop panics (by design): contain it; that panic's own payload is a message.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
        count(0);
        return None;
    }
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".to_string()
    };
    if msg.contains("FUZZ-INVARIANT") {
        return Some(msg);
    }
    if msg.contains("FUZZ-INJECTED") {
        count(0);
    } else if msg.contains("re-entrant") {
        count(1);
    } else if msg.contains("already borrowed") || msg.contains("already mutably borrowed") {
        count(2);
    } else {
        return Some(msg);
    }
    None
}

fn run_program(seed: u64, ops: u64) -> Vec<String> {
    let env = env();
    let mut rng = Rng::new(seed);
    let mut subs = Vec::new();
    for _ in 0..3 {
        let panics = rng.chance(30);
        let sub = env
            .aeron
            .async_add_subscription(
                "aeron:ipc",
                STREAM,
                Some(AeronAvailableImageClosure::new(
                    move |_i: AeronImageRef<'_>| {
                        if panics {
                            if bombs() {
                                std::panic::panic_any(Bomb);
                            }
                            panic!("FUZZ-INJECTED available image handler");
                        }
                    },
                )),
                Some(AeronUnavailableImageClosure::new(
                    move |_i: AeronImageRef<'_>| {
                        if panics {
                            panic!("FUZZ-INJECTED unavailable image handler");
                        }
                    },
                )),
            )
            .and_then(|a| a.poll_blocking(TIMEOUT))
            .expect("subscription");
        subs.push(sub);
    }
    let world = World {
        aeron: env.aeron.clone(),
        subs: &subs,
        excl: RefCell::new(Vec::new()),
        conc: RefCell::new(Vec::new()),
        images: RefCell::new(Vec::new()),
        counters: RefCell::new(Vec::new()),
        rng: RefCell::new(rng),
        depth: Cell::new(0),
    };
    let mut failures = Vec::new();
    for i in 0..ops {
        world.depth.set(0);
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| world.op())) {
            if let Some(m) = unexpected(p) {
                failures.push(format!("seed {seed} op #{i}: {m}"));
            }
        }
    }
    // Drop in a random order too.
    if world.chance(50) {
        world.images.borrow_mut().clear();
        world.excl.borrow_mut().clear();
    } else {
        world.excl.borrow_mut().clear();
        std::thread::sleep(Duration::from_millis(50));
        world.images.borrow_mut().clear();
    }
    drop(world);
    drop(subs);
    failures
}

#[test]
fn api_sequence_fuzzer() {
    let first = env_u64("RUSTERON_FUZZ_SEED", 1);
    let programs = env_u64("RUSTERON_FUZZ_PROGRAMS", 8);
    let ops = env_u64("RUSTERON_FUZZ_OPS", 150);
    if std::env::var(CHILD_VAR).is_ok() {
        let mut failures = Vec::new();
        for seed in first..first + programs {
            eprintln!("program seed {seed}");
            failures.extend(run_program(seed, ops));
        }
        for f in &failures {
            eprintln!("FAILURE {f}");
        }
        let [injected, reentrant, borrow] = SEEN.with(|s| s.get());
        eprintln!(
            "SUMMARY programs {programs}, ops {ops}: expected panics: injected {injected}, re-entrant refusals {reentrant}, RefCell conflicts {borrow}; failures {}",
            failures.len()
        );
        assert!(failures.is_empty(), "{} failures", failures.len());
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match std::env::var("RUSTERON_SAFETY_CHILD_WRAPPER") {
        Ok(w) => {
            let mut parts = w.split_whitespace();
            let mut c = std::process::Command::new(parts.next().unwrap());
            c.args(parts).arg(&exe);
            c
        }
        Err(_) => std::process::Command::new(&exe),
    };
    let out = cmd
        .args([
            "api_sequence_fuzzer",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_VAR, "1")
        .output()
        .expect("spawn fuzzer child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
    let failures: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("FAILURE"))
        .collect();
    let last_program = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("program seed"))
        .unwrap_or("?");
    let summary = stderr
        .lines()
        .find(|l| l.starts_with("SUMMARY"))
        .unwrap_or("SUMMARY missing (the child did not finish)");
    println!(
        "fuzzer: seeds {first}..{}, {ops} ops each: child {:?}, last {last_program}, {} failures\n{summary}",
        first + programs,
        out.status,
        failures.len()
    );
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "fuzzer child failed: {:?} (last {last_program})\n{}\n--- stderr tail (newest first)\n{}",
        out.status,
        failures.join("\n"),
        tail.join("\n")
    );
}
