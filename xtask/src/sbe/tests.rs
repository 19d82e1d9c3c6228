//! Unit tests of the SBE schema parser and generators (run by `cargo test -p xtask`).

use super::schema::{self, ByteOrder, Presence, Primitive, TypeDef};

/// A small schema using features the Aeron schema does not: sets, constants, explicit offsets,
/// big-endian byte order, a char enum, a `ref` inside a composite, a repeating group.
const FEATURE_SCHEMA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" package="test.pkg" id="7" version="3"
                   semanticVersion="1.0" byteOrder="bigEndian">
    <types>
        <composite name="messageHeader">
            <type name="blockLength" primitiveType="uint16"/>
            <type name="templateId" primitiveType="uint16"/>
            <type name="schemaId" primitiveType="uint16"/>
            <type name="version" primitiveType="uint16"/>
        </composite>
        <composite name="groupSizeEncoding">
            <type name="blockLength" primitiveType="uint16"/>
            <type name="numInGroup" primitiveType="uint16"/>
        </composite>
        <composite name="varStr">
            <type name="length" primitiveType="uint16"/>
            <type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/>
        </composite>
        <composite name="pair">
            <type name="a" primitiveType="int32"/>
            <ref name="kind" type="Side"/>
            <type name="b" primitiveType="int8" offset="12"/>
        </composite>
        <enum name="Side" encodingType="char">
            <validValue name="BUY">B</validValue>
            <validValue name="SELL">S</validValue>
        </enum>
        <set name="Flags" encodingType="uint8">
            <choice name="first">0</choice>
            <choice name="Second" sinceVersion="2">3</choice>
        </set>
        <type name="magic" primitiveType="int16" presence="constant">42</type>
        <type name="tag" primitiveType="char" presence="constant" length="3">ABC</type>
        <type name="optQty" primitiveType="uint32" presence="optional" nullValue="0"/>
    </types>
    <sbe:message name="Order" id="5" blockLength="40">
        <field name="id" id="1" type="int64"/>
        <field name="magic" id="2" type="magic"/>
        <field name="side" id="3" type="Side"/>
        <field name="flags" id="4" type="Flags" offset="12"/>
        <field name="qty" id="5" type="optQty" sinceVersion="2"/>
        <field name="fixedSide" id="6" type="Side" presence="constant" valueRef="Side.SELL"/>
        <field name="tag" id="7" type="tag"/>
        <group name="legs" id="8" dimensionType="groupSizeEncoding">
            <field name="legId" id="9" type="uint16"/>
            <data name="legNote" id="10" type="varStr"/>
        </group>
        <data name="note" id="11" type="varStr" sinceVersion="3"/>
    </sbe:message>
</sbe:messageSchema>
"#;

