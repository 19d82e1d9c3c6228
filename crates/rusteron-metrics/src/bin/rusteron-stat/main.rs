//! `rusteron-stat`: a driver's counters as a refreshing table (like Aeron's AeronStat), its distinct error
//! log, its loss report, or a Prometheus endpoint fed by the `rusteron-metrics` aggregator.

#![deny(missing_docs)]

mod cli;
mod filter;
mod http;
mod reports;
mod table;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use rusteron_metrics::rusteron_client::AeronCnc;
use rusteron_metrics::{read_counters, MetricsError};

use cli::Args;

/// Errors of the tool.
#[derive(Debug, thiserror::Error)]
enum StatError {
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    #[error("cannot open the CnC file in {dir}: {source}")]
    Cnc {
        dir: String,
        source: rusteron_metrics::rusteron_client::AeronCError,
    },
    #[error("{0}")]
    Usage(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rusteron-stat: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), StatError> {
    let dir = args.aeron_dir()?;
    let filter = filter::Filter::from_args(args)?;
    let timeout_ms = i64::try_from(args.timeout_ms).unwrap_or(i64::MAX);
    let cnc = AeronCnc::new(&dir, timeout_ms).map_err(|source| StatError::Cnc {
        dir: dir.clone(),
        source,
    })?;
    let interval = Duration::from_millis(args.interval_ms.max(1));
    let mut out = std::io::stdout().lock();

    if let Some(addr) = args.prometheus {
        return http::serve_prometheus(args, &cnc, addr, interval, &mut out);
    }
    if args.errors || args.loss {
        if args.errors {
            reports::print_errors(&cnc, &mut out)?;
        }
        if args.loss {
            reports::print_loss(&cnc, &mut out)?;
        }
        return Ok(());
    }
    let reader = cnc.counters_reader();
    loop {
        let counters: Vec<_> = read_counters(&reader)
            .into_iter()
            .filter(|c| filter.matches(c))
            .collect();
        let text = table::render(&cnc, &dir, &counters);
        if args.once {
            out.write_all(text.as_bytes())?;
            return Ok(());
        }
        // Home the cursor and clear the screen, then draw.
        write!(out, "\x1b[H\x1b[2J{text}")?;
        out.flush()?;
        std::thread::sleep(interval);
    }
}
