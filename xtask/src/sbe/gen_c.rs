//! C codec generator: header-only C, one header per type, with the identifiers and signatures of the
//! official SBE C generator that the Aeron C archive client uses (`<ns>_<type>_wrap_and_apply_header`,
//! `_wrap_for_decode`, `_encoded_length`, `_set_<field>`, `<field>` getters, `_put_<data>`,
//! `_get_<data>_as_string_view`, `_sbe_block_length`, `<NS>_<TYPE>_SBE_TEMPLATE_ID`, enum `_get`, ...).
//!
//! Beyond the official generator every read is bounds-checked against the wrapped buffer length: a getter
//! that would read outside the buffer returns the field's null value (or length 0 / an empty view).

use super::kind::{field_kind, FieldKind};
use super::names::{lower_first, upper_snake};
use super::schema::{
    ByteOrder, CompositeType, Data, EnumType, Message, Presence, Primitive, Schema, SetType,
    TypeDef,
};
use anyhow::{bail, Result};
use std::fmt::Write;

/// One generated C header: file name (inside the namespace folder) and contents.
pub struct CFile {
    pub name: String,
    pub contents: String,
}

/// Name of the shared helper header emitted next to the type headers.
pub const COMMON_HEADER: &str = "sbe_common.h";

struct Ctx<'a> {
    schema: &'a Schema,
    ns: &'a str,
    banner: &'a str,
}

/// Generates all C headers for `schema` with identifier prefix `ns` (e.g. `aeron_archive_client`).
pub fn generate(schema: &Schema, ns: &str, banner: &str) -> Result<Vec<CFile>> {
    let cx = Ctx { schema, ns, banner };
    let mut files = vec![CFile {
        name: COMMON_HEADER.into(),
        contents: cx.common(),
    }];
    for t in &schema.types {
        match t {
            TypeDef::Enum(e) => files.push(cx.enum_header(e)),
            TypeDef::Set(s) => files.push(cx.set_header(s)?),
            TypeDef::Composite(c) => files.push(cx.composite_header(c)?),
            TypeDef::Encoded(_) => {}
        }
    }
    for m in &schema.messages {
        files.push(cx.message_header(m)?);
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

pub fn c_type(p: Primitive) -> &'static str {
    match p {
        Primitive::Char => "char",
        Primitive::Int8 => "int8_t",
        Primitive::Int16 => "int16_t",
        Primitive::Int32 => "int32_t",
        Primitive::Int64 => "int64_t",
        Primitive::Uint8 => "uint8_t",
        Primitive::Uint16 => "uint16_t",
        Primitive::Uint32 => "uint32_t",
        Primitive::Uint64 => "uint64_t",
        Primitive::Float => "float",
        Primitive::Double => "double",
    }
}

/// Unsigned carrier type used for byte swapping.
fn raw_type(p: Primitive) -> &'static str {
    match p.size() {
        1 => "uint8_t",
        2 => "uint16_t",
        4 => "uint32_t",
        _ => "uint64_t",
    }
}

/// A C literal of type `p` for the schema value text `v`.
pub fn c_literal(p: Primitive, v: &str) -> String {
    if v == "NaN" {
        return "NAN".into();
    }
    let min = p.default_null();
    match p {
        Primitive::Int64 if v == min => "INT64_MIN".into(),
        Primitive::Int32 if v == min => "INT32_MIN".into(),
        Primitive::Int16 if v == min => "INT16_MIN".into(),
        Primitive::Int8 if v == min => "INT8_MIN".into(),
        Primitive::Int64 => format!("INT64_C({v})"),
        Primitive::Int32 => format!("INT32_C({v})"),
        Primitive::Int16 => format!("INT16_C({v})"),
        Primitive::Int8 => format!("INT8_C({v})"),
        Primitive::Uint64 => format!("UINT64_C({v})"),
        Primitive::Uint32 => format!("UINT32_C({v})"),
        Primitive::Uint16 => format!("UINT16_C({v})"),
        Primitive::Uint8 => format!("UINT8_C({v})"),
        Primitive::Char => format!("(char){v}"),
        Primitive::Float => format!("{v}f"),
        Primitive::Double => v.to_string(),
    }
}

/// The per-file declarations SBE's C generator puts after each message or composite struct: the meta
/// attribute selector of its `_meta_attribute` functions and the float/double bit-pattern unions.
fn meta_declarations(p: &str) -> String {
    format!(
        "enum {p}_meta_attribute\n{{\n    {p}_meta_attribute_EPOCH,\n    {p}_meta_attribute_TIME_UNIT,\n    \
         {p}_meta_attribute_SEMANTIC_TYPE,\n    {p}_meta_attribute_PRESENCE\n}};\n\n\
         union {p}_float_as_uint\n{{\n    float fp_value;\n    uint32_t uint_value;\n}};\n\n\
         union {p}_double_as_uint\n{{\n    double fp_value;\n    uint64_t uint_value;\n}};\n\n"
    )
}

/// `<p>_<name>_meta_attribute(attribute)`, as SBE's C generator writes it for every field, composite member
/// and var-data: epoch, time unit and semantic type (none in the archive schema: empty) and the presence.
fn meta_attribute(o: &mut String, p: &str, name: &str, presence: Presence) {
    let presence = match presence {
        Presence::Required => "required",
        Presence::Optional => "optional",
        Presence::Constant => "constant",
    };
    let _ = writeln!(
        o,
        "SBE_ONE_DEF const char *{p}_{name}_meta_attribute(const enum {p}_meta_attribute attribute)\n{{\n    \
         switch (attribute)\n    {{\n        case {p}_meta_attribute_EPOCH: return \"\";\n        \
         case {p}_meta_attribute_TIME_UNIT: return \"\";\n        \
         case {p}_meta_attribute_SEMANTIC_TYPE: return \"\";\n        \
         case {p}_meta_attribute_PRESENCE: return \"{presence}\";\n    }}\n\n    return \"\";\n}}\n"
    );
}

