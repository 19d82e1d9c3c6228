//! Decoders reject truncated, oversized and corrupt input with errors and never panic.

mod common;

use common::protocol_table::TABLE;
use common::vectors;
use proptest::prelude::*;
use rusteron_archive_codecs::*;

/// Decodes `buf` every way a server might and touches every getter (through `Debug`).
fn exercise(buf: &[u8]) {
    if let Ok(msg) = decode_message(buf) {
        let _ = format!("{msg:?}");
        let _ = msg.encoded_length();
    }
    if buf.len() >= 8 {
        let (block, version) = (
            u16::from_le_bytes([buf[0], buf[1]]),
            u16::from_le_bytes([buf[6], buf[7]]),
        );
        // Every decoder with the raw header values, whatever the template id says.
        for &(template_id, ..) in TABLE {
            let mut b = buf.to_vec();
            b[2..4].copy_from_slice(&template_id.to_le_bytes());
            b[4..6].copy_from_slice(&101u16.to_le_bytes());
            if let Ok(msg) = decode_message(&b) {
                let _ = format!("{msg:?}");
                let _ = msg.encoded_length();
            }
        }
        let _ = ControlResponseDecoder::wrap(&buf[8..], block, version).map(|d| format!("{d:?}"));
        let _ =
            RecordingDescriptorDecoder::wrap(&buf[8..], block, version).map(|d| format!("{d:?}"));
    }
}

fn valid_messages() -> Vec<Vec<u8>> {
    vec![
        vectors::CONTROL_RESPONSE.to_vec(),
        vectors::RECORDING_SIGNAL_EVENT.to_vec(),
        vectors::auth_connect_request(),
        vectors::start_recording_request2(),
        vectors::replay_request(),
        vectors::list_recordings_for_uri_request(),
        vectors::recording_descriptor(),
    ]
}

#[test]
fn every_truncation_of_a_valid_message_is_an_error() {
    for msg in valid_messages() {
        let full = decode_message(&msg).unwrap();
        assert_eq!(full.encoded_length().unwrap(), msg.len());
        for len in 0..msg.len() {
            let r = decode_message(&msg[..len]).and_then(|m| m.encoded_length());
            assert!(
                r.is_err(),
                "truncated to {len} of {} decoded: {r:?}",
                msg.len()
            );
        }
    }
}

#[test]
fn oversized_var_data_lengths_are_errors() {
    for msg in valid_messages() {
        let block = usize::from(u16::from_le_bytes([msg[0], msg[1]]));
        if msg.len() < 8 + block + 4 {
            continue;
        }
        for len in [
            u32::MAX,
            0x8000_0000,
            msg.len() as u32,
            (msg.len() - 8 - block - 4 + 1) as u32,
        ] {
            let mut bad = msg.clone();
            bad[8 + block..8 + block + 4].copy_from_slice(&len.to_le_bytes());
            let m = decode_message(&bad).unwrap();
            assert!(
                matches!(m.encoded_length(), Err(CodecError::BufferTooShort { .. })),
                "length {len}"
            );
            let _ = format!("{m:?}");
        }
    }
}

#[test]
fn a_block_length_beyond_the_buffer_is_an_error() {
    let mut msg = vectors::CONTROL_RESPONSE.to_vec();
    msg[0..2].copy_from_slice(&u16::MAX.to_le_bytes());
    assert!(matches!(
        decode_message(&msg),
        Err(CodecError::BufferTooShort { needed: 65535, .. })
    ));
    // A short block (older sender) is fine: fields beyond it read as null.
    msg[0..2].copy_from_slice(&8u16.to_le_bytes());
    let d = ControlResponseDecoder::decode(&msg).unwrap();
    assert_eq!((d.control_session_id(), d.correlation_id()), (1, i64::MIN));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(buf in proptest::collection::vec(any::<u8>(), 0..256)) {
        exercise(&buf);
    }

    #[test]
    fn mutated_valid_messages_never_panic(
        which in 0usize..7,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
        extra in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let mut msg = valid_messages().swap_remove(which);
        for (pos, byte) in edits {
            let i = pos % msg.len();
            msg[i] = byte;
        }
        let cut = cut % (msg.len() + 1);
        msg.truncate(cut);
        msg.extend_from_slice(&extra);
        exercise(&msg);
    }

    #[test]
    fn encoders_never_panic_on_small_buffers(size in 0usize..160, text in "[ -~]{0,80}") {
        let mut buf = vec![0u8; size];
        let r = RecordingDescriptorEncoder::wrap_and_apply_header(&mut buf)
            .and_then(|e| e.stripped_channel(&text))
            .and_then(|e| e.original_channel(&text))
            .and_then(|e| e.finish());
        if let Ok(len) = r {
            prop_assert_eq!(len, 8 + 80 + 8 + 2 * text.len() + 4);
            let d = RecordingDescriptorDecoder::decode(&buf[..len]).unwrap();
            prop_assert_eq!(d.original_channel().unwrap(), text.as_str());
        } else {
            prop_assert!(size < 8 + 80 + 12 + 2 * text.len());
        }
    }
}
