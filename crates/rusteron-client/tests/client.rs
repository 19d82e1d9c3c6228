//! Integration tests against a real embedded media driver: IPC and UDP on 127.0.0.1.

mod common;

use common::*;
use rusteron_client::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn ipc_round_trip_with_content_check() {
    let env = env();
    let publication = env
        .aeron
        .async_add_publication("aeron:ipc", 1)
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    let subscription = subscribe(&env.aeron, "aeron:ipc", 1);
    wait_for("connected", || publication.is_connected().then_some(()));
    let msgs: Vec<Vec<u8>> = (0..20u32)
        .map(|i| format!("message {i} {}", "y".repeat(i as usize)).into_bytes())
        .collect();
    for m in &msgs {
        offer_all(&publication, m);
    }
    assert_eq!(collect(&subscription, msgs.len()), msgs);
    assert_eq!(publication.stream_id(), 1);
    assert_eq!(publication.channel(), "aeron:ipc");
    assert!(publication.position() > 0);
    assert!(publication.position_limit() > 0);
    assert_eq!(subscription.constants().unwrap().stream_id, 1);
    assert_eq!(subscription.image_count(), 1);
    let image = subscription.image_at_index(0).expect("image");
    assert_eq!(
        image.constants().unwrap().session_id,
        publication.session_id()
    );
    assert_eq!(image.position(), publication.position());
    assert!(subscription
        .image_by_session_id(publication.session_id())
        .is_some());
    assert!(subscription
        .image_by_session_id(publication.session_id().wrapping_add(1))
        .is_none());
}

#[test]
fn udp_round_trip_exclusive_publication_and_header() {
    let env = env();
    let channel = udp_channel();
    let subscription = subscribe(&env.aeron, &channel, 7);
    let publication = env
        .aeron
        .add_exclusive_publication(&channel, 7, TIMEOUT)
        .unwrap();
    wait_for("connected", || {
        (publication.is_connected() && subscription.is_connected()).then_some(())
    });
    for i in 0..10u64 {
        wait_for("offer", || {
            (publication.offer(
                &i.to_le_bytes(),
                Handlers::no_reserved_value_supplier_handler(),
            ) > 0)
                .then_some(())
        });
    }
    let mut got = Vec::new();
    let session = publication.constants().unwrap().session_id;
    wait_for("10 messages", || {
        subscription
            .poll_once(
                |msg, header| {
                    assert_eq!(header.session_id(), session);
                    assert_eq!(header.stream_id(), 7);
                    assert!(header.position() > 0);
                    got.push(u64::from_le_bytes(msg.try_into().unwrap()));
                },
                10,
            )
            .unwrap();
        (got.len() == 10).then_some(())
    });
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    assert!(!subscription.local_sockaddrs().unwrap().is_empty());
}

#[test]
fn fragmented_messages_through_the_assembler() {
    let env = env();
    let channel = format!("{}|mtu=1408", udp_channel());
    let subscription = subscribe(&env.aeron, &channel, 3);
    let publication = env.aeron.add_publication(&channel, 3, TIMEOUT).unwrap();
    wait_for("connected", || publication.is_connected().then_some(()));
    let max_payload = publication.constants().unwrap().max_payload_length;
    let big: Vec<u8> = (0..6_000u32).map(|i| (i % 251) as u8).collect();
    assert!(big.len() > max_payload, "message must be fragmented");
    offer_all(&publication, &big);
    offer_all(&publication, b"small");
    let mut assembler = AeronFragmentAssembler::new(Collector::default()).unwrap();
    wait_for("two messages", || {
        subscription.poll(&mut assembler, 10).unwrap();
        (assembler.delegate().0.len() >= 2).then_some(())
    });
    let got = std::mem::take(&mut assembler.delegate().0);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], big);
    assert_eq!(got[1], b"small");
}

#[derive(Default)]
struct Collector(Vec<Vec<u8>>);
impl AeronFragmentHandlerCallback for Collector {
    fn handle_aeron_fragment_handler(&mut self, msg: &[u8], _header: AeronHeader<'_>) {
        self.0.push(msg.to_vec());
    }
}

