//! Hand-computed byte vectors: the Rust encoders must produce them byte for byte and the decoders must read
//! back every value.

mod common;

use common::vectors::*;
use rusteron_archive_codecs::*;

fn encode(f: impl FnOnce(&mut [u8]) -> Result<usize>) -> Vec<u8> {
    let mut buf = [0xAAu8; 512];
    let len = f(&mut buf).unwrap();
    buf[..len].to_vec()
}

#[test]
fn message_header() {
    let mut buf = [0u8; 8];
    MessageHeaderEncoder::wrap(&mut buf)
        .unwrap()
        .block_length(32)
        .template_id(1)
        .schema_id(101)
        .version(14);
    assert_eq!(buf, HEADER);
    let h = MessageHeaderDecoder::wrap(&HEADER).unwrap();
    assert_eq!(
        (
            h.block_length(),
            h.template_id(),
            h.schema_id(),
            h.version()
        ),
        (32, 1, 101, 14)
    );
    assert_eq!(MessageHeaderDecoder::ENCODED_LENGTH, 8);
    assert_eq!(
        (SCHEMA_ID, SCHEMA_VERSION, SEMANTIC_VERSION),
        (101, 14, "5.2")
    );
    assert!(matches!(
        MessageHeaderDecoder::wrap(&HEADER[..7]),
        Err(CodecError::BufferTooShort {
            needed: 8,
            available: 7
        })
    ));
}

#[test]
fn control_response() {
    let bytes = encode(|b| {
        ControlResponseEncoder::wrap_and_apply_header(b)?
            .control_session_id(1)
            .correlation_id(2)
            .relevant_id(-1)
            .code(ControlResponseCode::Error)
            .version(SEMANTIC_VERSION_5_2_0)
            .error_message("bad")?
            .finish()
    });
    assert_eq!(bytes, CONTROL_RESPONSE);
    let d = ControlResponseDecoder::decode(&CONTROL_RESPONSE).unwrap();
    assert_eq!(
        (d.control_session_id(), d.correlation_id(), d.relevant_id()),
        (1, 2, -1)
    );
    assert_eq!(d.code().unwrap(), ControlResponseCode::Error);
    assert_eq!(d.version(), SEMANTIC_VERSION_5_2_0);
    assert_eq!(d.error_message().unwrap(), "bad");
    assert_eq!(d.encoded_length().unwrap(), 39);
    // Version 3 senders do not have `version` (sinceVersion 4): it reads as its null value 0.
    let old = ControlResponseDecoder::wrap(&CONTROL_RESPONSE[8..], 32, 3).unwrap();
    assert_eq!(old.version(), 0);
}

#[test]
fn auth_connect_request_vector() {
    let expected = auth_connect_request();
    assert_eq!(expected.len(), 48);
    let bytes = encode(|b| {
        AuthConnectRequestEncoder::wrap_and_apply_header(b)?
            .correlation_id(0x1122_3344_5566_7788)
            .response_stream_id(20)
            .version(SEMANTIC_VERSION_5_2_0)
            .response_channel("aeron:ipc")?
            .encoded_credentials(&[0xde, 0xad])?
            .client_info("c")?
            .finish()
    });
    assert_eq!(bytes, expected);
    let d = AuthConnectRequestDecoder::decode(&expected).unwrap();
    assert_eq!(
        (d.correlation_id(), d.response_stream_id(), d.version()),
        (0x1122_3344_5566_7788, 20, SEMANTIC_VERSION_5_2_0)
    );
    // Var data can be read in any order.
    assert_eq!(d.client_info().unwrap(), "c");
    assert_eq!(d.encoded_credentials().unwrap(), &[0xde, 0xad]);
    assert_eq!(d.response_channel().unwrap(), "aeron:ipc");
    // A version 11 client has no clientInfo (sinceVersion 12).
    let mut v11 = expected.clone();
    v11[6] = 11;
    v11.truncate(48 - 5);
    let d = AuthConnectRequestDecoder::decode(&v11).unwrap();
    assert_eq!(d.client_info().unwrap(), "");
    assert_eq!(d.encoded_length().unwrap(), 43 - 8);
}

