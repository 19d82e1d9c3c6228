//! One test per route of issue 13 ("no sequence of safe calls may crash the process"), safe code only,
//! against a real media driver. Each scenario runs in a child process (this test binary re-executed with
//! `RUSTERON_SAFETY_CHILD=<test name>`), so a segfault or an abort is a failed test, not a dead runner.
//! The child asserts the documented behaviour; the parent asserts that the child exited cleanly.
//!
//! `cargo xtask memcheck` runs the same scenarios under valgrind memcheck (docs/safety.md).

#![forbid(unsafe_code)]

mod common;

use common::*;
use rusteron_client::*;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;
use std::time::{Duration, Instant};

const CHILD_VAR: &str = "RUSTERON_SAFETY_CHILD";

/// Runs `scenario` in a child process when called from the test runner, or directly in the child.
fn in_child(name: &str, scenario: impl FnOnce()) {
    if std::env::var(CHILD_VAR).as_deref() == Ok(name) {
        scenario();
        return;
    }
    let exe = std::env::current_exe().expect("test executable");
    let mut cmd = Command::new(exe);
    cmd.args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, name);
    // Under `cargo xtask memcheck` the child runs under valgrind too.
    if let Ok(wrapper) = std::env::var("RUSTERON_SAFETY_CHILD_WRAPPER") {
        let mut parts = wrapper.split_whitespace();
        let prog = parts.next().expect("wrapper program");
        let mut w = Command::new(prog);
        w.args(parts)
            .arg(std::env::current_exe().unwrap())
            .args([name, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_VAR, name);
        cmd = w;
    }
    let out = cmd.output().expect("spawn child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child scenario `{name}` did not exit cleanly: {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
}

/// Overwrites recently freed heap blocks with 0x41 so that a read of freed memory shows (or crashes).
fn spray_heap() {
    let mut keep = Vec::new();
    for round in 0..4 {
        for size in (8..=512).step_by(8) {
            keep.push(vec![0x41u8; size + round]);
        }
    }
    std::hint::black_box(&keep);
}

fn ipc_sub(aeron: &Aeron, stream_id: i32) -> AeronSubscription {
    subscribe(aeron, "aeron:ipc", stream_id)
}

fn exclusive(aeron: &Aeron, stream_id: i32) -> AeronExclusivePublication {
    aeron
        .add_exclusive_publication("aeron:ipc", stream_id, TIMEOUT)
        .expect("exclusive publication")
}

fn offer_exclusive(p: &AeronExclusivePublication, msg: &[u8]) -> i64 {
    wait_for("offer", || {
        let r = p.offer(msg, Handlers::no_reserved_value_supplier_handler());
        (r > 0).then_some(r)
    })
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic>".into()
    }
}

/// Waits (calling `image_count` from outside any handler) until the subscription has `n` images.
fn wait_images(sub: &AeronSubscription, n: i32) {
    wait_for("image count", || (sub.image_count() == n).then_some(()));
}

// ---- Route 1: re-entrant subscription calls from inside its own handlers ----------------------------

/// A fragment handler of `sub.poll` closes other publications (their images leave the list) and then calls
/// list-reading methods of the same subscription until the conductor has installed a new image list; the
/// outer C poll must not be left walking a freed list. The re-entrant call is refused (a panic re-raised by
/// the outer poll for the infallible queries, an error for `poll`).
#[test]
fn route1_reentrant_subscription_query_from_fragment_handler() {
    in_child(
        "route1_reentrant_subscription_query_from_fragment_handler",
        || {
            let env = env();
            let sub = ipc_sub(&env.aeron, 1001);
            let a = exclusive(&env.aeron, 1001);
            let mut others = vec![exclusive(&env.aeron, 1001), exclusive(&env.aeron, 1001)];
            wait_images(&sub, 3);
            // Only `a` has data: the other images have nothing to drain, so the driver removes them as soon
            // as their publications close (linger 100 ms).
            offer_exclusive(&a, b"a");
            let result = catch_unwind(AssertUnwindSafe(|| {
                let mut first = true;
                sub.poll_once(
                    |_msg, _h| {
                        if !first {
                            return;
                        }
                        first = false;
                        others.clear();
                        let start = Instant::now();
                        while sub.image_count() > 1 && start.elapsed() < TIMEOUT {
                            std::thread::sleep(Duration::from_millis(1));
                        }
                        let _ = sub.is_connected();
                        std::thread::sleep(Duration::from_millis(100));
                        spray_heap();
                    },
                    10,
                )
            }));
            let err = result.expect_err("a re-entrant image_count must be refused");
            let msg = panic_message(&*err);
            assert!(msg.contains("re-entrant"), "unexpected panic: {msg}");
            // The subscription still works.
            for _ in 0..50 {
                sub.poll_once(|_m, _h| {}, 10).unwrap();
                let _ = sub.image_count();
                std::thread::sleep(Duration::from_millis(2));
            }
            offer_exclusive(&a, b"after");
            let got = collect(&sub, 1);
            assert!(got.iter().any(|m| m == b"after"), "{got:?}");
        },
    );
}

