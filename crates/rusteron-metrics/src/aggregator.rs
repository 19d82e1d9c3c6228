//! [`MetricsAggregator`]: a named thread that emits every counter through the `metrics` facade each
//! interval, stopped, flushed and joined when its handle drops.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use metrics::Recorder;
use rusteron_client::{Aeron, AeronCnc, AeronCountersReader};

use crate::emitter::{Emitter, NamingOptions};
use crate::MetricsError;

/// The default emission interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(100);
/// The default metric name prefix.
pub const DEFAULT_PREFIX: &str = "aeron";
/// The default name of the aggregator thread.
pub const DEFAULT_THREAD_NAME: &str = "rusteron-metrics";

/// A recorder shared with the aggregator thread.
pub type SharedRecorder = Arc<dyn Recorder + Send + Sync>;

/// Configures and starts a [`MetricsAggregator`].
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use rusteron_metrics::MetricsAggregator;
/// use std::time::Duration;
///
/// // metrics::set_global_recorder(...) first: the aggregator emits to the global recorder by default.
/// let aggregator = MetricsAggregator::builder()
///     .interval(Duration::from_millis(250))
///     .label("driver", "md-1")
///     .start_for_dir("/dev/shm/aeron-me", Duration::from_secs(5))?;
/// // ... counters are emitted every 250 ms on the `rusteron-metrics` thread ...
/// drop(aggregator); // emits once more, stops and joins the thread, unmaps the CnC file
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct MetricsAggregatorBuilder {
    interval: Duration,
    naming: NamingOptions,
    recorder: Option<SharedRecorder>,
    thread_name: String,
}

impl std::fmt::Debug for MetricsAggregatorBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsAggregatorBuilder")
            .field("interval", &self.interval)
            .field("naming", &self.naming)
            .field("explicit_recorder", &self.recorder.is_some())
            .field("thread_name", &self.thread_name)
            .finish()
    }
}

impl Default for MetricsAggregatorBuilder {
    fn default() -> Self {
        MetricsAggregatorBuilder {
            interval: DEFAULT_INTERVAL,
            naming: NamingOptions {
                prefix: DEFAULT_PREFIX.to_owned(),
                extra_labels: Vec::new(),
                counter_id_label: false,
            },
            recorder: None,
            thread_name: DEFAULT_THREAD_NAME.to_owned(),
        }
    }
}

impl MetricsAggregatorBuilder {
    /// How often counters are emitted (default 100 ms; must be positive).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The metric name prefix (default `aeron`; empty for none): metrics are named `<prefix>_<name>`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.naming.prefix = prefix.into();
        self
    }

    /// Adds a label to every metric, e.g. `("driver", "md-1")` to tell several drivers apart. Use names
    /// other than the key labels (`stream_id`, `session_id`, `channel`, `registration_id`, ...).
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.naming.extra_labels.push((name.into(), value.into()));
        self
    }

    /// Also labels every metric with its counter id (`counter_id`). Off by default: counter ids are
    /// reused by the driver, so they are poor series identities.
    pub fn counter_id_label(mut self, yes: bool) -> Self {
        self.naming.counter_id_label = yes;
        self
    }

    /// Emits to `recorder` instead of the global recorder (tests, or several backends in one process).
    pub fn with_recorder(self, recorder: impl Recorder + Send + Sync + 'static) -> Self {
        self.with_shared_recorder(Arc::new(recorder))
    }

    /// Emits to a shared `recorder` instead of the global recorder.
    pub fn with_shared_recorder(mut self, recorder: SharedRecorder) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// The name of the aggregator thread (default `rusteron-metrics`).
    pub fn thread_name(mut self, name: impl Into<String>) -> Self {
        self.thread_name = name.into();
        self
    }

    /// Starts emitting the counters of a client (the client stays open while the aggregator runs).
    pub fn start_for_client(self, aeron: &Aeron) -> Result<MetricsAggregator, MetricsError> {
        self.start(aeron.counters_reader())
    }

    /// Maps the CnC file under `aeron_dir` read-only (waiting up to `timeout` for it) and starts
    /// emitting its counters; the file stays mapped while the aggregator runs.
    pub fn start_for_dir(
        self,
        aeron_dir: &str,
        timeout: Duration,
    ) -> Result<MetricsAggregator, MetricsError> {
        let timeout_ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
        let cnc = AeronCnc::new(aeron_dir, timeout_ms).map_err(|source| MetricsError::Cnc {
            dir: aeron_dir.to_owned(),
            source,
        })?;
        self.start(cnc.counters_reader())
    }

    /// Starts emitting the counters of `reader`, which keeps its client or CnC file alive.
    ///
    /// The recorder is the one given with [`with_recorder`](Self::with_recorder), else the global one
    /// (`metrics::set_global_recorder`), which must then be installed before this call: handles are
    /// registered once per counter.
    pub fn start(self, reader: AeronCountersReader) -> Result<MetricsAggregator, MetricsError> {
        if self.interval.is_zero() {
            return Err(MetricsError::InvalidInterval(self.interval));
        }
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let passes = Arc::new(AtomicU64::new(0));
        let worker = Worker {
            reader: reader.clone(),
            emitter: Emitter::new(self.naming),
            recorder: self.recorder,
            passes: passes.clone(),
        };
        let interval = self.interval;
        let thread = std::thread::Builder::new()
            .name(self.thread_name.clone())
            .spawn(move || worker.run(interval, stop_rx))
            .map_err(MetricsError::Spawn)?;
        Ok(MetricsAggregator {
            stop: Some(stop_tx),
            thread: Some(thread),
            passes,
            thread_name: self.thread_name,
            _reader: reader,
        })
    }
}