#[test]
fn not_connected_and_back_pressure() {
    let env = env();
    let publication = env.aeron.add_publication("aeron:ipc", 9, TIMEOUT).unwrap();
    let r = publication.offer(b"nobody", Handlers::no_reserved_value_supplier_handler());
    assert_eq!(r, AERON_PUBLICATION_NOT_CONNECTED);
    let e = AeronCError::publication_result(r).unwrap_err();
    assert_eq!(e.kind(), AeronErrorType::PublicationNotConnected);
    assert!(
        matches!(publication.try_claim(8), Err(e) if e.kind() == AeronErrorType::PublicationNotConnected)
    );

    // A subscriber that never polls: the publication fills its window and reports back pressure.
    let _subscription = subscribe(&env.aeron, "aeron:ipc", 9);
    wait_for("connected", || publication.is_connected().then_some(()));
    let msg = [7u8; 1024];
    let mut back_pressured = false;
    for _ in 0..10_000 {
        let r = publication.offer(&msg, Handlers::no_reserved_value_supplier_handler());
        if r == AERON_PUBLICATION_BACK_PRESSURED {
            back_pressured = true;
            assert!(AeronCError::publication_result(r)
                .unwrap_err()
                .kind()
                .is_back_pressured());
            break;
        }
        assert!(
            r > 0 || r == AERON_PUBLICATION_ADMIN_ACTION,
            "unexpected offer result {r}"
        );
    }
    assert!(back_pressured, "never back pressured");
}

#[derive(Default)]
struct ImageEvents {
    available: AtomicUsize,
    unavailable: AtomicUsize,
}

