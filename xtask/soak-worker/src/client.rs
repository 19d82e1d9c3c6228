//! Connecting to a media driver and an archive, with sleeping idle strategies (the machine is shared).

use std::error::Error;
use std::time::{Duration, Instant};

use rusteron_archive::*;

/// How long a connect or a wait may take.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// An Aeron client on the driver in `aeron_dir`.
pub fn aeron(aeron_dir: &str, name: &str) -> Result<Aeron, Box<dyn Error>> {
    let ctx = AeronContext::new()?;
    ctx.set_dir(aeron_dir)?;
    ctx.set_client_name(name)?;
    ctx.set_idle_sleep_duration_ns(1_000_000)?;
    ctx.set_driver_timeout_ms(30_000)?;
    Ok(Aeron::connect(&ctx)?)
}

/// An archive client of the archive at `control` (stream 10), answering over UDP on 127.0.0.1.
pub fn archive(aeron: &Aeron, control: &str) -> Result<AeronArchive, Box<dyn Error>> {
    let ctx = AeronArchiveContext::new_with_no_credentials_supplier(
        aeron,
        control,
        "aeron:udp?endpoint=127.0.0.1:0",
        "aeron:udp?endpoint=127.0.0.1:0",
    )?;
    ctx.set_control_request_stream_id(10)?;
    ctx.set_message_timeout_ns(10_000_000_000)?;
    let archive = AeronArchiveAsyncConnect::new(&ctx)?
        .poll_blocking(DEADLINE)
        .map_err(|e| format!("connecting to the archive at {control}: {e}"))?;
    Ok(archive)
}

/// Every recording descriptor of `archive`.
pub fn recordings(
    archive: &AeronArchive,
) -> Result<Vec<AeronArchiveRecordingDescriptor>, AeronCError> {
    let mut all = Vec::new();
    archive.list_recordings(0, i32::MAX, |d| all.push(d.clone()))?;
    Ok(all)
}

/// Repeats `step` every millisecond until it gives `Some` (an error after [`DEADLINE`]).
pub fn retry<T>(
    what: &str,
    mut step: impl FnMut() -> Result<Option<T>, Box<dyn Error>>,
) -> Result<T, Box<dyn Error>> {
    let start = Instant::now();
    loop {
        if let Some(v) = step()? {
            return Ok(v);
        }
        if start.elapsed() > DEADLINE {
            return Err(format!("gave up waiting for {what}").into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
