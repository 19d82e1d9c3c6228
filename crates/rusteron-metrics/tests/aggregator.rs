//! The aggregator against a real embedded driver with IPC and UDP traffic, recording into a
//! `DebuggingRecorder`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use metrics_util::debugging::{DebuggingRecorder, Snapshotter};
use metrics_util::MetricKind;
use rusteron_metrics::{MetricsAggregator, MetricsError};

/// Waits for aggregator passes until `check` accepts the samples.
fn wait_for_samples<T>(
    agg: &MetricsAggregator,
    snap: &Snapshotter,
    what: &str,
    mut check: impl FnMut(&[Sample]) -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        assert!(agg.wait_for_pass(TIMEOUT), "no aggregator pass");
        let last = samples(snap);
        if let Some(v) = check(&last) {
            return v;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "timed out waiting for {what}; last samples: {last:#?}"
        );
    }
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    match find(samples, name, labels).as_slice() {
        [s] => Some(s.value),
        [] => None,
        many => panic!("several samples for {name} {labels:?}: {many:#?}"),
    }
}

#[test]
fn positions_move_and_bytes_sent_matches_the_driver() {
    let env = env();
    let recorder = DebuggingRecorder::new();
    let snap = recorder.snapshotter();
    let agg = MetricsAggregator::builder()
        .interval(Duration::from_millis(20))
        .label("driver", "test")
        .with_recorder(recorder)
        .start_for_client(&env.aeron)
        .unwrap();

    let ipc = stream(&env.aeron, "aeron:ipc", 1001);
    // UDP through a relay that counts what the driver puts on the wire.
    let relay = relay::UdpRelay::start();
    let udp_channel = format!("aeron:udp?endpoint=127.0.0.1:{}", relay.listen_port);
    let sub_channel = format!("aeron:udp?endpoint=127.0.0.1:{}", relay.subscriber_port);
    let udp = stream_between(&env.aeron, &udp_channel, &sub_channel, 1002);

    // Before any message: the position gauges exist, at 0.
    let before = wait_for_samples(&agg, &snap, "position gauges", |s| {
        let ipc = value(s, "aeron_publisher_position", &[("stream_id", "1001")])?;
        let udp = value(
            s,
            "aeron_publisher_position",
            &[("stream_id", "1002"), ("channel", &udp_channel)],
        )?;
        let sub = value(s, "aeron_subscriber_position", &[("stream_id", "1002")])?;
        Some((ipc, udp, sub))
    });
    assert_eq!(before, (0.0, 0.0, 0.0));

    let ipc_end = ipc.send(100, 200);
    let udp_end = udp.send(100, 200);
    assert!(ipc_end >= 100 * frame_length(200) as i64);
    assert!(udp_end >= 100 * frame_length(200) as i64);

    let after = wait_for_samples(&agg, &snap, "positions at the end of the streams", |s| {
        let ipc_pub = value(s, "aeron_publisher_position", &[("stream_id", "1001")])?;
        let ipc_sub = value(s, "aeron_subscriber_position", &[("stream_id", "1001")])?;
        let udp_pub = value(s, "aeron_publisher_position", &[("stream_id", "1002")])?;
        let udp_snd = value(s, "aeron_sender_position", &[("stream_id", "1002")])?;
        let udp_rcv = value(s, "aeron_receiver_position", &[("stream_id", "1002")])?;
        let udp_sub = value(s, "aeron_subscriber_position", &[("stream_id", "1002")])?;
        let all = [ipc_pub, ipc_sub, udp_pub, udp_snd, udp_rcv, udp_sub];
        let expected = [ipc_end, ipc_end, udp_end, udp_end, udp_end, udp_end].map(|v| v as f64);
        (all == expected).then_some(s.to_vec())
    });

    // Kinds and labels.
    let pos = find(&after, "aeron_publisher_position", &[("stream_id", "1002")]);
    assert_eq!(pos[0].kind, MetricKind::Gauge);
    assert_eq!(pos[0].labels["channel"], udp_channel);
    assert_eq!(pos[0].labels["driver"], "test");
    assert_eq!(
        pos[0].labels["session_id"],
        udp.publication.session_id().to_string()
    );
    assert!(pos[0].labels["registration_id"].parse::<i64>().unwrap() >= 0);
    let sent = find(&after, "aeron_bytes_sent", &[("driver", "test")]);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, MetricKind::Counter);
    assert!(find(&after, "aeron_publisher_limit", &[("stream_id", "1001")]).len() == 1);
    assert!(find(&after, "aeron_sender_limit", &[("stream_id", "1002")]).len() == 1);

    // Bytes sent: once the UDP stream is gone and the driver has stopped sending, the metric equals the
    // driver's counter and the data and heartbeat bytes the relay saw on the wire.
    drop(udp);
    let reader = env.aeron.counters_reader();
    let mut last = (reader.get_counter_value(0), relay.data_bytes());
    let mut stable_since = Instant::now();
    wait_for("bytes sent to settle", || {
        let now = (reader.get_counter_value(0), relay.data_bytes());
        if now != last {
            last = now;
            stable_since = Instant::now();
        }
        (stable_since.elapsed() > Duration::from_millis(500)).then_some(())
    });
    let driver_bytes_sent = reader.get_counter_value(0);
    let metric = wait_for_samples(&agg, &snap, "bytes sent", |s| {
        value(s, "aeron_bytes_sent", &[])
    });
    println!(
        "bytes sent: metric {metric}, driver {driver_bytes_sent}, on the wire {} (+ {} setup/RTT), data frames {}",
        relay.data_bytes(),
        relay.control_bytes(),
        100 * frame_length(200)
    );
    assert_eq!(metric, driver_bytes_sent as f64);
    assert_eq!(driver_bytes_sent as u64, relay.data_bytes());
    assert!(relay.data_bytes() >= 100 * frame_length(200));
    assert_eq!(
        reader.get_counter_value(0),
        driver_bytes_sent,
        "the driver kept sending"
    );
}

