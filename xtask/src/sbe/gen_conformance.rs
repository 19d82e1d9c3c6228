//! Conformance shim generator for `archive-codec-conformance`.
//!
//! Emits `shim.c`, which encodes/checks every message with the generated C codecs, and `mod.rs`, which does the
//! same with the Rust codecs and binds the C functions. Both sides derive every field value from the same
//! deterministic function of a seed (`conf_mix`, a SplitMix64 step), so a message encoded by one side can be
//! checked field by field by the other.

use super::gen_c::c_type;
use super::kind::{field_kind, FieldKind};
use super::names::{lower_first, pascal, rust_ident, snake};
use super::schema::{Data, Field, Message, Primitive, Schema};
use anyhow::Result;
use std::fmt::Write;

/// Salt of the first var-data field (field salts are 1-based field indexes).
const VAR_SALT: usize = 1000;

/// Generates `[("mod.rs", ..), ("shim.c", ..)]`.
pub fn generate(schema: &Schema, ns: &str, banner: &str) -> Result<Vec<(String, String)>> {
    Ok(vec![
        ("mod.rs".into(), rust(schema, banner)?),
        ("shim.c".into(), c(schema, ns, banner)?),
    ])
}

/// A field that the shims set and compare (floats and constants are skipped).
enum Driven<'a> {
    Int(Primitive),
    Enum(&'a super::schema::EnumType),
    Set(&'a super::schema::SetType),
}

fn driven(f: &Field) -> Result<Option<Driven<'_>>> {
    Ok(match field_kind(f)? {
        FieldKind::Scalar { primitive, .. } if !primitive.is_float() => {
            Some(Driven::Int(primitive))
        }
        FieldKind::Enum(e) => Some(Driven::Enum(e)),
        FieldKind::Set(s) => Some(Driven::Set(s)),
        _ => None,
    })
}

fn set_mask(s: &super::schema::SetType) -> u64 {
    s.choices.iter().fold(0u64, |m, c| m | (1u64 << c.bit))
}

fn unsigned_c(p: Primitive) -> &'static str {
    match p.size() {
        1 => "uint8_t",
        2 => "uint16_t",
        4 => "uint32_t",
        _ => "uint64_t",
    }
}

fn c(schema: &Schema, ns: &str, banner: &str) -> Result<String> {
    let mut o = String::new();
    let _ = writeln!(o, "/*");
    for l in banner.lines() {
        let _ = writeln!(o, " * {l}");
    }
    let _ = writeln!(o, " *\n * Conformance shim: encodes and checks every message with the generated C codecs.\n */\n");
    let _ = writeln!(
        o,
        "#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n"
    );
    let hn = lower_first(&schema.header.name);
    let hp = format!("{ns}_{hn}");
    let _ = writeln!(o, "#include \"c/{ns}/{hn}.h\"");
    for m in &schema.messages {
        let _ = writeln!(o, "#include \"c/{ns}/{}.h\"", lower_first(&m.name));
    }
    let _ = write!(
        o,
        r#"
#define CONF_VAR_MAX 64

uint64_t conf_mix(uint64_t seed, uint64_t salt)
{{
    uint64_t z = seed + salt * UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}}

static size_t conf_var(uint64_t seed, uint64_t salt, int ascii, char *dst)
{{
    size_t n = (size_t)(conf_mix(seed, salt) % 48);
    for (size_t k = 0; k < n; k++)
    {{
        uint64_t r = conf_mix(seed, salt * 4096 + k + 1);
        dst[k] = ascii ? (char)(0x20 + (r % 95)) : (char)(uint8_t)r;
    }}
    return n;
}}

uint16_t conf_header_encoded_length(void)
{{
    return (uint16_t){hp}_encoded_length();
}}

uint16_t conf_schema_id(void)
{{
    return {hp}_sbe_schema_id();
}}

uint16_t conf_schema_version(void)
{{
    return {hp}_sbe_schema_version();
}}
"#
    );
    for m in &schema.messages {
        c_message(&mut o, ns, &hp, m)?;
    }
    Ok(o)
}