struct OnAvailable(Arc<ImageEvents>);
impl AeronAvailableImageCallback for OnAvailable {
    fn handle_aeron_on_available_image(&mut self, image: AeronImageRef<'_>) {
        assert!(image.constants().unwrap().session_id != 0 || image.position() >= 0);
        self.0.available.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn image_available_and_unavailable_callbacks() {
    let env = env();
    let events = Arc::new(ImageEvents::default());
    let events2 = events.clone();
    let subscription = env
        .aeron
        .async_add_subscription(
            "aeron:ipc",
            11,
            Some(OnAvailable(events.clone())),
            Some(AeronUnavailableImageClosure::new(
                move |_image: AeronImageRef<'_>| {
                    events2.unavailable.fetch_add(1, Ordering::SeqCst);
                },
            )),
        )
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    let publication = env
        .aeron
        .add_exclusive_publication("aeron:ipc", 11, TIMEOUT)
        .unwrap();
    wait_for("image available", || {
        (events.available.load(Ordering::SeqCst) == 1).then_some(())
    });
    assert_eq!(events.unavailable.load(Ordering::SeqCst), 0);
    drop(publication);
    wait_for("image unavailable", || {
        (events.unavailable.load(Ordering::SeqCst) == 1).then_some(())
    });
    // Handlers are owned by the subscription: once it is closed and the conductor is done, they are freed.
    assert!(Arc::strong_count(&events) >= 2);
    drop(subscription);
    wait_for("handlers freed", || {
        (Arc::strong_count(&events) == 1).then_some(())
    });
}

#[test]
fn counters_and_counters_reader() {
    let env = env();
    let counter = env
        .aeron
        .async_add_counter(1001, b"key-bytes", "rusteron test counter")
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    counter.set(41);
    assert_eq!(counter.increment(), 41);
    assert_eq!(counter.get(), 42);
    let constants = counter.constants().unwrap();
    let reader = env.aeron.counters_reader();
    let id = constants.counter_id;
    assert_eq!(
        reader.find_by_type_id_and_registration_id(1001, constants.registration_id),
        Some(id)
    );
    assert_eq!(reader.get_counter_value(id), 42);
    assert_eq!(reader.counter_label(id).unwrap(), "rusteron test counter");
    assert_eq!(reader.counter_type_id(id).unwrap(), 1001);
    assert_eq!(
        reader.counter_registration_id(id).unwrap(),
        constants.registration_id
    );
    assert_eq!(&reader.metadata_key(id).unwrap()[..9], b"key-bytes");
    assert_eq!(
        reader.counter_state(id).unwrap(),
        AERON_COUNTER_RECORD_ALLOCATED
    );
    assert!(reader.counter_label(reader.max_counter_id() + 10).is_err());
    assert!(reader.addr(-1).is_none());
    let mut labels = Vec::new();
    reader.foreach_counter(|_value, _id, _type, _key, label| labels.push(label.to_string()));
    assert!(
        labels.iter().any(|l| l == "rusteron test counter"),
        "{labels:?}"
    );
    assert!(!counter.is_closed());
    let clone = counter.clone();
    counter.close();
    assert_eq!(clone.get(), 42, "a clone keeps the counter open");
}

#[test]
fn async_add_cancel_and_drop_before_completion() {
    let env = env();
    let a = env.aeron.async_add_publication("aeron:ipc", 21).unwrap();
    assert!(a.registration_id() > 0);
    a.cancel().unwrap();
    let events = Arc::new(ImageEvents::default());
    let s = env
        .aeron
        .async_add_subscription(
            "aeron:ipc",
            21,
            Some(OnAvailable(events.clone())),
            Handlers::no_unavailable_image_handler(),
        )
        .unwrap();
    drop(s); // cancelled; the handler is freed once the conductor has processed the removal
    wait_for("handler freed", || {
        (Arc::strong_count(&events) == 1).then_some(())
    });
    let c = env.aeron.async_add_counter(5, b"", "x").unwrap();
    drop(c);
    // The client still works afterwards.
    let p = env.aeron.add_publication("aeron:ipc", 21, TIMEOUT).unwrap();
    assert!(!p.is_closed());
    // A completed async handle reports that it is done.
    let a = env.aeron.async_add_publication("aeron:ipc", 22).unwrap();
    let _p2 = a.poll_blocking(TIMEOUT).unwrap();
    assert!(a.poll().is_err());
    // Bad channels fail.
    assert!(env
        .aeron
        .add_publication("aeron:bogus", 1, TIMEOUT)
        .is_err());
}

#[test]
fn drop_order_client_first_is_safe() {
    let env = env();
    let Env { aeron, driver } = env;
    let publication = aeron.add_publication("aeron:ipc", 31, TIMEOUT).unwrap();
    let subscription = aeron
        .async_add_subscription(
            "aeron:ipc",
            31,
            Some(AeronAvailableImageLogger),
            Some(AeronUnavailableImageLogger),
        )
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    let counter = aeron
        .async_add_counter(2, b"", "c")
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    let reader = aeron.counters_reader();
    drop(aeron); // the client stays open: every resource holds it
    wait_for("connected", || publication.is_connected().then_some(()));
    offer_all(&publication, b"after client drop");
    assert_eq!(
        collect(&subscription, 1),
        vec![b"after client drop".to_vec()]
    );
    counter.increment();
    assert!(reader.max_counter_id() > 0);
    drop(subscription);
    drop(publication.clone());
    drop(publication);
    drop(counter);
    drop(reader); // last reference: closes the client here
    drop(driver);
}

#[test]
fn close_is_idempotent_and_resources_report_closed() {
    let env = env();
    let p = env.aeron.add_publication("aeron:ipc", 41, TIMEOUT).unwrap();
    let p2 = p.clone();
    p.close(); // drops one handle
    assert!(!p2.is_closed());
    p2.close(); // closes the C publication, once
    let s = subscribe(&env.aeron, "aeron:ipc", 41);
    assert!(!s.is_closed());
    s.close();
    let x = env
        .aeron
        .add_exclusive_publication("aeron:ipc", 41, TIMEOUT)
        .unwrap();
    x.close();
    assert!(!env.aeron.is_closed());
    assert!(env.aeron.client_id() >= 0);
    assert!(env.aeron.next_correlation_id() > 0);
}

#[test]
fn many_threads_offer_on_one_concurrent_publication() {
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 2_000;
    let env = env();
    let publication = env.aeron.add_publication("aeron:ipc", 51, TIMEOUT).unwrap();
    let subscription = subscribe(&env.aeron, "aeron:ipc", 51);
    wait_for("connected", || publication.is_connected().then_some(()));
    let reader = std::thread::spawn(move || {
        let mut seen = vec![0u32; (THREADS * PER_THREAD) as usize];
        let mut count = 0u64;
        let start = std::time::Instant::now();
        while count < THREADS * PER_THREAD {
            subscription
                .poll_once(
                    |msg, _| {
                        let v = u64::from_le_bytes(msg.try_into().unwrap());
                        seen[v as usize] += 1;
                        count += 1;
                    },
                    100,
                )
                .unwrap();
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "only {count} received"
            );
        }
        seen
    });
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let publication = &publication; // shared by reference: AeronPublication is Sync
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    let v = t * PER_THREAD + i;
                    loop {
                        let r = publication.offer(
                            &v.to_le_bytes(),
                            Handlers::no_reserved_value_supplier_handler(),
                        );
                        if r > 0 {
                            break;
                        }
                        assert!(
                            r == AERON_PUBLICATION_BACK_PRESSURED
                                || r == AERON_PUBLICATION_ADMIN_ACTION,
                            "offer {r}"
                        );
                        std::thread::yield_now();
                    }
                }
            });
        }
    });
    let seen = reader.join().unwrap();
    assert!(seen.iter().all(|&c| c == 1), "every message exactly once");
}

