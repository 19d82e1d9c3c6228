//! Rust codec generator for `rusteron-archive-codecs`: zero-copy, bounds-checked decoders over `&[u8]` and
//! builder-style encoders over `&mut [u8]`, one file per message plus `enums.rs`, `sets.rs` (if the schema
//! has sets), `message_header.rs` and `mod.rs`. The generated code uses the hand-written `crate::wire`
//! helpers and `crate::{CodecError, Result, FieldMeta, VarDataMeta, MessageMeta}`.

use super::kind::{field_kind, FieldKind};
use super::names::{pascal, rust_ident, snake};
use super::schema::{
    ByteOrder, CompositeType, EnumType, Message, Primitive, Schema, SetType, TypeDef,
};
use anyhow::{bail, Result};
use std::fmt::Write;

/// Generates `(file name, contents)` pairs, sorted by name.
pub fn generate(schema: &Schema, banner: &str) -> Result<Vec<(String, String)>> {
    let g = Gen { schema, banner };
    let mut files = vec![
        ("mod.rs".to_string(), g.module()?),
        ("message_header.rs".to_string(), g.header(&schema.header)?),
    ];
    if has_enums(schema) {
        files.push(("enums.rs".to_string(), g.enums()));
    }
    if schema.types.iter().any(|t| matches!(t, TypeDef::Set(_))) {
        files.push(("sets.rs".to_string(), g.sets()));
    }
    for m in &schema.messages {
        files.push((format!("{}.rs", snake(&m.name)), g.message(m)?));
    }
    files.sort();
    Ok(files)
}

/// `true` if the schema defines enums (`enums.rs` is generated only then).
fn has_enums(schema: &Schema) -> bool {
    schema.types.iter().any(|t| matches!(t, TypeDef::Enum(_)))
}

pub fn rust_type(p: Primitive) -> &'static str {
    match p {
        Primitive::Char | Primitive::Uint8 => "u8",
        Primitive::Int8 => "i8",
        Primitive::Int16 => "i16",
        Primitive::Int32 => "i32",
        Primitive::Int64 => "i64",
        Primitive::Uint16 => "u16",
        Primitive::Uint32 => "u32",
        Primitive::Uint64 => "u64",
        Primitive::Float => "f32",
        Primitive::Double => "f64",
    }
}

/// `wire` accessor suffix for a primitive.
fn wire_suffix(p: Primitive) -> &'static str {
    match p {
        Primitive::Char => "u8",
        other => rust_type(other),
    }
}

/// A Rust literal of type `p` for the schema value text `v`.
pub fn rust_literal(p: Primitive, v: &str) -> String {
    let t = rust_type(p);
    if v == "NaN" {
        return format!("{t}::NAN");
    }
    if p.is_signed() && v == p.default_null() {
        return format!("{t}::MIN");
    }
    if !p.is_signed() && !p.is_float() && p != Primitive::Char && v == p.default_null() {
        return format!("{t}::MAX");
    }
    if p.is_float() && !v.contains('.') && !v.contains('e') {
        return format!("{v}.0");
    }
    v.to_string()
}

fn doc(o: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        let _ = writeln!(
            o,
            "{indent}///{}{line}",
            if line.is_empty() { "" } else { " " }
        );
    }
}

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

struct Gen<'a> {
    schema: &'a Schema,
    banner: &'a str,
}