#[test]
fn start_recording_request2_vector() {
    let expected = start_recording_request2();
    let bytes = encode(|b| {
        StartRecordingRequest2Encoder::wrap_and_apply_header(b)?
            .control_session_id(3)
            .correlation_id(4)
            .stream_id(1001)
            .source_location(SourceLocation::Remote)
            .auto_stop(BooleanType::True)
            .channel("aeron:ipc")?
            .finish()
    });
    assert_eq!(bytes, expected);
    let d = StartRecordingRequest2Decoder::decode(&expected).unwrap();
    assert_eq!(
        (d.control_session_id(), d.correlation_id(), d.stream_id()),
        (3, 4, 1001)
    );
    assert_eq!(
        (d.source_location().unwrap(), d.auto_stop().unwrap()),
        (SourceLocation::Remote, BooleanType::True)
    );
    assert_eq!(d.channel().unwrap(), "aeron:ipc");
}

#[test]
fn replay_request_vector() {
    let expected = replay_request();
    let bytes = encode(|b| {
        ReplayRequestEncoder::wrap_and_apply_header(b)?
            .control_session_id(5)
            .correlation_id(6)
            .recording_id(7)
            .position(0)
            .length(-1)
            .replay_stream_id(1002)
            .file_io_max_length(4096)
            .replay_token(-1)
            .replay_channel("aeron:ipc")?
            .finish()
    });
    assert_eq!(bytes, expected);
    let d = ReplayRequestDecoder::decode(&expected).unwrap();
    assert_eq!(
        (
            d.recording_id(),
            d.position(),
            d.length(),
            d.replay_stream_id()
        ),
        (7, 0, -1, 1002)
    );
    assert_eq!((d.file_io_max_length(), d.replay_token()), (4096, -1));
    assert_eq!(d.replay_channel().unwrap(), "aeron:ipc");
    // A version 6 client (before fileIoMaxLength, sinceVersion 7) with a 44-byte block: the var data follows
    // the sender's block and the newer fields read as null.
    let mut v6 = Bytes::header(44, 6)
        .i64(0, 5)
        .i64(8, 6)
        .i64(16, 7)
        .i64(24, 0)
        .i64(32, -1)
        .i32(40, 1002)
        .var(b"x")
        .0;
    v6[6] = 6;
    let d = ReplayRequestDecoder::decode(&v6).unwrap();
    assert_eq!(
        (
            d.replay_stream_id(),
            d.file_io_max_length(),
            d.replay_token()
        ),
        (1002, i32::MIN, i64::MIN)
    );
    assert_eq!(d.replay_channel().unwrap(), "x");
}

#[test]
fn list_recordings_for_uri_request_vector() {
    let expected = list_recordings_for_uri_request();
    let bytes = encode(|b| {
        ListRecordingsForUriRequestEncoder::wrap_and_apply_header(b)?
            .control_session_id(8)
            .correlation_id(9)
            .from_recording_id(10)
            .record_count(100)
            .stream_id(1001)
            .channel("ipc")?
            .finish()
    });
    assert_eq!(bytes, expected);
    let d = ListRecordingsForUriRequestDecoder::decode(&expected).unwrap();
    assert_eq!(
        (d.from_recording_id(), d.record_count(), d.stream_id()),
        (10, 100, 1001)
    );
    assert_eq!(d.channel().unwrap(), "ipc");
}

#[test]
fn recording_descriptor_vector() {
    let expected = recording_descriptor();
    let bytes = encode(|b| {
        RecordingDescriptorEncoder::wrap_and_apply_header(b)?
            .control_session_id(1)
            .correlation_id(2)
            .recording_id(3)
            .start_timestamp(1_700_000_000_000)
            .stop_timestamp(1_700_000_001_000)
            .start_position(0)
            .stop_position(4096)
            .initial_term_id(-5)
            .segment_file_length(128 * 1024 * 1024)
            .term_buffer_length(65536)
            .mtu_length(1408)
            .session_id(-123)
            .stream_id(1001)
            .stripped_channel("aeron:ipc")?
            .original_channel("aeron:ipc?term-length=64k")?
            .source_identity("aeron:ipc")?
            .finish()
    });
    assert_eq!(bytes, expected);
    let d = RecordingDescriptorDecoder::decode(&expected).unwrap();
    assert_eq!(
        (d.recording_id(), d.start_timestamp(), d.stop_timestamp()),
        (3, 1_700_000_000_000, 1_700_000_001_000)
    );
    assert_eq!(
        (d.start_position(), d.stop_position(), d.initial_term_id()),
        (0, 4096, -5)
    );
    assert_eq!(
        (
            d.segment_file_length(),
            d.term_buffer_length(),
            d.mtu_length()
        ),
        (128 << 20, 65536, 1408)
    );
    assert_eq!((d.session_id(), d.stream_id()), (-123, 1001));
    assert_eq!(d.source_identity().unwrap(), "aeron:ipc");
    assert_eq!(d.original_channel().unwrap(), "aeron:ipc?term-length=64k");
    assert_eq!(d.stripped_channel().unwrap(), "aeron:ipc");
    assert_eq!(8 + d.encoded_length().unwrap(), expected.len());
}

