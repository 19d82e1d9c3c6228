//! Shared by the examples: argument parsing and connecting to a driver (an external one when `AERON_DIR`
//! or `--dir` is given, otherwise one embedded in the process).

#![allow(dead_code)]

use rusteron_client::*;
use rusteron_media_driver::TestMediaDriver;
use std::time::Duration;

/// `--name value` from the command line, or the environment variable `NAME`, or `default`.
pub fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    let flag = format!("--{name}");
    if let Some(i) = args.iter().position(|a| *a == flag) {
        if let Some(v) = args.get(i + 1).and_then(|v| v.parse().ok()) {
            return v;
        }
    }
    std::env::var(name.to_uppercase().replace('-', "_"))
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A started client, plus the embedded driver when no external one was named.
pub struct Connection {
    pub aeron: Aeron,
    pub _driver: Option<TestMediaDriver>,
}

pub fn connect() -> Result<Connection, Box<dyn std::error::Error>> {
    let dir: String = arg("dir", std::env::var("AERON_DIR").unwrap_or_default());
    let (dir, driver) = if dir.is_empty() {
        let d = TestMediaDriver::launch()?;
        println!("embedded media driver in {}", d.dir());
        (d.dir().to_string(), Some(d))
    } else {
        (dir, None)
    };
    let ctx = AeronContext::new()?;
    ctx.set_dir(&dir)?;
    ctx.set_idle_sleep_duration_ns(1_000_000)?;
    ctx.set_error_handler(Some(AeronErrorHandlerClosure::new(
        |code: i32, msg: &str| eprintln!("aeron error {code}: {msg}"),
    )))?;
    let aeron = Aeron::new(&ctx)?;
    aeron.start()?;
    Ok(Connection {
        aeron,
        _driver: driver,
    })
}

pub const TIMEOUT: Duration = Duration::from_secs(10);
