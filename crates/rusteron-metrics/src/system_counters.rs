//! The driver's system counters (type id 0): one metric name per system counter id (from
//! `aeron_counters.h` / `aeron_system_counters.c` of Aeron 1.54.0).

use metrics::Unit;

use crate::MetricType;

/// A known system counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemCounter {
    /// The system counter id (stored in the key; equal to the counter id in a driver).
    pub id: i32,
    /// The metric name without prefix (`bytes_sent` becomes `aeron_bytes_sent`).
    pub metric_name: &'static str,
    /// Counter (a total) or gauge (a maximum, a status, a version).
    pub metric_type: MetricType,
    /// The metric's unit, if any.
    pub unit: Option<Unit>,
    /// A one-line description (the `# HELP` line in Prometheus).
    pub description: &'static str,
}

const fn s(
    id: i32,
    metric_name: &'static str,
    metric_type: MetricType,
    unit: Option<Unit>,
    description: &'static str,
) -> SystemCounter {
    SystemCounter {
        id,
        metric_name,
        metric_type,
        unit,
        description,
    }
}

use MetricType::{Counter as C, Gauge as G};
const BYTES: Option<Unit> = Some(Unit::Bytes);
const NS: Option<Unit> = Some(Unit::Nanoseconds);

/// Every system counter of Aeron 1.54.0; other ids are exported as `<prefix>_system_counter`.
pub const SYSTEM_COUNTERS: &[SystemCounter] = &[
    s(0, "bytes_sent", C, BYTES, "Bytes sent"),
    s(1, "bytes_received", C, BYTES, "Bytes received"),
    s(
        2,
        "receiver_proxy_fails",
        C,
        None,
        "Failed offers to ReceiverProxy",
    ),
    s(
        3,
        "sender_proxy_fails",
        C,
        None,
        "Failed offers to SenderProxy",
    ),
    s(
        4,
        "conductor_proxy_fails",
        C,
        None,
        "Failed offers to DriverConductorProxy",
    ),
    s(5, "naks_sent", C, None, "NAKs sent"),
    s(6, "naks_received", C, None, "NAKs received"),
    s(7, "status_messages_sent", C, None, "Status messages sent"),
    s(
        8,
        "status_messages_received",
        C,
        None,
        "Status messages received",
    ),
    s(9, "heartbeats_sent", C, None, "Heartbeats sent"),
    s(10, "heartbeats_received", C, None, "Heartbeats received"),
    s(11, "retransmits_sent", C, None, "Retransmits sent"),
    s(
        12,
        "flow_control_under_runs",
        C,
        None,
        "Flow control under runs",
    ),
    s(
        13,
        "flow_control_over_runs",
        C,
        None,
        "Flow control over runs",
    ),
    s(14, "invalid_packets", C, None, "Invalid packets"),
    s(15, "errors", C, None, "Errors recorded by the driver"),
    s(16, "short_sends", C, None, "Short sends"),
    s(
        17,
        "free_fails",
        C,
        None,
        "Failed attempts to free log buffers",
    ),
    s(
        18,
        "sender_flow_control_limits",
        C,
        None,
        "Sender flow control limits, i.e. back-pressure events",
    ),
    s(
        19,
        "unblocked_publications",
        C,
        None,
        "Unblocked publications",
    ),
    s(
        20,
        "unblocked_commands",
        C,
        None,
        "Unblocked control commands",
    ),
    s(
        21,
        "possible_ttl_asymmetry",
        C,
        None,
        "Possible TTL asymmetry",
    ),
    s(
        22,
        "controllable_idle_strategy",
        G,
        None,
        "ControllableIdleStrategy status",
    ),
    s(23, "loss_gap_fills", C, None, "Loss gap fills"),
    s(24, "client_timeouts", C, None, "Client liveness timeouts"),
    s(25, "resolution_changes", C, None, "Resolution changes"),
    s(
        26,
        "conductor_max_cycle_time",
        G,
        NS,
        "Conductor max cycle time doing its work",
    ),
    s(
        27,
        "conductor_cycle_time_threshold_exceeded",
        C,
        None,
        "Conductor work cycles over the threshold",
    ),
    s(
        28,
        "sender_max_cycle_time",
        G,
        NS,
        "Sender max cycle time doing its work",
    ),
    s(
        29,
        "sender_cycle_time_threshold_exceeded",
        C,
        None,
        "Sender work cycles over the threshold",
    ),
    s(
        30,
        "receiver_max_cycle_time",
        G,
        NS,
        "Receiver max cycle time doing its work",
    ),
    s(
        31,
        "receiver_cycle_time_threshold_exceeded",
        C,
        None,
        "Receiver work cycles over the threshold",
    ),
    s(32, "name_resolver_max_time", G, NS, "NameResolver max time"),
    s(
        33,
        "name_resolver_time_threshold_exceeded",
        C,
        None,
        "NameResolver calls over the threshold",
    ),
    s(
        34,
        "version",
        G,
        None,
        "Aeron version of the driver (major << 16 | minor << 8 | patch)",
    ),
    s(
        35,
        "bytes_currently_mapped",
        G,
        BYTES,
        "Bytes currently mapped",
    ),
    s(36, "retransmitted_bytes", C, BYTES, "Retransmitted bytes"),
    s(
        37,
        "retransmit_overflow",
        C,
        None,
        "Retransmit pool overflows",
    ),
    s(
        38,
        "error_frames_received",
        C,
        None,
        "Error frames received",
    ),
    s(39, "error_frames_sent", C, None, "Error frames sent"),
    s(40, "publications_revoked", C, None, "Publications revoked"),
    s(
        41,
        "publication_images_revoked",
        C,
        None,
        "Publication images revoked",
    ),
    s(42, "images_rejected", C, None, "Images rejected"),
    s(
        43,
        "control_protocol_version",
        G,
        None,
        "Control protocol version",
    ),
    s(
        44,
        "status_messages_rejected",
        C,
        None,
        "Status messages rejected",
    ),
    s(
        45,
        "native_resource_agent_proxy_fails",
        C,
        None,
        "Failed offers to NativeResourceAgentProxy",
    ),
];

/// The system counter with `id`, if this crate knows it.
pub fn system_counter(id: i32) -> Option<&'static SystemCounter> {
    usize::try_from(id)
        .ok()
        .and_then(|i| SYSTEM_COUNTERS.get(i))
        .filter(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_id() {
        for (i, c) in SYSTEM_COUNTERS.iter().enumerate() {
            assert_eq!(c.id as usize, i);
            assert_eq!(system_counter(c.id), Some(c));
        }
        assert!(system_counter(-1).is_none());
        assert!(system_counter(SYSTEM_COUNTERS.len() as i32).is_none());
    }
}
