//! Text forms shared by the commands: UTC timestamps, semantic versions, descriptors.

use crate::storage::catalog::RecordingDescriptor;

/// A semantic version field (`major << 16 | minor << 8 | patch`) as `major.minor.patch`.
pub fn version(v: i32) -> String {
    format!("{}.{}.{}", (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF)
}

/// Epoch milliseconds as an ISO 8601 UTC time (`2026-12-03T15:04:05.123Z`); -1 (NULL) as `-1`.
pub fn timestamp(epoch_ms: i64) -> String {
    if epoch_ms < 0 {
        return epoch_ms.to_string();
    }
    let (days, ms) = (
        epoch_ms.div_euclid(86_400_000),
        epoch_ms.rem_euclid(86_400_000),
    );
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Year, month, day of a day count since 1970-01-01 (the proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// One descriptor on one line, the fields named as in Java's `RecordingDescriptorDecoder.toString`.
pub fn descriptor(d: &RecordingDescriptor) -> String {
    format!(
        "recordingId={} controlSessionId={} correlationId={} startTimestamp={} stopTimestamp={} startPosition={} \
         stopPosition={} initialTermId={} segmentFileLength={} termBufferLength={} mtuLength={} sessionId={} \
         streamId={} strippedChannel={} originalChannel={} sourceIdentity={}",
        d.recording_id,
        d.control_session_id,
        d.correlation_id,
        d.start_timestamp,
        d.stop_timestamp,
        d.start_position,
        d.stop_position,
        d.initial_term_id,
        d.segment_file_length,
        d.term_buffer_length,
        d.mtu_length,
        d.session_id,
        d.stream_id,
        d.stripped_channel,
        d.original_channel,
        d.source_identity
    )
}

/// The descriptor as a JSON object with Java's field names.
pub fn descriptor_json(d: &RecordingDescriptor) -> serde_json::Value {
    serde_json::json!({
        "recordingId": d.recording_id,
        "controlSessionId": d.control_session_id,
        "correlationId": d.correlation_id,
        "startTimestamp": d.start_timestamp,
        "stopTimestamp": d.stop_timestamp,
        "startPosition": d.start_position,
        "stopPosition": d.stop_position,
        "initialTermId": d.initial_term_id,
        "segmentFileLength": d.segment_file_length,
        "termBufferLength": d.term_buffer_length,
        "mtuLength": d.mtu_length,
        "sessionId": d.session_id,
        "streamId": d.stream_id,
        "strippedChannel": d.stripped_channel,
        "originalChannel": d.original_channel,
        "sourceIdentity": d.source_identity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_timestamps_and_versions() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(timestamp(1_796_310_245_678), "2026-12-03T15:04:05.678Z");
        assert_eq!(timestamp(-1), "-1");
        assert_eq!(version(0x030100), "3.1.0");
        assert_eq!(version(0x020000), "2.0.0");
    }
}