/// The state moved to the aggregator thread.
struct Worker {
    reader: AeronCountersReader,
    emitter: Emitter,
    recorder: Option<SharedRecorder>,
    passes: Arc<AtomicU64>,
}

impl Worker {
    fn run(mut self, interval: Duration, stop: mpsc::Receiver<()>) {
        let mut next = Instant::now();
        loop {
            self.emit();
            next += interval;
            let now = Instant::now();
            if next < now {
                next = now; // fell behind (slow recorder, suspended process): don't burst
            }
            match stop.recv_timeout(next - now) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                    self.emit(); // flush the final values
                    return;
                }
            }
        }
    }

    fn emit(&mut self) {
        match &self.recorder {
            Some(r) => self.emitter.emit(&self.reader, r.as_ref()),
            None => metrics::with_recorder(|r| self.emitter.emit(&self.reader, r)),
        }
        self.passes.fetch_add(1, Ordering::Release);
    }
}

/// A running aggregator. Dropping it (or [`stop`](Self::stop)) emits the counters once more, stops and
/// joins the thread, then releases the counters reader (and with it the client or CnC mapping).
#[derive(Debug)]
pub struct MetricsAggregator {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    passes: Arc<AtomicU64>,
    thread_name: String,
    _reader: AeronCountersReader,
}

impl MetricsAggregator {
    /// Starts configuring an aggregator.
    pub fn builder() -> MetricsAggregatorBuilder {
        MetricsAggregatorBuilder::default()
    }

    /// How many passes over the counters have completed.
    pub fn passes(&self) -> u64 {
        self.passes.load(Ordering::Acquire)
    }

    /// Blocks until at least one full pass starts and completes after this call, or `timeout` passes;
    /// returns whether it did. Handy to be sure the recorder has seen values written before the call.
    pub fn wait_for_pass(&self, timeout: Duration) -> bool {
        let target = self.passes() + 2;
        let deadline = Instant::now() + timeout;
        while self.passes() < target {
            if Instant::now() >= deadline || self.thread.as_ref().is_none_or(|t| t.is_finished()) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// The aggregator thread's name.
    pub fn thread_name(&self) -> &str {
        &self.thread_name
    }

    /// Stops the aggregator: emits once more, then joins the thread. Fails if the thread panicked (a
    /// panicking recorder).
    pub fn stop(mut self) -> Result<(), MetricsError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), MetricsError> {
        drop(self.stop.take());
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| MetricsError::ThreadPanicked),
            None => Ok(()),
        }
    }
}

impl Drop for MetricsAggregator {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown() {
            log::error!("rusteron-metrics aggregator `{}`: {e}", self.thread_name);
        }
    }
}