#[test]
fn dropping_the_handle_flushes_and_joins_the_thread() {
    const NAME: &str = "rm-join-test"; // Linux thread names are cut at 15 bytes
    let env = env();
    let recorder = DebuggingRecorder::new();
    let snap = recorder.snapshotter();
    // One pass at start, the next in an hour: only the final flush can see the traffic below.
    let agg = MetricsAggregator::builder()
        .interval(Duration::from_secs(3600))
        .thread_name(NAME)
        .with_recorder(recorder)
        .start_for_client(&env.aeron)
        .unwrap();
    assert_eq!(agg.thread_name(), NAME);
    wait_for("the first pass", || (agg.passes() >= 1).then_some(()));
    assert!(
        thread_names().iter().any(|n| n == NAME),
        "{:?}",
        thread_names()
    );
    assert!(find(
        &samples(&snap),
        "aeron_subscriber_position",
        &[("stream_id", "1003")]
    )
    .is_empty());

    let ipc = stream(&env.aeron, "aeron:ipc", 1003);
    let end = ipc.send(10, 100);
    drop(agg);

    assert!(
        !thread_names().iter().any(|n| n == NAME),
        "{:?}",
        thread_names()
    );
    let s = samples(&snap);
    let sub = find(&s, "aeron_subscriber_position", &[("stream_id", "1003")]);
    assert_eq!(sub.len(), 1, "{s:#?}");
    assert_eq!(sub[0].value, end as f64);
}