#[test]
fn try_claim_commit_abort_and_reserved_values() {
    let env = env();
    let publication = env.aeron.add_publication("aeron:ipc", 61, TIMEOUT).unwrap();
    let subscription = subscribe(&env.aeron, "aeron:ipc", 61);
    wait_for("connected", || publication.is_connected().then_some(()));
    {
        let mut claim = publication.try_claim(5).unwrap();
        claim.data().copy_from_slice(b"first");
        claim.set_reserved_value(99);
        claim.commit().unwrap();
    }
    {
        let mut claim = publication.try_claim(7).unwrap();
        claim.data().copy_from_slice(b"aborted");
        // dropped without commit: aborted (becomes padding, never delivered)
    }
    let mut supplier = AeronReservedValueSupplierClosure::new(|_frame: &mut [u8]| 1234i64);
    wait_for("offer", || {
        (publication.offer(b"second", Some(&mut supplier)) > 0).then_some(())
    });
    wait_for("vectored", || {
        (publication.offer_vectored(
            &[b"th", b"ir", b"d"],
            Handlers::no_reserved_value_supplier_handler(),
        ) > 0)
            .then_some(())
    });
    let mut got = Vec::new();
    wait_for("3 messages", || {
        subscription
            .poll_once(|m, h| got.push((m.to_vec(), h.reserved_value())), 10)
            .unwrap();
        (got.len() >= 3).then_some(())
    });
    assert_eq!(
        got,
        vec![
            (b"first".to_vec(), 99),
            (b"second".to_vec(), 1234),
            (b"third".to_vec(), 0)
        ]
    );
}

#[test]
fn try_claim_with_fills_in_place_and_aborts_when_the_filler_panics() {
    let env = env();
    let publication = env
        .aeron
        .add_exclusive_publication("aeron:ipc", 62, TIMEOUT)
        .unwrap();
    // Not connected yet: the negative result comes back and the filler never runs.
    let mut called = false;
    assert_eq!(
        publication.try_claim_with(4, |_| called = true),
        AERON_PUBLICATION_NOT_CONNECTED
    );
    assert!(!called);
    let subscription = subscribe(&env.aeron, "aeron:ipc", 62);
    wait_for("connected", || publication.is_connected().then_some(()));
    let before = publication.position();
    let position = publication.try_claim_with(5, |buf| {
        assert_eq!(buf.len(), 5);
        buf.copy_from_slice(b"first");
    });
    assert!(position > before, "the new position is returned");
    assert_eq!(position, publication.position());
    // A panicking filler: the panic reaches the caller and the claim is aborted (padding, never delivered).
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        publication.try_claim_with(7, |buf| {
            buf.copy_from_slice(b"aborted");
            panic!("filler failed");
        })
    }));
    assert!(panicked.is_err());
    assert!(publication.try_claim_with(6, |buf| buf.copy_from_slice(b"second")) > 0);
    let mut got = Vec::new();
    wait_for("2 messages", || {
        subscription
            .poll_once(|m, _h| got.push(m.to_vec()), 10)
            .unwrap();
        (got.len() >= 2).then_some(())
    });
    // Nothing else arrives: the aborted claim was padding.
    for _ in 0..20 {
        subscription
            .poll_once(|m, _h| got.push(m.to_vec()), 10)
            .unwrap();
    }
    assert_eq!(got, vec![b"first".to_vec(), b"second".to_vec()]);
}

