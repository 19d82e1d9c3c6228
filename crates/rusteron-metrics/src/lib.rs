//! # rusteron-metrics
//!
//! Exports an Aeron media driver's counters (bytes sent and received, NAKs, back pressure, errors,
//! publisher / sender / receiver / subscriber positions and limits, ...) through the
//! [`metrics`](https://docs.rs/metrics) facade, and ships the `rusteron-stat` tool (a refreshing
//! counters table, the driver's error log and loss report, a Prometheus endpoint).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use rusteron_client::{Aeron, AeronContext};
//! use rusteron_metrics::MetricsAggregator;
//!
//! // Install a backend first, e.g. metrics_exporter_prometheus::PrometheusBuilder::new().install()?.
//! let ctx = AeronContext::new()?;
//! let aeron = Aeron::new(&ctx)?;
//! aeron.start()?;
//! let aggregator = MetricsAggregator::builder().label("driver", "md-1").start_for_client(&aeron)?;
//! // every 100 ms: aeron_bytes_sent, aeron_publisher_position{stream_id=..,session_id=..,channel=..}, ...
//! drop(aggregator); // final flush, thread joined
//! # Ok(()) }
//! ```
//!
//! ## Metric names and types
//!
//! Every allocated counter becomes one metric named `<prefix>_<name>` (prefix `aeron` by default):
//!
//! * system counters (type 0) are named after the system counter: `aeron_bytes_sent`,
//!   `aeron_naks_received`, `aeron_errors`, ... (see [`SYSTEM_COUNTERS`]); totals are counters, maxima,
//!   statuses and versions are gauges;
//! * other known types are named after the type (see [`COUNTER_TYPES`]): positions, limits, statuses and
//!   timestamps are gauges (`aeron_publisher_position`, `aeron_subscriber_position`, ...), per-stream totals
//!   are counters (`aeron_sender_back_pressure_events`, `aeron_sender_naks_received`, ...); their key fields
//!   become labels (`stream_id`, `session_id`, `channel`, `registration_id`, ...);
//! * unknown types are `aeron_counter` gauges labelled `type_id` and `label`.
//!
//! Counters use `Counter::absolute`, gauges `Gauge::set`. Extra labels ([`MetricsAggregatorBuilder::label`])
//! and the prefix tell several drivers apart. A freed counter is no longer updated; a backend with an idle
//! timeout (the Prometheus exporter's `idle_timeout`) drops its series.

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod aggregator;
mod counter_types;
mod emitter;
mod error;
mod key;
mod naming;
mod reports;
mod snapshot;
mod system_counters;

pub use aggregator::{
    MetricsAggregator, MetricsAggregatorBuilder, SharedRecorder, DEFAULT_INTERVAL, DEFAULT_PREFIX,
    DEFAULT_THREAD_NAME,
};
pub use counter_types::{
    counter_type, find_counter_type, CounterType, KeyLayout, MetricType, COUNTER_TYPES,
    SYSTEM_COUNTER_TYPE_ID,
};
pub use error::MetricsError;
pub use key::CounterKey;
pub use naming::MetricDescriptor;
pub use reports::{format_epoch_ms, read_error_log, read_loss_report, ErrorLogEntry, LossEntry};
pub use snapshot::{read_counters, CounterSnapshot};
pub use system_counters::{system_counter, SystemCounter, SYSTEM_COUNTERS};

/// The client crate this one reads counters through (`AeronCnc`, `AeronCountersReader`, ...).
pub use rusteron_client;