impl Gen<'_> {
    fn start(&self, o: &mut String) {
        for line in self.banner.lines() {
            let _ = writeln!(o, "// {line}");
        }
        let _ = writeln!(o);
    }

    fn wire(&self) -> &'static str {
        match self.schema.byte_order {
            ByteOrder::Little => "crate::wire::le",
            ByteOrder::Big => "crate::wire::be",
        }
    }

    fn enums(&self) -> String {
        let mut o = String::new();
        self.start(&mut o);
        let _ = writeln!(o, "//! Enums of the schema.\n");
        let _ = writeln!(o, "use crate::CodecError;\n");
        for t in &self.schema.types {
            if let TypeDef::Enum(e) = t {
                self.enum_type(&mut o, e);
            }
        }
        o
    }

    fn enum_type(&self, o: &mut String, e: &EnumType) {
        let name = pascal(&e.name);
        let t = rust_type(e.encoding);
        let desc = if e.description.is_empty() {
            format!("Enum `{}`.", e.name)
        } else {
            e.description.clone()
        };
        doc(
            o,
            "",
            &format!("{desc}\n\nEncoded as `{}`.", e.encoding.name()),
        );
        let _ = writeln!(
            o,
            "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n#[repr({t})]\npub enum {name} {{"
        );
        for v in &e.values {
            let d = if v.description.is_empty() {
                format!("`{}`.", v.name)
            } else {
                v.description.clone()
            };
            let since = if v.since_version > 0 {
                format!(" (since version {})", v.since_version)
            } else {
                String::new()
            };
            doc(o, "    ", &format!("{d}{since}"));
            let _ = writeln!(
                o,
                "    {} = {},",
                pascal(&v.name),
                rust_literal(e.encoding, &v.value.to_string())
            );
        }
        let _ = writeln!(
            o,
            "    /// The null value (field not set).\n    NullValue = {},\n}}\n",
            rust_literal(e.encoding, &e.null_value)
        );
        let _ = writeln!(o, "impl {name} {{");
        let _ = writeln!(
            o,
            "    /// Schema name of the enum.\n    pub const NAME: &'static str = {};\n",
            rust_str(&e.name)
        );
        let _ = writeln!(
            o,
            "    /// Every defined value (without the null value), in schema order."
        );
        let list: Vec<String> = e
            .values
            .iter()
            .map(|v| format!("Self::{}", pascal(&v.name)))
            .collect();
        let _ = writeln!(
            o,
            "    pub const VALUES: &'static [Self] = &[{}];\n",
            list.join(", ")
        );
        let _ = writeln!(o, "    /// The wire value.\n    pub const fn value(self) -> {t} {{\n        self as {t}\n    }}\n");
        let _ = writeln!(o, "    /// The enum for a wire value (the null value included), or `None` if it is unknown.");
        let _ = writeln!(
            o,
            "    pub const fn from_value(value: {t}) -> Option<Self> {{\n        match value {{"
        );
        for v in &e.values {
            let _ = writeln!(
                o,
                "            {} => Some(Self::{}),",
                rust_literal(e.encoding, &v.value.to_string()),
                pascal(&v.name)
            );
        }
        let _ = writeln!(o, "            {} => Some(Self::NullValue),\n            _ => None,\n        }}\n    }}\n", rust_literal(e.encoding, &e.null_value));
        let _ = writeln!(
            o,
            "    /// The schema name of the value (`NULL_VALUE` for the null value)."
        );
        let _ = writeln!(
            o,
            "    pub const fn as_str(self) -> &'static str {{\n        match self {{"
        );
        for v in &e.values {
            let _ = writeln!(
                o,
                "            Self::{} => {},",
                pascal(&v.name),
                rust_str(&v.name)
            );
        }
        let _ = writeln!(
            o,
            "            Self::NullValue => \"NULL_VALUE\",\n        }}\n    }}\n}}\n"
        );
        let _ = writeln!(
            o,
            "impl TryFrom<{t}> for {name} {{\n    type Error = CodecError;\n\n    fn try_from(value: {t}) -> Result<Self, CodecError> {{\n        Self::from_value(value).ok_or(CodecError::UnknownEnumValue {{ enum_name: Self::NAME, value: value as i64 }})\n    }}\n}}\n"
        );
        let _ = writeln!(o, "impl From<{name}> for {t} {{\n    fn from(value: {name}) -> Self {{\n        value.value()\n    }}\n}}\n");
        let _ = writeln!(
            o,
            "impl core::fmt::Display for {name} {{\n    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {{\n        f.write_str(self.as_str())\n    }}\n}}\n"
        );
    }

    fn sets(&self) -> String {
        let mut o = String::new();
        self.start(&mut o);
        let _ = writeln!(o, "//! Bit sets of the schema.\n");
        for t in &self.schema.types {
            if let TypeDef::Set(s) = t {
                self.set_type(&mut o, s);
            }
        }
        o
    }

    fn set_type(&self, o: &mut String, s: &SetType) {
        let name = pascal(&s.name);
        let t = rust_type(s.encoding);
        let desc = if s.description.is_empty() {
            format!("Bit set `{}`.", s.name)
        } else {
            s.description.clone()
        };
        doc(o, "", &desc);
        let _ = writeln!(o, "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]\npub struct {name}(pub {t});\n");
        let _ = writeln!(o, "impl {name} {{");
        for c in &s.choices {
            let _ = writeln!(
                o,
                "    /// Bit of choice `{}`.\n    pub const {}: {t} = 1 << {};\n",
                c.name,
                snake(&c.name).to_uppercase(),
                c.bit
            );
        }
        let _ = writeln!(o, "    /// The raw bits.\n    pub const fn bits(self) -> {t} {{\n        self.0\n    }}\n");
        for c in &s.choices {
            let id = rust_ident(&c.name);
            let d = if c.description.is_empty() {
                format!("Choice `{}`", c.name)
            } else {
                c.description.clone()
            };
            doc(o, "    ", &format!("{d} (bit {}).", c.bit));
            let _ = writeln!(
                o,
                "    pub const fn {id}(self) -> bool {{\n        self.0 & Self::{} != 0\n    }}\n",
                snake(&c.name).to_uppercase()
            );
            let _ = writeln!(
                o,
                "    /// Returns a copy with choice `{}` set or cleared.",
                c.name
            );
            let _ = writeln!(
                o,
                "    pub const fn with_{}(self, on: bool) -> Self {{\n        if on {{\n            Self(self.0 | Self::{u})\n        }} else {{\n            Self(self.0 & !Self::{u})\n        }}\n    }}\n",
                snake(&c.name),
                u = snake(&c.name).to_uppercase()
            );
        }
        let _ = writeln!(o, "}}\n");
    }

    fn header(&self, h: &CompositeType) -> Result<String> {
        let mut o = String::new();
        self.start(&mut o);
        let name = pascal(&h.name);
        let wire = self.wire();
        let _ = writeln!(
            o,
            "//! The `{}` composite that precedes every message.\n",
            h.name
        );
        let _ = writeln!(
            o,
            "use crate::{{CodecError, Result}};\nuse {wire} as wire;\n"
        );
        let desc = if h.description.is_empty() {
            format!("`{}`", h.name)
        } else {
            h.description.clone()
        };
        doc(
            &mut o,
            "",
            &format!("Decoder of the message header: {desc}"),
        );
        let _ = writeln!(o, "#[derive(Debug, Clone, Copy)]\npub struct {name}Decoder<'a> {{\n    buf: &'a [u8],\n}}\n");
        let _ = writeln!(o, "impl<'a> {name}Decoder<'a> {{");
        let _ = writeln!(
            o,
            "    /// Encoded length of the header.\n    pub const ENCODED_LENGTH: usize = {};\n",
            h.size
        );
        let _ = writeln!(
            o,
            "    /// Wraps the header at the start of `buf`.\n    pub fn wrap(buf: &'a [u8]) -> Result<Self> {{\n        if buf.len() < Self::ENCODED_LENGTH {{\n            return Err(CodecError::BufferTooShort {{ needed: Self::ENCODED_LENGTH, available: buf.len() }});\n        }}\n        Ok(Self {{ buf }})\n    }}\n"
        );
        let mut setters = String::new();
        for m in &h.members {
            let TypeDef::Encoded(t) = &m.ty else {
                bail!("header member `{}` must be a primitive", m.ty.name())
            };
            if t.length != 1 {
                bail!("header member `{}` must be a scalar", t.name);
            }
            let rt = rust_type(t.primitive);
            let id = rust_ident(&t.name);
            let suffix = wire_suffix(t.primitive);
            let _ = writeln!(
                o,
                "    /// `{}` (offset {}).\n    pub fn {id}(&self) -> {rt} {{\n        wire::get_{suffix}(self.buf, {}).unwrap_or({})\n    }}\n",
                t.name,
                m.offset,
                m.offset,
                rust_literal(t.primitive, &t.null_value)
            );
            let _ = writeln!(
                setters,
                "    /// Sets `{}` (offset {}).\n    pub fn {id}(self, value: {rt}) -> Self {{\n        wire::put_{suffix}(self.buf, {}, value);\n        self\n    }}\n",
                t.name, m.offset, m.offset
            );
        }
        let _ = writeln!(
            o,
            "    /// Checks that the header names `template_id` of this schema.\n    pub fn expect(&self, template_id: u16) -> Result<()> {{\n        if self.schema_id() != super::SCHEMA_ID {{\n            return Err(CodecError::SchemaIdMismatch {{ expected: super::SCHEMA_ID, actual: self.schema_id() }});\n        }}\n        if self.template_id() != template_id {{\n            return Err(CodecError::TemplateIdMismatch {{ expected: template_id, actual: self.template_id() }});\n        }}\n        Ok(())\n    }}\n}}\n"
        );
        doc(&mut o, "", "Encoder of the message header.");
        let _ = writeln!(
            o,
            "#[derive(Debug)]\npub struct {name}Encoder<'a> {{\n    buf: &'a mut [u8],\n}}\n"
        );
        let _ = writeln!(o, "impl<'a> {name}Encoder<'a> {{");
        let _ = writeln!(
            o,
            "    /// Encoded length of the header.\n    pub const ENCODED_LENGTH: usize = {};\n",
            h.size
        );
        let _ = writeln!(
            o,
            "    /// Wraps the header at the start of `buf`.\n    pub fn wrap(buf: &'a mut [u8]) -> Result<Self> {{\n        if buf.len() < Self::ENCODED_LENGTH {{\n            return Err(CodecError::BufferTooShort {{ needed: Self::ENCODED_LENGTH, available: buf.len() }});\n        }}\n        Ok(Self {{ buf }})\n    }}\n"
        );
        o.push_str(&setters);
        let _ = writeln!(o, "}}");
        Ok(o)
    }

    fn module(&self) -> Result<String> {
        let s = self.schema;
        let mut o = String::new();
        self.start(&mut o);
        let _ = writeln!(
            o,
            "//! Codecs for SBE schema `{}` (id {}, version {}, semantic version {}).\n",
            s.package, s.id, s.version, s.semantic_version
        );
        let _ = writeln!(o, "use crate::{{CodecError, MessageMeta, Result}};\n");
        let mut mods = vec!["message_header".to_string()];
        if has_enums(s) {
            mods.insert(0, "enums".to_string());
        }
        if s.types.iter().any(|t| matches!(t, TypeDef::Set(_))) {
            mods.push("sets".into());
        }
        mods.extend(s.messages.iter().map(|m| snake(&m.name)));
        for m in &mods {
            let _ = writeln!(o, "mod {m};");
        }
        let _ = writeln!(o);
        for m in &mods {
            let _ = writeln!(o, "pub use {m}::*;");
        }
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "/// Schema id carried in every message header.\npub const SCHEMA_ID: u16 = {};",
            s.id
        );
        let _ = writeln!(
            o,
            "/// Schema version these codecs encode.\npub const SCHEMA_VERSION: u16 = {};",
            s.version
        );
        let _ = writeln!(
            o,
            "/// Semantic version of the schema.\npub const SEMANTIC_VERSION: &str = {};",
            rust_str(&s.semantic_version)
        );
        let _ = writeln!(
            o,
            "/// Package name of the schema.\npub const SCHEMA_PACKAGE: &str = {};\n",
            rust_str(&s.package)
        );
        let _ = writeln!(o, "/// Layout of every message, in schema order.\npub const MESSAGES: &[MessageMeta] = &[");
        for m in &s.messages {
            let _ = writeln!(o, "    {}Decoder::META,", m.name);
        }
        let _ = writeln!(o, "];\n");
        let _ = writeln!(
            o,
            "/// Any message of the schema, as returned by [`decode_message`]."
        );
        let _ = writeln!(
            o,
            "#[derive(Debug, Clone, Copy)]\npub enum DecodedMessage<'a> {{"
        );
        for m in &s.messages {
            let _ = writeln!(
                o,
                "    /// `{}` (template id {}).\n    {}({}Decoder<'a>),",
                m.name, m.id, m.name, m.name
            );
        }
        let _ = writeln!(o, "}}\n");
        let _ = writeln!(o, "impl DecodedMessage<'_> {{");
        let _ = writeln!(o, "    /// Template id of the message.\n    pub fn template_id(&self) -> u16 {{\n        match self {{");
        for m in &s.messages {
            let _ = writeln!(
                o,
                "            Self::{0}(_) => {0}Decoder::TEMPLATE_ID,",
                m.name
            );
        }
        let _ = writeln!(o, "        }}\n    }}\n");
        let _ = writeln!(
            o,
            "    /// Length of the whole message (header, block and var data), checking every var-data length.\n    pub fn encoded_length(&self) -> Result<usize> {{\n        let body = match self {{"
        );
        for m in &s.messages {
            let _ = writeln!(o, "            Self::{}(d) => d.encoded_length()?,", m.name);
        }
        let _ = writeln!(
            o,
            "        }};\n        Ok(MessageHeaderDecoder::ENCODED_LENGTH + body)\n    }}\n}}\n"
        );
        let _ = writeln!(
            o,
            "/// Decodes the message header at the start of `buf` and wraps the matching decoder, using the header's\n/// block length and version (as the Java archive does for requests)."
        );
        let _ = writeln!(
            o,
            "pub fn decode_message(buf: &[u8]) -> Result<DecodedMessage<'_>> {{\n    let header = MessageHeaderDecoder::wrap(buf)?;\n    if header.schema_id() != SCHEMA_ID {{\n        return Err(CodecError::SchemaIdMismatch {{ expected: SCHEMA_ID, actual: header.schema_id() }});\n    }}\n    let body = buf.get(MessageHeaderDecoder::ENCODED_LENGTH..).unwrap_or(&[]);\n    let (block_length, version) = (header.block_length(), header.version());\n    Ok(match header.template_id() {{"
        );
        for m in &s.messages {
            let _ = writeln!(
                o,
                "        {} => DecodedMessage::{}({}Decoder::wrap(body, block_length, version)?),",
                m.id, m.name, m.name
            );
        }
        let _ = writeln!(
            o,
            "        other => return Err(CodecError::UnknownTemplateId(other)),\n    }})\n}}"
        );
        Ok(o)
    }

    fn message(&self, m: &Message) -> Result<String> {
        if !m.groups.is_empty() {
            bail!("message `{}`: repeating groups are parsed but not yet supported by the Rust generator", m.name);
        }
        let s = self.schema;
        let mut o = String::new();
        self.start(&mut o);
        let desc = if m.description.is_empty() {
            String::new()
        } else {
            format!(": {}", m.description)
        };
        let _ = writeln!(o, "//! `{}` (template id {}){desc}\n", m.name, m.id);
        let uses = [
            "CodecError",
            "FieldMeta",
            "MessageMeta",
            "Result",
            "VarDataMeta",
        ];
        let _ = writeln!(o, "#![allow(clippy::identity_op)]\n");
        let _ = writeln!(
            o,
            "use super::message_header::{{MessageHeaderDecoder, MessageHeaderEncoder}};"
        );
        let mut enums: Vec<String> = Vec::new();
        let mut sets: Vec<String> = Vec::new();
        for f in &m.fields {
            match &f.ty {
                TypeDef::Enum(e) => enums.push(pascal(&e.name)),
                TypeDef::Set(st) => sets.push(pascal(&st.name)),
                _ => {}
            }
        }
        enums.sort();
        enums.dedup();
        sets.sort();
        sets.dedup();
        for (module, list) in [("enums", &enums), ("sets", &sets)] {
            match list.len() {
                0 => {}
                1 => {
                    let _ = writeln!(o, "use super::{module}::{};", list[0]);
                }
                _ => {
                    let _ = writeln!(o, "use super::{module}::{{{}}};", list.join(", "));
                }
            }
        }
        let _ = writeln!(o, "use crate::{{{}}};", uses.join(", "));
        let _ = writeln!(o, "use {} as wire;\n", self.wire());

        // Metadata.
        let _ = writeln!(o, "const FIELDS: &[FieldMeta] = &[");
        for f in &m.fields {
            let _ = writeln!(
                o,
                "    FieldMeta {{ name: {}, id: {}, offset: {}, size: {}, type_name: {}, since_version: {} }},",
                rust_str(&f.name),
                f.id,
                f.offset,
                f.size(),
                rust_str(f.ty.name()),
                f.since_version
            );
        }
        let _ = writeln!(o, "];\n\nconst VAR_DATA: &[VarDataMeta] = &[");
        for d in &m.data {
            let _ = writeln!(
                o,
                "    VarDataMeta {{ name: {}, id: {}, length_size: {}, max_length: {}, is_string: {}, since_version: {} }},",
                rust_str(&d.name),
                d.id,
                d.length_primitive.size(),
                d.max_length.map(|v| format!("Some({v})")).unwrap_or_else(|| "None".into()),
                d.character_encoding.is_some(),
                d.since_version
            );
        }
        let _ = writeln!(o, "];\n");

        let consts = format!(
            "    /// Template id.\n    pub const TEMPLATE_ID: u16 = {};\n    /// Block length at the schema version.\n    pub const BLOCK_LENGTH: u16 = {};\n    /// Schema id.\n    pub const SCHEMA_ID: u16 = {};\n    /// Schema version.\n    pub const SCHEMA_VERSION: u16 = {};\n    /// Layout metadata.\n    pub const META: MessageMeta = MessageMeta {{\n        name: {},\n        template_id: {},\n        block_length: {},\n        since_version: {},\n        fields: FIELDS,\n        var_data: VAR_DATA,\n    }};\n",
            m.id,
            m.block_length,
            s.id,
            s.version,
            rust_str(&m.name),
            m.id,
            m.block_length,
            m.since_version
        );

        // Decoder.
        let dn = format!("{}Decoder", m.name);
        let en = format!("{}Encoder", m.name);
        let mdesc = if m.description.is_empty() {
            String::new()
        } else {
            format!("\n\n{}", m.description)
        };
        doc(
            &mut o,
            "",
            &format!(
                "Zero-copy decoder of `{}` (template id {}).{mdesc}",
                m.name, m.id
            ),
        );
        let _ = writeln!(o, "#[derive(Clone, Copy)]\npub struct {dn}<'a> {{\n    buf: &'a [u8],\n    acting_block_length: usize,\n    acting_version: u16,\n}}\n");
        let _ = writeln!(o, "impl<'a> {dn}<'a> {{\n{consts}");
        let _ = write!(
            o,
            r#"    /// Wraps a block (without the message header) at the start of `buf`, with the block length and version
    /// of the sender (from its message header). Fails if `buf` is shorter than the block.
    pub fn wrap(buf: &'a [u8], acting_block_length: u16, acting_version: u16) -> Result<Self> {{
        let acting_block_length = usize::from(acting_block_length);
        if buf.len() < acting_block_length {{
            return Err(CodecError::BufferTooShort {{ needed: acting_block_length, available: buf.len() }});
        }}
        Ok(Self {{ buf, acting_block_length, acting_version }})
    }}

    /// Decodes a whole message: checks the header's schema and template ids, then wraps the block using the
    /// header's block length and version.
    pub fn decode(buf: &'a [u8]) -> Result<Self> {{
        let header = MessageHeaderDecoder::wrap(buf)?;
        header.expect(Self::TEMPLATE_ID)?;
        let body = buf.get(MessageHeaderDecoder::ENCODED_LENGTH..).unwrap_or(&[]);
        Self::wrap(body, header.block_length(), header.version())
    }}

    /// Block length used to locate the var data.
    pub fn acting_block_length(&self) -> u16 {{
        self.acting_block_length as u16
    }}

    /// Version used to decide which fields are present.
    pub fn acting_version(&self) -> u16 {{
        self.acting_version
    }}

    /// Length of the block plus all var data (excluding the message header); fails if a var-data length
    /// runs past the end of the buffer.
    pub fn encoded_length(&self) -> Result<usize> {{
        wire::var_data_end(self.buf, self.acting_block_length, self.acting_version, VAR_DATA)
    }}

