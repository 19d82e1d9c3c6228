//! The driver's distinct error log and loss report, read from its CnC file into plain structs.

use rusteron_client::AeronCnc;

use crate::MetricsError;

/// One distinct error of the driver's error log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLogEntry {
    /// How many times it was observed.
    pub observation_count: i32,
    /// First observation (epoch ms).
    pub first_observation_ms: i64,
    /// Last observation (epoch ms).
    pub last_observation_ms: i64,
    /// The error text.
    pub error: String,
}

/// One entry of the loss report: data lost on an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossEntry {
    /// How many losses were observed.
    pub observation_count: i64,
    /// Bytes lost in total.
    pub total_bytes_lost: i64,
    /// First observation (epoch ms).
    pub first_observation_ms: i64,
    /// Last observation (epoch ms).
    pub last_observation_ms: i64,
    /// Session id of the image.
    pub session_id: i32,
    /// Stream id of the image.
    pub stream_id: i32,
    /// Channel of the image.
    pub channel: String,
    /// Source address of the image.
    pub source: String,
}

/// The distinct errors the driver logged since `since_ms` (epoch ms; 0 for all), oldest first.
pub fn read_error_log(cnc: &AeronCnc, since_ms: i64) -> Vec<ErrorLogEntry> {
    let mut out = Vec::new();
    let mut handler = rusteron_client::AeronErrorLogReaderFuncClosure::new(
        |observation_count, first, last, error: &str| {
            out.push(ErrorLogEntry {
                observation_count,
                first_observation_ms: first,
                last_observation_ms: last,
                error: error.to_owned(),
            })
        },
    );
    cnc.error_log_read(&mut handler, since_ms);
    out
}

/// The driver's loss report (`loss-report.dat` in the Aeron directory).
pub fn read_loss_report(cnc: &AeronCnc) -> Result<Vec<LossEntry>, MetricsError> {
    let mut out = Vec::new();
    let mut handler = rusteron_client::AeronLossReporterReadEntryFuncClosure::new(
        |observation_count,
         total_bytes_lost,
         first,
         last,
         session_id,
         stream_id,
         channel: &str,
         source: &str| {
            out.push(LossEntry {
                observation_count,
                total_bytes_lost,
                first_observation_ms: first,
                last_observation_ms: last,
                session_id,
                stream_id,
                channel: channel.to_owned(),
                source: source.to_owned(),
            })
        },
    );
    cnc.loss_reporter_read(&mut handler)?;
    Ok(out)
}

/// Formats epoch milliseconds as UTC ISO 8601, e.g. `2026-11-23T00:01:48.123Z`.
pub fn format_epoch_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let ms_of_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    )
}

/// Year, month, day of a day count since 1970-01-01 (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift the epoch to 0000-03-01 so that leap days end each 400-year era's years.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epoch_ms() {
        assert_eq!(format_epoch_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_epoch_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            format_epoch_ms(1_700_000_000_123),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(format_epoch_ms(-1), "1969-12-31T23:59:59.999Z");
    }
}
