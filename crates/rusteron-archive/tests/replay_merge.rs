//! Replay merge over UDP on 127.0.0.1, set up as Java's `ReplayMergeTest`: a publication on a dynamic MDC
//! control endpoint, recorded remotely; a manual-control-mode subscription receives the replay on an
//! ephemeral-port destination, then the live destination is added and the replay dropped.

mod support;

use std::time::Instant;

use rusteron_archive::*;
use rusteron_archive_server::test_util::free_udp_port;
use support::*;

const STREAM_ID: i32 = 1033;

/// The endpoints of one test, all on free ports of 127.0.0.1.
struct Endpoints {
    control: String,
    recording: String,
    live: String,
}

impl Endpoints {
    fn new() -> Self {
        let free = || format!("127.0.0.1:{}", free_udp_port().unwrap());
        Endpoints {
            control: free(),
            recording: free(),
            live: free(),
        }
    }

    fn publication(&self) -> String {
        format!(
            "aeron:udp?control={}|control-mode=dynamic|term-length=65536",
            self.control
        )
    }

    fn recording(&self, session_id: i32) -> String {
        format!(
            "aeron:udp?endpoint={}|control={}|session-id={session_id}",
            self.recording, self.control
        )
    }

    fn subscription(&self, session_id: i32) -> String {
        format!("aeron:udp?control-mode=manual|session-id={session_id}")
    }

    fn replay(&self, session_id: i32) -> String {
        format!("aeron:udp?session-id={session_id}")
    }

    fn replay_destination(&self) -> &'static str {
        "aeron:udp?endpoint=127.0.0.1:0"
    }

    fn live_destination(&self) -> String {
        format!("aeron:udp?endpoint={}|control={}", self.live, self.control)
    }
}

/// Publishes `range`, polling `poll` between offers so neither side stalls; returns the last position.
fn publish_while(
    publication: &AeronPublication,
    range: std::ops::Range<usize>,
    mut poll: impl FnMut(),
) -> i64 {
    let mut position = 0;
    for i in range {
        let msg = message(i);
        let start = Instant::now();
        loop {
            let r = publication.offer(&msg, Handlers::no_reserved_value_supplier_handler());
            if r > 0 {
                position = r;
                break;
            }
            assert!(start.elapsed() < DEADLINE, "offer of message {i}: {r}");
            poll();
            std::thread::yield_now();
        }
        poll();
    }
    position
}

#[test]
fn merges_a_replay_into_the_live_stream_with_every_message_once() {
    let env = start();
    let ep = Endpoints::new();
    let publication = env
        .aeron
        .async_add_publication(&ep.publication(), STREAM_ID)
        .unwrap()
        .poll_blocking(DEADLINE)
        .unwrap();
    let session_id = publication.constants().unwrap().session_id;
    let sub_id = env
        .archive
        .start_recording(
            &ep.recording(session_id),
            STREAM_ID,
            AeronArchiveSourceLocation::AERON_ARCHIVE_SOURCE_LOCATION_REMOTE,
            true,
        )
        .unwrap();
    let recording_id = started_recording(&env, sub_id);
    wait_until("publication connected", || publication.is_connected());

    // Three terms recorded before the merge starts.
    const BEFORE: usize = 3000;
    const TOTAL: usize = 6000;
    let position = publish_shared(&publication, 0..BEFORE);
    wait_until("recorded", || {
        env.archive.get_recording_position(recording_id).unwrap() >= position
    });

    let subscription = subscription(&env.aeron, &ep.subscription(session_id), STREAM_ID);
    let merge = AeronArchiveReplayMerge::new(
        &subscription,
        &env.archive,
        &ep.replay(session_id),
        ep.replay_destination(),
        &ep.live_destination(),
        recording_id,
        0,
        epoch_clock(),
        REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS as i64 * 2,
    )
    .unwrap();
    assert!(!merge.is_merged());

    let got = std::cell::RefCell::new(Vec::with_capacity(TOTAL));
    let last_position = std::cell::Cell::new(0);
    let mut handler = AeronFragmentHandlerClosure::new(|msg: &[u8], h: AeronHeader<'_>| {
        got.borrow_mut().push(msg.to_vec());
        last_position.set(h.position());
    });
    let final_position = publish_while(&publication, BEFORE..TOTAL, || {
        merge.poll(&mut handler, 10).unwrap();
        assert!(!merge.has_failed(), "merge failed while publishing");
    });
    let start = Instant::now();
    while !merge.is_merged() {
        if merge.poll(&mut handler, 10).unwrap() == 0 {
            assert!(!merge.has_failed(), "merge failed: {merge:?}");
            assert!(start.elapsed() < DEADLINE * 2, "not merged: {merge:?}");
            std::thread::yield_now();
        }
    }
    // Merged: the live image delivers the rest.
    let start = Instant::now();
    while last_position.get() < final_position {
        if merge.poll(&mut handler, 10).unwrap() == 0 {
            assert!(start.elapsed() < DEADLINE, "live messages missing");
            std::thread::yield_now();
        }
    }
    assert!(merge.is_merged());
    assert!(merge.is_live_added());
    assert!(!merge.has_failed());
    let got = got.into_inner();
    assert_eq!(got.len(), TOTAL, "every message exactly once");
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m, &message(i), "message {i}");
    }
    assert_eq!(last_position.get(), final_position);
    drop(merge);
    // After the merge is closed the subscription keeps the live stream.
    publish_shared(&publication, TOTAL..TOTAL + 5);
    assert_eq!(
        receive(&subscription, 5),
        (TOTAL..TOTAL + 5).map(message).collect::<Vec<_>>()
    );
}

#[test]
fn merge_of_an_unknown_recording_fails() {
    let env = start();
    let ep = Endpoints::new();
    let subscription = subscription(&env.aeron, &ep.subscription(4242), STREAM_ID);
    let merge = AeronArchiveReplayMerge::new(
        &subscription,
        &env.archive,
        &ep.replay(4242),
        ep.replay_destination(),
        &ep.live_destination(),
        987_654,
        0,
        epoch_clock(),
        REPLAY_MERGE_PROGRESS_TIMEOUT_DEFAULT_MS as i64,
    )
    .unwrap();
    let start = Instant::now();
    let err = loop {
        match merge.poll_once(|_: &[u8], _h: AeronHeader<'_>| {}, 10) {
            Ok(_) if merge.has_failed() => break None,
            Ok(_) => {
                assert!(
                    start.elapsed() < DEADLINE,
                    "merge neither failed nor errored"
                );
                std::thread::yield_now();
            }
            Err(e) => break Some(e),
        }
    };
    println!("merge of an unknown recording: {err:?}");
    assert!(merge.has_failed());
    assert!(!merge.is_merged());
    if let Some(e) = err {
        assert!(
            e.msg.contains("987654") || e.msg.to_lowercase().contains("unknown"),
            "{e}"
        );
    }
    drop(merge);
    // The archive connection is still usable.
    assert_eq!(env.archive.list_recordings(0, 10, |_| {}).unwrap(), 0);
}
