//! Record and replay checksums (`aeron.archive.record.checksum`, `aeron.archive.replay.checksum`), as Java's
//! `io.aeron.archive.checksum.Checksums`: the Java names `Checksums.newInstance` accepts, mapped to CRC-32
//! (`crc32fast`, the value of `java.util.zip.CRC32`) and CRC-32C (`crc32c`, the value of
//! `java.util.zip.CRC32C`), both as Java's `int` (the CRC's bits as `i32`).
//!
//! Where they are used, as in Java:
//! * recording (`RecordingWriter`): every data frame written to a segment file carries, in its header's
//!   session id field, the checksum of the bytes after its header up to its aligned length;
//! * replay (`ReplaySession`): every data frame is checked against that field before it is sent;
//! * catalog (`Catalog`, with the record checksum): each descriptor header's `checksum` field holds the
//!   checksum of the descriptor body.

use super::frame;
use crate::config::ConfigError;

/// Property naming the checksum recordings are written with.
pub const RECORD_CHECKSUM_PROP: &str = "aeron.archive.record.checksum";
/// Property naming the checksum replays verify.
pub const REPLAY_CHECKSUM_PROP: &str = "aeron.archive.replay.checksum";

/// The names Java's `Checksums.newInstance` maps to CRC-32.
pub const CRC32_NAMES: [&str; 3] = [
    "CRC-32",
    "io.aeron.archive.checksum.Crc32",
    "org.agrona.checksum.Crc32",
];
/// The names Java's `Checksums.newInstance` maps to CRC-32C.
pub const CRC32C_NAMES: [&str; 3] = [
    "CRC-32C",
    "io.aeron.archive.checksum.Crc32c",
    "org.agrona.checksum.Crc32c",
];

/// A checksum algorithm of the Java archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// CRC-32 (IEEE 802.3, reflected, initial value and final xor `0xFFFFFFFF`): Agrona's `Crc32`.
    Crc32,
    /// CRC-32C (Castagnoli, reflected, initial value and final xor `0xFFFFFFFF`): Agrona's `Crc32c`.
    Crc32c,
}

impl Checksum {
    /// The checksum of `bytes` as Java's `Checksum.compute` returns it.
    pub fn compute(self, bytes: &[u8]) -> i32 {
        let crc = match self {
            Checksum::Crc32 => crc32fast::hash(bytes),
            Checksum::Crc32c => crc32c::crc32c(bytes),
        };
        crc as i32
    }

    /// The checksum a property value names: `Ok(None)` for an empty value (Java: no checksum), an error
    /// for a name this archive cannot map (Java would try to load it as a class).
    pub fn from_property(property: &str, value: &str) -> Result<Option<Checksum>, ConfigError> {
        let name = value.trim();
        if name.is_empty() {
            Ok(None)
        } else if CRC32_NAMES.contains(&name) {
            Ok(Some(Checksum::Crc32))
        } else if CRC32C_NAMES.contains(&name) {
            Ok(Some(Checksum::Crc32c))
        } else {
            Err(ConfigError::Invalid(format!(
                "{property}={name}: failed to create Checksum instance for class: {name} (a Java class this archive \
                 cannot load); supported values: {}, {}",
                CRC32_NAMES.join(", "),
                CRC32C_NAMES.join(", ")
            )))
        }
    }
}

/// A recorded frame whose checksum does not match (Java's `ReplaySession.verifyChecksum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch {
    /// The value in the frame's session id field.
    pub recorded: i32,
    /// The checksum of the frame's bytes after its header.
    pub computed: i32,
}

impl Checksum {
    /// The checksum of the frame starting `frame`, over the bytes after its header up to `aligned_length`
    /// (clamped to `frame`), as Java computes it for a frame.
    pub fn of_frame(self, frame: &[u8], aligned_length: usize) -> i32 {
        let end = aligned_length.min(frame.len());
        self.compute(frame.get(frame::HEADER_LENGTH..end).unwrap_or(&[]))
    }