/// `commit` is an inline release store of the frame length (not C's `aeron_buffer_claim_commit`): every
/// length, on both publication kinds, arrives whole and in order, and the position advances by the aligned
/// frame (header + payload rounded up to 32).
#[test]
fn inline_commit_publishes_every_length_on_both_publication_kinds() {
    let env = env();
    let exclusive = env
        .aeron
        .add_exclusive_publication("aeron:ipc", 63, TIMEOUT)
        .unwrap();
    let concurrent = env.aeron.add_publication("aeron:ipc", 64, TIMEOUT).unwrap();
    let sub_ex = subscribe(&env.aeron, "aeron:ipc", 63);
    let sub_co = subscribe(&env.aeron, "aeron:ipc", 64);
    wait_for("connected", || {
        (exclusive.is_connected() && concurrent.is_connected()).then_some(())
    });
    let lengths = [0usize, 1, 7, 31, 32, 33, 100, 1000];
    let payload = |n: usize| (0..n).map(|i| (i * 7 + n) as u8).collect::<Vec<u8>>();
    for &n in &lengths {
        let before = exclusive.position();
        let mut claim = wait_for("exclusive claim", || exclusive.try_claim(n).ok());
        assert_eq!(claim.len(), n);
        claim.data().copy_from_slice(&payload(n));
        claim.commit().unwrap();
        assert_eq!(
            exclusive.position() - before,
            (n as i64 + 32 + 31) / 32 * 32
        );
        let mut claim = wait_for("concurrent claim", || concurrent.try_claim(n).ok());
        claim.data().copy_from_slice(&payload(n));
        claim.commit().unwrap();
        assert!(exclusive.try_claim_with(n, |buf| buf.copy_from_slice(&payload(n))) > 0);
    }
    let expected_ex: Vec<Vec<u8>> = lengths
        .iter()
        .flat_map(|&n| [payload(n), payload(n)])
        .collect();
    let expected_co: Vec<Vec<u8>> = lengths.iter().map(|&n| payload(n)).collect();
    assert_eq!(collect(&sub_ex, expected_ex.len()), expected_ex);
    assert_eq!(collect(&sub_co, expected_co.len()), expected_co);
}

struct Collect(Vec<Vec<u8>>);
impl AeronControlledFragmentHandlerCallback for Collect {
    fn handle_aeron_controlled_fragment_handler(
        &mut self,
        msg: &[u8],
        _h: AeronHeader<'_>,
    ) -> AeronControlledFragmentHandlerAction {
        if msg == b"abort-me" && !self.0.iter().any(|m| m == b"seen-abort") {
            self.0.push(b"seen-abort".to_vec());
            return AeronControlledFragmentHandlerAction::AERON_ACTION_ABORT;
        }
        self.0.push(msg.to_vec());
        AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE
    }
}

#[test]
fn controlled_and_block_poll() {
    let env = env();
    let publication = env.aeron.add_publication("aeron:ipc", 71, TIMEOUT).unwrap();
    let subscription = subscribe(&env.aeron, "aeron:ipc", 71);
    wait_for("connected", || publication.is_connected().then_some(()));
    offer_all(&publication, b"one");
    offer_all(&publication, b"abort-me");
    let mut h = Collect(Vec::new());
    wait_for("controlled", || {
        subscription.controlled_poll(&mut h, 10).unwrap();
        (h.0.len() >= 3).then_some(())
    });
    assert_eq!(
        h.0,
        vec![
            b"one".to_vec(),
            b"seen-abort".to_vec(),
            b"abort-me".to_vec()
        ]
    );
    offer_all(&publication, b"block");
    let mut bytes = 0usize;
    let mut block =
        AeronBlockHandlerClosure::new(|buf: &[u8], _session: i32, _term: i32| bytes += buf.len());
    wait_for("block", || {
        (subscription.block_poll(&mut block, 4096).unwrap() > 0).then_some(())
    });
    assert!(bytes >= 32 + 5, "a whole frame with header: {bytes}");
}

