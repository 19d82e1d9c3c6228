//! `--prometheus`: the aggregator feeding a Prometheus recorder, rendered on `GET /metrics` by a minimal
//! HTTP/1.1 server on a loopback address.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use metrics_util::MetricKindMask;
use rusteron_metrics::rusteron_client::AeronCnc;
use rusteron_metrics::MetricsAggregator;

use crate::cli::Args;
use crate::StatError;

/// Starts the aggregator, binds `addr` (loopback only), prints the URL, and serves until killed.
pub fn serve_prometheus(
    args: &Args,
    cnc: &AeronCnc,
    addr: SocketAddr,
    interval: Duration,
    out: &mut impl Write,
) -> Result<(), StatError> {
    if !addr.ip().is_loopback() {
        return Err(StatError::Usage(format!(
            "--prometheus {addr}: only loopback addresses are served (put a proxy in front for remote scrapes)"
        )));
    }
    // Series of freed counters (closed publications, gone images) disappear after a few intervals.
    let idle = interval * 5 + Duration::from_secs(1);
    let recorder = PrometheusBuilder::new()
        .idle_timeout(MetricKindMask::ALL, Some(idle))
        .build_recorder();
    let handle = recorder.handle();
    let mut builder = MetricsAggregator::builder()
        .interval(interval)
        .prefix(args.prefix.clone())
        .thread_name("rusteron-stat-metrics")
        .with_recorder(recorder);
    for (name, value) in &args.metric_labels {
        builder = builder.label(name.clone(), value.clone());
    }
    let aggregator = builder.start(cnc.counters_reader())?;
    aggregator.wait_for_pass(Duration::from_secs(5));
    let listener = TcpListener::bind(addr)?;
    writeln!(out, "serving http://{}/metrics", listener.local_addr()?)?;
    out.flush()?;
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                if let Err(e) = answer(stream, &handle) {
                    log::debug!("HTTP connection: {e}");
                }
            }
            Err(e) => log::warn!("accept: {e}"),
        }
    }
    Ok(())
}

/// Answers one request: `GET /metrics` (or `/`) with the text exposition format, anything else 404/405.
fn answer(stream: TcpStream, handle: &PrometheusHandle) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Skip the headers up to the blank line (bounded, in case of a misbehaving client).
    for _ in 0..100 {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = path.split('?').next().unwrap_or("");
    let (status, content_type, body) = match (method, path) {
        ("GET", "/metrics" | "/") => {
            handle.run_upkeep();
            (
                "200 OK",
                "text/plain; version=0.0.4; charset=utf-8",
                handle.render(),
            )
        }
        ("GET", _) => ("404 Not Found", "text/plain", "not found\n".to_owned()),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            "method not allowed\n".to_owned(),
        ),
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
