//! Proves the build is real: an in-process C media driver, a C client, and messages over IPC.

mod support;

use aeron_sys::*;
use std::ffi::{c_void, CStr, CString};
use std::ptr;
use std::time::Duration;
use support::{check, wait_for, Client, Driver};

const STREAM_ID: i32 = 1001;
const TIMEOUT: Duration = Duration::from_secs(10);

unsafe extern "C" fn collect(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    _header: *mut aeron_header_t,
) {
    // SAFETY: clientd is the &mut Vec passed to aeron_subscription_poll below, alive for that call;
    // buffer/length describe the fragment, valid for the duration of the callback.
    let received = unsafe { &mut *(clientd as *mut Vec<Vec<u8>>) };
    received.push(unsafe { std::slice::from_raw_parts(buffer, length) }.to_vec());
}

#[test]
fn version_is_1_54_0() {
    // SAFETY: aeron_version_full returns a static NUL-terminated string.
    let full = unsafe { CStr::from_ptr(aeron_version_full()) }
        .to_str()
        .unwrap()
        .to_owned();
    assert!(full.contains("1.54.0"), "aeron_version_full() = {full:?}");
    // SAFETY: plain getters without arguments.
    let (major, minor, patch) = unsafe {
        (
            aeron_version_major(),
            aeron_version_minor(),
            aeron_version_patch(),
        )
    };
    assert_eq!((major, minor, patch), (1, 54, 0));
}

#[test]
fn ipc_publication_to_subscription_through_embedded_driver() {
    let driver = Driver::launch();
    let client = Client::connect(&driver);
    let channel = CString::new("aeron:ipc").unwrap();

    // SAFETY: all pointers passed below come from the C API and stay valid until closed at the end of the
    // test, in reverse order of creation; `received` outlives every poll call that gets it as clientd.
    unsafe {
        let mut async_pub = ptr::null_mut();
        check(
            aeron_async_add_publication(&mut async_pub, client.aeron, channel.as_ptr(), STREAM_ID),
            "add pub",
        );
        let publication = wait_for("publication", TIMEOUT, || {
            let mut p = ptr::null_mut();
            let rc = aeron_async_add_publication_poll(&mut p, async_pub);
            check(rc, "add pub poll");
            (rc > 0).then_some(p)
        });

        let mut async_sub = ptr::null_mut();
        check(
            aeron_async_add_subscription(
                &mut async_sub,
                client.aeron,
                channel.as_ptr(),
                STREAM_ID,
                None,
                ptr::null_mut(),
                None,
                ptr::null_mut(),
            ),
            "add sub",
        );
        let subscription = wait_for("subscription", TIMEOUT, || {
            let mut s = ptr::null_mut();
            let rc = aeron_async_add_subscription_poll(&mut s, async_sub);
            check(rc, "add sub poll");
            (rc > 0).then_some(s)
        });
        wait_for("connection", TIMEOUT, || {
            aeron_subscription_is_connected(subscription).then_some(())
        });

        let messages: Vec<Vec<u8>> = (0..5u8)
            .map(|i| format!("message {i}: {}", "x".repeat(i as usize)).into_bytes())
            .collect();
        for m in &messages {
            wait_for("offer", TIMEOUT, || {
                let pos = aeron_publication_offer(
                    publication,
                    m.as_ptr(),
                    m.len(),
                    None,
                    ptr::null_mut(),
                );
                (pos > 0).then_some(pos)
            });
        }

        let mut received: Vec<Vec<u8>> = Vec::new();
        wait_for("all messages", TIMEOUT, || {
            let rc = aeron_subscription_poll(
                subscription,
                Some(collect),
                &mut received as *mut _ as *mut c_void,
                10,
            );
            check(rc, "poll");
            (received.len() >= messages.len()).then_some(())
        });
        assert_eq!(received, messages, "bytes received differ from bytes sent");

        check(
            aeron_subscription_close(subscription, None, ptr::null_mut()),
            "close sub",
        );
        check(
            aeron_publication_close(publication, None, ptr::null_mut()),
            "close pub",
        );
    }
}
