//! The table of known Aeron counter types: type id, Aeron's short name, metric name, metric type and key
//! layout (from `aeron_counters.h` and the driver's allocation functions of Aeron 1.54.0).

use metrics::Unit;

/// How a counter's value is exported through the `metrics` facade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricType {
    /// A monotonic total (bytes sent, NAKs, back-pressure events, ...), set with `Counter::absolute`.
    Counter,
    /// A value that can go down or jump (positions, limits, statuses, timestamps, maxima), set with
    /// `Gauge::set`.
    Gauge,
}

impl MetricType {
    /// `"counter"` or `"gauge"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
        }
    }
}

/// How the 112-byte key area of a counter's metadata record is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLayout {
    /// System counter: the system counter id (`i32`).
    SystemCounter,
    /// Stream position: registration id (`i64`), session id, stream id, channel length (`i32`s), channel.
    Stream,
    /// Channel endpoint status: channel length (`i32`), channel.
    Channel,
    /// Heartbeat timestamp: the client id (`i64`).
    Heartbeat,
    /// Local socket address: channel status counter id, address length (`i32`s), address.
    LocalSockaddr,
    /// Archive recording position: recording id (`i64`), session id, source identity length (`i32`s),
    /// source identity, archive id (`i64`).
    RecordingPosition,
    /// Archive counters: the archive id (`i64`).
    ArchiveId,
    /// No key fields are exported.
    Opaque,
}

/// A known counter type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterType {
    /// The type id stored in the counter's metadata record.
    pub type_id: i32,
    /// Aeron's short name, as it starts the counter label (`pub-pos`, `snd-bpe`, ...).
    pub aeron_name: &'static str,
    /// The metric name without prefix (`publisher_position` becomes `aeron_publisher_position`).
    pub metric_name: &'static str,
    /// Counter or gauge.
    pub metric_type: MetricType,
    /// Which key fields become labels.
    pub layout: KeyLayout,
    /// The metric's unit, if any.
    pub unit: Option<Unit>,
    /// A one-line description (the `# HELP` line in Prometheus).
    pub description: &'static str,
}

/// The type id of the driver's system counters (bytes sent, NAKs, errors, ...).
pub const SYSTEM_COUNTER_TYPE_ID: i32 = 0;

const fn t(
    type_id: i32,
    aeron_name: &'static str,
    metric_name: &'static str,
    metric_type: MetricType,
    layout: KeyLayout,
    unit: Option<Unit>,
    description: &'static str,
) -> CounterType {
    CounterType {
        type_id,
        aeron_name,
        metric_name,
        metric_type,
        layout,
        unit,
        description,
    }
}

use KeyLayout as L;
use MetricType::{Counter as C, Gauge as G};
const BYTES: Option<Unit> = Some(Unit::Bytes);
const NS: Option<Unit> = Some(Unit::Nanoseconds);
const MS: Option<Unit> = Some(Unit::Milliseconds);