    /// Java's `RecordingWriter.computeChecksum`: writes into the session id field of every frame of
    /// `block` (a block polled from an image, not starting with a padding frame) that frame's checksum.
    pub fn stamp_block(self, block: &mut [u8]) {
        let mut offset = 0usize;
        while offset + frame::HEADER_LENGTH <= block.len() {
            let length = frame::frame_length(&block[offset..]).unwrap_or(0);
            if length <= 0 {
                break;
            }
            let aligned = frame::align(i64::from(length)) as usize;
            let value = self.of_frame(&block[offset..], aligned);
            frame::set_session_id(&mut block[offset..], value);
            offset += aligned;
        }
    }

    /// Java's `ReplaySession.verifyChecksum`: compares the frame's session id field with its checksum.
    pub fn verify_frame(self, frame: &[u8], aligned_length: usize) -> Result<(), Mismatch> {
        let computed = self.of_frame(frame, aligned_length);
        let recorded = frame::session_id(frame).unwrap_or(0);
        if recorded == computed {
            Ok(())
        } else {
            Err(Mismatch { recorded, computed })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_check_values() {
        // The catalogue check values of "123456789": CRC-32 0xCBF43926, CRC-32C 0xE3069283.
        assert_eq!(
            Checksum::Crc32.compute(b"123456789"),
            0xCBF4_3926_u32 as i32
        );
        assert_eq!(
            Checksum::Crc32c.compute(b"123456789"),
            0xE306_9283_u32 as i32
        );
        assert_eq!(
            Checksum::Crc32c.compute(&[0u8; 32]),
            0x8A91_36AA_u32 as i32,
            "RFC 3720 B.4: 32 zero bytes"
        );
        assert_eq!(Checksum::Crc32.compute(b""), 0);
    }

    #[test]
    fn java_names_map_and_others_are_refused() {
        for name in CRC32_NAMES {
            assert_eq!(
                Checksum::from_property(RECORD_CHECKSUM_PROP, name).unwrap(),
                Some(Checksum::Crc32)
            );
        }
        for name in CRC32C_NAMES {
            assert_eq!(
                Checksum::from_property(REPLAY_CHECKSUM_PROP, name).unwrap(),
                Some(Checksum::Crc32c)
            );
        }
        assert_eq!(
            Checksum::from_property(RECORD_CHECKSUM_PROP, "").unwrap(),
            None
        );
        let e = Checksum::from_property(RECORD_CHECKSUM_PROP, "com.acme.Adler32")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("aeron.archive.record.checksum=com.acme.Adler32"),
            "{e}"
        );
        assert!(
            e.contains("failed to create Checksum instance for class: com.acme.Adler32"),
            "{e}"
        );
        assert!(
            Checksum::from_property(RECORD_CHECKSUM_PROP, "crc-32c").is_err(),
            "names are case sensitive"
        );
    }

    fn data_frame(payload: &[u8], session_id: i32) -> Vec<u8> {
        let length = frame::HEADER_LENGTH + payload.len();
        let mut f = vec![0u8; frame::align(length as i64) as usize];
        f[0..4].copy_from_slice(&(length as i32).to_le_bytes());
        f[6..8].copy_from_slice(&frame::TYPE_DATA.to_le_bytes());
        f[12..16].copy_from_slice(&session_id.to_le_bytes());
        f[32..32 + payload.len()].copy_from_slice(payload);
        f
    }

    #[test]
    fn each_frame_gets_the_checksum_of_its_aligned_payload_in_its_session_id() {
        let mut block = [data_frame(b"123456789", 77), data_frame(&[0u8; 32], 77)].concat();
        Checksum::Crc32c.stamp_block(&mut block);
        // Frame 1: 9 payload bytes and 23 zero bytes of alignment; frame 2: 32 zero bytes.
        let mut aligned = b"123456789".to_vec();
        aligned.resize(32, 0);
        assert_eq!(
            frame::session_id(&block).unwrap(),
            crc32c::crc32c(&aligned) as i32
        );
        assert_eq!(
            frame::session_id(&block[64..]).unwrap(),
            0x8A91_36AA_u32 as i32
        );
        assert_eq!(Checksum::Crc32c.verify_frame(&block, 64), Ok(()));
        block[40] ^= 1;
        let e = Checksum::Crc32c.verify_frame(&block, 64).unwrap_err();
        assert_eq!(e.recorded, crc32c::crc32c(&aligned) as i32);
        assert_ne!(e.recorded, e.computed);
        assert_eq!(Checksum::Crc32c.verify_frame(&block[64..], 64), Ok(()));
    }
}