fn aeron_schema() -> Option<String> {
    let home = std::env::var("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| std::path::Path::new(&h).join(".cargo")))
        .ok()?;
    let registry = home.join("registry/src");
    for entry in std::fs::read_dir(registry).ok()?.flatten() {
        let p = entry
            .path()
            .join("libaeron-sys-1.54.0/aeron")
            .join(super::SCHEMA_PATH);
        if p.exists() {
            return std::fs::read_to_string(p).ok();
        }
    }
    None
}

#[test]
fn parses_feature_schema() {
    let s = schema::parse(FEATURE_SCHEMA).unwrap();
    assert_eq!((s.id, s.version, s.byte_order), (7, 3, ByteOrder::Big));
    assert_eq!(s.header.size, 8);

    // Composite with a ref and an explicit member offset.
    let Some(TypeDef::Composite(pair)) = s.type_named("pair") else {
        panic!("pair")
    };
    let offsets: Vec<_> = pair
        .members
        .iter()
        .map(|m| (m.ty.name().to_string(), m.offset))
        .collect();
    assert_eq!(
        offsets,
        [
            ("a".to_string(), 0),
            ("kind".to_string(), 4),
            ("b".to_string(), 12)
        ]
    );
    assert_eq!(pair.size, 13);

    // Char enum values are character codes.
    let Some(TypeDef::Enum(side)) = s.type_named("Side") else {
        panic!("Side")
    };
    assert_eq!(side.encoding, Primitive::Char);
    assert_eq!(side.values[0].value, 'B' as i64);
    assert_eq!(side.null_value, "0");

    // Sets.
    let Some(TypeDef::Set(flags)) = s.type_named("Flags") else {
        panic!("Flags")
    };
    assert_eq!(
        flags.choices.iter().map(|c| c.bit).collect::<Vec<_>>(),
        [0, 3]
    );
    assert_eq!(flags.choices[1].since_version, 2);

    let m = &s.messages[0];
    assert_eq!((m.id, m.block_length), (5, 40));
    let layout: Vec<_> = m
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.offset, f.size()))
        .collect();
    assert_eq!(
        layout,
        [
            ("id", 0, 8),
            ("magic", 8, 0),
            ("side", 8, 1),
            ("flags", 12, 1),
            ("qty", 13, 4),
            ("fixedSide", 17, 0),
            ("tag", 17, 0)
        ]
    );
    assert_eq!(m.fields[1].presence, Presence::Constant);
    assert_eq!(m.fields[4].since_version, 2);
    let TypeDef::Encoded(q) = &m.fields[4].ty else {
        panic!("qty")
    };
    assert_eq!(
        (q.presence, q.null_value.as_str()),
        (Presence::Optional, "0")
    );
    assert_eq!(m.fields[5].value_ref.as_deref(), Some("Side.SELL"));

    // Group and data.
    assert_eq!(m.groups.len(), 1);
    let g = &m.groups[0];
    assert_eq!(
        (g.name.as_str(), g.block_length, g.dimension.size),
        ("legs", 2, 4)
    );
    assert_eq!(g.data[0].length_primitive, Primitive::Uint16);
    assert_eq!(m.data[0].since_version, 3);
    assert_eq!(m.data[0].character_encoding.as_deref(), Some("UTF-8"));
    assert_eq!(m.data[0].max_length, None);
}

#[test]
fn generators_refuse_groups_but_not_other_features() {
    let mut s = schema::parse(FEATURE_SCHEMA).unwrap();
    let err = super::gen_c::generate(&s, "t", "b")
        .err()
        .expect("groups are not generated")
        .to_string();
    assert!(err.contains("repeating groups"), "{err}");
    assert!(super::gen_rust::generate(&s, "b").is_err());
    s.messages[0].groups.clear();
    let c = super::gen_c::generate(&s, "t", "b").unwrap();
    let order = &c.iter().find(|f| f.name == "order.h").unwrap().contents;
    assert!(order.contains("SBE_BIG_ENDIAN_ENCODE_64"));
    assert!(order.contains("SBE_ONE_DEF int16_t t_order_magic(void)"));
    assert!(order.contains("SBE_ONE_DEF enum t_side t_order_fixedSide(void)"));
    assert!(order.contains("if (codec->acting_version < 2)"));
    let rust = super::gen_rust::generate(&s, "b").unwrap();
    let order = &rust.iter().find(|(n, _)| n == "order.rs").unwrap().1;
    assert!(order.contains("crate::wire::be"));
    assert!(order.contains("pub fn fixed_side(&self) -> Side"));
    assert!(order.contains("pub fn tag(&self) -> &'static str"));
    assert!(rust
        .iter()
        .any(|(n, c)| n == "sets.rs" && c.contains("pub const fn with_second(self, on: bool)")));
}