/// Every counter type this crate names; other type ids are exported as `<prefix>_counter`.
pub const COUNTER_TYPES: &[CounterType] = &[
    t(
        0,
        "system",
        "system",
        G,
        L::SystemCounter,
        None,
        "Driver system counter",
    ),
    t(
        1,
        "pub-lmt",
        "publisher_limit",
        G,
        L::Stream,
        BYTES,
        "Position a publisher may write up to",
    ),
    t(
        2,
        "snd-pos",
        "sender_position",
        G,
        L::Stream,
        BYTES,
        "Position the sender has sent up to",
    ),
    t(
        3,
        "rcv-hwm",
        "receiver_hwm",
        G,
        L::Stream,
        BYTES,
        "Highest position the receiver has seen",
    ),
    t(
        4,
        "sub-pos",
        "subscriber_position",
        G,
        L::Stream,
        BYTES,
        "Position a subscriber has consumed up to",
    ),
    t(
        5,
        "rcv-pos",
        "receiver_position",
        G,
        L::Stream,
        BYTES,
        "Position the receiver has rebuilt up to",
    ),
    t(
        6,
        "snd-channel",
        "send_channel_status",
        G,
        L::Channel,
        None,
        "Send channel endpoint status (1 active, -1 errored)",
    ),
    t(
        7,
        "rcv-channel",
        "receive_channel_status",
        G,
        L::Channel,
        None,
        "Receive channel endpoint status (1 active, -1 errored)",
    ),
    t(
        9,
        "snd-lmt",
        "sender_limit",
        G,
        L::Stream,
        BYTES,
        "Position flow control lets the sender send up to",
    ),
    t(
        10,
        "per-image",
        "per_image_indicator",
        G,
        L::Stream,
        None,
        "Per-image indicator (congestion control RTT, window)",
    ),
    t(
        11,
        "client-heartbeat",
        "client_heartbeat_timestamp",
        G,
        L::Heartbeat,
        MS,
        "Last heartbeat of a client (epoch ms)",
    ),
    t(
        12,
        "pub-pos",
        "publisher_position",
        G,
        L::Stream,
        BYTES,
        "Position a publisher has written up to",
    ),
    t(
        13,
        "snd-bpe",
        "sender_back_pressure_events",
        C,
        L::Stream,
        None,
        "Back-pressure events of a sender",
    ),
    t(
        14,
        "local-sockaddr",
        "local_sockaddr",
        G,
        L::LocalSockaddr,
        None,
        "Local socket address of a channel (value: its channel status)",
    ),
    t(
        15,
        "resolver-neighbors",
        "name_resolver_neighbors",
        G,
        L::Opaque,
        None,
        "Name resolver neighbours",
    ),
    t(
        16,
        "resolver-cache-entries",
        "name_resolver_cache_entries",
        G,
        L::Opaque,
        None,
        "Name resolver cache entries",
    ),
    t(
        17,
        "fc-receivers",
        "flow_control_receivers",
        G,
        L::Stream,
        None,
        "Receivers tracked by flow control",
    ),
    t(
        18,
        "mdc-num-dest",
        "channel_num_destinations",
        G,
        L::Channel,
        None,
        "Destinations of a multi-destination channel",
    ),
    t(
        19,
        "snd-naks-received",
        "sender_naks_received",
        C,
        L::Stream,
        None,
        "NAKs received by a sender",
    ),
    t(
        20,
        "rcv-naks-sent",
        "receiver_naks_sent",
        C,
        L::Stream,
        None,
        "NAKs sent by a receiver",
    ),
    t(
        21,
        "resolver-bootstrap-neighbor",
        "name_resolver_bootstrap_neighbor",
        G,
        L::Opaque,
        None,
        "Name resolver bootstrap neighbour",
    ),
    t(
        100,
        "rec-pos",
        "archive_recording_position",
        G,
        L::RecordingPosition,
        BYTES,
        "Position an archive recording has reached",
    ),
    t(
        101,
        "archive-errors",
        "archive_errors",
        C,
        L::ArchiveId,
        None,
        "Errors of an archive",
    ),
    t(
        102,
        "archive-control-sessions",
        "archive_control_sessions",
        G,
        L::ArchiveId,
        None,
        "Control sessions of an archive",
    ),
    t(
        103,
        "archive-max-cycle-time",
        "archive_max_cycle_time",
        G,
        L::ArchiveId,
        NS,
        "Archive conductor max cycle time",
    ),
    t(
        104,
        "archive-cycle-time-exceeded",
        "archive_cycle_time_threshold_exceeded",
        C,
        L::ArchiveId,
        None,
        "Archive conductor cycles over the threshold",
    ),
    t(
        105,
        "archive-recorder-max-write-time",
        "archive_recorder_max_write_time",
        G,
        L::ArchiveId,
        NS,
        "Archive recorder max write time",
    ),
    t(
        106,
        "archive-recorder-write-bytes",
        "archive_recorder_write_bytes",
        C,
        L::ArchiveId,
        BYTES,
        "Bytes written by the archive recorder",
    ),
    t(
        107,
        "archive-recorder-write-time",
        "archive_recorder_write_time",
        C,
        L::ArchiveId,
        NS,
        "Time spent writing by the archive recorder",
    ),
    t(
        108,
        "archive-replayer-max-read-time",
        "archive_replayer_max_read_time",
        G,
        L::ArchiveId,
        NS,
        "Archive replayer max read time",
    ),
    t(
        109,
        "archive-replayer-read-bytes",
        "archive_replayer_read_bytes",
        C,
        L::ArchiveId,
        BYTES,
        "Bytes read by the archive replayer",
    ),
    t(
        110,
        "archive-replayer-read-time",
        "archive_replayer_read_time",
        C,
        L::ArchiveId,
        NS,
        "Time spent reading by the archive replayer",
    ),
    t(
        112,
        "archive-replay-sessions",
        "archive_replay_sessions",
        G,
        L::ArchiveId,
        None,
        "Replay sessions of an archive",
    ),
];

/// The description of `type_id`, if this crate knows it.
pub fn counter_type(type_id: i32) -> Option<&'static CounterType> {
    COUNTER_TYPES.iter().find(|t| t.type_id == type_id)
}

/// Finds a counter type by type id (`"12"`), Aeron short name (`"pub-pos"`) or metric name
/// (`"publisher_position"`), case-insensitively.
pub fn find_counter_type(name: &str) -> Option<&'static CounterType> {
    let name = name.trim();
    if let Ok(id) = name.parse::<i32>() {
        return counter_type(id);
    }
    COUNTER_TYPES.iter().find(|t| {
        t.aeron_name.eq_ignore_ascii_case(name) || t.metric_name.eq_ignore_ascii_case(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_ids_are_unique_and_lookups_agree() {
        for (i, a) in COUNTER_TYPES.iter().enumerate() {
            for b in &COUNTER_TYPES[i + 1..] {
                assert_ne!(a.type_id, b.type_id);
                assert_ne!(a.metric_name, b.metric_name);
            }
            assert_eq!(counter_type(a.type_id), Some(a));
            assert_eq!(find_counter_type(a.aeron_name), Some(a));
            assert_eq!(find_counter_type(a.metric_name), Some(a));
            assert_eq!(find_counter_type(&a.type_id.to_string()), Some(a));
        }
        assert_eq!(find_counter_type("PUB-POS").map(|t| t.type_id), Some(12));
        assert!(find_counter_type("nope").is_none());
        assert!(counter_type(8).is_none());
    }
}
