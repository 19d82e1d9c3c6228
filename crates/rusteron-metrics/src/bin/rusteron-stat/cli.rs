//! Command-line arguments.

use std::net::SocketAddr;

use clap::Parser;

use crate::StatError;

/// Shows the counters of an Aeron media driver (like AeronStat), its distinct error log (`--errors`) or
/// loss report (`--loss`), or serves them to Prometheus (`--prometheus 127.0.0.1:9464`).
#[derive(Debug, Parser)]
#[command(name = "rusteron-stat", version)]
pub struct Args {
    /// Aeron directory of the driver [default: $AERON_DIR, else Aeron's default: /dev/shm/aeron-$USER on
    /// Linux]
    #[arg(long, env = "AERON_DIR")]
    pub dir: Option<String>,

    /// Print the counters table once and exit.
    #[arg(long)]
    pub once: bool,

    /// Refresh interval of the table and of the Prometheus values, in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub interval_ms: u64,

    /// How long to wait for the driver's CnC file, in milliseconds.
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    pub timeout_ms: u64,

    /// Only counters of this type: a type id (12), Aeron's name (pub-pos) or the metric name
    /// (publisher_position). Repeatable.
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,

    /// Only stream counters of this stream id.
    #[arg(long, value_name = "ID")]
    pub stream: Option<i32>,

    /// Only stream counters of this session id.
    #[arg(long, value_name = "ID")]
    pub session: Option<i32>,

    /// Only counters whose label contains this text.
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,

    /// Print the driver's distinct error log and exit.
    #[arg(long)]
    pub errors: bool,

    /// Print the driver's loss report and exit.
    #[arg(long)]
    pub loss: bool,

    /// Serve the counters as Prometheus metrics on this loopback address (port 0: any free port; the
    /// address is printed) until killed.
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["once", "errors", "loss"])]
    pub prometheus: Option<SocketAddr>,

    /// Metric name prefix for --prometheus.
    #[arg(long, default_value = "aeron")]
    pub prefix: String,

    /// Extra label NAME=VALUE on every metric for --prometheus (e.g. driver=md-1). Repeatable.
    #[arg(long = "metric-label", value_name = "NAME=VALUE", value_parser = parse_label)]
    pub metric_labels: Vec<(String, String)>,
}

impl Args {
    /// The Aeron directory to read.
    pub fn aeron_dir(&self) -> Result<String, StatError> {
        match self.dir.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => Ok(d.to_owned()),
            None => Ok(
                rusteron_metrics::rusteron_client::default_path().map_err(|e| {
                    StatError::Usage(format!("cannot compute the default Aeron directory: {e}"))
                })?,
            ),
        }
    }
}

fn parse_label(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!("invalid label name {name:?}"));
    }
    Ok((name.to_owned(), value.to_owned()))
}