fn c_value(d: &Driven, salt: usize, ns: &str) -> String {
    match d {
        Driven::Int(p) => format!("({})({})conf_mix(seed, {salt})", c_type(*p), unsigned_c(*p)),
        Driven::Enum(e) => format!(
            "(enum {ns}_{})conf_{}_values[conf_mix(seed, {salt}) % {}]",
            lower_first(&e.name),
            snake(&e.name),
            e.values.len()
        ),
        Driven::Set(s) => format!(
            "({})(conf_mix(seed, {salt}) & UINT64_C({}))",
            c_type(s.encoding),
            set_mask(s)
        ),
    }
}

fn c_message(o: &mut String, ns: &str, hp: &str, m: &Message) -> Result<()> {
    let p = format!("{ns}_{}", lower_first(&m.name));
    let sn = snake(&m.name);
    let _ = writeln!(o, "\n/* ---- {} ---- */\n", m.name);
    // Enum value tables used by this message.
    let mut tables = Vec::new();
    for f in &m.fields {
        if let Some(Driven::Enum(e)) = driven(f)? {
            let t = snake(&e.name);
            if !tables.contains(&t) {
                let vals: Vec<String> = e.values.iter().map(|v| v.value.to_string()).collect();
                let _ = writeln!(
                    o,
                    "static const int64_t conf_{t}_values_{sn}[] = {{ {} }};",
                    vals.join(", ")
                );
                let _ = writeln!(o, "#define conf_{t}_values conf_{t}_values_{sn}");
                tables.push(t);
            }
        }
    }
    let _ = writeln!(
        o,
        "size_t conf_encode_{sn}(char *buf, size_t cap, uint64_t seed)\n{{"
    );
    let _ = writeln!(o, "    struct {p} codec;\n    struct {hp} hdr;\n    char tmp[CONF_VAR_MAX];\n    size_t n;\n    (void)tmp;\n    (void)n;\n");
    let _ = writeln!(o, "    if (NULL == {p}_wrap_and_apply_header(&codec, buf, 0, cap, &hdr))\n    {{\n        return 0;\n    }}");
    for (i, f) in m.fields.iter().enumerate() {
        if let Some(d) = driven(f)? {
            let _ = writeln!(
                o,
                "    if (NULL == {p}_set_{}(&codec, {}))\n    {{\n        return 0;\n    }}",
                f.name,
                c_value(&d, i + 1, ns)
            );
        }
    }
    for (j, d) in m.data.iter().enumerate() {
        let ascii = i32::from(d.character_encoding.is_some());
        let lt = c_type(d.length_primitive);
        let _ = writeln!(
            o,
            "    n = conf_var(seed, {}, {ascii}, tmp);\n    if (NULL == {p}_put_{}(&codec, tmp, ({lt})n))\n    {{\n        return 0;\n    }}",
            VAR_SALT + j,
            d.name
        );
    }
    let _ = writeln!(
        o,
        "\n    return (size_t)({hp}_encoded_length() + {p}_encoded_length(&codec));\n}}\n"
    );

    let _ = writeln!(
        o,
        "int conf_check_{sn}(const char *buf, size_t len, uint64_t seed)\n{{"
    );
    let _ = writeln!(o, "    struct {hp} hdr;\n    struct {p} codec;\n    char tmp[CONF_VAR_MAX];\n    char got[CONF_VAR_MAX];\n    size_t n;\n    (void)tmp;\n    (void)got;\n    (void)n;\n");
    let _ = writeln!(
        o,
        "    if (NULL == {hp}_wrap(&hdr, (char *)buf, 0, {hp}_sbe_schema_version(), len))\n    {{\n        return -1;\n    }}\n    if ({hp}_templateId(&hdr) != {p}_sbe_template_id())\n    {{\n        return -2;\n    }}\n    if ({hp}_schemaId(&hdr) != {p}_sbe_schema_id())\n    {{\n        return -3;\n    }}\n    if (NULL == {p}_wrap_for_decode(&codec, (char *)buf, {hp}_encoded_length(), {hp}_blockLength(&hdr), {hp}_version(&hdr), len))\n    {{\n        return -4;\n    }}"
    );
    for (i, f) in m.fields.iter().enumerate() {
        let Some(d) = driven(f)? else { continue };
        let code = i + 1;
        match &d {
            Driven::Enum(e) => {
                let ep = format!("{ns}_{}", lower_first(&e.name));
                let _ = writeln!(
                    o,
                    "    {{\n        enum {ep} v;\n        if (!{p}_{}(&codec, &v) || v != {})\n        {{\n            return {code};\n        }}\n    }}",
                    f.name,
                    c_value(&d, code, ns)
                );
            }
            _ => {
                let _ = writeln!(
                    o,
                    "    if ({p}_{}(&codec) != {})\n    {{\n        return {code};\n    }}",
                    f.name,
                    c_value(&d, code, ns)
                );
            }
        }
    }
    for (j, d) in m.data.iter().enumerate() {
        let ascii = i32::from(d.character_encoding.is_some());
        let _ = writeln!(
            o,
            "    n = conf_var(seed, {}, {ascii}, tmp);\n    {{\n        struct {p}_string_view sv = {p}_get_{}_as_string_view(&codec);\n        if (NULL == sv.data || sv.length != n || (n > 0 && 0 != memcmp(sv.data, tmp, n)))\n        {{\n            return {};\n        }}\n    }}",
            VAR_SALT + j,
            d.name,
            100 + j
        );
    }
    let _ = writeln!(o, "    if ({hp}_encoded_length() + {p}_encoded_length(&codec) != len)\n    {{\n        return -5;\n    }}");
    if !m.data.is_empty() {
        let _ = writeln!(o, "    {p}_sbe_rewind(&codec);");
        for (j, d) in m.data.iter().enumerate() {
            let ascii = i32::from(d.character_encoding.is_some());
            let _ = writeln!(
                o,
                "    n = conf_var(seed, {}, {ascii}, tmp);\n    if ((size_t){p}_{n}_length(&codec) != n)\n    {{\n        return {};\n    }}\n    if ({p}_get_{n}(&codec, got, sizeof(got)) != n || (n > 0 && 0 != memcmp(got, tmp, n)))\n    {{\n        return {};\n    }}",
                VAR_SALT + j,
                200 + j,
                300 + j,
                n = d.name
            );
        }
    }
    let _ = writeln!(o, "\n    return 0;\n}}\n");

    let _ = writeln!(o, "int64_t conf_offset_{sn}(const char *field)\n{{");
    for f in &m.fields {
        if f.size() > 0 {
            let _ = writeln!(
                o,
                "    if (0 == strcmp(field, \"{0}\"))\n    {{\n        return (int64_t){p}_{0}_encoding_offset();\n    }}",
                f.name
            );
        }
    }
    let _ = writeln!(o, "    (void)field;\n    return -1;\n}}\n");
    let _ = writeln!(
        o,
        "uint16_t conf_block_length_{sn}(void)\n{{\n    return {p}_sbe_block_length();\n}}\n"
    );
    let _ = writeln!(
        o,
        "uint16_t conf_template_id_{sn}(void)\n{{\n    return {p}_sbe_template_id();\n}}"
    );
    for t in tables {
        let _ = writeln!(o, "#undef conf_{t}_values");
    }
    Ok(())
}

