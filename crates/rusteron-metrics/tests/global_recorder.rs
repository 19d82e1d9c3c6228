//! The aggregator's default backend: the global recorder installed with `metrics::set_global_recorder`
//! (its own test binary, since a process has one global recorder).

mod common;

use std::time::Duration;

use common::*;
use metrics_util::debugging::DebuggingRecorder;
use rusteron_metrics::MetricsAggregator;

#[test]
fn emits_to_the_global_recorder() {
    let recorder = DebuggingRecorder::new();
    let snap = recorder.snapshotter();
    metrics::set_global_recorder(recorder).unwrap();

    let env = env();
    let agg = MetricsAggregator::builder()
        .interval(Duration::from_millis(10))
        .prefix("md")
        .label("driver", "a")
        .start_for_client(&env.aeron)
        .unwrap();
    let ipc = stream(&env.aeron, "aeron:ipc", 77);
    let end = ipc.send(5, 64);
    let found = wait_for("the subscriber position", || {
        assert!(agg.wait_for_pass(TIMEOUT));
        let s = samples(&snap);
        let sub = find(
            &s,
            "md_subscriber_position",
            &[("stream_id", "77"), ("driver", "a")],
        );
        (sub.len() == 1 && sub[0].value == end as f64).then_some(s)
    });
    assert_eq!(find(&found, "md_bytes_sent", &[("driver", "a")]).len(), 1);
}
