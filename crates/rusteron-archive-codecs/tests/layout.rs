//! The generated Rust codecs against the whole block-layout table of the protocol document.

mod common;

use common::protocol_table::{ENUMS, TABLE};
use rusteron_archive_codecs::*;

#[test]
fn every_message_matches_the_protocol_table() {
    assert_eq!(MESSAGES.len(), TABLE.len(), "message count");
    for (template_id, name, block, fields, var_data) in TABLE {
        let meta = MESSAGES
            .iter()
            .find(|m| m.name == *name)
            .unwrap_or_else(|| panic!("no codec for {name}"));
        assert_eq!(meta.template_id, *template_id, "{name} template id");
        assert_eq!(meta.block_length, *block, "{name} block length");
        let stored: Vec<_> = meta
            .fields
            .iter()
            .filter(|f| f.size > 0)
            .map(|f| (f.name, f.offset))
            .collect();
        assert_eq!(stored, fields.to_vec(), "{name} fields");
        // The last field ends inside the block.
        let end = meta
            .fields
            .iter()
            .map(|f| f.offset + f.size)
            .max()
            .unwrap_or(0);
        assert!(end <= usize::from(*block), "{name} fields end at {end}");
        let names: Vec<_> = meta.var_data.iter().map(|d| d.name).collect();
        assert_eq!(names, var_data.to_vec(), "{name} var data");
        for d in meta.var_data {
            assert_eq!(d.length_size, 4, "{name}.{} length prefix", d.name);
            let blob = matches!(d.name, "encodedCredentials" | "encodedChallenge");
            assert_eq!(d.is_string, !blob, "{name}.{} ascii vs blob", d.name);
        }
    }
}

#[test]
fn enums_match_the_protocol_document() {
    fn check<E: Copy + core::fmt::Debug>(
        values: &[E],
        value: impl Fn(E) -> i32,
        name: impl Fn(E) -> &'static str,
        expected: &[(&str, i32)],
    ) {
        let got: Vec<_> = values.iter().map(|v| (name(*v), value(*v))).collect();
        assert_eq!(got, expected.to_vec());
    }
    let find = |n: &str| ENUMS.iter().find(|e| e.0 == n).unwrap().1;
    check(
        ControlResponseCode::VALUES,
        |v| v.value(),
        |v| v.as_str(),
        find("ControlResponseCode"),
    );
    check(
        SourceLocation::VALUES,
        |v| v.value(),
        |v| v.as_str(),
        find("SourceLocation"),
    );
    check(
        BooleanType::VALUES,
        |v| v.value(),
        |v| v.as_str(),
        find("BooleanType"),
    );
    check(
        RecordingSignal::VALUES,
        |v| v.value(),
        |v| v.as_str(),
        find("RecordingSignal"),
    );
    check(
        RecordingState::VALUES,
        |v| v.value(),
        |v| v.as_str(),
        find("RecordingState"),
    );
    assert_eq!(RecordingSignal::NullValue.value(), i32::MIN);
    assert_eq!(
        RecordingSignal::try_from(8),
        Err(CodecError::UnknownEnumValue {
            enum_name: "RecordingSignal",
            value: 8
        })
    );
}

#[test]
fn decoder_and_encoder_constants_agree() {
    assert_eq!(
        ControlResponseDecoder::BLOCK_LENGTH,
        ControlResponseEncoder::BLOCK_LENGTH
    );
    assert_eq!(RecordingDescriptorEncoder::BLOCK_LENGTH, 80);
    assert_eq!(RecordingSignalEventEncoder::TEMPLATE_ID, 24);
    assert_eq!(
        (
            ReplayRequestDecoder::SCHEMA_ID,
            ReplayRequestDecoder::SCHEMA_VERSION
        ),
        (101, 14)
    );
}
