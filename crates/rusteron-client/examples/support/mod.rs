//! Shared by the examples: the options every Aeron sample has (the Aeron directory, as the C samples' `-p`)
//! and connecting to a media driver.
//!
//! As in Aeron's C samples, the client uses the media driver of the Aeron directory given with `-p/--dir`,
//! else `AERON_DIR`, else Aeron's default directory (`/dev/shm/aeron-<user>` on Linux). A media driver is
//! started inside the process only when asked with `--embedded-driver` (on a temporary directory).

#![allow(dead_code)]

use rusteron_client::*;
use rusteron_media_driver::TestMediaDriver;
use std::time::Duration;

/// Defaults of Aeron's C samples (`aeron-samples/src/main/c/samples_configuration.h`).
pub mod defaults {
    /// `DEFAULT_CHANNEL`.
    pub const CHANNEL: &str = "aeron:udp?endpoint=localhost:20121";
    /// `DEFAULT_PING_CHANNEL`.
    pub const PING_CHANNEL: &str = "aeron:udp?endpoint=localhost:20123";
    /// `DEFAULT_PONG_CHANNEL`.
    pub const PONG_CHANNEL: &str = "aeron:udp?endpoint=localhost:20124";
    /// `DEFAULT_STREAM_ID`.
    pub const STREAM_ID: i32 = 1001;
    /// `DEFAULT_PING_STREAM_ID`.
    pub const PING_STREAM_ID: i32 = 1002;
    /// `DEFAULT_PONG_STREAM_ID`.
    pub const PONG_STREAM_ID: i32 = 1003;
    /// `DEFAULT_NUMBER_OF_WARM_UP_MESSAGES`.
    pub const WARM_UP_MESSAGES: u64 = 100_000;
    /// `DEFAULT_NUMBER_OF_MESSAGES`.
    pub const MESSAGES: u64 = 10_000_000;
    /// `DEFAULT_MESSAGE_LENGTH`.
    pub const MESSAGE_LENGTH: usize = 32;
    /// `DEFAULT_FRAGMENT_COUNT_LIMIT`.
    pub const FRAGMENT_COUNT_LIMIT: usize = 10;
}

/// Where the media driver is: the options every example takes.
#[derive(clap::Args, Debug, Clone)]
pub struct DriverArgs {
    /// Aeron directory of the media driver to use [default: Aeron's default, /dev/shm/aeron-<user> on Linux]
    #[arg(short = 'p', long = "dir", env = "AERON_DIR", value_name = "DIR")]
    pub dir: Option<String>,
    /// Start a media driver inside this process, on a temporary directory, instead of using a running one
    #[arg(long)]
    pub embedded_driver: bool,
}

/// A started client, plus the embedded driver when one was asked for.
pub struct Connection {
    pub aeron: Aeron,
    pub _driver: Option<TestMediaDriver>,
}

/// Connects to the media driver `args` names (or starts one with `--embedded-driver`).
pub fn connect(args: &DriverArgs) -> Result<Connection, Box<dyn std::error::Error>> {
    let driver = if args.embedded_driver {
        let d = TestMediaDriver::launch()?;
        println!("embedded media driver in {}", d.dir());
        Some(d)
    } else {
        None
    };
    let ctx = AeronContext::new()?;
    match (&driver, &args.dir) {
        (Some(d), _) => {
            ctx.set_dir(d.dir())?;
        }
        (None, Some(dir)) => {
            ctx.set_dir(dir)?;
        }
        (None, None) => {} // Aeron's default directory
    }
    ctx.set_idle_sleep_duration_ns(1_000_000)?;
    ctx.set_error_handler(Some(AeronErrorHandlerClosure::new(
        |code: i32, msg: &str| eprintln!("aeron error {code}: {msg}"),
    )))?;
    let dir = ctx.get_dir();
    let no_driver = |e: AeronCError| {
        format!(
            "no media driver answers in {dir} ({e}). Start one there (e.g. `rusteron-media-driver --dir {dir}` or \
             Aeron's aeronmd), name another directory with --dir / AERON_DIR, or pass --embedded-driver"
        )
    };
    let aeron = Aeron::new(&ctx).map_err(no_driver)?;
    aeron.start().map_err(no_driver)?;
    println!("using the media driver of {dir}");
    Ok(Connection {
        aeron,
        _driver: driver,
    })
}

pub const TIMEOUT: Duration = Duration::from_secs(10);
