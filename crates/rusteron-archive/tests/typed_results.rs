//! Errors and results that say what happened: an archive that does not answer (both connects fail with a
//! `TimedOut` error naming the control channels, the message timeout and the C client's own text), and
//! the `Option` forms of the calls that answer with a -1 sentinel.

mod support;

use rusteron_archive::*;
use rusteron_archive_server::test_util::TestArchive;
use std::time::Duration;

/// A context pointing at a port nobody listens on, with a 300 ms message timeout.
fn context_for_nobody(aeron: &Aeron) -> (AeronArchiveContext, String) {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let request = format!("aeron:udp?endpoint=127.0.0.1:{port}");
    let ctx = AeronArchiveContext::new_with_no_credentials_supplier(
        aeron,
        &request,
        "aeron:udp?endpoint=127.0.0.1:0",
        "aeron:ipc",
    )
    .unwrap();
    ctx.set_message_timeout_ns(300_000_000).unwrap();
    (ctx, request)
}

fn assert_names_what_happened(e: &AeronCError, request: &str) {
    assert_eq!(e.kind(), AeronErrorType::TimedOut, "{e}");
    assert!(e.msg.contains(request), "names the request channel: {e}");
    assert!(
        e.msg.contains("aeron:udp?endpoint=127.0.0.1:0"),
        "names the response channel: {e}"
    );
    assert!(e.msg.contains("300ms"), "names the timeout: {e}");
    assert!(e.msg.contains("connect timeout"), "C's own text: {e}");
}

#[test]
fn connecting_to_no_archive_times_out_naming_the_channels() {
    // The test archive only provides a media driver; the context points elsewhere.
    let server = TestArchive::start().unwrap();
    let aeron = support::aeron_for(&server);

    let (ctx, request) = context_for_nobody(&aeron);
    let e = AeronArchive::connect(&ctx).unwrap_err();
    assert_names_what_happened(&e, &request);

    let (ctx, request) = context_for_nobody(&aeron);
    let e = AeronArchiveAsyncConnect::new(&ctx)
        .unwrap()
        .poll_blocking(Duration::from_secs(30))
        .unwrap_err();
    assert_names_what_happened(&e, &request);

    // The wrapper's own wait running out first says so, and names the channels too.
    let (ctx, request) = context_for_nobody(&aeron);
    ctx.set_message_timeout_ns(30_000_000_000).unwrap();
    let e = AeronArchiveAsyncConnect::new(&ctx)
        .unwrap()
        .poll_blocking(Duration::from_millis(200))
        .unwrap_err();
    assert_eq!(e.kind(), AeronErrorType::TimedOut);
    assert!(e.msg.contains(&request) && e.msg.contains("200ms"), "{e}");
}

/// The `Option` forms of the calls that answer with a -1 sentinel, on an active and a stopped recording.
#[test]
fn sentinel_positions_are_options() {
    let env = support::start();
    let channel = "aeron:ipc?term-length=64k";
    let sub_id = env
        .archive
        .start_recording(channel, 5301, support::LOCAL, false)
        .unwrap();
    let publication = support::exclusive_publication(&env.aeron, channel, 5301);
    let mut id = None;
    support::wait_until("the recording starts", || {
        id = env
            .archive
            .find_last_matching_recording_id(
                0,
                "aeron:ipc",
                5301,
                publication.constants().unwrap().session_id,
            )
            .unwrap();
        id.is_some()
    });
    let id = id.unwrap();
    let position = support::publish(&publication, 0..10);
    support::wait_until("recorded", || {
        env.archive.active_recording_position(id).unwrap() == Some(position)
    });
    assert_eq!(
        env.archive.recording_stop_position(id).unwrap(),
        None,
        "still active"
    );
    env.archive.stop_recording_subscription(sub_id).unwrap();
    support::wait_until("stopped", || {
        env.archive.recording_stop_position(id).unwrap() == Some(position)
    });
    assert_eq!(
        env.archive.active_recording_position(id).unwrap(),
        None,
        "no longer active"
    );
    assert_eq!(
        env.archive
            .find_last_matching_recording_id(0, "aeron:udp", 5301, 0)
            .unwrap(),
        None
    );
}
