//! Frames in a log buffer: the bounds of the slices handed to fragment and block handlers, and the
//! validation of a block given to [`offer_block`](crate::AeronExclusivePublication::offer_block).
//!
//! A log buffer is shared memory: its frame headers are written by publishers (possibly other processes)
//! and by the driver. C's term reader trusts a frame's `frame_length`; a bogus one (a malformed block, a
//! corrupted recording replayed through `offer_block`, ...) would make the length passed to a handler
//! exceed the term, or wrap below zero. The trampolines never build a slice from such a length: they bound
//! it by the term length first (docs/safety.md).

use aeron_sys::aeron_header_t;

/// Length of a data frame header (`AERON_DATA_HEADER_LENGTH`).
pub(crate) const HEADER_LENGTH: usize = 32;
/// Frame alignment in a term (`AERON_LOGBUFFER_FRAME_ALIGNMENT`).
pub(crate) const FRAME_ALIGNMENT: usize = 32;
/// Largest term length Aeron allows (1 GiB).
pub(crate) const MAX_TERM_LENGTH: usize = 1 << 30;
/// `AERON_HDR_TYPE_PAD`.
pub(crate) const HDR_TYPE_PAD: u16 = 0;
/// Offset of the `type` field in a frame header.
pub(crate) const FRAME_TYPE_OFFSET: usize = 6;
/// `AERON_HDR_TYPE_DATA`.
const HDR_TYPE_DATA: u16 = 1;

/// The layout of Aeron 1.54's `aeron_header_t` (`aeron_image.h`; opaque in `aeronc.h`). Checked against
/// the C accessors by a unit test below.
#[repr(C)]
struct HeaderLayout {
    frame: *const u8,
    initial_term_id: i32,
    position_bits_to_shift: usize,
    fragmented_frame_length: i32,
    context: *mut std::ffi::c_void,
}

/// The payload of a fragment as a slice, bounded by its term: `&[]` if `len` (C's `frame_length - 32`)
/// does not fit between the frame's term offset and the end of its term.
///
/// A message reassembled by a C fragment assembler lives in the assembler's own buffer, not in the term;
/// C marks its header with a `fragmented_frame_length` (otherwise `AERON_NULL_VALUE`) and bounds the
/// length by that buffer, so it is passed through.
///
/// # Safety
/// `header` must be the live `aeron_header_t` C passed with `p` and `len` to a fragment handler.
#[inline(always)]
pub unsafe fn fragment_bytes<'a>(
    p: *const u8,
    len: usize,
    header: *mut aeron_header_t,
) -> &'a [u8] {
    // SAFETY: the caller passes C's header for this fragment; its layout is HeaderLayout (tested below),
    // and `frame` points at the 32-byte frame header in the term.
    let (term_offset, bits) = unsafe {
        let h = &*(header as *const HeaderLayout);
        (
            std::ptr::read_unaligned(h.frame.add(8) as *const u32) as usize,
            h.position_bits_to_shift,
        )
    };
    if fits_in_term(term_offset, len, bits) {
        // SAFETY: C passes a non-null pointer to the payload of the frame at `term_offset` in a mapped term
        // of `1 << bits` bytes, and `term_offset + 32 + len` does not pass the term's end (or, for a message
        // reassembled by a C assembler, a pointer into its buffer of at least `len` bytes).
        return unsafe { std::slice::from_raw_parts(p, len) };
    }
    // Not in the term: a message reassembled by a C fragment assembler lives in the assembler's own buffer
    // (C marks its header with a `fragmented_frame_length`, otherwise `AERON_NULL_VALUE`) and C bounds the
    // length by that buffer, so it is passed through; anything else gets an empty slice. Inline, with no
    // call: a handler that does not read the slice then pays nothing at all for the bound.
    // SAFETY: as above, the caller's header.
    let reassembled = unsafe { (*(header as *const HeaderLayout)).fragmented_frame_length };
    if reassembled != -1 && len <= MAX_TERM_LENGTH {
        // SAFETY: C passes its reassembly buffer holding `len` bytes.
        unsafe { std::slice::from_raw_parts(p, len) }
    } else {
        out_of_term()
    }
}

