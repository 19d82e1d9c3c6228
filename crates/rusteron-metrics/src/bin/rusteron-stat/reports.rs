//! `--errors` and `--loss`, in the formats of Aeron's ErrorStat and LossStat.

use std::io::Write;

use rusteron_metrics::rusteron_client::AeronCnc;
use rusteron_metrics::{format_epoch_ms, read_error_log, read_loss_report};

use crate::StatError;

/// The distinct error log: each error with its observation count and first/last observation times.
pub fn print_errors(cnc: &AeronCnc, out: &mut impl Write) -> Result<(), StatError> {
    let entries = read_error_log(cnc, 0);
    for e in &entries {
        writeln!(
            out,
            "{} observations from {} to {} for:\n {}",
            e.observation_count,
            format_epoch_ms(e.first_observation_ms),
            format_epoch_ms(e.last_observation_ms),
            e.error.trim_end()
        )?;
    }
    writeln!(out, "\n{} distinct errors observed.", entries.len())?;
    Ok(())
}

/// The loss report as CSV.
pub fn print_loss(cnc: &AeronCnc, out: &mut impl Write) -> Result<(), StatError> {
    let entries = read_loss_report(cnc)?;
    writeln!(
        out,
        "#OBSERVATION_COUNT,TOTAL_BYTES_LOST,FIRST_OBSERVATION,LAST_OBSERVATION,SESSION_ID,STREAM_ID,CHANNEL,SOURCE"
    )?;
    for e in &entries {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            e.observation_count,
            e.total_bytes_lost,
            format_epoch_ms(e.first_observation_ms),
            format_epoch_ms(e.last_observation_ms),
            e.session_id,
            e.stream_id,
            e.channel,
            e.source
        )?;
    }
    writeln!(out, "{} loss entries.", entries.len())?;
    Ok(())
}