#[test]
fn handler_panic_is_resumed_after_the_c_call() {
    let env = env();
    let publication = env.aeron.add_publication("aeron:ipc", 81, TIMEOUT).unwrap();
    let subscription = subscribe(&env.aeron, "aeron:ipc", 81);
    wait_for("connected", || publication.is_connected().then_some(()));
    offer_all(&publication, b"boom");
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wait_for("panic", || {
            subscription
                .poll_once(|_m, _h| panic!("handler panic"), 10)
                .unwrap();
            None::<()>
        })
    }));
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"handler panic"));
    // The subscription keeps working after the panic.
    offer_all(&publication, b"after");
    assert_eq!(collect(&subscription, 1), vec![b"after".to_vec()]);
}

#[test]
fn context_rules_and_handlers() {
    let driver = rusteron_media_driver::TestMediaDriver::launch().unwrap();
    let ctx = client_context(driver.dir());
    assert_eq!(ctx.get_dir(), driver.dir());
    assert_eq!(ctx.get_idle_sleep_duration_ns(), 1_000_000);
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let errors2 = errors.clone();
    ctx.set_error_handler(Some(AeronErrorHandlerClosure::new(
        move |code: i32, msg: &str| errors2.lock().unwrap().push(format!("{code}: {msg}")),
    )))
    .unwrap();
    let new_pubs = Arc::new(AtomicUsize::new(0));
    let np = new_pubs.clone();
    ctx.set_on_new_publication(Some(AeronNewPublicationClosure::new(
        move |_ch: &str, _stream: i32, _session: i32, _corr: i64| {
            np.fetch_add(1, Ordering::SeqCst);
        },
    )))
    .unwrap();
    ctx.set_publication_error_frame_handler(Some(AeronPublicationErrorFrameHandlerLogger))
        .unwrap();
    ctx.set_publication_error_frame_handler(Handlers::no_publication_error_frame_handler())
        .unwrap();
    let aeron = Aeron::new(&ctx).unwrap();
    aeron.start().unwrap();
    aeron.start().unwrap(); // idempotent
                            // The context is now owned by the running client.
    let e = ctx.set_client_name("late").unwrap_err();
    assert_eq!(e.kind(), AeronErrorType::ClientErrorClientIllegalState);
    assert!(Aeron::new(&ctx).is_err(), "one client per context");
    let _p = aeron.add_publication("aeron:ipc", 91, TIMEOUT).unwrap();
    wait_for("on_new_publication", || {
        (new_pubs.load(Ordering::SeqCst) == 1).then_some(())
    });
    drop(_p);
    drop(aeron);
    drop(ctx);
    // The handlers were owned by the context and are gone with it.
    assert_eq!(Arc::strong_count(&new_pubs), 1);
    assert_eq!(Arc::strong_count(&errors), 1);
}

#[test]
fn udp_destinations_and_misc() {
    let env = env();
    let port = free_udp_port();
    let subscription = subscribe(
        &env.aeron,
        &format!("aeron:udp?endpoint=127.0.0.1:{port}"),
        5,
    );
    let publication = env
        .aeron
        .add_exclusive_publication("aeron:udp?control-mode=manual", 5, TIMEOUT)
        .unwrap();
    let dest = publication
        .async_add_destination(&format!("aeron:udp?endpoint=127.0.0.1:{port}"))
        .unwrap();
    dest.poll_blocking(TIMEOUT).unwrap();
    wait_for("connected", || publication.is_connected().then_some(()));
    wait_for("offer", || {
        (publication.offer(b"mdc", Handlers::no_reserved_value_supplier_handler()) > 0)
            .then_some(())
    });
    let mut got = Vec::new();
    wait_for("mdc message", || {
        subscription
            .poll_once(|m, _| got.push(m.to_vec()), 10)
            .unwrap();
        (!got.is_empty()).then_some(())
    });
    assert_eq!(got[0], b"mdc");
    assert_eq!(version(), (1, 54, 0));
    assert!(version_full().contains("1.54.0"));
    assert!(is_driver_active(env.driver.dir(), 1000).unwrap());
    assert!(nano_clock() > 0 && epoch_clock() > 0);
    let cnc = AeronCnc::new(env.driver.dir(), 1000).unwrap();
    assert!(cnc.filename().ends_with("cnc.dat"));
    assert!(cnc.counters_reader().max_counter_id() > 0);
    let session = env
        .aeron
        .async_next_session_id(5)
        .unwrap()
        .poll_blocking(TIMEOUT)
        .unwrap();
    assert_ne!(session, 0);
}