#[test]
fn the_handle_keeps_the_counters_alive() {
    let Env { aeron, driver } = env();
    let recorder = DebuggingRecorder::new();
    let snap = recorder.snapshotter();
    let agg = MetricsAggregator::builder()
        .interval(Duration::from_millis(10))
        .with_recorder(recorder)
        .start_for_client(&aeron)
        .unwrap();
    drop(aeron); // the aggregator's reader keeps the client (and its mapping) open
    assert!(agg.wait_for_pass(TIMEOUT));
    assert_eq!(find(&samples(&snap), "aeron_bytes_sent", &[]).len(), 1);

    // A CnC file opened by path: mapped while the aggregator runs.
    let recorder = DebuggingRecorder::new();
    let snap2 = recorder.snapshotter();
    let by_dir = MetricsAggregator::builder()
        .interval(Duration::from_millis(10))
        .prefix("md1")
        .with_recorder(recorder)
        .start_for_dir(driver.dir(), TIMEOUT)
        .unwrap();
    assert!(by_dir.wait_for_pass(TIMEOUT));
    let s = samples(&snap2);
    assert_eq!(find(&s, "md1_bytes_sent", &[]).len(), 1, "{s:#?}");
    assert_eq!(find(&s, "md1_version", &[]).len(), 1, "{s:#?}");
    by_dir.stop().unwrap();
    drop(agg);
}

#[test]
fn bad_configuration_is_an_error() {
    let env = env();
    let err = MetricsAggregator::builder()
        .interval(Duration::ZERO)
        .start_for_client(&env.aeron)
        .unwrap_err();
    assert!(matches!(err, MetricsError::InvalidInterval(_)), "{err}");

    let empty = tempfile::tempdir().unwrap();
    let err = MetricsAggregator::builder()
        .start_for_dir(empty.path().to_str().unwrap(), Duration::from_millis(50))
        .unwrap_err();
    assert!(matches!(err, MetricsError::Cnc { .. }), "{err}");
    assert!(err.to_string().contains("CnC"), "{err}");
}

#[test]
fn a_lost_datagram_shows_in_nak_and_retransmit_metrics() {
    let env = env();
    let recorder = DebuggingRecorder::new();
    let snap = recorder.snapshotter();
    let agg = MetricsAggregator::builder()
        .interval(Duration::from_millis(20))
        .with_recorder(recorder)
        .start_for_client(&env.aeron)
        .unwrap();
    let relay = relay::UdpRelay::start_dropping(Some(3));
    let pub_channel = format!("aeron:udp?endpoint=127.0.0.1:{}", relay.listen_port);
    let sub_channel = format!("aeron:udp?endpoint=127.0.0.1:{}", relay.subscriber_port);
    let udp = stream_between(&env.aeron, &pub_channel, &sub_channel, 1004);
    let end = udp.send(50, 100); // every message arrives: the gap is repaired by a retransmit

    let s = wait_for_samples(&agg, &snap, "NAK metrics", |s| {
        let naks_sent = value(s, "aeron_receiver_naks_sent", &[("stream_id", "1004")])?;
        let naks_received = value(s, "aeron_sender_naks_received", &[("stream_id", "1004")])?;
        let sub = value(s, "aeron_subscriber_position", &[("stream_id", "1004")])?;
        (naks_sent >= 1.0 && naks_received >= 1.0 && sub == end as f64).then(|| s.to_vec())
    });
    assert!(value(&s, "aeron_naks_sent", &[]).unwrap() >= 1.0);
    assert!(value(&s, "aeron_naks_received", &[]).unwrap() >= 1.0);
    assert!(value(&s, "aeron_retransmits_sent", &[]).unwrap() >= 1.0);
    assert_eq!(
        find(&s, "aeron_receiver_naks_sent", &[])[0].kind,
        MetricKind::Counter
    );

    let cnc = rusteron_client::AeronCnc::new(env.driver.dir(), 5000).unwrap();
    let loss = rusteron_metrics::read_loss_report(&cnc).unwrap();
    assert_eq!(loss.len(), 1, "{loss:?}");
    assert_eq!(loss[0].stream_id, 1004);
    assert_eq!(loss[0].session_id, udp.publication.session_id());
    assert_eq!(loss[0].channel, sub_channel);
    assert!(
        loss[0].total_bytes_lost > 0 && loss[0].observation_count >= 1,
        "{loss:?}"
    );
}