/// The same with a re-entrant `poll` (and `for_each_image`) of the subscription: an error, not UB.
#[test]
fn route1_reentrant_poll_from_fragment_handler() {
    in_child("route1_reentrant_poll_from_fragment_handler", || {
        let env = env();
        let sub = ipc_sub(&env.aeron, 1002);
        let a = exclusive(&env.aeron, 1002);
        let mut others = vec![exclusive(&env.aeron, 1002), exclusive(&env.aeron, 1002)];
        wait_images(&sub, 3);
        offer_exclusive(&a, b"a");
        let mut inner_errors = Vec::new();
        let mut first = true;
        sub.poll_once(
            |_msg, _h| {
                if !first {
                    return;
                }
                first = false;
                others.clear();
                let start = Instant::now();
                loop {
                    match sub.poll_once(|_m, _h| {}, 10) {
                        Err(e) => {
                            inner_errors.push(e.to_string());
                            break;
                        }
                        Ok(_) if start.elapsed() > Duration::from_secs(2) => break,
                        Ok(_) => std::thread::sleep(Duration::from_millis(1)),
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
                spray_heap();
            },
            10,
        )
        .expect("outer poll");
        assert_eq!(inner_errors.len(), 1, "the inner poll must fail");
        assert!(inner_errors[0].contains("re-entrant"), "{inner_errors:?}");
        offer_exclusive(&a, b"after");
        let got = collect(&sub, 1);
        assert!(got.iter().any(|m| m == b"after"), "{got:?}");
    });
}

// ---- Route 2: retain() of an image that C did not retain; release in every order -------------------

/// `retain()` of a retained image after it became unavailable, then the original is dropped: the retained
/// copy must still be valid (C really holds a reference for it).
#[test]
fn route2_retain_after_unavailable_is_a_real_reference() {
    in_child(
        "route2_retain_after_unavailable_is_a_real_reference",
        || {
            let env = env();
            let sub = ipc_sub(&env.aeron, 1003);
            let p = exclusive(&env.aeron, 1003);
            wait_images(&sub, 1);
            let end = offer_exclusive(&p, b"0123456789");
            collect(&sub, 1);
            let image = sub.image_at_index(0).expect("image");
            assert_eq!(image.position(), end);
            drop(p);
            wait_images(&sub, 0);
            let kept = image.retain();
            drop(image);
            // Let the conductor delete whatever is no longer referenced.
            for _ in 0..30 {
                let _ = sub.image_count();
                std::thread::sleep(Duration::from_millis(5));
            }
            spray_heap();
            if let Some(kept) = kept {
                assert_eq!(kept.position(), end, "retained image reads freed memory");
                let c = kept.constants().expect("constants");
                assert_eq!(c.join_position, 0);
            }
        },
    );
}

/// Retain → image unavailable → drop, 20 times: every log buffer mapping must be released.
#[test]
fn route2_retained_images_release_their_mapping() {
    in_child("route2_retained_images_release_their_mapping", || {
        let env = env();
        let sub = ipc_sub(&env.aeron, 1004);
        for _ in 0..20 {
            let p = exclusive(&env.aeron, 1004);
            wait_images(&sub, 1);
            let image = sub.image_at_index(0).expect("image");
            let kept = image.retain().expect("retain of a listed image");
            drop(image);
            drop(p);
            wait_images(&sub, 0);
            drop(kept);
        }
        let dir = env.driver.dir().to_string();
        let mapped = || {
            std::fs::read_to_string("/proc/self/maps")
                .unwrap()
                .lines()
                .filter(|l| l.contains(&dir) && l.contains(".logbuffer"))
                .map(|l| l.split_whitespace().nth(5).unwrap_or_default().to_string())
                .collect::<std::collections::BTreeSet<_>>()
        };
        let start = Instant::now();
        while !mapped().is_empty() && start.elapsed() < Duration::from_secs(5) {
            let _ = sub.image_count();
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            mapped().is_empty(),
            "leaked log buffer mappings: {:?}",
            mapped()
        );
    });
}

// ---- Route 3: offer_block with malformed blocks ------------------------------------------------------

/// Builds one data frame header + payload for `p` at its current position.
/// Writes a frame header into `p`'s log buffer file (as a process that can write the file could): at file
/// offset `at`, the header's fields first and its `frame_length` last, so a poller never sees the length
/// without the rest of the header. `data`: a data frame (else padding), unfragmented.
fn forge_frame(
    aeron_dir: &str,
    p: &AeronExclusivePublication,
    at: u64,
    data: bool,
    term_offset: i32,
    term_id: i32,
    frame_length: i32,
) {
    use std::os::unix::fs::FileExt;
    let c = p.constants().unwrap();
    let file = format!(
        "{aeron_dir}/publications/{}.logbuffer",
        c.original_registration_id
    );
    let log = std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut header = [0u8; 32];
    header[5] = 0xC0;
    header[6] = u8::from(data);
    header[8..12].copy_from_slice(&term_offset.to_le_bytes());
    header[12..16].copy_from_slice(&c.session_id.to_le_bytes());
    header[16..20].copy_from_slice(&c.stream_id.to_le_bytes());
    header[20..24].copy_from_slice(&term_id.to_le_bytes());
    log.write_all_at(&header[4..], at + 4).unwrap();
    log.write_all_at(&frame_length.to_le_bytes(), at).unwrap();
}

fn frame(p: &AeronExclusivePublication, frame_length: i32, payload: usize) -> Vec<u8> {
    let c = p.constants().expect("constants");
    let term_length = c.term_buffer_length as i64;
    let position = p.position();
    let term_offset = (position & (term_length - 1)) as i32;
    let term_id = c.initial_term_id + (position / term_length) as i32;
    let total = (32 + payload).div_ceil(32) * 32;
    let mut b = vec![0u8; total];
    b[0..4].copy_from_slice(&frame_length.to_le_bytes());
    b[4] = 0; // version
    b[5] = 0xC0; // begin | end
    b[6..8].copy_from_slice(&1u16.to_le_bytes()); // DATA
    b[8..12].copy_from_slice(&term_offset.to_le_bytes());
    b[12..16].copy_from_slice(&c.session_id.to_le_bytes());
    b[16..20].copy_from_slice(&c.stream_id.to_le_bytes());
    b[20..24].copy_from_slice(&term_id.to_le_bytes());
    for (i, x) in b[32..32 + payload].iter_mut().enumerate() {
        *x = i as u8;
    }
    b
}

#[test]
fn route3_offer_block_rejects_short_and_malformed_blocks() {
    in_child(
        "route3_offer_block_rejects_short_and_malformed_blocks",
        || {
            let env = env();
            let sub = ipc_sub(&env.aeron, 1005);
            let p = exclusive(&env.aeron, 1005);
            wait_images(&sub, 1);
            // Too short for a header.
            assert!(p.offer_block(&[]) < 0, "empty block accepted");
            assert!(p.offer_block(&[0u8; 24]) < 0, "24-byte block accepted");
            // A valid first header whose frame_length lies.
            let mut huge = frame(&p, 32 + 8, 8);
            huge[0..4].copy_from_slice(&(1i32 << 30).to_le_bytes());
            assert!(p.offer_block(&huge) < 0, "1 GiB frame length accepted");
            let mut short = frame(&p, 32 + 8, 8);
            short[0..4].copy_from_slice(&24i32.to_le_bytes());
            assert!(
                p.offer_block(&short) < 0,
                "frame length below the header accepted"
            );
            // A second frame with a bogus length.
            let mut two = frame(&p, 32 + 8, 8);
            let mut second = frame(&p, 32 + 8, 8);
            second[0..4].copy_from_slice(&(1i32 << 29).to_le_bytes());
            two.extend_from_slice(&second);
            assert!(p.offer_block(&two) < 0, "bogus second frame accepted");
            // A well-formed block is accepted and read back intact.
            let good = frame(&p, 32 + 8, 8);
            let r = wait_for("offer_block", || {
                let r = p.offer_block(&good);
                (r > 0).then_some(r)
            });
            assert!(r > 0);
            let mut got = Vec::new();
            let start = Instant::now();
            while got.is_empty() && start.elapsed() < TIMEOUT {
                sub.poll_once(
                    |m, _h| {
                        // Touch every byte: a slice over unmapped memory would fault here.
                        let sum: u64 = m.iter().map(|&b| b as u64).sum();
                        got.push((m.len(), sum));
                    },
                    10,
                )
                .unwrap();
            }
            assert_eq!(got, vec![(8, (0..8u64).sum())]);
            // And the stream goes on.
            offer_exclusive(&p, b"next");
            let more = collect(&sub, 1);
            assert_eq!(more, vec![b"next".to_vec()]);
        },
    );
}

/// A frame written into the log by someone else (here: this test, through the log buffer file with
/// `std::fs`) with a `frame_length` beyond the term, or below the header length: C's reader passes the
/// length on, and the fragment handler must get a slice bounded by the term (here: empty), never one
/// over unmapped memory or with a wrapped length.
#[test]
fn route3_fragment_slices_are_bounded_by_the_term() {
    in_child("route3_fragment_slices_are_bounded_by_the_term", || {
        for bogus in [1i32 << 30, 24] {
            let env = env();
            let sub = ipc_sub(&env.aeron, 1009);
            let p = exclusive(&env.aeron, 1009);
            wait_images(&sub, 1);
            offer_exclusive(&p, b"01234567");
            assert_eq!(collect(&sub, 1), vec![b"01234567".to_vec()]);
            // The next frame, at term offset 64 of term 0.
            let initial_term_id = p.constants().unwrap().initial_term_id;
            forge_frame(env.driver.dir(), &p, 64, true, 64, initial_term_id, bogus);
            let mut seen = Vec::new();
            for _ in 0..20 {
                sub.poll_once(
                    |m, _h| {
                        // Touch every byte: a slice past the mapping would fault here.
                        let sum: u64 = m.iter().map(|&b| b as u64).sum();
                        seen.push((m.len(), sum));
                    },
                    10,
                )
                .unwrap();
            }
            assert!(
                seen.iter().all(|&(len, _)| len <= 64 * 1024),
                "a slice beyond the term: {seen:?}"
            );
        }
    });
}

/// A block poll where the next frame in the log is a padding frame whose `frame_length` was written by
/// someone else (here: this test, through the log buffer file) far beyond the term: C's block scan passes a
/// padding-led block's length as written, so the block handler must get a slice bounded by the room left in
/// the term, never one over unmapped memory. Both the subscription's and an image's block poll.
#[test]
fn route3_block_slices_are_bounded_by_the_term() {
    in_child("route3_block_slices_are_bounded_by_the_term", || {
        struct Touch(Vec<usize>);
        impl AeronBlockHandlerCallback for Touch {
            fn handle_aeron_block_handler(
                &mut self,
                buffer: &[u8],
                _session_id: i32,
                _term_id: i32,
            ) {
                // Touch every byte: a slice past the mapping would fault here.
                let sum: u64 = buffer.iter().map(|&b| b as u64).sum();
                std::hint::black_box(sum);
                self.0.push(buffer.len());
            }
        }
        for (stream, by_image) in [(1011, false), (1012, true)] {
            let env = env();
            let sub = ipc_sub(&env.aeron, stream);
            let p = exclusive(&env.aeron, stream);
            wait_images(&sub, 1);
            offer_exclusive(&p, b"01234567");
            assert_eq!(collect(&sub, 1), vec![b"01234567".to_vec()]);
            let c = p.constants().unwrap();
            let term_length = c.term_buffer_length;
            // A padding frame at term offset 64 of term 0 claiming 512 MiB.
            forge_frame(
                env.driver.dir(),
                &p,
                64,
                false,
                64,
                c.initial_term_id,
                1 << 29,
            );
            let mut touch = Touch(Vec::new());
            if by_image {
                let image = sub.image_at_index(0).expect("image");
                image.block_poll(&mut touch, 1 << 20).unwrap();
            } else {
                sub.block_poll(&mut touch, 1 << 20).unwrap();
            }
            assert_eq!(
                touch.0,
                vec![term_length - 64],
                "the padding-led block must end at the term's end (by_image {by_image})"
            );
        }
    });
}

/// A block poll with a `block_length_limit` of 2^63 or more: C adds the limit to the term offset and casts
/// the sum to `int64_t` then `int32_t` (`aeron_image_block_poll`), so such a limit becomes a scan limit far
/// past the term's end, and a term that ends with data lets the scan run on into the next partition of the
/// log (and on past the mapping). The wrapper caps the limit at the largest term length: the block ends at
/// the term's end. Here the term and the next partition hold one whole-term data frame each, written by
/// this test through the log buffer file; both the subscription's and an image's block poll.
#[test]
fn route3_block_poll_limit_is_bounded_by_the_term() {
    in_child("route3_block_poll_limit_is_bounded_by_the_term", || {
        struct Lengths(Vec<usize>);
        impl AeronBlockHandlerCallback for Lengths {
            fn handle_aeron_block_handler(
                &mut self,
                buffer: &[u8],
                _session_id: i32,
                _term_id: i32,
            ) {
                self.0.push(buffer.len());
            }
        }
        for (stream, by_image) in [(1013, false), (1014, true)] {
            let env = env();
            let sub = ipc_sub(&env.aeron, stream);
            let p = exclusive(&env.aeron, stream);
            wait_images(&sub, 1);
            let c = p.constants().unwrap();
            let term_length = c.term_buffer_length;
            // A data frame filling term 0 (partition 0) and one filling partition 1.
            for partition in 0..2 {
                let at = partition as u64 * term_length as u64;
                let term_id = c.initial_term_id + partition;
                forge_frame(
                    env.driver.dir(),
                    &p,
                    at,
                    true,
                    0,
                    term_id,
                    term_length as i32,
                );
            }
            // Subscriber position 0 (term offset 0): C's scan limit becomes (int32_t)0x7fffffff.
            let limit = (1usize << 63) | 0x7fff_ffff;
            let mut lengths = Lengths(Vec::new());
            if by_image {
                let image = sub.image_at_index(0).expect("image");
                image.block_poll(&mut lengths, limit).unwrap();
            } else {
                sub.block_poll(&mut lengths, limit).unwrap();
            }
            assert_eq!(
                lengths.0,
                vec![term_length],
                "the block must end at the term's end (by_image {by_image})"
            );
        }
    });
}

// ---- Route 4: re-entrant offer from a reserved-value supplier ---------------------------------------

#[test]
fn route4_reentrant_offer_from_reserved_value_supplier() {
    in_child(
        "route4_reentrant_offer_from_reserved_value_supplier",
        || {
            let env = env();
            let sub = ipc_sub(&env.aeron, 1006);
            let p = exclusive(&env.aeron, 1006);
            wait_images(&sub, 1);
            let inner = Cell::new(0i64);
            let outer = wait_for("outer offer", || {
                let r = p.offer(
                    b"outer message",
                    Some(AeronReservedValueSupplierClosure::new(
                        |_frame: &mut [u8]| {
                            inner.set(p.offer(
                                b"inner message that overwrites the same frame",
                                Handlers::no_reserved_value_supplier_handler(),
                            ));
                            let _ = p.try_claim(16).map(|c| c.abort());
                            let _ = p.offer_block(&[0u8; 64]);
                            0x1234
                        },
                    )),
                );
                (r > 0).then_some(r)
            });
            assert!(outer > 0);
            let mut got = Vec::new();
            let start = Instant::now();
            while got.is_empty() && start.elapsed() < Duration::from_secs(2) {
                sub.poll_once(|m, h| got.push((m.to_vec(), h.reserved_value())), 10)
                    .unwrap();
            }
            assert_eq!(got, vec![(b"outer message".to_vec(), 0x1234)]);
            assert!(inner.get() < 0, "the re-entrant offer must fail");
            offer_exclusive(&p, b"next");
            assert_eq!(collect(&sub, 1), vec![b"next".to_vec()]);
        },
    );
}

// ---- Route 5: panic payloads whose Drop panics ------------------------------------------------------

struct Bomb(u32);

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("bomb {} dropped", self.0);
    }
}

