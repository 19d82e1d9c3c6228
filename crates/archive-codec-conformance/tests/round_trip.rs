//! Cross-language round trips for every message: C encode -> Rust decode, Rust encode -> C decode, and
//! byte-identical encodings from both.

use archive_codec_conformance::{c_mix, mix, CASES};
use rusteron_archive_codecs::MESSAGES;

const SEEDS: &[u64] = &[
    0,
    1,
    2,
    3,
    42,
    0xdead_beef,
    u64::MAX,
    0x8000_0000_0000_0000,
    1234567890123,
];

#[test]
fn every_message_has_a_case() {
    assert_eq!(CASES.len(), MESSAGES.len());
    for (case, meta) in CASES.iter().zip(MESSAGES) {
        assert_eq!((case.name, case.template_id), (meta.name, meta.template_id));
    }
}

#[test]
fn value_function_is_the_same_in_c_and_rust() {
    for &seed in SEEDS {
        for salt in [0, 1, 7, 1000, 4096 * 1000 + 5] {
            assert_eq!(mix(seed, salt), c_mix(seed, salt));
        }
    }
}

#[test]
fn c_encode_rust_decode() {
    for case in CASES {
        for &seed in SEEDS {
            let mut buf = vec![0u8; 1024];
            let len = (case.c_encode)(&mut buf, seed);
            assert!(len > 0, "{}: C encode failed", case.name);
            (case.rust_check)(&buf[..len], seed)
                .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", case.name));
            // The C decoder agrees with itself too.
            assert_eq!(
                (case.c_check)(&buf[..len], seed),
                0,
                "{} seed {seed}: C check",
                case.name
            );
        }
    }
}

#[test]
fn rust_encode_c_decode() {
    for case in CASES {
        for &seed in SEEDS {
            let mut buf = vec![0u8; 1024];
            let len = (case.rust_encode)(&mut buf, seed).unwrap();
            assert_eq!(
                (case.c_check)(&buf[..len], seed),
                0,
                "{} seed {seed}: C check of the Rust encoding",
                case.name
            );
            (case.rust_check)(&buf[..len], seed)
                .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", case.name));
        }
    }
}

#[test]
fn both_encoders_produce_identical_bytes() {
    for case in CASES {
        for &seed in SEEDS {
            let (mut c, mut r) = (vec![0u8; 1024], vec![0u8; 1024]);
            let c_len = (case.c_encode)(&mut c, seed);
            let r_len = (case.rust_encode)(&mut r, seed).unwrap();
            assert_eq!(&c[..c_len], &r[..r_len], "{} seed {seed}", case.name);
        }
    }
}

#[test]
fn checks_detect_a_wrong_value() {
    // The checks are real: a message built for another seed, or with one byte flipped, is rejected.
    for case in CASES {
        let mut buf = vec![0u8; 1024];
        let len = (case.rust_encode)(&mut buf, 7).unwrap();
        assert_ne!((case.c_check)(&buf[..len], 8), 0, "{}", case.name);
        assert!((case.rust_check)(&buf[..len], 8).is_err(), "{}", case.name);
        let meta = MESSAGES.iter().find(|m| m.name == case.name).unwrap();
        let block = 8 + usize::from(meta.block_length);
        // Every byte that carries a value: header, fields, var data (not the padding between fields, and not the
        // header version: a newer version with the same block decodes the same).
        let carried = |i: usize| {
            i < 6
                || i >= block
                || meta
                    .fields
                    .iter()
                    .any(|f| (8 + f.offset..8 + f.offset + f.size).contains(&i))
        };
        for i in (0..len).filter(|&i| carried(i)) {
            let mut bad = buf[..len].to_vec();
            bad[i] ^= 0x01;
            assert_ne!((case.c_check)(&bad, 7), 0, "{} byte {i}", case.name);
            assert!(
                (case.rust_check)(&bad, 7).is_err(),
                "{} byte {i}",
                case.name
            );
        }
    }
}

#[test]
fn c_encoder_fails_cleanly_on_short_buffers() {
    for case in CASES {
        let mut full = vec![0u8; 1024];
        let len = (case.c_encode)(&mut full, 3);
        for cap in 0..len {
            let mut buf = vec![0u8; cap];
            assert_eq!((case.c_encode)(&mut buf, 3), 0, "{} cap {cap}", case.name);
            assert!(
                (case.rust_encode)(&mut buf, 3).is_err(),
                "{} cap {cap}",
                case.name
            );
        }
    }
}

#[test]
fn c_decoder_rejects_truncated_input() {
    for case in CASES {
        let mut buf = vec![0u8; 1024];
        let len = (case.c_encode)(&mut buf, 5);
        for cut in 0..len {
            assert_ne!((case.c_check)(&buf[..cut], 5), 0, "{} cut {cut}", case.name);
        }
    }
}