fn rust(schema: &Schema, banner: &str) -> Result<String> {
    let mut o = String::new();
    for l in banner.lines() {
        let _ = writeln!(o, "// {l}");
    }
    let _ = write!(
        o,
        r#"
//! Conformance cases: every message encoded and checked by the generated C codecs (through `shim.c`) and by
//! the Rust codecs, with field values derived from a seed.

#![allow(clippy::unnecessary_cast, clippy::type_complexity)]

use rusteron_archive_codecs::*;
use std::ffi::CString;
use std::os::raw::{{c_char, c_int}};

extern "C" {{
    fn conf_mix(seed: u64, salt: u64) -> u64;
    fn conf_header_encoded_length() -> u16;
    fn conf_schema_id() -> u16;
    fn conf_schema_version() -> u16;
"#
    );
    for m in &schema.messages {
        let sn = snake(&m.name);
        let _ = writeln!(
            o,
            "    fn conf_encode_{sn}(buf: *mut c_char, cap: usize, seed: u64) -> usize;"
        );
        let _ = writeln!(
            o,
            "    fn conf_check_{sn}(buf: *const c_char, len: usize, seed: u64) -> c_int;"
        );
        let _ = writeln!(o, "    fn conf_offset_{sn}(field: *const c_char) -> i64;");
        let _ = writeln!(o, "    fn conf_block_length_{sn}() -> u16;");
        let _ = writeln!(o, "    fn conf_template_id_{sn}() -> u16;");
    }
    let _ = write!(
        o,
        r#"}}

/// SplitMix64 step shared with the C shim: the value of field `salt` for `seed`.
pub fn mix(seed: u64, salt: u64) -> u64 {{
    let mut z = seed.wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}}

/// The C implementation of [`mix`].
pub fn c_mix(seed: u64, salt: u64) -> u64 {{
    // SAFETY: a pure function of two integers.
    unsafe {{ conf_mix(seed, salt) }}
}}

/// Var-data value of salt `salt` for `seed` (printable ASCII if `ascii`), 0..48 bytes.
pub fn var(seed: u64, salt: u64, ascii: bool) -> Vec<u8> {{
    let n = (mix(seed, salt) % 48) as usize;
    (0..n as u64)
        .map(|k| {{
            let r = mix(seed, salt * 4096 + k + 1);
            if ascii {{ 0x20 + (r % 95) as u8 }} else {{ r as u8 }}
        }})
        .collect()
}}

/// Header facts as seen by the C codecs: (encoded length, schema id, schema version).
pub fn c_header() -> (u16, u16, u16) {{
    // SAFETY: functions without arguments returning constants.
    unsafe {{ (conf_header_encoded_length(), conf_schema_id(), conf_schema_version()) }}
}}

/// Expected raw value of one fixed field: its size and its bits, zero-extended, in host order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpectedField {{
    /// Field name as in the schema.
    pub name: &'static str,
    /// Encoded size.
    pub size: usize,
    /// Raw bits.
    pub bits: u64,
}}

fn mask(size: usize) -> u64 {{
    if size >= 8 {{ u64::MAX }} else {{ (1u64 << (size * 8)) - 1 }}
}}

/// One message type driven through both codecs.
pub struct Case {{
    /// Message name.
    pub name: &'static str,
    /// Template id (from the Rust codec).
    pub template_id: u16,
    /// Encodes header + message with the C codec; returns the length or 0 on failure.
    pub c_encode: fn(&mut [u8], u64) -> usize,
    /// Decodes with the C codec and compares every field; 0 when equal, else a code naming the field.
    pub c_check: fn(&[u8], u64) -> i32,
    /// `<field>_encoding_offset()` of the C codec, or -1 for an unknown field.
    pub c_offset: fn(&str) -> i64,
    /// `sbe_block_length()` of the C codec.
    pub c_block_length: fn() -> u16,
    /// `sbe_template_id()` of the C codec.
    pub c_template_id: fn() -> u16,
    /// Encodes header + message with the Rust codec.
    pub rust_encode: fn(&mut [u8], u64) -> Result<usize, CodecError>,
    /// Decodes with the Rust codec and compares every field.
    pub rust_check: fn(&[u8], u64) -> Result<(), String>,
    /// Expected fixed-field values for a seed.
    pub expected_fields: fn(u64) -> Vec<ExpectedField>,
    /// Expected var-data values for a seed, in schema order.
    pub expected_var_data: fn(u64) -> Vec<(&'static str, Vec<u8>)>,
}}

"#
    );
    for m in &schema.messages {
        rust_message(&mut o, m)?;
    }
    let _ = writeln!(
        o,
        "/// Every message of the schema.\npub const CASES: &[Case] = &["
    );
    for m in &schema.messages {
        let sn = snake(&m.name);
        let _ = writeln!(
            o,
            "    Case {{\n        name: {:?},\n        template_id: {}Decoder::TEMPLATE_ID,\n        c_encode: c_encode_{sn},\n        c_check: c_check_{sn},\n        c_offset: c_offset_{sn},\n        c_block_length: c_block_length_{sn},\n        c_template_id: c_template_id_{sn},\n        rust_encode: rust_encode_{sn},\n        rust_check: rust_check_{sn},\n        expected_fields: expected_fields_{sn},\n        expected_var_data: expected_var_data_{sn},\n    }},",
            m.name, m.name
        );
    }
    let _ = writeln!(o, "];");
    Ok(o)
}

fn rust_value(d: &Driven, salt: usize) -> String {
    match d {
        Driven::Int(p) => {
            let t = super::gen_rust::rust_type(*p);
            let u = match p.size() {
                1 => "u8",
                2 => "u16",
                4 => "u32",
                _ => "u64",
            };
            format!("mix(seed, {salt}) as {u} as {t}")
        }
        Driven::Enum(e) => format!(
            "{}::VALUES[(mix(seed, {salt}) % {}) as usize]",
            pascal(&e.name),
            e.values.len()
        ),
        Driven::Set(s) => format!(
            "{}((mix(seed, {salt}) & {}) as {})",
            pascal(&s.name),
            set_mask(s),
            super::gen_rust::rust_type(s.encoding)
        ),
    }
}

fn var_getter(d: &Data) -> String {
    if d.character_encoding.is_some() {
        format!("{}_bytes", snake(&d.name))
    } else {
        rust_ident(&d.name)
    }
}

fn rust_message(o: &mut String, m: &Message) -> Result<()> {
    let sn = snake(&m.name);
    let _ = writeln!(o, "// ---- {} ----\n", m.name);
    let _ = writeln!(
        o,
        "fn c_encode_{sn}(buf: &mut [u8], seed: u64) -> usize {{\n    // SAFETY: the shim writes at most `buf.len()` bytes (the C codec checks every write).\n    unsafe {{ conf_encode_{sn}(buf.as_mut_ptr() as *mut c_char, buf.len(), seed) }}\n}}\n"
    );
    let _ = writeln!(
        o,
        "fn c_check_{sn}(buf: &[u8], seed: u64) -> i32 {{\n    // SAFETY: the shim reads at most `buf.len()` bytes (the C codec checks every read).\n    unsafe {{ conf_check_{sn}(buf.as_ptr() as *const c_char, buf.len(), seed) as i32 }}\n}}\n"
    );
    let _ = writeln!(
        o,
        "fn c_offset_{sn}(field: &str) -> i64 {{\n    let Ok(field) = CString::new(field) else {{ return -1 }};\n    // SAFETY: `field` is a valid NUL-terminated string for the duration of the call.\n    unsafe {{ conf_offset_{sn}(field.as_ptr()) }}\n}}\n"
    );
    let _ = writeln!(o, "fn c_block_length_{sn}() -> u16 {{\n    // SAFETY: returns a constant.\n    unsafe {{ conf_block_length_{sn}() }}\n}}\n");
    let _ = writeln!(o, "fn c_template_id_{sn}() -> u16 {{\n    // SAFETY: returns a constant.\n    unsafe {{ conf_template_id_{sn}() }}\n}}\n");

    // Rust encode.
    let _ = writeln!(
        o,
        "fn rust_encode_{sn}(buf: &mut [u8], seed: u64) -> Result<usize, CodecError> {{"
    );
    let _ = writeln!(
        o,
        "    let encoder = {}Encoder::wrap_and_apply_header(buf)?",
        m.name
    );
    for (i, f) in m.fields.iter().enumerate() {
        if let Some(d) = driven(f)? {
            let _ = writeln!(
                o,
                "        .{}({})",
                rust_ident(&f.name),
                rust_value(&d, i + 1)
            );
        }
    }
    let _ = writeln!(o, "        ;");
    let _ = write!(o, "    encoder");
    for (j, d) in m.data.iter().enumerate() {
        let setter = if d.character_encoding.is_some() {
            format!("{}_bytes", snake(&d.name))
        } else {
            rust_ident(&d.name)
        };
        let _ = write!(
            o,
            "\n        .{setter}(&var(seed, {}, {}))?",
            VAR_SALT + j,
            d.character_encoding.is_some()
        );
    }
    let _ = writeln!(o, "\n        .finish()\n}}\n");

    // Rust check.
    let _ = writeln!(
        o,
        "fn rust_check_{sn}(buf: &[u8], seed: u64) -> Result<(), String> {{"
    );
    let _ = writeln!(
        o,
        "    let d = {}Decoder::decode(buf).map_err(|e| e.to_string())?;",
        m.name
    );
    for (i, f) in m.fields.iter().enumerate() {
        let Some(dv) = driven(f)? else { continue };
        let id = rust_ident(&f.name);
        let got = match dv {
            Driven::Enum(_) => format!("d.{id}().map_err(|e| format!(\"{}: {{e}}\"))?", f.name),
            _ => format!("d.{id}()"),
        };
        let _ = writeln!(
            o,
            "    let (got, expected) = ({got}, {});\n    if got != expected {{\n        return Err(format!(\"{}: got {{got:?}}, expected {{expected:?}}\"));\n    }}",
            rust_value(&dv, i + 1),
            f.name
        );
    }
    for (j, d) in m.data.iter().enumerate() {
        let _ = writeln!(
            o,
            "    let (got, expected) = (d.{}().map_err(|e| e.to_string())?, var(seed, {}, {}));\n    if got != expected.as_slice() {{\n        return Err(format!(\"{}: got {{got:?}}, expected {{expected:?}}\"));\n    }}",
            var_getter(d),
            VAR_SALT + j,
            d.character_encoding.is_some(),
            d.name
        );
        if d.character_encoding.is_some() {
            let _ = writeln!(
                o,
                "    d.{}().map_err(|e| e.to_string())?;",
                rust_ident(&d.name)
            );
        }
    }
    let _ = writeln!(
        o,
        "    let length = MessageHeaderDecoder::ENCODED_LENGTH + d.encoded_length().map_err(|e| e.to_string())?;\n    if length != buf.len() {{\n        return Err(format!(\"encoded length {{length}} != buffer length {{}}\", buf.len()));\n    }}\n    Ok(())\n}}\n"
    );

    // Expected values.
    let _ = writeln!(
        o,
        "fn expected_fields_{sn}(seed: u64) -> Vec<ExpectedField> {{"
    );
    let _ = writeln!(o, "    let _ = seed;\n    vec![");
    for (i, f) in m.fields.iter().enumerate() {
        let Some(d) = driven(f)? else { continue };
        let bits = match &d {
            Driven::Enum(_) => format!("({}).value() as i64 as u64", rust_value(&d, i + 1)),
            Driven::Set(_) => format!("({}).bits() as u64", rust_value(&d, i + 1)),
            Driven::Int(_) => format!("({}) as i64 as u64", rust_value(&d, i + 1)),
        };
        let _ = writeln!(
            o,
            "        ExpectedField {{ name: {:?}, size: {}, bits: ({bits}) & mask({}) }},",
            f.name,
            f.size(),
            f.size()
        );
    }
    let _ = writeln!(o, "    ]\n}}\n");
    let _ = writeln!(
        o,
        "fn expected_var_data_{sn}(seed: u64) -> Vec<(&'static str, Vec<u8>)> {{"
    );
    let _ = writeln!(o, "    let _ = seed;\n    vec![");
    for (j, d) in m.data.iter().enumerate() {
        let _ = writeln!(
            o,
            "        ({:?}, var(seed, {}, {})),",
            d.name,
            VAR_SALT + j,
            d.character_encoding.is_some()
        );
    }
    let _ = writeln!(o, "    ]\n}}\n");
    Ok(())
}
