//! Shared helpers of the integration tests: an embedded test driver per test and a connected client.

#![allow(dead_code)]

use rusteron_client::*;
use rusteron_media_driver::TestMediaDriver;
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A test driver on its own temporary directory and a started client connected to it.
pub struct Env {
    pub aeron: Aeron,
    pub driver: TestMediaDriver,
}

pub fn client_context(dir: &str) -> AeronContext {
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(dir).unwrap();
    ctx.set_idle_sleep_duration_ns(1_000_000).unwrap();
    ctx.set_client_name("rusteron-test").unwrap();
    ctx
}

pub fn env() -> Env {
    let driver = TestMediaDriver::launch().expect("launch test media driver");
    let ctx = client_context(driver.dir());
    let aeron = Aeron::new(&ctx).expect("client");
    aeron.start().expect("start client");
    Env { aeron, driver }
}

/// Polls `f` until it returns `Some`, panicking after [`TIMEOUT`].
pub fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < TIMEOUT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// A free UDP port on 127.0.0.1.
pub fn free_udp_port() -> u16 {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.local_addr().unwrap().port()
}

pub fn udp_channel() -> String {
    format!("aeron:udp?endpoint=127.0.0.1:{}", free_udp_port())
}

pub fn subscribe(aeron: &Aeron, channel: &str, stream_id: i32) -> AeronSubscription {
    aeron
        .add_subscription(channel, stream_id, TIMEOUT)
        .expect("subscription")
}

/// Offers until accepted.
pub fn offer_all(publication: &AeronPublication, msg: &[u8]) -> i64 {
    wait_for("offer", || {
        let r = publication.offer(msg, Handlers::no_reserved_value_supplier_handler());
        (r > 0).then_some(r)
    })
}

/// Polls until `count` messages have been collected.
pub fn collect(subscription: &AeronSubscription, count: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let start = Instant::now();
    while out.len() < count {
        subscription
            .poll_once(|msg, _h| out.push(msg.to_vec()), 10)
            .unwrap();
        assert!(
            start.elapsed() < TIMEOUT,
            "timed out: got {} of {count} messages",
            out.len()
        );
        std::thread::sleep(Duration::from_micros(100));
    }
    out
}
