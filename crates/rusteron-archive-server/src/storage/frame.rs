//! The Aeron data frame header, as stored in segment files (little endian, 32 bytes).

/// Length of a data frame header.
pub const HEADER_LENGTH: usize = 32;
/// Frames are aligned to this many bytes in a term.
pub const FRAME_ALIGNMENT: i64 = 32;
/// Frame type of a padding frame.
pub const TYPE_PAD: u16 = 0x00;
/// Frame type of a data frame.
pub const TYPE_DATA: u16 = 0x01;

/// Offsets of the header fields.
pub mod offset {
    /// `frame_length: i32`.
    pub const FRAME_LENGTH: usize = 0;
    /// `version: u8`.
    pub const VERSION: usize = 4;
    /// `flags: u8`.
    pub const FLAGS: usize = 5;
    /// `type: u16`.
    pub const TYPE: usize = 6;
    /// `term_offset: i32`.
    pub const TERM_OFFSET: usize = 8;
    /// `session_id: i32`.
    pub const SESSION_ID: usize = 12;
    /// `stream_id: i32`.
    pub const STREAM_ID: usize = 16;
    /// `term_id: i32`.
    pub const TERM_ID: usize = 20;
    /// `reserved_value: i64`.
    pub const RESERVED_VALUE: usize = 24;
}

/// Rounds `value` up to the frame alignment.
pub fn align(value: i64) -> i64 {
    (value + FRAME_ALIGNMENT - 1) & !(FRAME_ALIGNMENT - 1)
}

fn i32_at(buf: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

/// `frame_length` of the header at the start of `buf` (None if `buf` is shorter than 4 bytes).
pub fn frame_length(buf: &[u8]) -> Option<i32> {
    i32_at(buf, offset::FRAME_LENGTH)
}

/// Frame type of the header at the start of `buf`.
pub fn frame_type(buf: &[u8]) -> Option<u16> {
    Some(u16::from_le_bytes(
        buf.get(offset::TYPE..offset::TYPE + 2)?.try_into().ok()?,
    ))
}

/// `term_offset` of the header at the start of `buf`.
pub fn term_offset(buf: &[u8]) -> Option<i32> {
    i32_at(buf, offset::TERM_OFFSET)
}

/// `term_id` of the header at the start of `buf`.
pub fn term_id(buf: &[u8]) -> Option<i32> {
    i32_at(buf, offset::TERM_ID)
}

/// `stream_id` of the header at the start of `buf`.
pub fn stream_id(buf: &[u8]) -> Option<i32> {
    i32_at(buf, offset::STREAM_ID)
}

/// `session_id` of the header at the start of `buf`.
pub fn session_id(buf: &[u8]) -> Option<i32> {
    i32_at(buf, offset::SESSION_ID)
}

/// Overwrites the session id of the header at the start of `buf` (where a record checksum is stored).
pub fn set_session_id(buf: &mut [u8], session_id: i32) {
    buf[offset::SESSION_ID..offset::SESSION_ID + 4].copy_from_slice(&session_id.to_le_bytes());
}

/// Overwrites the session and stream ids of the header at the start of `buf` (used by replay).
pub fn set_session_and_stream(buf: &mut [u8], session_id: i32, stream_id: i32) {
    buf[offset::SESSION_ID..offset::SESSION_ID + 4].copy_from_slice(&session_id.to_le_bytes());
    buf[offset::STREAM_ID..offset::STREAM_ID + 4].copy_from_slice(&stream_id.to_le_bytes());
}