#[test]
fn rejects_bad_schemas() {
    let cases = [
        (
            FEATURE_SCHEMA.replace("blockLength=\"40\"", "blockLength=\"10\""),
            "blockLength 10",
        ),
        (
            FEATURE_SCHEMA.replace(
                "offset=\"12\"/>\n        <field name=\"qty\"",
                "offset=\"4\"/>\n        <field name=\"qty\"",
            ),
            "overlaps",
        ),
        (
            FEATURE_SCHEMA.replace("type=\"optQty\"", "type=\"nope\""),
            "unknown type `nope`",
        ),
        (
            FEATURE_SCHEMA.replace("<choice name=\"first\">0", "<choice name=\"first\">9"),
            "does not fit",
        ),
        (
            FEATURE_SCHEMA.replace("id=\"5\" blockLength", "id=\"5\" nope"),
            "",
        ),
        ("<notSbe/>".to_string(), "expected <messageSchema>"),
        ("<<<".to_string(), "XML"),
    ];
    for (xml, needle) in cases.iter() {
        match schema::parse(xml) {
            Ok(_) if needle.is_empty() => {}
            Ok(_) => panic!("accepted a bad schema (expected error containing `{needle}`)"),
            Err(e) => {
                let msg = format!("{e:#}");
                assert!(msg.contains(needle), "error `{msg}` lacks `{needle}`");
            }
        }
    }
}

#[test]
fn parses_aeron_archive_schema() {
    let Some(xml) = aeron_schema() else {
        eprintln!("skipped: Aeron 1.54.0 sources not found in the cargo registry");
        return;
    };
    let s = schema::parse(&xml).unwrap();
    assert_eq!(
        (s.id, s.version, s.semantic_version.as_str(), s.byte_order),
        (101, 14, "5.2", ByteOrder::Little)
    );
    assert_eq!(s.messages.len(), 49);
    let by = |n: &str| s.messages.iter().find(|m| m.name == n).unwrap();
    let cr = by("ControlResponse");
    assert_eq!((cr.id, cr.block_length), (1, 32));
    assert_eq!(cr.fields[4].name, "version");
    assert_eq!(
        (
            cr.fields[4].offset,
            cr.fields[4].since_version,
            cr.fields[4].presence
        ),
        (28, 4, Presence::Optional)
    );
    assert_eq!(cr.data[0].max_length, Some(1_073_741_824));
    let ch = by("CatalogHeader");
    assert_eq!((ch.block_length, ch.fields[4].offset), (32, 31));
    let rd = by("RecordingDescriptor");
    assert_eq!(rd.block_length, 80);
    assert_eq!(
        rd.data.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        ["strippedChannel", "originalChannel", "sourceIdentity"]
    );
    let auth = by("AuthConnectRequest");
    assert_eq!(auth.data[1].character_encoding, None);
    assert_eq!(auth.data[2].since_version, 12);
    let Some(TypeDef::Enum(state)) = s.type_named("RecordingState") else {
        panic!()
    };
    assert_eq!(state.values[2].since_version, 10);
}

#[test]
fn generate_is_deterministic_and_marks_files() {
    let Some(xml) = aeron_schema() else {
        eprintln!("skipped: Aeron 1.54.0 sources not found in the cargo registry");
        return;
    };
    let a = super::generate(&xml).unwrap();
    let b = super::generate(&xml).unwrap();
    assert_eq!(a, b);
    let paths: Vec<_> = a.iter().map(|f| f.path.clone()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    for f in &a {
        assert!(
            f.contents.lines().take(3).any(|l| l.contains("@generated")),
            "{}",
            f.path.display()
        );
        assert!(
            super::OWNED_DIRS.iter().any(|d| f.path.starts_with(d)),
            "{}",
            f.path.display()
        );
    }
    let names: Vec<_> = a
        .iter()
        .map(|f| f.path.to_string_lossy().into_owned())
        .collect();
    for expected in [
        "aeron-sys/generated/c/aeron_archive_client/messageHeader.h",
        "aeron-sys/generated/c/aeron_archive_client/controlResponse.h",
        "aeron-sys/generated/c/aeron_archive_client/recordingSignal.h",
        "aeron-sys/generated/c/aeron_archive_client/startRecordingRequest2.h",
        "crates/rusteron-archive-codecs/src/generated/mod.rs",
        "crates/rusteron-archive-codecs/src/generated/control_response.rs",
        "crates/archive-codec-conformance/src/generated/shim.c",
    ] {
        assert!(names.iter().any(|n| n == expected), "missing {expected}");
    }
}