/// What a composite's `_encoded_length()` returns: its size, or, for a var-data composite (a member of
/// variable length), SBE's variable-length marker -1 as `uint64_t`, as the SBE C generator writes it. Its
/// `_reset` still checks the buffer for the fixed part (the length field).
fn composite_encoded_length(c: &CompositeType) -> String {
    let variable = c.members.iter().any(
        |m| matches!(&m.ty, TypeDef::Encoded(t) if t.length == 0 && t.constant_value.is_none()),
    );
    if variable {
        "(uint64_t)-1".to_owned()
    } else {
        c.size.to_string()
    }
}

fn c_string(s: &str) -> String {
    let mut o = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if c.is_ascii() && !c.is_ascii_control() => o.push(c),
            c => {
                let mut b = [0u8; 4];
                for byte in c.encode_utf8(&mut b).bytes() {
                    let _ = write!(o, "\\{byte:03o}");
                }
            }
        }
    }
    o.push('"');
    o
}

impl Ctx<'_> {
    fn p(&self, ty: &str) -> String {
        format!("{}_{}", self.ns, lower_first(ty))
    }

    fn swap(&self, p: Primitive) -> String {
        let order = match self.schema.byte_order {
            ByteOrder::Little => "LITTLE",
            ByteOrder::Big => "BIG",
        };
        format!("SBE_{order}_ENDIAN_ENCODE_{}", p.size() * 8)
    }

    /// Expression converting `raw` (carrier type, wire order) to a host `p` value.
    fn decode_expr(&self, p: Primitive, raw: &str) -> String {
        match p {
            _ if p.size() == 1 => format!("({}){raw}", c_type(p)),
            Primitive::Float | Primitive::Double => {
                let f = if p == Primitive::Float {
                    "sbe_float_from_bits"
                } else {
                    "sbe_double_from_bits"
                };
                format!("{}_{f}({}({raw}))", self.ns, self.swap(p))
            }
            _ => format!("({})({}({raw}))", c_type(p), self.swap(p)),
        }
    }

    /// Expression converting host value `v` of type `p` to the carrier in wire order.
    fn encode_expr(&self, p: Primitive, v: &str) -> String {
        match p {
            _ if p.size() == 1 => format!("({}){v}", raw_type(p)),
            Primitive::Float => format!("{}({}_sbe_float_to_bits({v}))", self.swap(p), self.ns),
            Primitive::Double => format!("{}({}_sbe_double_to_bits({v}))", self.swap(p), self.ns),
            _ => format!("({})({}(({}){v}))", raw_type(p), self.swap(p), raw_type(p)),
        }
    }

    fn file_start(&self, o: &mut String, name: &str, includes: &[String]) {
        let guard = format!("{}_{}_H", self.ns.to_uppercase(), upper_snake(name));
        let _ = writeln!(
            o,
            "/*\n{}\n */",
            self.banner
                .lines()
                .map(|l| format!(" * {l}").trim_end().to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let _ = writeln!(o, "#ifndef {guard}\n#define {guard}\n");
        if name != "sbe_common" {
            let _ = writeln!(o, "#include \"{COMMON_HEADER}\"");
        }
        for inc in includes {
            let _ = writeln!(o, "#include \"{inc}\"");
        }
        let _ = writeln!(o);
    }

    fn file_end(&self, o: &mut String, name: &str) {
        let guard = format!("{}_{}_H", self.ns.to_uppercase(), upper_snake(name));
        let _ = writeln!(o, "#endif /* {guard} */");
    }

    fn common(&self) -> String {
        let mut o = String::new();
        self.file_start(&mut o, "sbe_common", &[]);
        let ns = self.ns;
        let s = self.schema;
        let _ = write!(
            o,
            r#"#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(SBE_ONE_DEF)
#  if defined(__cplusplus)
#    define SBE_ONE_DEF inline
#  else
#    define SBE_ONE_DEF static inline
#  endif
#endif

#if !defined(SBE_BOUNDS_CHECK_EXPECT)
#  if defined(__GNUC__) || defined(__clang__)
#    define SBE_BOUNDS_CHECK_EXPECT(exp, c) (__builtin_expect(!!(exp), c))
#  else
#    define SBE_BOUNDS_CHECK_EXPECT(exp, c) (exp)
#  endif
#endif

#define SBE_NULLVALUE_INT8 INT8_MIN
#define SBE_NULLVALUE_INT16 INT16_MIN
#define SBE_NULLVALUE_INT32 INT32_MIN
#define SBE_NULLVALUE_INT64 INT64_MIN
#define SBE_NULLVALUE_UINT8 UINT8_MAX
#define SBE_NULLVALUE_UINT16 UINT16_MAX
#define SBE_NULLVALUE_UINT32 UINT32_MAX
#define SBE_NULLVALUE_UINT64 UINT64_MAX

/* Error numbers set in errno, the SBE C generator's (negative, so never mistaken for a system errno). */
#define E100 -50100 /* E_BUF_SHORT */
#define E103 -50103 /* VAL_UNKNOWN_ENUM */
#define E104 -50104 /* I_OUT_RANGE_NUM */
#define E105 -50105 /* I_OUT_RANGE_NUM */
#define E106 -50106 /* I_OUT_RANGE_NUM */
#define E107 -50107 /* BUF_SHORT_FLYWEIGHT */
#define E108 -50108 /* BUF_SHORT_NXT_GRP_IND */
#define E109 -50109 /* STR_TOO_LONG_FOR_LEN_TYP */
#define E110 -50110 /* CNT_OUT_RANGE */

#ifndef SBE_STRERROR_DEFINED
#define SBE_STRERROR_DEFINED
/* The text of an SBE codec error number (as the SBE C generator's `sbe_strerror`). */
SBE_ONE_DEF const char *sbe_strerror(const int errnum)
{{
    switch (errnum)
    {{
        case E100:
            return "buffer too short";
        case E103:
            return "unknown value for enum";
        case E104:
            return "index out of range";
        case E105:
            return "index out of range";
        case E106:
            return "length too large";
        case E107:
            return "buffer too short for flyweight";
        case E108:
            return "buffer too short to support next group index";
        case E109:
            return "std::string too long for length type";
        case E110:
            return "count outside of allowed range";
        default:
            return "unknown error";
    }}
}}
#endif

#if defined(_MSC_VER)
#  include <stdlib.h>
#  define SBE_BSWAP_16(v) _byteswap_ushort(v)
#  define SBE_BSWAP_32(v) _byteswap_ulong(v)
#  define SBE_BSWAP_64(v) _byteswap_uint64(v)
#else
#  define SBE_BSWAP_16(v) __builtin_bswap16(v)
#  define SBE_BSWAP_32(v) __builtin_bswap32(v)
#  define SBE_BSWAP_64(v) __builtin_bswap64(v)
#endif

#if !defined(SBE_LITTLE_ENDIAN_ENCODE_16)
#  if defined(__BYTE_ORDER__) && (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
#    define SBE_LITTLE_ENDIAN_ENCODE_16(v) SBE_BSWAP_16(v)
#    define SBE_LITTLE_ENDIAN_ENCODE_32(v) SBE_BSWAP_32(v)
#    define SBE_LITTLE_ENDIAN_ENCODE_64(v) SBE_BSWAP_64(v)
#    define SBE_BIG_ENDIAN_ENCODE_16(v) (v)
#    define SBE_BIG_ENDIAN_ENCODE_32(v) (v)
#    define SBE_BIG_ENDIAN_ENCODE_64(v) (v)
#  else
#    define SBE_LITTLE_ENDIAN_ENCODE_16(v) (v)
#    define SBE_LITTLE_ENDIAN_ENCODE_32(v) (v)
#    define SBE_LITTLE_ENDIAN_ENCODE_64(v) (v)
#    define SBE_BIG_ENDIAN_ENCODE_16(v) SBE_BSWAP_16(v)
#    define SBE_BIG_ENDIAN_ENCODE_32(v) SBE_BSWAP_32(v)
#    define SBE_BIG_ENDIAN_ENCODE_64(v) SBE_BSWAP_64(v)
#  endif
#endif

#define {NS}_SBE_SCHEMA_ID {id}
#define {NS}_SBE_SCHEMA_VERSION {version}

/* A view of variable-length data inside a wrapped buffer (not NUL-terminated). */
struct {ns}_string_view
{{
    const char *data;
    size_t length;
}};

SBE_ONE_DEF float {ns}_sbe_float_from_bits(const uint32_t bits)
{{
    float value;
    memcpy(&value, &bits, sizeof(value));
    return value;
}}

SBE_ONE_DEF uint32_t {ns}_sbe_float_to_bits(const float value)
{{
    uint32_t bits;
    memcpy(&bits, &value, sizeof(bits));
    return bits;
}}

SBE_ONE_DEF double {ns}_sbe_double_from_bits(const uint64_t bits)
{{
    double value;
    memcpy(&value, &bits, sizeof(value));
    return value;
}}

SBE_ONE_DEF uint64_t {ns}_sbe_double_to_bits(const double value)
{{
    uint64_t bits;
    memcpy(&bits, &value, sizeof(bits));
    return bits;
}}

"#,
            NS = ns.to_uppercase(),
            id = s.id,
            version = s.version,
        );
        self.file_end(&mut o, "sbe_common");
        o
    }

    fn enum_header(&self, e: &EnumType) -> CFile {
        let mut o = String::new();
        let p = self.p(&e.name);
        let ct = c_type(e.encoding);
        self.file_start(&mut o, &lower_first(&e.name), &[]);
        if !e.description.is_empty() {
            let _ = writeln!(o, "/* {} */", e.description);
        }
        let _ = writeln!(o, "enum {p}\n{{");
        for v in &e.values {
            let _ = writeln!(
                o,
                "    {p}_{} = {},",
                v.name,
                c_literal(e.encoding, &v.value.to_string())
            );
        }
        let _ = writeln!(
            o,
            "    {p}_NULL_VALUE = {}\n}};\n",
            c_literal(e.encoding, &e.null_value)
        );
        let _ = writeln!(
            o,
            "/* Converts a wire value to the enum; returns false and sets errno to E103 if it is unknown. */"
        );
        let _ = writeln!(o, "SBE_ONE_DEF bool {p}_get(const {ct} value, enum {p} *const out)\n{{\n    switch (value)\n    {{");
        for v in &e.values {
            let _ = writeln!(
                o,
                "        case {}:\n            *out = {p}_{};\n            return true;",
                c_literal(e.encoding, &v.value.to_string()),
                v.name
            );
        }
        let _ = writeln!(
            o,
            "        case {}:\n            *out = {p}_NULL_VALUE;\n            return true;\n        default:\n            break;\n    }}\n\n    errno = E103;\n    return false;\n}}\n",
            c_literal(e.encoding, &e.null_value)
        );
        let _ = writeln!(o, "SBE_ONE_DEF const char *{p}_c_str(const enum {p} value)\n{{\n    switch (value)\n    {{");
        for v in &e.values {
            let _ = writeln!(
                o,
                "        case {p}_{0}:\n            return \"{0}\";",
                v.name
            );
        }
        let _ = writeln!(o, "        case {p}_NULL_VALUE:\n            return \"NULL_VALUE\";\n    }}\n\n    return \"unknown value\";\n}}\n");
        self.file_end(&mut o, &lower_first(&e.name));
        CFile {
            name: format!("{}.h", lower_first(&e.name)),
            contents: o,
        }
    }

    fn set_header(&self, s: &SetType) -> Result<CFile> {
        let mut o = String::new();
        let p = self.p(&s.name);
        let ct = c_type(s.encoding);
        self.file_start(&mut o, &lower_first(&s.name), &[]);
        let _ = writeln!(
            o,
            "/* Bit set `{}` encoded as {}; the functions work on the raw value. */\n",
            s.name,
            s.encoding.name()
        );
        let _ = writeln!(
            o,
            "SBE_ONE_DEF {ct} {p}_clear(void)\n{{\n    return 0;\n}}\n"
        );
        for c in &s.choices {
            let _ = writeln!(
                o,
                "SBE_ONE_DEF bool {p}_check_{n}(const {ct} bits)\n{{\n    return 0 != (bits & (({ct})1 << {b}));\n}}\n",
                n = c.name,
                b = c.bit
            );
            let _ = writeln!(
                o,
                "SBE_ONE_DEF {ct} {p}_apply_{n}(const {ct} bits, const bool value)\n{{\n    return value ? ({ct})(bits | (({ct})1 << {b})) : ({ct})(bits & ~(({ct})1 << {b}));\n}}\n",
                n = c.name,
                b = c.bit
            );
        }
        self.file_end(&mut o, &lower_first(&s.name));
        Ok(CFile {
            name: format!("{}.h", lower_first(&s.name)),
            contents: o,
        })
    }

    /// Accessors of one stored scalar at `offset` from `codec->offset`.
    #[allow(clippy::too_many_arguments)]
    fn scalar(
        &self,
        o: &mut String,
        p: &str,
        name: &str,
        id: Option<u16>,
        since: u16,
        offset: usize,
        prim: Primitive,
        null: &str,
        min: &str,
        max: &str,
    ) {
        let ct = c_type(prim);
        let size = prim.size();
        self.meta(o, p, name, id, since, offset, size);
        let _ = writeln!(
            o,
            "SBE_ONE_DEF {ct} {p}_{name}_null_value(void)\n{{\n    return {};\n}}\n",
            c_literal(prim, null)
        );
        let _ = writeln!(
            o,
            "SBE_ONE_DEF {ct} {p}_{name}_min_value(void)\n{{\n    return {};\n}}\n",
            c_literal(prim, min)
        );
        let _ = writeln!(
            o,
            "SBE_ONE_DEF {ct} {p}_{name}_max_value(void)\n{{\n    return {};\n}}\n",
            c_literal(prim, max)
        );
        let _ = writeln!(
            o,
            "SBE_ONE_DEF {ct} {p}_{name}(const struct {p} *const codec)\n{{"
        );
        if since > 0 {
            let _ = writeln!(o, "    if (codec->acting_version < {since})\n    {{\n        return {p}_{name}_null_value();\n    }}\n");
        }
        let _ = writeln!(
            o,
            "    if (SBE_BOUNDS_CHECK_EXPECT((codec->offset + {end} > codec->buffer_length), false))\n    {{\n        return {p}_{name}_null_value();\n    }}\n",
            end = offset + size
        );
        let raw = raw_type(prim);
        let _ = writeln!(
            o,
            "    {raw} val;\n    memcpy(&val, codec->buffer + codec->offset + {offset}, sizeof({raw}));\n    return {};\n}}\n",
            self.decode_expr(prim, "val")
        );
        let _ = writeln!(
            o,
            "SBE_ONE_DEF struct {p} *{p}_set_{name}(struct {p} *const codec, const {ct} value)\n{{"
        );
        let _ = writeln!(
            o,
            "    if (SBE_BOUNDS_CHECK_EXPECT((codec->offset + {end} > codec->buffer_length), false))\n    {{\n        errno = E100;\n        return NULL;\n    }}\n",
            end = offset + size
        );
        let _ = writeln!(
            o,
            "    {raw} val = {};\n    memcpy(codec->buffer + codec->offset + {offset}, &val, sizeof({raw}));\n    return codec;\n}}\n",
            self.encode_expr(prim, "value")
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn meta(
        &self,
        o: &mut String,
        p: &str,
        name: &str,
        id: Option<u16>,
        since: u16,
        offset: usize,
        size: usize,
    ) {
        if let Some(id) = id {
            let _ = writeln!(
                o,
                "SBE_ONE_DEF uint16_t {p}_{name}_id(void)\n{{\n    return {id};\n}}\n"
            );
        }
        let _ = writeln!(
            o,
            "SBE_ONE_DEF uint64_t {p}_{name}_since_version(void)\n{{\n    return {since};\n}}\n"
        );
        let body = if since > 0 {
            format!("    return codec->acting_version >= {since};")
        } else {
            "    (void)codec;\n    return true;".to_string()
        };
        let _ = writeln!(o, "SBE_ONE_DEF bool {p}_{name}_in_acting_version(const struct {p} *const codec)\n{{\n{body}\n}}\n");
        let _ = writeln!(
            o,
            "SBE_ONE_DEF size_t {p}_{name}_encoding_offset(void)\n{{\n    return {offset};\n}}\n"
        );
        let _ = writeln!(
            o,
            "SBE_ONE_DEF size_t {p}_{name}_encoding_length(void)\n{{\n    return {size};\n}}\n"
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn enum_field(
        &self,
        o: &mut String,
        p: &str,
        name: &str,
        id: Option<u16>,
        since: u16,
        offset: usize,
        e: &EnumType,
    ) {
        let ep = self.p(&e.name);
        let prim = e.encoding;
        let raw = raw_type(prim);
        let ct = c_type(prim);
        self.meta(o, p, name, id, since, offset, prim.size());
        let _ = writeln!(o, "/* Reads the enum; returns false (errno E103) if the wire value is not a known value. */");
        let _ = writeln!(
            o,
            "SBE_ONE_DEF bool {p}_{name}(const struct {p} *const codec, enum {ep} *const out)\n{{"
        );
        if since > 0 {
            let _ = writeln!(o, "    if (codec->acting_version < {since})\n    {{\n        *out = {ep}_NULL_VALUE;\n        return true;\n    }}\n");
        }
        let _ = writeln!(
            o,
            "    if (SBE_BOUNDS_CHECK_EXPECT((codec->offset + {end} > codec->buffer_length), false))\n    {{\n        errno = E100;\n        return false;\n    }}\n",
            end = offset + prim.size()
        );
        let _ = writeln!(
            o,
            "    {raw} val;\n    memcpy(&val, codec->buffer + codec->offset + {offset}, sizeof({raw}));\n    return {ep}_get({}, out);\n}}\n",
            self.decode_expr(prim, "val")
        );
        let _ = writeln!(
            o,
            "SBE_ONE_DEF {ct} {p}_{name}_raw(const struct {p} *const codec)\n{{"
        );
        let _ = writeln!(
            o,
            "    if (SBE_BOUNDS_CHECK_EXPECT((codec->offset + {end} > codec->buffer_length), false))\n    {{\n        return {};\n    }}\n",
            c_literal(prim, &e.null_value),
            end = offset + prim.size()
        );
        let _ = writeln!(
            o,
            "    {raw} val;\n    memcpy(&val, codec->buffer + codec->offset + {offset}, sizeof({raw}));\n    return {};\n}}\n",
            self.decode_expr(prim, "val")
        );
        let _ = writeln!(o, "SBE_ONE_DEF struct {p} *{p}_set_{name}(struct {p} *const codec, const enum {ep} value)\n{{");
        let _ = writeln!(
            o,
            "    if (SBE_BOUNDS_CHECK_EXPECT((codec->offset + {end} > codec->buffer_length), false))\n    {{\n        errno = E100;\n        return NULL;\n    }}\n",
            end = offset + prim.size()
        );
        let _ = writeln!(
            o,
            "    {raw} val = {};\n    memcpy(codec->buffer + codec->offset + {offset}, &val, sizeof({raw}));\n    return codec;\n}}\n",
            self.encode_expr(prim, &format!("({ct})value"))
        );
    }

    fn composite_header(&self, c: &CompositeType) -> Result<CFile> {
        let mut o = String::new();
        let p = self.p(&c.name);
        let mut includes = Vec::new();
        for m in &c.members {
            match &m.ty {
                TypeDef::Enum(e) => includes.push(format!("{}.h", lower_first(&e.name))),
                TypeDef::Set(s) => includes.push(format!("{}.h", lower_first(&s.name))),
                TypeDef::Composite(_) => bail!(
                    "composite `{}`: nested composites are not supported",
                    c.name
                ),
                TypeDef::Encoded(_) => {}
            }
        }
        includes.sort();
        includes.dedup();
        self.file_start(&mut o, &lower_first(&c.name), &includes);
        if !c.description.is_empty() {
            let _ = writeln!(o, "/* {} */", c.description);
        }
        let s = self.schema;
        let _ = write!(
            o,
            r#"struct {p}
{{
    char *buffer;
    uint64_t buffer_length;
    uint64_t offset;
    uint64_t acting_version;
}};

{meta_decls}SBE_ONE_DEF struct {p} *{p}_reset(
    struct {p} *const codec,
    char *buffer,
    const uint64_t offset,
    const uint64_t buffer_length,
    const uint64_t acting_version)
{{
    if (SBE_BOUNDS_CHECK_EXPECT((offset > buffer_length || buffer_length - offset < {size}), false))
    {{
        errno = E107;
        return NULL;
    }}

    codec->buffer = buffer;
    codec->buffer_length = buffer_length;
    codec->offset = offset;
    codec->acting_version = acting_version;

    return codec;
}}

SBE_ONE_DEF struct {p} *{p}_wrap(
    struct {p} *const codec,
    char *buffer,
    const uint64_t offset,
    const uint64_t acting_version,
    const uint64_t buffer_length)
{{
    return {p}_reset(codec, buffer, offset, buffer_length, acting_version);
}}

SBE_ONE_DEF struct {p} *{p}_copy(struct {p} *const codec, const struct {p} *const other)
{{
    codec->buffer = other->buffer;
    codec->buffer_length = other->buffer_length;
    codec->offset = other->offset;
    codec->acting_version = other->acting_version;

    return codec;
}}

SBE_ONE_DEF uint64_t {p}_encoded_length(void)
{{
    return {encoded_length};
}}

SBE_ONE_DEF uint64_t {p}_offset(const struct {p} *const codec)
{{
    return codec->offset;
}}

SBE_ONE_DEF char *{p}_buffer(const struct {p} *const codec)
{{
    return codec->buffer;
}}

SBE_ONE_DEF char *{p}_mut_buffer(struct {p} *const codec)
{{
    return codec->buffer;
}}

SBE_ONE_DEF uint64_t {p}_buffer_length(const struct {p} *const codec)
{{
    return codec->buffer_length;
}}

SBE_ONE_DEF uint64_t {p}_acting_version(const struct {p} *const codec)
{{
    return codec->acting_version;
}}

SBE_ONE_DEF uint16_t {p}_sbe_schema_id(void)
{{
    return {id};
}}

SBE_ONE_DEF uint16_t {p}_sbe_schema_version(void)
{{
    return {version};
}}

SBE_ONE_DEF const char *{p}_sbe_semantic_version(void)
{{
    return {sem};
}}

"#,
            size = c.size,
            encoded_length = composite_encoded_length(c),
            meta_decls = meta_declarations(&p),
            id = s.id,
            version = s.version,
            sem = c_string(&s.semantic_version),
        );
        for m in &c.members {
            let presence = match &m.ty {
                TypeDef::Encoded(t) => t.presence,
                _ => Presence::Required,
            };
            meta_attribute(&mut o, &p, m.ty.name(), presence);
            match &m.ty {
                TypeDef::Encoded(t) if t.length == 0 => {
                    // Var-data payload placeholder: only its position is meaningful.
                    let _ = writeln!(
                        o,
                        "SBE_ONE_DEF size_t {p}_{}_encoding_offset(void)\n{{\n    return {};\n}}\n",
                        t.name, m.offset
                    );
                }
                TypeDef::Encoded(t)
                    if t.length == 1 && t.presence != super::schema::Presence::Constant =>
                {
                    self.scalar(
                        &mut o,
                        &p,
                        &t.name,
                        None,
                        t.since_version,
                        m.offset,
                        t.primitive,
                        &t.null_value,
                        &t.min_value,
                        &t.max_value,
                    );
                }
                TypeDef::Encoded(t) => bail!(
                    "composite `{}` member `{}`: arrays/constants are not supported",
                    c.name,
                    t.name
                ),
                TypeDef::Enum(e) => {
                    self.enum_field(&mut o, &p, &e.name, None, e.since_version, m.offset, e)
                }
                TypeDef::Set(st) => self.scalar(
                    &mut o,
                    &p,
                    &st.name,
                    None,
                    st.since_version,
                    m.offset,
                    st.encoding,
                    "0",
                    "0",
                    &st.encoding.default_max(),
                ),
                TypeDef::Composite(_) => unreachable!(),
            }
        }
        self.file_end(&mut o, &lower_first(&c.name));
        Ok(CFile {
            name: format!("{}.h", lower_first(&c.name)),
            contents: o,
        })
    }

    fn message_header(&self, m: &Message) -> Result<CFile> {
        if !m.groups.is_empty() {
            bail!("message `{}`: repeating groups are parsed but not yet supported by the C generator", m.name);
        }
        let p = self.p(&m.name);
        let hp = self.p(&self.schema.header.name);
        let mut includes = vec![format!("{}.h", lower_first(&self.schema.header.name))];
        for f in &m.fields {
            match &f.ty {
                TypeDef::Enum(e) => includes.push(format!("{}.h", lower_first(&e.name))),
                TypeDef::Set(s) => includes.push(format!("{}.h", lower_first(&s.name))),
                _ => {}
            }
        }
        includes.sort();
        includes.dedup();
        let mut o = String::new();
        self.file_start(&mut o, &lower_first(&m.name), &includes);
        if !m.description.is_empty() {
            let _ = writeln!(o, "/* {} */", m.description);
        }
        let s = self.schema;
        let up = format!("{}_{}", self.ns.to_uppercase(), upper_snake(&m.name));
        let _ = write!(
            o,
            r#"struct {p}
{{
    char *buffer;
    uint64_t buffer_length;
    uint64_t offset;
    uint64_t position;
    uint64_t acting_block_length;
    uint64_t acting_version;
}};

struct {p}_string_view
{{
    const char *data;
    size_t length;
}};

{meta_decls}#define {up}_SBE_TEMPLATE_ID {tid}
#define {up}_SBE_BLOCK_LENGTH {bl}

SBE_ONE_DEF uint64_t {p}_sbe_position(const struct {p} *const codec)
{{
    return codec->position;
}}

SBE_ONE_DEF bool {p}_set_sbe_position(struct {p} *const codec, const uint64_t position)
{{
    if (SBE_BOUNDS_CHECK_EXPECT((position > codec->buffer_length), false))
    {{
        errno = E100;
        return false;
    }}
    codec->position = position;

    return true;
}}

SBE_ONE_DEF uint64_t *{p}_sbe_position_ptr(struct {p} *const codec)
{{
    return &codec->position;
}}

SBE_ONE_DEF struct {p} *{p}_reset(
    struct {p} *const codec,
    char *buffer,
    const uint64_t offset,
    const uint64_t buffer_length,
    const uint64_t acting_block_length,
    const uint64_t acting_version)
{{
    codec->buffer = buffer;
    codec->offset = offset;
    codec->buffer_length = buffer_length;
    codec->acting_block_length = acting_block_length;
    codec->acting_version = acting_version;
    if (SBE_BOUNDS_CHECK_EXPECT((offset > buffer_length), false))
    {{
        errno = E100;
        return NULL;
    }}
    if (!{p}_set_sbe_position(codec, offset + acting_block_length))
    {{
        return NULL;
    }}

    return codec;
}}

SBE_ONE_DEF struct {p} *{p}_copy(struct {p} *const codec, const struct {p} *const other)
{{
    codec->buffer = other->buffer;
    codec->offset = other->offset;
    codec->buffer_length = other->buffer_length;
    codec->acting_block_length = other->acting_block_length;
    codec->acting_version = other->acting_version;
    codec->position = other->position;

    return codec;
}}

SBE_ONE_DEF uint16_t {p}_sbe_block_length(void)
{{
    return {bl};
}}

SBE_ONE_DEF uint16_t {p}_sbe_template_id(void)
{{
    return {tid};
}}

SBE_ONE_DEF uint16_t {p}_sbe_schema_id(void)
{{
    return {sid};
}}

SBE_ONE_DEF uint16_t {p}_sbe_schema_version(void)
{{
    return {ver};
}}

SBE_ONE_DEF const char *{p}_sbe_semantic_version(void)
{{
    return {sem};
}}

SBE_ONE_DEF const char *{p}_sbe_semantic_type(void)
{{
    return "";
}}

SBE_ONE_DEF uint64_t {p}_offset(const struct {p} *const codec)
{{
    return codec->offset;
}}

SBE_ONE_DEF char *{p}_buffer(const struct {p} *const codec)
{{
    return codec->buffer;
}}

SBE_ONE_DEF char *{p}_mut_buffer(struct {p} *const codec)
{{
    return codec->buffer;
}}

SBE_ONE_DEF uint64_t {p}_buffer_length(const struct {p} *const codec)
{{
    return codec->buffer_length;
}}

SBE_ONE_DEF uint64_t {p}_acting_version(const struct {p} *const codec)
{{
    return codec->acting_version;
}}

SBE_ONE_DEF uint64_t {p}_acting_block_length(const struct {p} *const codec)
{{
    return codec->acting_block_length;
}}

/* Writes the message header at `offset` and wraps the block that follows it for encoding. */
SBE_ONE_DEF struct {p} *{p}_wrap_and_apply_header(
    struct {p} *const codec,
    char *buffer,
    const uint64_t offset,
    const uint64_t buffer_length,
    struct {hp} *const hdr)
{{
    if (NULL == {hp}_wrap(hdr, buffer, offset, {hp}_sbe_schema_version(), buffer_length))
    {{
        return NULL;
    }}
    {hp}_set_blockLength(hdr, {p}_sbe_block_length());
    {hp}_set_templateId(hdr, {p}_sbe_template_id());
    {hp}_set_schemaId(hdr, {p}_sbe_schema_id());
    {hp}_set_version(hdr, {p}_sbe_schema_version());

    return {p}_reset(
        codec,
        buffer,
        offset + {hp}_encoded_length(),
        buffer_length,
        {p}_sbe_block_length(),
        {p}_sbe_schema_version());
}}

SBE_ONE_DEF struct {p} *{p}_wrap_for_encode(
    struct {p} *const codec,
    char *buffer,
    const uint64_t offset,
    const uint64_t buffer_length)
{{
    return {p}_reset(codec, buffer, offset, buffer_length, {p}_sbe_block_length(), {p}_sbe_schema_version());
}}

/* Wraps a block at `offset` (after the message header) using the block length and version of the sender. */
SBE_ONE_DEF struct {p} *{p}_wrap_for_decode(
    struct {p} *const codec,
    char *buffer,
    const uint64_t offset,
    const uint64_t acting_block_length,
    const uint64_t acting_version,
    const uint64_t buffer_length)
{{
    return {p}_reset(codec, buffer, offset, buffer_length, acting_block_length, acting_version);
}}

SBE_ONE_DEF struct {p} *{p}_sbe_rewind(struct {p} *const codec)
{{
    return {p}_wrap_for_decode(
        codec,
        codec->buffer,
        codec->offset,
        codec->acting_block_length,
        codec->acting_version,
        codec->buffer_length);
}}

/* Length of the block and the var data written or read so far, excluding the message header. */
SBE_ONE_DEF uint64_t {p}_encoded_length(const struct {p} *const codec)
{{
    return {p}_sbe_position(codec) - codec->offset;
}}

"#,
            tid = m.id,
            bl = m.block_length,
            meta_decls = meta_declarations(&p),
            sid = s.id,
            ver = s.version,
            sem = c_string(&s.semantic_version),
        );
        for f in &m.fields {
            if !f.description.is_empty() {
                let _ = writeln!(o, "/* {}: {} */", f.name, f.description);
            }
            meta_attribute(&mut o, &p, &f.name, f.presence);
            match field_kind(f)? {
                FieldKind::Scalar {
                    primitive,
                    null,
                    min,
                    max,
                } => self.scalar(
                    &mut o,
                    &p,
                    &f.name,
                    Some(f.id),
                    f.since_version,
                    f.offset,
                    primitive,
                    null,
                    min,
                    max,
                ),
                FieldKind::Enum(e) => self.enum_field(
                    &mut o,
                    &p,
                    &f.name,
                    Some(f.id),
                    f.since_version,
                    f.offset,
                    e,
                ),
                FieldKind::Set(st) => self.scalar(
                    &mut o,
                    &p,
                    &f.name,
                    Some(f.id),
                    f.since_version,
                    f.offset,
                    st.encoding,
                    "0",
                    "0",
                    &st.encoding.default_max(),
                ),
                FieldKind::ConstScalar { primitive, value } => {
                    let v = if primitive == Primitive::Char && value.chars().count() == 1 {
                        (value.chars().next().unwrap_or('\0') as u32).to_string()
                    } else {
                        value.to_string()
                    };
                    let _ = writeln!(
                        o,
                        "SBE_ONE_DEF {} {p}_{}(void)\n{{\n    return {};\n}}\n",
                        c_type(primitive),
                        f.name,
                        c_literal(primitive, &v)
                    );
                }
                FieldKind::ConstString { value } => {
                    let _ = writeln!(
                        o,
                        "SBE_ONE_DEF const char *{p}_{}(void)\n{{\n    return {};\n}}\n",
                        f.name,
                        c_string(value)
                    );
                    let _ = writeln!(
                        o,
                        "SBE_ONE_DEF size_t {p}_{}_length(void)\n{{\n    return {};\n}}\n",
                        f.name,
                        value.len()
                    );
                }
                FieldKind::ConstEnum(e, idx) => {
                    let ep = self.p(&e.name);
                    let _ = writeln!(
                        o,
                        "SBE_ONE_DEF enum {ep} {p}_{}(void)\n{{\n    return {ep}_{};\n}}\n",
                        f.name, e.values[idx].name
                    );
                }
            }
        }
        for d in &m.data {
            self.var_data(&mut o, &p, d);
        }
        self.file_end(&mut o, &lower_first(&m.name));
        Ok(CFile {
            name: format!("{}.h", lower_first(&m.name)),
            contents: o,
        })
    }

    fn var_data(&self, o: &mut String, p: &str, d: &Data) {
        let n = &d.name;
        let lp = d.length_primitive;
        let lt = c_type(lp);
        let ls = lp.size();
        let since = d.since_version;
        // SBE's C generator prints Java's `null` for data without a character encoding (binary data).
        let enc = d.character_encoding.as_deref().unwrap_or("null");
        if !d.description.is_empty() {
            let _ = writeln!(o, "/* {n}: {} */", d.description);
        }
        meta_attribute(o, p, n, Presence::Required);
        let absent = |ret: &str| {
            if since > 0 {
                format!(
                    "    if (codec->acting_version < {since})\n    {{\n        {ret}\n    }}\n\n"
                )
            } else {
                String::new()
            }
        };
        let in_version = if since > 0 {
            format!("    return codec->acting_version >= {since};")
        } else {
            "    (void)codec;\n    return true;".to_string()
        };
        let read_len = format!(
            "    {raw} length_field_value;\n    memcpy(&length_field_value, codec->buffer + length_position, sizeof({raw}));\n    uint64_t data_length = (uint64_t){dec};\n",
            raw = raw_type(lp),
            dec = self.decode_expr(lp, "length_field_value")
        );
        let _ = write!(
            o,
            r#"SBE_ONE_DEF uint16_t {p}_{n}_id(void)
{{
    return {id};
}}

SBE_ONE_DEF const char *{p}_{n}_character_encoding(void)
{{
    return {enc};
}}

SBE_ONE_DEF uint64_t {p}_{n}_since_version(void)
{{
    return {since};
}}

SBE_ONE_DEF bool {p}_{n}_in_acting_version(const struct {p} *const codec)
{{
{in_version}
}}

SBE_ONE_DEF uint64_t {p}_{n}_header_length(void)
{{
    return {ls};
}}

/* Length of the data at the current position (0 if the length prefix lies outside the buffer). */
SBE_ONE_DEF {lt} {p}_{n}_length(const struct {p} *const codec)
{{
{absent0}    uint64_t length_position = {p}_sbe_position(codec);
    if (SBE_BOUNDS_CHECK_EXPECT((length_position + {ls} > codec->buffer_length), false))
    {{
        return 0;
    }}
{read_len}
    return ({lt})data_length;
}}

/* Returns a pointer to the data and advances past it, or NULL if it lies outside the buffer. */
SBE_ONE_DEF const char *{p}_{n}(struct {p} *const codec)
{{
{absent_null}    uint64_t length_position = {p}_sbe_position(codec);
    if (!{p}_set_sbe_position(codec, length_position + {ls}))
    {{
        return NULL;
    }}
{read_len}    const char *field_ptr = codec->buffer + length_position + {ls};
    if (!{p}_set_sbe_position(codec, length_position + {ls} + data_length))
    {{
        return NULL;
    }}

    return field_ptr;
}}

/* Copies up to `length` bytes of the data into `dst` and advances past it; returns the bytes copied. */
SBE_ONE_DEF uint64_t {p}_get_{n}(struct {p} *const codec, char *dst, const uint64_t length)
{{
{absent0}    uint64_t length_position = {p}_sbe_position(codec);
    if (!{p}_set_sbe_position(codec, length_position + {ls}))
    {{
        return 0;
    }}
{read_len}    uint64_t bytes_to_copy = length < data_length ? length : data_length;
    uint64_t pos = {p}_sbe_position(codec);
    if (!{p}_set_sbe_position(codec, pos + data_length))
    {{
        return 0;
    }}
    if (bytes_to_copy > 0)
    {{
        memcpy(dst, codec->buffer + pos, bytes_to_copy);
    }}

    return bytes_to_copy;
}}

/* Returns a view of the data and advances past it; {{NULL, 0}} if it lies outside the buffer. */
SBE_ONE_DEF struct {p}_string_view {p}_get_{n}_as_string_view(struct {p} *const codec)
{{
    struct {p}_string_view ret = {{ NULL, 0 }};
{absent_ret}    uint64_t length_position = {p}_sbe_position(codec);
    if (!{p}_set_sbe_position(codec, length_position + {ls}))
    {{
        return ret;
    }}
{read_len}    if (!{p}_set_sbe_position(codec, length_position + {ls} + data_length))
    {{
        return ret;
    }}
    ret.data = codec->buffer + length_position + {ls};
    ret.length = (size_t)data_length;

    return ret;
}}

/* Writes the length prefix and `length` bytes of `src` at the current position. */
SBE_ONE_DEF struct {p} *{p}_put_{n}(struct {p} *const codec, const char *src, const {lt} length)
{{
    uint64_t length_position = {p}_sbe_position(codec);
    if (!{p}_set_sbe_position(codec, length_position + {ls}))
    {{
        return NULL;
    }}
    {raw} length_field_value = {enc_len};
    memcpy(codec->buffer + length_position, &length_field_value, sizeof({raw}));
    uint64_t pos = {p}_sbe_position(codec);
    if (!{p}_set_sbe_position(codec, pos + length))
    {{
        return NULL;
    }}
    if (length > 0)
    {{
        memcpy(codec->buffer + pos, src, length);
    }}

    return codec;
}}

"#,
            id = d.id,
            enc = c_string(enc),
            absent0 = absent("return 0;"),
            absent_null = absent("return NULL;"),
            absent_ret = absent("return ret;"),
            raw = raw_type(lp),
            enc_len = self.encode_expr(lp, "length"),
        );
    }
}