/// `term_offset + HEADER_LENGTH + len <= 1 << bits`, without overflow, in five instructions after the
/// loads (add, add, or, bit scan, compare-and-branch with `bits` straight from memory), against nine for the
/// plain `len <= (term_length - 32).saturating_sub(term_offset)`.
///
/// `x = (term_offset + 31 + len) | len` (wrapping add) has its highest set bit below `bits` exactly when
/// the frame fits: if `len >= 1 << bits`, `| len` keeps a bit at or above `bits`; otherwise `len < 2^63`
/// and `term_offset < 2^32`, so the sum does not wrap and `x < 1 << bits` is the bound itself. That needs
/// `bits <= 63`: `bits` is C's `position_bits_to_shift`, the trailing zeros of the `int32_t` term length of
/// the log it mapped (`aeron_image.c`), so at most 32 (16..=30 for a valid term).
#[inline(always)]
fn fits_in_term(term_offset: usize, len: usize, bits: usize) -> bool {
    let x = term_offset
        .wrapping_add(HEADER_LENGTH - 1)
        .wrapping_add(len)
        | len;
    // SAFETY: x >= 31: without wrapping the sum is at least 31; with wrapping, len > 2^64 - 2^32 - 31
    // (term_offset < 2^32), so x >= len > 0. Knowing x != 0 lets `ilog2` be a single bit scan.
    unsafe { std::hint::assert_unchecked(x != 0) };
    (x.ilog2() as usize) < bits
}

/// A block of frames for a block handler: C's block, capped at the largest term length (a length that C
/// computed as a negative `int32_t` would otherwise become a huge `usize`).
///
/// # Safety
/// `p` and `len` must be what C passed to a block handler.
#[inline(always)]
pub(crate) unsafe fn block_bytes<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if len <= MAX_TERM_LENGTH {
        // SAFETY: C passes `term_buffer + offset` (a pointer into a mapped term, never null) and a block of
        // `len` bytes that its scan found there.
        unsafe { std::slice::from_raw_parts(p, len) }
    } else {
        out_of_term()
    }
}

/// The slice for an out-of-term length: empty. Deliberately free of side effects (no logging), so that
/// the bound check costs nothing in handlers that do not read the fragment (docs/benchmarks.md).
#[inline(always)]
fn out_of_term() -> &'static [u8] {
    &[]
}