#[test]
fn recording_signal_event_vector() {
    let bytes = encode(|b| {
        RecordingSignalEventEncoder::wrap_and_apply_header(b)?
            .control_session_id(1)
            .correlation_id(2)
            .recording_id(3)
            .subscription_id(4)
            .position(5)
            .signal(RecordingSignal::Stop)
            .finish()
    });
    assert_eq!(bytes, RECORDING_SIGNAL_EVENT);
    let d = RecordingSignalEventDecoder::decode(&RECORDING_SIGNAL_EVENT).unwrap();
    assert_eq!(
        (d.recording_id(), d.subscription_id(), d.position()),
        (3, 4, 5)
    );
    assert_eq!(d.signal().unwrap(), RecordingSignal::Stop);
    let DecodedMessage::RecordingSignalEvent(_) = decode_message(&RECORDING_SIGNAL_EVENT).unwrap()
    else {
        panic!()
    };
}

#[test]
fn encoder_rules() {
    let mut buf = [0u8; 64];
    // Var data out of order is refused; skipped var data is written empty.
    let e = RecordingDescriptorEncoder::wrap_and_apply_header(&mut buf).err();
    assert!(matches!(
        e,
        Some(CodecError::BufferTooShort {
            needed: 88,
            available: 64
        })
    ));
    let mut buf = [0u8; 256];
    let e = RecordingDescriptorEncoder::wrap_and_apply_header(&mut buf)
        .unwrap()
        .original_channel("b")
        .unwrap();
    assert!(matches!(
        e.stripped_channel("a").err(),
        Some(CodecError::VarDataOutOfOrder {
            field: "strippedChannel"
        })
    ));
    let len = RecordingDescriptorEncoder::wrap_and_apply_header(&mut buf)
        .unwrap()
        .original_channel("b")
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(len, 8 + 80 + 4 + 5 + 4);
    let d = RecordingDescriptorDecoder::decode(&buf[..len]).unwrap();
    assert_eq!(
        (
            d.stripped_channel().unwrap(),
            d.original_channel().unwrap(),
            d.source_identity().unwrap()
        ),
        ("", "b", "")
    );
    // Var data that does not fit is refused without writing past the buffer.
    let mut small = [0u8; 8 + 32 + 4 + 2];
    let r = ControlResponseEncoder::wrap_and_apply_header(&mut small)
        .unwrap()
        .error_message("abc");
    assert!(matches!(
        r.err(),
        Some(CodecError::BufferTooShort {
            needed: 47,
            available: 46
        })
    ));
    // Unknown enum values are reported, not mapped.
    let mut cr = CONTROL_RESPONSE;
    cr[8 + 24] = 9;
    let d = ControlResponseDecoder::decode(&cr).unwrap();
    assert_eq!(
        d.code(),
        Err(CodecError::UnknownEnumValue {
            enum_name: "ControlResponseCode",
            value: 9
        })
    );
    assert_eq!(d.code_raw(), 9);
    assert_eq!(
        ControlResponseCode::try_from(i32::MIN),
        Ok(ControlResponseCode::NullValue)
    );
    // Wrong template / schema ids.
    assert!(matches!(
        ReplayRequestDecoder::decode(&CONTROL_RESPONSE),
        Err(CodecError::TemplateIdMismatch {
            expected: 6,
            actual: 1
        })
    ));
    let mut other_schema = CONTROL_RESPONSE;
    other_schema[4] = 1;
    assert!(matches!(
        decode_message(&other_schema),
        Err(CodecError::SchemaIdMismatch {
            expected: 101,
            actual: 1
        })
    ));
    let mut unknown = CONTROL_RESPONSE;
    unknown[2] = 2;
    assert_eq!(
        decode_message(&unknown).err(),
        Some(CodecError::UnknownTemplateId(2))
    );
    // Non-UTF-8 character data is an error for the &str getter, not for the bytes getter.
    let mut bad = CONTROL_RESPONSE;
    bad[46] = 0xff;
    let d = ControlResponseDecoder::decode(&bad).unwrap();
    assert_eq!(
        d.error_message().err(),
        Some(CodecError::InvalidString {
            field: "errorMessage"
        })
    );
    assert_eq!(d.error_message_bytes().unwrap(), b"ba\xff");
}