#[test]
fn route5_panicking_payload_drop_is_contained_in_poll() {
    in_child("route5_panicking_payload_drop_is_contained_in_poll", || {
        let env = env();
        let sub = ipc_sub(&env.aeron, 1007);
        let p = exclusive(&env.aeron, 1007);
        wait_images(&sub, 1);
        for i in 0..5u8 {
            offer_exclusive(&p, &[i]);
        }
        let mut n = 0;
        let r = catch_unwind(AssertUnwindSafe(|| {
            sub.poll_once(
                |_m, _h| {
                    n += 1;
                    std::panic::panic_any(Bomb(n));
                },
                10,
            )
        }));
        let payload = r.expect_err("the handler panic is re-raised");
        let bomb = payload.downcast::<Bomb>().expect("the first payload");
        assert_eq!(bomb.0, 1);
        // Dropping it panics, by design: contain that (the new payload is a message, dropped cleanly).
        let _ = catch_unwind(AssertUnwindSafe(move || drop(bomb)));
        offer_exclusive(&p, b"after");
        assert!(collect(&sub, 1).iter().any(|m| m == b"after"));
    });
}

#[test]
fn route5_panicking_payload_drop_on_the_conductor_thread_is_contained() {
    in_child(
        "route5_panicking_payload_drop_on_the_conductor_thread_is_contained",
        || {
            let env = env();
            let seen = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
            let s2 = seen.clone();
            let sub = env
                .aeron
                .async_add_subscription(
                    "aeron:ipc",
                    1008,
                    Some(AeronAvailableImageClosure::new(
                        move |_i: AeronImageRef<'_>| {
                            s2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            std::panic::panic_any(Bomb(7));
                        },
                    )),
                    Handlers::no_unavailable_image_handler(),
                )
                .unwrap()
                .poll_blocking(TIMEOUT)
                .unwrap();
            let p = exclusive(&env.aeron, 1008);
            wait_for("image handler", || {
                (seen.load(std::sync::atomic::Ordering::SeqCst) > 0).then_some(())
            });
            offer_exclusive(&p, b"still alive");
            assert!(collect(&sub, 1).iter().any(|m| m == b"still alive"));
        },
    );
}

// ---- Route 6: counter_label / metadata_key of an invalid id -----------------------------------------

#[test]
fn route6_invalid_counter_id_gives_a_fresh_error() {
    in_child("route6_invalid_counter_id_gives_a_fresh_error", || {
        let env = env();
        // Leave an unrelated error message behind on this thread.
        let _ = env.aeron.async_add_publication("aeron:bogus?x=1", 1);
        let reader = env.aeron.counters_reader();
        for id in [-1, reader.max_counter_id() + 1, i32::MAX] {
            let e = reader.counter_label(id).expect_err("invalid id");
            assert!(
                e.to_string().contains(&format!("counter id {id}")),
                "stale or unclear error for counter_label({id}): {e}"
            );
            let e = reader.metadata_key(id).expect_err("invalid id");
            assert!(
                e.to_string().contains(&format!("counter id {id}")),
                "stale or unclear error for metadata_key({id}): {e}"
            );
        }
    });
}
