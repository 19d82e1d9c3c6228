//! Shared helpers: an embedded test driver with a client, traffic, and a view of a `DebuggingRecorder`.

#![allow(dead_code)]

pub mod relay;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use metrics_util::debugging::{DebugValue, Snapshotter};
use metrics_util::MetricKind;
use rusteron_client::*;
use rusteron_media_driver::TestMediaDriver;

pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A test driver on its own temporary directory and a started client connected to it.
pub struct Env {
    pub aeron: Aeron,
    pub driver: TestMediaDriver,
}

pub fn env() -> Env {
    let driver = TestMediaDriver::launch().expect("launch test media driver");
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(driver.dir()).unwrap();
    ctx.set_idle_sleep_duration_ns(1_000_000).unwrap();
    ctx.set_client_name("rusteron-metrics-test").unwrap();
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
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A UDP channel on a free 127.0.0.1 port.
pub fn udp_channel() -> String {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    format!(
        "aeron:udp?endpoint=127.0.0.1:{}",
        s.local_addr().unwrap().port()
    )
}

/// A connected publication/subscription pair.
pub struct Stream {
    pub publication: AeronPublication,
    pub subscription: AeronSubscription,
}

pub fn stream(aeron: &Aeron, channel: &str, stream_id: i32) -> Stream {
    stream_between(aeron, channel, channel, stream_id)
}

/// A connected pair whose publication and subscription use different channels (e.g. through a relay).
pub fn stream_between(
    aeron: &Aeron,
    pub_channel: &str,
    sub_channel: &str,
    stream_id: i32,
) -> Stream {
    let subscription = aeron
        .add_subscription(sub_channel, stream_id, TIMEOUT)
        .expect("subscription");
    let publication = aeron
        .add_publication(pub_channel, stream_id, TIMEOUT)
        .expect("publication");
    wait_for("connection", || publication.is_connected().then_some(()));
    Stream {
        publication,
        subscription,
    }
}

impl Stream {
    /// Offers `count` messages of `len` bytes and polls them all; returns the publication position.
    pub fn send(&self, count: usize, len: usize) -> i64 {
        let msg = vec![7u8; len];
        let mut received = 0;
        for _ in 0..count {
            wait_for("offer", || {
                let r = self
                    .publication
                    .offer(&msg, Handlers::no_reserved_value_supplier_handler());
                if r > 0 {
                    Some(())
                } else {
                    self.subscription
                        .poll_once(|_m, _h| received += 1, 10)
                        .unwrap();
                    None
                }
            });
        }
        wait_for("messages", || {
            self.subscription
                .poll_once(|_m, _h| received += 1, 100)
                .unwrap();
            (received >= count).then_some(())
        });
        self.publication.position()
    }
}

/// One metric of a snapshot of a `DebuggingRecorder`.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub kind: MetricKind,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Takes a snapshot (note: the debugging recorder resets values when snapshotting; wait for an
/// aggregator pass between two snapshots).
pub fn samples(snapshotter: &Snapshotter) -> Vec<Sample> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(ck, _unit, _desc, value)| {
            let (kind, key) = ck.into_parts();
            Sample {
                name: key.name().to_owned(),
                kind,
                labels: key
                    .labels()
                    .map(|l| (l.key().to_owned(), l.value().to_owned()))
                    .collect(),
                value: match value {
                    DebugValue::Counter(v) => v as f64,
                    DebugValue::Gauge(v) => v.into_inner(),
                    DebugValue::Histogram(_) => f64::NAN,
                },
            }
        })
        .collect()
}

/// The samples named `name` whose labels include every `(label, value)` of `labels`.
pub fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect()
}

/// The names of this process's threads (Linux: `/proc/self/task/*/comm`).
pub fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("comm")).ok())
        .map(|s| s.trim_end().to_owned())
        .collect()
}

/// The frame length of a `len`-byte unfragmented message: 32-byte header, aligned to 32 bytes.
pub fn frame_length(len: usize) -> u64 {
    ((32 + len as u64) + 31) & !31
}
