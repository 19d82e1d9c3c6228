//! Smallest end-to-end use of the raw bindings: an in-process C media driver (always: this example shows
//! the raw driver API too, on a temporary directory), a C client, one publication and subscription, and a
//! few messages sent and received.
//!
//! Run with `cargo run -p aeron-sys --example ipc_smoke -- --help`.

#[path = "../tests/support/mod.rs"]
mod support;

use aeron_sys::*;
use clap::Parser;
use std::ffi::{c_void, CStr, CString};
use std::ptr;
use std::time::Duration;
use support::{check, wait_for, Client, Driver};

unsafe extern "C" fn print_fragment(
    clientd: *mut c_void,
    buffer: *const u8,
    length: usize,
    _h: *mut aeron_header_t,
) {
    // SAFETY: clientd is the `&mut usize` counter handed to aeron_subscription_poll; buffer/length are valid
    // for the duration of this callback.
    let (count, bytes) = unsafe {
        (
            &mut *(clientd as *mut usize),
            std::slice::from_raw_parts(buffer, length),
        )
    };
    *count += 1;
    println!("received: {}", String::from_utf8_lossy(bytes));
}

/// Sends messages through an in-process C media driver with the raw C API.
#[derive(Parser, Debug)]
#[command(version)]
struct Options {
    /// Channel to publish on and subscribe to
    #[arg(short = 'c', long, default_value = "aeron:ipc")]
    channel: String,
    /// Stream id
    #[arg(short = 's', long, default_value_t = 1001)]
    stream_id: i32,
    /// Number of messages to send
    #[arg(short = 'm', long, default_value_t = 5)]
    messages: usize,
}

fn main() {
    let o = Options::parse();
    // SAFETY: static NUL-terminated version string.
    println!(
        "Aeron {}",
        unsafe { CStr::from_ptr(aeron_version_full()) }.to_string_lossy()
    );
    let driver = Driver::launch();
    println!(
        "media driver started in {}",
        driver.aeron_dir().to_string_lossy()
    );
    let client = Client::connect(&driver);
    let channel = CString::new(o.channel.as_str()).expect("a channel without NUL bytes");
    let timeout = Duration::from_secs(10);
    // SAFETY: pointers come from the C API and are closed below in reverse order; `count` outlives the polls.
    unsafe {
        let mut async_pub = ptr::null_mut();
        check(
            aeron_async_add_publication(
                &mut async_pub,
                client.aeron,
                channel.as_ptr(),
                o.stream_id,
            ),
            "add publication",
        );
        let publication = wait_for("publication", timeout, || {
            let mut p = ptr::null_mut();
            let rc = aeron_async_add_publication_poll(&mut p, async_pub);
            check(rc, "publication poll");
            (rc > 0).then_some(p)
        });
        let mut async_sub = ptr::null_mut();
        check(
            aeron_async_add_subscription(
                &mut async_sub,
                client.aeron,
                channel.as_ptr(),
                o.stream_id,
                None,
                ptr::null_mut(),
                None,
                ptr::null_mut(),
            ),
            "add subscription",
        );
        let subscription = wait_for("subscription", timeout, || {
            let mut s = ptr::null_mut();
            let rc = aeron_async_add_subscription_poll(&mut s, async_sub);
            check(rc, "subscription poll");
            (rc > 0).then_some(s)
        });
        wait_for("connection", timeout, || {
            aeron_subscription_is_connected(subscription).then_some(())
        });
        for i in 0..o.messages {
            let msg = format!("hello aeron #{i}");
            let pos = wait_for("offer", timeout, || {
                let pos = aeron_publication_offer(
                    publication,
                    msg.as_ptr(),
                    msg.len(),
                    None,
                    ptr::null_mut(),
                );
                (pos > 0).then_some(pos)
            });
            println!("sent: {msg} (position {pos})");
        }
        let mut count = 0usize;
        wait_for("messages", timeout, || {
            check(
                aeron_subscription_poll(
                    subscription,
                    Some(print_fragment),
                    &mut count as *mut usize as *mut c_void,
                    10,
                ),
                "poll",
            );
            (count >= o.messages).then_some(())
        });
        aeron_subscription_close(subscription, None, ptr::null_mut());
        aeron_publication_close(publication, None, ptr::null_mut());
    }
    println!(
        "done: {} messages sent and received on {} stream {}",
        o.messages, o.channel, o.stream_id
    );
}
