//! [`MetricsError`].

use std::time::Duration;

use rusteron_client::AeronCError;

/// Errors of the aggregator and the report readers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// The CnC file of a driver could not be mapped (no driver, wrong directory, timed out).
    #[error("cannot open the CnC file in {dir}: {source}")]
    Cnc {
        /// The Aeron directory.
        dir: String,
        /// The client error.
        #[source]
        source: AeronCError,
    },
    /// An Aeron C call failed.
    #[error(transparent)]
    Aeron(#[from] AeronCError),
    /// The emission interval must be positive.
    #[error("invalid interval {0:?}: it must be positive")]
    InvalidInterval(Duration),
    /// The aggregator thread could not be spawned.
    #[error("cannot spawn the metrics thread: {0}")]
    Spawn(#[source] std::io::Error),
    /// The aggregator thread panicked (a panicking recorder).
    #[error("the metrics thread panicked")]
    ThreadPanicked,
}
