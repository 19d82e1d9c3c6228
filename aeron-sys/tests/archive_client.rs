//! The C archive client is compiled (against our generated SBE codecs) and linked: it runs its real connect
//! state machine, and with no archive listening on the control channel it fails with a timeout error
//! instead of hanging or crashing.

mod support;

use aeron_sys::*;
use std::ffi::{CStr, CString};
use std::ptr;
use std::time::{Duration, Instant};
use support::{check, Client, Driver};

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn async_connect_without_archive_times_out_with_an_error() {
    let driver = Driver::launch();
    let client = Client::connect(&driver);
    let request =
        CString::new(format!("aeron:udp?endpoint=127.0.0.1:{}", free_udp_port())).unwrap();
    let response = CString::new("aeron:udp?endpoint=127.0.0.1:0").unwrap();
    let mut ctx = ptr::null_mut();
    let mut async_connect = ptr::null_mut();
    // SAFETY: valid out-pointers; the context copies the strings; the client outlives the archive context.
    unsafe {
        check(
            aeron_archive_context_init(&mut ctx),
            "aeron_archive_context_init",
        );
        check(
            aeron_archive_context_set_aeron(ctx, client.aeron),
            "set_aeron",
        );
        check(
            aeron_archive_context_set_control_request_channel(ctx, request.as_ptr()),
            "request channel",
        );
        check(
            aeron_archive_context_set_control_response_channel(ctx, response.as_ptr()),
            "response channel",
        );
        check(
            aeron_archive_context_set_message_timeout_ns(ctx, 300_000_000),
            "message timeout",
        );
        check(
            aeron_archive_async_connect(&mut async_connect, ctx),
            "aeron_archive_async_connect",
        );
    }
    let start = Instant::now();
    let mut archive = ptr::null_mut();
    let rc = loop {
        // SAFETY: async_connect is live until poll returns -1 or 1, after which we stop polling.
        let rc = unsafe { aeron_archive_async_connect_poll(&mut archive, async_connect) };
        if rc != 0 {
            break rc;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "async connect neither failed nor succeeded"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    assert_eq!(rc, -1, "connect must fail with nobody listening");
    assert!(archive.is_null());
    // SAFETY: aeron_errmsg returns a thread-local NUL-terminated buffer.
    let msg = unsafe { CStr::from_ptr(aeron_errmsg()) }
        .to_string_lossy()
        .into_owned();
    assert!(
        msg.contains("timeout") || msg.contains("Timeout") || msg.contains("timed out"),
        "error: {msg}"
    );
    assert!(
        start.elapsed() >= Duration::from_millis(250),
        "failed before the message timeout: {msg}"
    );
    // SAFETY: the context was duplicated by async_connect; ours is still owned by us and closed once.
    unsafe { aeron_archive_context_close(ctx) };
}
