//! Maps a counter to its metric: name, counter-or-gauge, unit, description and labels.

use metrics::Unit;

use crate::{
    counter_type, system_counter, CounterKey, CounterSnapshot, MetricType, SYSTEM_COUNTER_TYPE_ID,
};

/// The metric a counter is exported as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricDescriptor {
    /// Full metric name, e.g. `aeron_publisher_position`.
    pub name: String,
    /// Counter or gauge.
    pub metric_type: MetricType,
    /// Unit, if any.
    pub unit: Option<Unit>,
    /// One-line description.
    pub description: &'static str,
    /// Labels from the counter's key (before any extra labels).
    pub labels: Vec<(&'static str, String)>,
}

impl MetricDescriptor {
    /// The metric of `counter`, named `<prefix>_<name>`.
    ///
    /// * system counters: one name per system counter (`aeron_bytes_sent`), no labels; unknown ids are
    ///   `<prefix>_system_counter` gauges labelled `system_counter_id`;
    /// * known types: the type's name (`aeron_publisher_position`) with its key fields as labels;
    /// * unknown types: `<prefix>_counter` gauges labelled `type_id` and `label`.
    pub fn for_counter(prefix: &str, counter: &CounterSnapshot) -> Self {
        let mut labels = Vec::new();
        let (name, metric_type, unit, description) = match counter_type(counter.type_id) {
            Some(_) if counter.type_id == SYSTEM_COUNTER_TYPE_ID => {
                let id = match counter.key {
                    CounterKey::System { system_counter_id } => system_counter_id,
                    _ => counter.id,
                };
                match system_counter(id) {
                    Some(s) => (s.metric_name, s.metric_type, s.unit, s.description),
                    None => {
                        labels.push(("system_counter_id", id.to_string()));
                        labels.push(("label", counter.label.clone()));
                        (
                            "system_counter",
                            MetricType::Gauge,
                            None,
                            "Driver system counter",
                        )
                    }
                }
            }
            Some(t) => {
                key_labels(counter, &mut labels);
                if counter.type_id == 10 {
                    let indicator = counter.label.split(':').next().unwrap_or_default();
                    labels.push(("indicator", indicator.trim().to_owned()));
                }
                (t.metric_name, t.metric_type, t.unit, t.description)
            }
            None => {
                labels.push(("type_id", counter.type_id.to_string()));
                labels.push(("label", counter.label.clone()));
                (
                    "counter",
                    MetricType::Gauge,
                    None,
                    "Counter of a type rusteron-metrics does not name",
                )
            }
        };
        MetricDescriptor {
            name: if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}_{name}")
            },
            metric_type,
            unit,
            description,
            labels,
        }
    }
}

fn key_labels(counter: &CounterSnapshot, labels: &mut Vec<(&'static str, String)>) {
    match &counter.key {
        CounterKey::Stream {
            registration_id,
            session_id,
            stream_id,
            channel,
        } => {
            labels.push(("stream_id", stream_id.to_string()));
            labels.push(("session_id", session_id.to_string()));
            labels.push(("channel", channel.clone()));
            labels.push(("registration_id", registration_id.to_string()));
        }
        CounterKey::Channel { channel } => {
            labels.push(("channel", channel.clone()));
            labels.push(("registration_id", counter.registration_id.to_string()));
        }
        CounterKey::Heartbeat { client_id } => labels.push(("client_id", client_id.to_string())),
        CounterKey::LocalSockaddr {
            channel_status_id,
            address,
        } => {
            labels.push(("channel_status_id", channel_status_id.to_string()));
            labels.push(("address", address.clone()));
            labels.push(("registration_id", counter.registration_id.to_string()));
        }
        CounterKey::RecordingPosition {
            recording_id,
            session_id,
            source_identity,
            archive_id,
        } => {
            labels.push(("recording_id", recording_id.to_string()));
            labels.push(("session_id", session_id.to_string()));
            labels.push(("source_identity", source_identity.clone()));
            if let Some(a) = archive_id {
                labels.push(("archive_id", a.to_string()));
            }
        }
        CounterKey::Archive { archive_id } => labels.push(("archive_id", archive_id.to_string())),
        CounterKey::System { .. } | CounterKey::Opaque => {
            labels.push(("counter_id", counter.id.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(id: i32, type_id: i32, key: CounterKey, label: &str) -> CounterSnapshot {
        CounterSnapshot {
            id,
            type_id,
            value: 1,
            registration_id: 77,
            label: label.into(),
            key,
        }
    }

    #[test]
    fn names_and_labels() {
        let d = MetricDescriptor::for_counter(
            "aeron",
            &snap(
                0,
                0,
                CounterKey::System {
                    system_counter_id: 0,
                },
                "Bytes sent",
            ),
        );
        assert_eq!(d.name, "aeron_bytes_sent");
        assert_eq!(d.metric_type, MetricType::Counter);
        assert!(d.labels.is_empty());

        let key = CounterKey::Stream {
            registration_id: 5,
            session_id: 6,
            stream_id: 7,
            channel: "aeron:ipc".into(),
        };
        let d = MetricDescriptor::for_counter(
            "x",
            &snap(40, 12, key, "pub-pos (concurrent): 5 6 7 aeron:ipc"),
        );
        assert_eq!(d.name, "x_publisher_position");
        assert_eq!(d.metric_type, MetricType::Gauge);
        assert_eq!(
            d.labels,
            vec![
                ("stream_id", "7".to_owned()),
                ("session_id", "6".to_owned()),
                ("channel", "aeron:ipc".to_owned()),
                ("registration_id", "5".to_owned()),
            ]
        );

        let d = MetricDescriptor::for_counter("aeron", &snap(3, 9999, CounterKey::Opaque, "mine"));
        assert_eq!(d.name, "aeron_counter");
        assert_eq!(
            d.labels,
            vec![("type_id", "9999".to_owned()), ("label", "mine".to_owned())]
        );

        let d = MetricDescriptor::for_counter(
            "",
            &snap(
                0,
                0,
                CounterKey::System {
                    system_counter_id: 99,
                },
                "new",
            ),
        );
        assert_eq!(d.name, "system_counter");
    }
}