"#
        );
        let mut debug_fields = Vec::new();
        let mut enc = String::new();
        for f in &m.fields {
            let id = rust_ident(&f.name);
            let fdesc = if f.description.is_empty() {
                format!("`{}`", f.name)
            } else {
                format!("`{}`: {}", f.name, f.description)
            };
            let since_doc = if f.since_version > 0 {
                format!(" Since version {}.", f.since_version)
            } else {
                String::new()
            };
            let end = f.offset + f.size();
            let guard = if f.since_version > 0 {
                format!(
                    "self.acting_version < {} || self.acting_block_length < {end}",
                    f.since_version
                )
            } else {
                format!("self.acting_block_length < {end}")
            };
            debug_fields.push(id.clone());
            match field_kind(f)? {
                FieldKind::Scalar {
                    primitive, null, ..
                } => {
                    let rt = rust_type(primitive);
                    let nl = rust_literal(primitive, null);
                    let sfx = wire_suffix(primitive);
                    doc(
                        &mut o,
                        "    ",
                        &format!(
                            "{fdesc}\n\nOffset {}, `{}`; null value `{nl}`.{since_doc}",
                            f.offset,
                            f.ty.name()
                        ),
                    );
                    let _ = writeln!(
                        o,
                        "    pub fn {id}(&self) -> {rt} {{\n        if {guard} {{\n            return {nl};\n        }}\n        wire::get_{sfx}(self.buf, {}).unwrap_or({nl})\n    }}\n",
                        f.offset
                    );
                    doc(
                        &mut enc,
                        "    ",
                        &format!("Sets {fdesc} (offset {}).", f.offset),
                    );
                    let _ = writeln!(
                        enc,
                        "    pub fn {id}(self, value: {rt}) -> Self {{\n        wire::put_{sfx}(self.buf, self.offset + {}, value);\n        self\n    }}\n",
                        f.offset
                    );
                }
                FieldKind::Enum(e) => {
                    let en_ty = pascal(&e.name);
                    let rt = rust_type(e.encoding);
                    let sfx = wire_suffix(e.encoding);
                    doc(&mut o, "    ", &format!("{fdesc}\n\nOffset {}, enum `{}`; fails on a value the schema does not define.{since_doc}", f.offset, e.name));
                    let _ = writeln!(o, "    pub fn {id}(&self) -> Result<{en_ty}> {{\n        {en_ty}::try_from(self.{}_raw())\n    }}\n", snake(&f.name));
                    doc(
                        &mut o,
                        "    ",
                        &format!("Raw wire value of `{}` (the null value if absent).", f.name),
                    );
                    let _ = writeln!(
                        o,
                        "    pub fn {}_raw(&self) -> {rt} {{\n        if {guard} {{\n            return {en_ty}::NullValue.value();\n        }}\n        wire::get_{sfx}(self.buf, {}).unwrap_or({en_ty}::NullValue.value())\n    }}\n",
                        snake(&f.name),
                        f.offset
                    );
                    doc(
                        &mut enc,
                        "    ",
                        &format!("Sets {fdesc} (offset {}).", f.offset),
                    );
                    let _ = writeln!(
                        enc,
                        "    pub fn {id}(self, value: {en_ty}) -> Self {{\n        wire::put_{sfx}(self.buf, self.offset + {}, value.value());\n        self\n    }}\n",
                        f.offset
                    );
                    doc(
                        &mut enc,
                        "    ",
                        &format!(
                            "Sets `{}` to a raw wire value (offset {}).",
                            f.name, f.offset
                        ),
                    );
                    let _ = writeln!(
                        enc,
                        "    pub fn {}_raw(self, value: {rt}) -> Self {{\n        wire::put_{sfx}(self.buf, self.offset + {}, value);\n        self\n    }}\n",
                        snake(&f.name),
                        f.offset
                    );
                }
                FieldKind::Set(st) => {
                    let sn = pascal(&st.name);
                    let sfx = wire_suffix(st.encoding);
                    doc(
                        &mut o,
                        "    ",
                        &format!(
                            "{fdesc}\n\nOffset {}, set `{}`.{since_doc}",
                            f.offset, st.name
                        ),
                    );
                    let _ = writeln!(
                        o,
                        "    pub fn {id}(&self) -> {sn} {{\n        if {guard} {{\n            return {sn}(0);\n        }}\n        {sn}(wire::get_{sfx}(self.buf, {}).unwrap_or(0))\n    }}\n",
                        f.offset
                    );
                    doc(
                        &mut enc,
                        "    ",
                        &format!("Sets {fdesc} (offset {}).", f.offset),
                    );
                    let _ = writeln!(
                        enc,
                        "    pub fn {id}(self, value: {sn}) -> Self {{\n        wire::put_{sfx}(self.buf, self.offset + {}, value.0);\n        self\n    }}\n",
                        f.offset
                    );
                }
                FieldKind::ConstScalar { primitive, value } => {
                    let v = if primitive == Primitive::Char && value.chars().count() == 1 {
                        (value.chars().next().unwrap_or('\0') as u32).to_string()
                    } else {
                        value.to_string()
                    };
                    doc(
                        &mut o,
                        "    ",
                        &format!("{fdesc} (constant, not on the wire)."),
                    );
                    let _ = writeln!(
                        o,
                        "    pub fn {id}(&self) -> {} {{\n        {}\n    }}\n",
                        rust_type(primitive),
                        rust_literal(primitive, &v)
                    );
                }
                FieldKind::ConstString { value } => {
                    doc(
                        &mut o,
                        "    ",
                        &format!("{fdesc} (constant, not on the wire)."),
                    );
                    let _ = writeln!(
                        o,
                        "    pub fn {id}(&self) -> &'static str {{\n        {}\n    }}\n",
                        rust_str(value)
                    );
                }
                FieldKind::ConstEnum(e, idx) => {
                    doc(
                        &mut o,
                        "    ",
                        &format!("{fdesc} (constant, not on the wire)."),
                    );
                    let _ = writeln!(
                        o,
                        "    pub fn {id}(&self) -> {0} {{\n        {0}::{1}\n    }}\n",
                        pascal(&e.name),
                        pascal(&e.values[idx].name)
                    );
                }
            }
        }
        for (i, d) in m.data.iter().enumerate() {
            let id = rust_ident(&d.name);
            let sn = snake(&d.name);
            let ddesc = if d.description.is_empty() {
                format!("`{}`", d.name)
            } else {
                format!("`{}`: {}", d.name, d.description)
            };
            let since_doc = if d.since_version > 0 {
                format!(" Empty if the acting version is below {}.", d.since_version)
            } else {
                String::new()
            };
            debug_fields.push(id.clone());
            if d.character_encoding.is_some() {
                doc(
                    &mut o,
                    "    ",
                    &format!(
                        "Var data {ddesc} ({}) as a string.{since_doc}",
                        d.character_encoding.as_deref().unwrap_or("")
                    ),
                );
                let _ = writeln!(
                    o,
                    "    pub fn {id}(&self) -> Result<&'a str> {{\n        core::str::from_utf8(self.{sn}_bytes()?).map_err(|_| CodecError::InvalidString {{ field: {} }})\n    }}\n",
                    rust_str(&d.name)
                );
                doc(
                    &mut o,
                    "    ",
                    &format!("Var data {ddesc} as raw bytes.{since_doc}"),
                );
                let _ = writeln!(
                    o,
                    "    pub fn {sn}_bytes(&self) -> Result<&'a [u8]> {{\n        wire::var_data(self.buf, self.acting_block_length, self.acting_version, VAR_DATA, {i})\n    }}\n"
                );
                doc(&mut enc, "    ", &format!("Writes var data {ddesc}; must follow earlier var data (skipped ones are written empty)."));
                let _ = writeln!(enc, "    pub fn {id}(self, value: &str) -> Result<Self> {{\n        self.{sn}_bytes(value.as_bytes())\n    }}\n");
                doc(
                    &mut enc,
                    "    ",
                    &format!("Writes var data `{}` from raw bytes.", d.name),
                );
                let _ = writeln!(
                    enc,
                    "    pub fn {sn}_bytes(mut self, value: &[u8]) -> Result<Self> {{\n        wire::put_var_data(self.buf, &mut self.limit, &mut self.next_var_data, VAR_DATA, {i}, value)?;\n        Ok(self)\n    }}\n"
                );
            } else {
                doc(
                    &mut o,
                    "    ",
                    &format!("Var data {ddesc} (raw bytes).{since_doc}"),
                );
                let _ = writeln!(
                    o,
                    "    pub fn {id}(&self) -> Result<&'a [u8]> {{\n        wire::var_data(self.buf, self.acting_block_length, self.acting_version, VAR_DATA, {i})\n    }}\n"
                );
                doc(&mut enc, "    ", &format!("Writes var data {ddesc}; must follow earlier var data (skipped ones are written empty)."));
                let _ = writeln!(
                    enc,
                    "    pub fn {id}(mut self, value: &[u8]) -> Result<Self> {{\n        wire::put_var_data(self.buf, &mut self.limit, &mut self.next_var_data, VAR_DATA, {i}, value)?;\n        Ok(self)\n    }}\n"
                );
            }
        }
        let _ = writeln!(o, "}}\n");

        // Debug: shows every field (exercises every getter).
        let _ = writeln!(o, "impl core::fmt::Debug for {dn}<'_> {{\n    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {{");
        let _ = writeln!(o, "        f.debug_struct({})", rust_str(&dn));
        let _ = writeln!(
            o,
            "            .field(\"acting_block_length\", &self.acting_block_length)"
        );
        let _ = writeln!(
            o,
            "            .field(\"acting_version\", &self.acting_version)"
        );
        for id in &debug_fields {
            let _ = writeln!(
                o,
                "            .field({}, &self.{id}())",
                rust_str(id.trim_start_matches("r#"))
            );
        }
        let _ = writeln!(o, "            .finish()\n    }}\n}}\n");

        // Encoder.
        doc(
            &mut o,
            "",
            &format!(
                "Builder-style encoder of `{}` (template id {}).{mdesc}",
                m.name, m.id
            ),
        );
        let _ = writeln!(
            o,
            "#[derive(Debug)]\npub struct {en}<'a> {{\n    buf: &'a mut [u8],\n    offset: usize,\n    limit: usize,\n    next_var_data: usize,\n}}\n"
        );
        let _ = writeln!(o, "impl<'a> {en}<'a> {{\n{consts}");
        let _ = write!(
            o,
            r#"    /// Wraps `buf` to encode the block (zeroed) at its start, without a message header (e.g. catalog records).
    pub fn wrap(buf: &'a mut [u8]) -> Result<Self> {{
        Self::wrap_at(buf, 0)
    }}

    /// Writes the message header (schema block length and version) at the start of `buf` and wraps the
    /// block (zeroed) that follows it.
    pub fn wrap_and_apply_header(buf: &'a mut [u8]) -> Result<Self> {{
        let needed = MessageHeaderEncoder::ENCODED_LENGTH + usize::from(Self::BLOCK_LENGTH);
        if buf.len() < needed {{
            return Err(CodecError::BufferTooShort {{ needed, available: buf.len() }});
        }}
        MessageHeaderEncoder::wrap(&mut *buf)?
            .block_length(Self::BLOCK_LENGTH)
            .template_id(Self::TEMPLATE_ID)
            .schema_id(Self::SCHEMA_ID)
            .version(Self::SCHEMA_VERSION);
        Self::wrap_at(buf, MessageHeaderEncoder::ENCODED_LENGTH)
    }}

    fn wrap_at(buf: &'a mut [u8], offset: usize) -> Result<Self> {{
        let limit = offset + usize::from(Self::BLOCK_LENGTH);
        match buf.get_mut(offset..limit) {{
            Some(block) => block.fill(0),
            None => return Err(CodecError::BufferTooShort {{ needed: limit, available: buf.len() }}),
        }}
        Ok(Self {{ buf, offset, limit, next_var_data: 0 }})
    }}

    /// Length of the block and the var data written so far, excluding the message header.
    pub fn encoded_length(&self) -> usize {{
        self.limit - self.offset
    }}

    /// Writes empty values for var data not written yet and returns the number of bytes written from the
    /// start of the buffer (including the message header if one was applied).
    pub fn finish(mut self) -> Result<usize> {{
        wire::finish_var_data(self.buf, &mut self.limit, &mut self.next_var_data, VAR_DATA)?;
        Ok(self.limit)
    }}

"#
        );
        o.push_str(&enc);
        let _ = writeln!(o, "}}");
        Ok(o)
    }
}