/// Why a block was refused by [`AeronExclusivePublication::validate_block`](crate::AeronExclusivePublication::validate_block) (and so by `offer_block`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlockError {
    /// Shorter than one frame header, or not a multiple of the frame alignment.
    #[error("block length {0} is not a positive multiple of {FRAME_ALIGNMENT} bytes of at least one header")]
    Length(usize),
    /// A frame's `frame_length` is below the header length or runs past the block.
    #[error("frame at block offset {offset}: frame_length {frame_length} is not within the block")]
    FrameLength {
        /// Offset of the frame in the block.
        offset: usize,
        /// Its frame_length field.
        frame_length: i32,
    },
    /// A frame is neither a data nor a padding frame.
    #[error("frame at block offset {offset}: type {frame_type} is neither data nor padding")]
    Type {
        /// Offset of the frame in the block.
        offset: usize,
        /// Its type field.
        frame_type: u16,
    },
    /// A frame's term offset, session, stream or term id differs from what its place in the block implies.
    #[error("frame at block offset {offset}: {field} is {found}, expected {expected}")]
    Field {
        /// Offset of the frame in the block.
        offset: usize,
        /// The field.
        field: &'static str,
        /// Its value.
        found: i32,
        /// What the first frame and the block layout imply.
        expected: i32,
    },
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Checks that `block` is a sequence of whole, aligned data/padding frames of one stream: length a positive
/// multiple of 32, every `frame_length` at least a header and inside the block (the last frame ends
/// exactly at its end), and every frame's term offset, session id, stream id and term id consistent with
/// the first frame. C then checks the first frame against the publication (term offset, ids, type) and the
/// block length against the room left in the term, so an accepted block lies inside the term and every
/// frame of it is readable by subscribers.
pub(crate) fn validate_block(block: &[u8]) -> Result<(), BlockError> {
    let len = block.len();
    if len < HEADER_LENGTH || len % FRAME_ALIGNMENT != 0 || len > MAX_TERM_LENGTH {
        return Err(BlockError::Length(len));
    }
    let first_term_offset = i32_at(block, 8);
    let session_id = i32_at(block, 12);
    let stream_id = i32_at(block, 16);
    let term_id = i32_at(block, 20);
    let mut offset = 0usize;
    while offset < len {
        let frame_length = i32_at(block, offset);
        let aligned = (frame_length.max(0) as usize).div_ceil(FRAME_ALIGNMENT) * FRAME_ALIGNMENT;
        if (frame_length as i64) < HEADER_LENGTH as i64 || aligned > len - offset {
            return Err(BlockError::FrameLength {
                offset,
                frame_length,
            });
        }
        let frame_type = u16::from_le_bytes([block[offset + 6], block[offset + 7]]);
        if frame_type != HDR_TYPE_DATA && frame_type != HDR_TYPE_PAD {
            return Err(BlockError::Type { offset, frame_type });
        }
        let expected_offset = first_term_offset.wrapping_add(offset as i32);
        for (field, at, expected) in [
            ("term_offset", 8, expected_offset),
            ("session_id", 12, session_id),
            ("stream_id", 16, stream_id),
            ("term_id", 20, term_id),
        ] {
            let found = i32_at(block, offset + at);
            if found != expected {
                return Err(BlockError::Field {
                    offset,
                    field,
                    found,
                    expected,
                });
            }
        }
        offset += aligned;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(len: i32, term_offset: i32) -> Vec<u8> {
        let mut b = vec![0u8; (len as usize).div_ceil(32) * 32];
        b[0..4].copy_from_slice(&len.to_le_bytes());
        b[6] = 1;
        b[8..12].copy_from_slice(&term_offset.to_le_bytes());
        b[12..16].copy_from_slice(&7i32.to_le_bytes());
        b[16..20].copy_from_slice(&9i32.to_le_bytes());
        b[20..24].copy_from_slice(&3i32.to_le_bytes());
        b
    }

    #[test]
    fn blocks() {
        assert!(validate_block(&[]).is_err());
        assert!(validate_block(&[0; 24]).is_err());
        assert!(validate_block(&frame(40, 64)).is_ok());
        let mut two = frame(40, 64);
        two.extend(frame(33, 128));
        assert!(validate_block(&two).is_ok());
        let mut bad = frame(40, 64);
        bad.extend(frame(33, 100));
        assert!(matches!(
            validate_block(&bad),
            Err(BlockError::Field {
                field: "term_offset",
                ..
            })
        ));
        for l in [0i32, 1, 31, 1 << 30, -5, 65] {
            let mut f = frame(40, 0);
            f[0..4].copy_from_slice(&l.to_le_bytes());
            assert!(validate_block(&f).is_err(), "{l}");
        }
        let mut t = frame(40, 0);
        t[6] = 5;
        assert!(matches!(validate_block(&t), Err(BlockError::Type { .. })));
    }

    #[test]
    fn header_layout_matches_the_c_accessors() {
        let mut frame = frame(40, 96);
        let mut h = HeaderLayout {
            frame: frame.as_mut_ptr(),
            initial_term_id: 11,
            position_bits_to_shift: 16,
            fragmented_frame_length: -1,
            context: std::ptr::null_mut(),
        };
        let raw = &mut h as *mut HeaderLayout as *mut aeron_header_t;
        // SAFETY: `raw` points at a header of the layout C uses, with a valid frame.
        unsafe {
            assert_eq!(aeron_sys::aeron_header_position_bits_to_shift(raw), 16);
            let mut v = std::mem::zeroed::<aeron_sys::aeron_header_values_t>();
            assert_eq!(aeron_sys::aeron_header_values(raw, &mut v), 0);
            let (initial_term_id, bits, term_offset) = (
                v.initial_term_id,
                v.position_bits_to_shift,
                v.frame.term_offset,
            );
            assert_eq!(initial_term_id, 11);
            assert_eq!(bits, 16);
            assert_eq!(term_offset, 96);
            // In bounds: offset 96 + 32 + 8 in a 64 KiB term; out of bounds: a length past the term end.
            assert_eq!(fragment_bytes(frame.as_ptr().add(32), 8, raw).len(), 8);
            assert!(fragment_bytes(frame.as_ptr().add(32), 65536 - 96 - 31, raw).is_empty());
            assert!(fragment_bytes(frame.as_ptr().add(32), usize::MAX - 7, raw).is_empty());
        }
    }

    /// The bit-scan bound equals the plain one (`term_offset + 32 + len <= 1 << bits`, computed
    /// without overflow) on the edges: empty payloads, the last byte of the term, one past it, lengths
    /// that wrap (C's `frame_length - 32` of a short frame), the largest offsets and term lengths.
    #[test]
    fn fits_in_term_is_the_term_bound() {
        let reference = |off: usize, len: usize, bits: usize| {
            let term = 1u128 << bits;
            off as u128 + HEADER_LENGTH as u128 + len as u128 <= term
        };
        let lens = [
            0,
            1,
            7,
            31,
            32,
            33,
            1 << 16,
            (1 << 30) - 32,
            1 << 30,
            1 << 31,
            usize::MAX / 2,
            usize::MAX - 32,
            usize::MAX - 31,
            usize::MAX - 1,
            usize::MAX,
        ];
        for bits in [1usize, 5, 16, 17, 30, 31, 62, 63] {
            let term = 1usize << bits;
            let offs = [
                0,
                32,
                64,
                term.saturating_sub(64),
                term.saturating_sub(33),
                term.saturating_sub(32),
                term.saturating_sub(31),
                term,
                u32::MAX as usize - 31,
                u32::MAX as usize,
            ];
            for &off in &offs {
                let off = off.min(u32::MAX as usize);
                for &len in &lens {
                    let edge = [
                        len,
                        term.wrapping_sub(off).wrapping_sub(32),
                        term.wrapping_sub(off).wrapping_sub(31),
                    ];
                    for len in edge {
                        assert_eq!(
                            fits_in_term(off, len, bits),
                            reference(off, len, bits),
                            "{off} {len} {bits}"
                        );
                    }
                }
            }
        }
    }
}
