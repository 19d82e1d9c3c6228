//! Encoding of everything the archive sends: control responses, challenges, descriptors, recording signals,
//! pings and recording events, with the exact v14 block lengths the C client decodes with.

use rusteron_archive_codecs::{
    ChallengeEncoder, CodecError, ControlResponseCode, ControlResponseEncoder,
    MessageHeaderEncoder, PingEncoder, RecordingDescriptorDecoder, RecordingProgressEncoder,
    RecordingSignal, RecordingSignalEventEncoder, RecordingStartedEncoder, RecordingStoppedEncoder,
    RecordingSubscriptionDescriptorEncoder, SCHEMA_ID, SCHEMA_VERSION,
};

/// Protocol semantic version the archive reports (1.12.0, as the Java 1.54 archive).
pub const PROTOCOL_SEMANTIC_VERSION: i32 = (1 << 16) | (12 << 8);
/// Major version a client must speak.
pub const PROTOCOL_MAJOR_VERSION: i32 = 1;

const HEADER: usize = 8;

fn encode(capacity: usize, f: impl FnOnce(&mut [u8]) -> Result<usize, CodecError>) -> Vec<u8> {
    let mut buf = vec![0u8; capacity];
    match f(&mut buf) {
        Ok(len) => {
            buf.truncate(len);
            buf
        }
        Err(e) => {
            // Capacities are computed from the inputs, so this is a programming error; log, send nothing.
            log::error!("encoding an archive message failed: {e}");
            Vec::new()
        }
    }
}

/// A ControlResponse.
pub fn control_response(
    control_session_id: i64,
    correlation_id: i64,
    relevant_id: i64,
    code: ControlResponseCode,
    error_message: &str,
) -> Vec<u8> {
    encode(HEADER + 32 + 4 + error_message.len(), |buf| {
        ControlResponseEncoder::wrap_and_apply_header(buf)?
            .control_session_id(control_session_id)
            .correlation_id(correlation_id)
            .relevant_id(relevant_id)
            .code(code)
            .version(PROTOCOL_SEMANTIC_VERSION)
            .error_message(error_message)?
            .finish()
    })
}

/// A Challenge for an authenticating session.
pub fn challenge(
    control_session_id: i64,
    correlation_id: i64,
    encoded_challenge: &[u8],
) -> Vec<u8> {
    encode(HEADER + 20 + 4 + encoded_challenge.len(), |buf| {
        ChallengeEncoder::wrap_and_apply_header(buf)?
            .control_session_id(control_session_id)
            .correlation_id(correlation_id)
            .version(PROTOCOL_SEMANTIC_VERSION)
            .encoded_challenge(encoded_challenge)?
            .finish()
    })
}

/// A RecordingDescriptor built from a catalog body (block and strings as stored), with the session and
/// correlation ids of the request replacing the stored ones.
pub fn recording_descriptor(
    control_session_id: i64,
    correlation_id: i64,
    catalog_body: &[u8],
) -> Vec<u8> {
    let mut buf = Vec::with_capacity(HEADER + catalog_body.len());
    let mut header = [0u8; HEADER];
    if MessageHeaderEncoder::wrap(&mut header)
        .map(|h| {
            h.block_length(RecordingDescriptorDecoder::BLOCK_LENGTH)
                .template_id(RecordingDescriptorDecoder::TEMPLATE_ID)
                .schema_id(SCHEMA_ID)
                .version(SCHEMA_VERSION);
        })
        .is_err()
        || catalog_body.len() < 16
    {
        return Vec::new();
    }
    buf.extend_from_slice(&header);
    buf.extend_from_slice(&control_session_id.to_le_bytes());
    buf.extend_from_slice(&correlation_id.to_le_bytes());
    buf.extend_from_slice(&catalog_body[16..]);
    buf
}

/// A RecordingSubscriptionDescriptor.
pub fn recording_subscription_descriptor(
    control_session_id: i64,
    correlation_id: i64,
    subscription_id: i64,
    stream_id: i32,
    channel: &str,
) -> Vec<u8> {
    encode(HEADER + 28 + 4 + channel.len(), |buf| {
        RecordingSubscriptionDescriptorEncoder::wrap_and_apply_header(buf)?
            .control_session_id(control_session_id)
            .correlation_id(correlation_id)
            .subscription_id(subscription_id)
            .stream_id(stream_id)
            .stripped_channel(channel)?
            .finish()
    })
}

/// A RecordingSignalEvent.
pub fn recording_signal(
    control_session_id: i64,
    correlation_id: i64,
    recording_id: i64,
    subscription_id: i64,
    position: i64,
    signal: RecordingSignal,
) -> Vec<u8> {
    encode(HEADER + 44, |buf| {
        RecordingSignalEventEncoder::wrap_and_apply_header(buf)?
            .control_session_id(control_session_id)
            .correlation_id(correlation_id)
            .recording_id(recording_id)
            .subscription_id(subscription_id)
            .position(position)
            .signal(signal)
            .finish()
    })
}

/// A Ping (liveness check).
pub fn ping(control_session_id: i64) -> Vec<u8> {
    encode(HEADER + 8, |buf| {
        PingEncoder::wrap_and_apply_header(buf)?
            .control_session_id(control_session_id)
            .finish()
    })
}

/// A RecordingStarted event.
pub fn recording_started(
    recording_id: i64,
    start_position: i64,
    session_id: i32,
    stream_id: i32,
    channel: &str,
    source_identity: &str,
) -> Vec<u8> {
    encode(
        HEADER + 24 + 8 + channel.len() + source_identity.len(),
        |buf| {
            RecordingStartedEncoder::wrap_and_apply_header(buf)?
                .recording_id(recording_id)
                .start_position(start_position)
                .session_id(session_id)
                .stream_id(stream_id)
                .channel(channel)?
                .source_identity(source_identity)?
                .finish()
        },
    )
}

/// A RecordingProgress event.
pub fn recording_progress(recording_id: i64, start_position: i64, position: i64) -> Vec<u8> {
    encode(HEADER + 24, |buf| {
        RecordingProgressEncoder::wrap_and_apply_header(buf)?
            .recording_id(recording_id)
            .start_position(start_position)
            .position(position)
            .finish()
    })
}

/// A RecordingStopped event.
pub fn recording_stopped(recording_id: i64, start_position: i64, stop_position: i64) -> Vec<u8> {
    encode(HEADER + 24, |buf| {
        RecordingStoppedEncoder::wrap_and_apply_header(buf)?
            .recording_id(recording_id)
            .start_position(start_position)
            .stop_position(stop_position)
            .finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusteron_archive_codecs::{ControlResponseDecoder, RecordingSignalEventDecoder};

    #[test]
    fn responses_decode_with_the_v14_layout() {
        let bytes = control_response(7, 8, 9, ControlResponseCode::Error, "boom");
        assert_eq!(bytes.len(), 8 + 32 + 4 + 4);
        let d = ControlResponseDecoder::decode(&bytes).unwrap();
        assert_eq!(
            (d.control_session_id(), d.correlation_id(), d.relevant_id()),
            (7, 8, 9)
        );
        assert_eq!(d.version(), PROTOCOL_SEMANTIC_VERSION);
        assert_eq!(d.error_message().unwrap(), "boom");
        let s = recording_signal(1, 2, 3, 4, 5, RecordingSignal::Delete);
        let d = RecordingSignalEventDecoder::decode(&s).unwrap();
        assert_eq!(d.signal().unwrap(), RecordingSignal::Delete);
        assert_eq!(d.position(), 5);
    }
}
