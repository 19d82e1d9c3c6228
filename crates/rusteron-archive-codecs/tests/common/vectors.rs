//! Byte vectors computed by hand from the schema (offsets from the protocol table, little endian, 8-byte header
//! `blockLength, templateId, schemaId=101, version=14`, var data = `u32` length + bytes). Shared by the codec
//! tests (Rust encoders/decoders) and the conformance tests (C encoders in `csrc/vectors.c`).

/// Builds a vector while asserting every documented offset (relative to the start of the block).
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    pub fn header(block_length: u16, template_id: u16) -> Self {
        let mut v = Vec::new();
        v.extend_from_slice(&block_length.to_le_bytes());
        v.extend_from_slice(&template_id.to_le_bytes());
        v.extend_from_slice(&[0x65, 0x00, 0x0e, 0x00]);
        Bytes(v)
    }
    fn at(mut self, block_offset: usize, bytes: &[u8]) -> Self {
        assert_eq!(self.0.len(), 8 + block_offset, "vector offset");
        self.0.extend_from_slice(bytes);
        self
    }
    pub fn i64(self, off: usize, v: i64) -> Self {
        self.at(off, &v.to_le_bytes())
    }
    pub fn i32(self, off: usize, v: i32) -> Self {
        self.at(off, &v.to_le_bytes())
    }
    pub fn var(mut self, data: &[u8]) -> Self {
        self.0.extend_from_slice(&(data.len() as u32).to_le_bytes());
        self.0.extend_from_slice(data);
        self
    }
}

/// Header of a ControlResponse, spelled out.
pub const HEADER: [u8; 8] = [0x20, 0x00, 0x01, 0x00, 0x65, 0x00, 0x0e, 0x00];

/// ControlResponse { csid 1, corr 2, relevantId -1, code ERROR, version 5.2.0, errorMessage "bad" }.
pub const CONTROL_RESPONSE: [u8; 47] = [
    0x20, 0x00, 0x01, 0x00, 0x65, 0x00, 0x0e,
    0x00, // header: block 32, template 1, schema 101, version 14
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // @0 controlSessionId = 1
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // @8 correlationId = 2
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // @16 relevantId = -1
    0x01, 0x00, 0x00, 0x00, // @24 code = ERROR
    0x00, 0x02, 0x05, 0x00, // @28 version = 0x050200
    0x03, 0x00, 0x00, 0x00, b'b', b'a', b'd', // errorMessage
];

/// RecordingSignalEvent { csid 1, corr 2, recordingId 3, subscriptionId 4, position 5, signal STOP }.
pub const RECORDING_SIGNAL_EVENT: [u8; 52] = [
    0x2c, 0x00, 0x18, 0x00, 0x65, 0x00, 0x0e, 0x00, // header: block 44, template 24
    0x01, 0, 0, 0, 0, 0, 0, 0, // @0 controlSessionId
    0x02, 0, 0, 0, 0, 0, 0, 0, // @8 correlationId
    0x03, 0, 0, 0, 0, 0, 0, 0, // @16 recordingId
    0x04, 0, 0, 0, 0, 0, 0, 0, // @24 subscriptionId
    0x05, 0, 0, 0, 0, 0, 0, 0, // @32 position
    0x01, 0, 0, 0, // @40 signal = STOP
];

pub const SEMANTIC_VERSION_5_2_0: i32 = 0x05_02_00;

/// AuthConnectRequest (the v14 connect request; template 2 is commented out of the schema).
pub fn auth_connect_request() -> Vec<u8> {
    Bytes::header(16, 58)
        .i64(0, 0x1122_3344_5566_7788) // correlationId
        .i32(8, 20) // responseStreamId
        .i32(12, SEMANTIC_VERSION_5_2_0) // version
        .var(b"aeron:ipc") // responseChannel
        .var(&[0xde, 0xad]) // encodedCredentials
        .var(b"c") // clientInfo
        .0
}

pub fn start_recording_request2() -> Vec<u8> {
    Bytes::header(28, 63)
        .i64(0, 3)
        .i64(8, 4)
        .i32(16, 1001) // streamId
        .i32(20, 1) // sourceLocation = REMOTE
        .i32(24, 1) // autoStop = TRUE
        .var(b"aeron:ipc")
        .0
}

pub fn replay_request() -> Vec<u8> {
    Bytes::header(56, 6)
        .i64(0, 5)
        .i64(8, 6)
        .i64(16, 7) // recordingId
        .i64(24, 0) // position
        .i64(32, -1) // length = NULL_LENGTH
        .i32(40, 1002) // replayStreamId
        .i32(44, 4096) // fileIoMaxLength
        .i64(48, -1) // replayToken
        .var(b"aeron:ipc")
        .0
}

pub fn list_recordings_for_uri_request() -> Vec<u8> {
    Bytes::header(32, 9)
        .i64(0, 8)
        .i64(8, 9)
        .i64(16, 10) // fromRecordingId
        .i32(24, 100) // recordCount
        .i32(28, 1001) // streamId
        .var(b"ipc")
        .0
}

pub fn recording_descriptor() -> Vec<u8> {
    Bytes::header(80, 22)
        .i64(0, 1)
        .i64(8, 2)
        .i64(16, 3) // recordingId
        .i64(24, 1_700_000_000_000) // startTimestamp
        .i64(32, 1_700_000_001_000) // stopTimestamp
        .i64(40, 0) // startPosition
        .i64(48, 4096) // stopPosition
        .i32(56, -5) // initialTermId
        .i32(60, 128 * 1024 * 1024) // segmentFileLength
        .i32(64, 65536) // termBufferLength
        .i32(68, 1408) // mtuLength
        .i32(72, -123) // sessionId
        .i32(76, 1001) // streamId
        .var(b"aeron:ipc") // strippedChannel
        .var(b"aeron:ipc?term-length=64k") // originalChannel
        .var(b"aeron:ipc") // sourceIdentity
        .0
}
