//! Both generated codecs against the whole block-layout table of the protocol document: the C codec's
//! `sbe_block_length`, `sbe_template_id` and `<field>_encoding_offset`, and the bytes that both the C and the
//! Rust encoders put at each documented offset.

#[path = "../../rusteron-archive-codecs/tests/common/protocol_table.rs"]
mod protocol_table;

use archive_codec_conformance::{c_header, CASES};
use protocol_table::TABLE;

fn case(name: &str) -> &'static archive_codec_conformance::Case {
    CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case for {name}"))
}

#[test]
fn c_header_constants() {
    assert_eq!(c_header(), (8, 101, 14));
}

#[test]
fn c_codec_matches_the_table() {
    assert_eq!(TABLE.len(), CASES.len());
    for (template_id, name, block, fields, _) in TABLE {
        let c = case(name);
        assert_eq!((c.c_template_id)(), *template_id, "{name}");
        assert_eq!((c.c_block_length)(), *block, "{name}");
        for (field, offset) in *fields {
            assert_eq!((c.c_offset)(field), *offset as i64, "{name}.{field}");
        }
        assert_eq!((c.c_offset)("noSuchField"), -1);
    }
}

#[test]
fn encoded_bytes_sit_at_the_documented_offsets() {
    for seed in [11u64, 12, 13] {
        for (template_id, name, block, fields, var_data) in TABLE {
            let c = case(name);
            let expected = (c.expected_fields)(seed);
            assert_eq!(
                expected.len(),
                fields.len(),
                "{name}: every documented field is driven"
            );
            let mut c_buf = vec![0u8; 1024];
            let c_len = (c.c_encode)(&mut c_buf, seed);
            let mut r_buf = vec![0u8; 1024];
            let r_len = (c.rust_encode)(&mut r_buf, seed).unwrap();
            for (who, buf) in [("C", &c_buf[..c_len]), ("Rust", &r_buf[..r_len])] {
                let u16_at = |i: usize| u16::from_le_bytes([buf[i], buf[i + 1]]);
                assert_eq!(
                    (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
                    (*block, *template_id, 101, 14),
                    "{who} {name} header"
                );
                for (field, offset) in *fields {
                    let e = expected
                        .iter()
                        .find(|e| e.name == *field)
                        .unwrap_or_else(|| panic!("{name}.{field}"));
                    let at = 8 + offset;
                    let mut raw = [0u8; 8];
                    raw[..e.size].copy_from_slice(&buf[at..at + e.size]);
                    assert_eq!(
                        u64::from_le_bytes(raw),
                        e.bits,
                        "{who} {name}.{field} @{offset}"
                    );
                }
                // Var data follows the block in the documented order: u32 little-endian length + bytes.
                let values = (c.expected_var_data)(seed);
                let names: Vec<_> = values.iter().map(|v| v.0).collect();
                assert_eq!(names, var_data.to_vec(), "{name} var data order");
                let mut pos = 8 + usize::from(*block);
                for (var, value) in &values {
                    let len = u32::from_le_bytes(buf[pos..pos + 4].try_into().unwrap()) as usize;
                    assert_eq!(
                        &buf[pos + 4..pos + 4 + len],
                        value.as_slice(),
                        "{who} {name}.{var}"
                    );
                    pos += 4 + len;
                }
                assert_eq!(pos, buf.len(), "{who} {name} length");
            }
        }
    }
}
