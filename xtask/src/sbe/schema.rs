//! SBE schema model and XML parser.
//!
//! Supports the parts of the FIX SBE XML schema (1.0) that message schemas such as the Aeron Archive codecs
//! use: the message header composite, encoded primitive types (with presence, null/min/max values, array
//! length, character encoding, constants), enums, sets, composites (with explicit or implicit member
//! offsets), messages with fixed fields (explicit or implicit offsets), repeating groups, variable-length
//! data, `sinceVersion`, and the schema byte order. Layouts (offsets, sizes, block lengths) are computed
//! here so that every generator sees the same numbers.

use anyhow::{anyhow, bail, Context, Result};
use std::collections::BTreeMap;

/// Byte order of every multi-byte value in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// `littleEndian` (the SBE default).
    Little,
    /// `bigEndian`.
    Big,
}

/// An SBE primitive type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Primitive {
    Char,
    Int8,
    Int16,
    Int32,
    Int64,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Float,
    Double,
}

impl Primitive {
    /// Parses an SBE primitive type name, e.g. `int32`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "char" => Primitive::Char,
            "int8" => Primitive::Int8,
            "int16" => Primitive::Int16,
            "int32" => Primitive::Int32,
            "int64" => Primitive::Int64,
            "uint8" => Primitive::Uint8,
            "uint16" => Primitive::Uint16,
            "uint32" => Primitive::Uint32,
            "uint64" => Primitive::Uint64,
            "float" => Primitive::Float,
            "double" => Primitive::Double,
            _ => return None,
        })
    }

    /// The SBE name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Primitive::Char => "char",
            Primitive::Int8 => "int8",
            Primitive::Int16 => "int16",
            Primitive::Int32 => "int32",
            Primitive::Int64 => "int64",
            Primitive::Uint8 => "uint8",
            Primitive::Uint16 => "uint16",
            Primitive::Uint32 => "uint32",
            Primitive::Uint64 => "uint64",
            Primitive::Float => "float",
            Primitive::Double => "double",
        }
    }

    /// Encoded size in bytes.
    pub fn size(self) -> usize {
        match self {
            Primitive::Char | Primitive::Int8 | Primitive::Uint8 => 1,
            Primitive::Int16 | Primitive::Uint16 => 2,
            Primitive::Int32 | Primitive::Uint32 | Primitive::Float => 4,
            Primitive::Int64 | Primitive::Uint64 | Primitive::Double => 8,
        }
    }

    /// True for signed integer types.
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            Primitive::Int8 | Primitive::Int16 | Primitive::Int32 | Primitive::Int64
        )
    }

    /// True for `float` and `double`.
    pub fn is_float(self) -> bool {
        matches!(self, Primitive::Float | Primitive::Double)
    }

    /// The SBE default null value as a literal (integers in decimal; floats as `NaN`).
    pub fn default_null(self) -> String {
        match self {
            Primitive::Char => "0".into(),
            Primitive::Int8 => i8::MIN.to_string(),
            Primitive::Int16 => i16::MIN.to_string(),
            Primitive::Int32 => i32::MIN.to_string(),
            Primitive::Int64 => i64::MIN.to_string(),
            Primitive::Uint8 => u8::MAX.to_string(),
            Primitive::Uint16 => u16::MAX.to_string(),
            Primitive::Uint32 => u32::MAX.to_string(),
            Primitive::Uint64 => u64::MAX.to_string(),
            Primitive::Float | Primitive::Double => "NaN".into(),
        }
    }

    /// The SBE default minimum value as a literal.
    pub fn default_min(self) -> String {
        match self {
            Primitive::Char => "32".into(),
            Primitive::Int8 => (i8::MIN as i64 + 1).to_string(),
            Primitive::Int16 => (i16::MIN as i64 + 1).to_string(),
            Primitive::Int32 => (i32::MIN as i64 + 1).to_string(),
            Primitive::Int64 => (i64::MIN + 1).to_string(),
            Primitive::Uint8 | Primitive::Uint16 | Primitive::Uint32 | Primitive::Uint64 => {
                "0".into()
            }
            Primitive::Float => "-3.4028234663852886e38".into(),
            Primitive::Double => "-1.7976931348623157e308".into(),
        }
    }

    /// The SBE default maximum value as a literal.
    pub fn default_max(self) -> String {
        match self {
            Primitive::Char => "126".into(),
            Primitive::Int8 => i8::MAX.to_string(),
            Primitive::Int16 => i16::MAX.to_string(),
            Primitive::Int32 => i32::MAX.to_string(),
            Primitive::Int64 => i64::MAX.to_string(),
            Primitive::Uint8 => (u8::MAX - 1).to_string(),
            Primitive::Uint16 => (u16::MAX - 1).to_string(),
            Primitive::Uint32 => (u32::MAX - 1).to_string(),
            Primitive::Uint64 => (u64::MAX - 1).to_string(),
            Primitive::Float => "3.4028234663852886e38".into(),
            Primitive::Double => "1.7976931348623157e308".into(),
        }
    }
}

/// Presence of a type or field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    Constant,
}

impl Presence {
    fn parse(s: Option<&str>) -> Result<Self> {
        Ok(match s.unwrap_or("required") {
            "required" => Presence::Required,
            "optional" => Presence::Optional,
            "constant" => Presence::Constant,
            other => bail!("unknown presence `{other}`"),
        })
    }
}

/// An encoded (primitive-based) type: `<type>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedType {
    pub name: String,
    pub primitive: Primitive,
    pub presence: Presence,
    /// Effective null value literal (explicit `nullValue` or the primitive default).
    pub null_value: String,
    pub min_value: String,
    pub max_value: String,
    /// Array length (1 for scalars, 0 for the var-data payload placeholder).
    pub length: usize,
    pub character_encoding: Option<String>,
    /// Text of a constant type (`presence="constant"`).
    pub constant_value: Option<String>,
    pub description: String,
    pub since_version: u16,
    /// Explicit `offset` attribute (only meaningful inside composites).
    pub offset: Option<usize>,
}

impl EncodedType {
    /// Encoded size in bytes (0 for constants).
    pub fn size(&self) -> usize {
        if self.presence == Presence::Constant {
            0
        } else {
            self.primitive.size() * self.length
        }
    }
}

/// One `<validValue>` of an enum.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidValue {
    pub name: String,
    /// Numeric value (character code for `char` enums).
    pub value: i64,
    pub description: String,
    pub since_version: u16,
}

/// `<enum>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    pub name: String,
    pub encoding: Primitive,
    /// Null value of the encoding type.
    pub null_value: String,
    pub values: Vec<ValidValue>,
    pub description: String,
    pub since_version: u16,
    pub offset: Option<usize>,
}

/// One `<choice>` of a set.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub name: String,
    pub bit: u32,
    pub description: String,
    pub since_version: u16,
}

/// `<set>`.
#[derive(Debug, Clone, PartialEq)]
pub struct SetType {
    pub name: String,
    pub encoding: Primitive,
    pub choices: Vec<Choice>,
    pub description: String,
    pub since_version: u16,
    pub offset: Option<usize>,
}

/// A member of a composite with its computed offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub offset: usize,
    pub ty: TypeDef,
}

/// `<composite>`.
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeType {
    pub name: String,
    pub members: Vec<Member>,
    pub description: String,
    pub since_version: u16,
    pub offset: Option<usize>,
    /// Total encoded size.
    pub size: usize,
}

impl CompositeType {
    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.ty.name() == name)
    }

    /// The encoded type of the member called `name`, if it is a primitive-based type.
    pub fn encoded_member(&self, name: &str) -> Option<(&EncodedType, usize)> {
        match self.member(name) {
            Some(Member {
                offset,
                ty: TypeDef::Encoded(t),
            }) => Some((t, *offset)),
            _ => None,
        }
    }
}

/// Any named type from `<types>`.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    Encoded(EncodedType),
    Enum(EnumType),
    Set(SetType),
    Composite(CompositeType),
}

impl TypeDef {
    /// The type's name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Encoded(t) => &t.name,
            TypeDef::Enum(t) => &t.name,
            TypeDef::Set(t) => &t.name,
            TypeDef::Composite(t) => &t.name,
        }
    }

    /// Encoded size in bytes.
    pub fn size(&self) -> usize {
        match self {
            TypeDef::Encoded(t) => t.size(),
            TypeDef::Enum(t) => t.encoding.size(),
            TypeDef::Set(t) => t.encoding.size(),
            TypeDef::Composite(t) => t.size,
        }
    }

    fn explicit_offset(&self) -> Option<usize> {
        match self {
            TypeDef::Encoded(t) => t.offset,
            TypeDef::Enum(t) => t.offset,
            TypeDef::Set(t) => t.offset,
            TypeDef::Composite(t) => t.offset,
        }
    }
}

/// A fixed-size field of a message or group.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub id: u16,
    pub description: String,
    pub since_version: u16,
    /// Effective presence (the field's attribute, else the type's).
    pub presence: Presence,
    /// Offset within the block.
    pub offset: usize,
    pub ty: TypeDef,
    /// For constant enum fields: the `valueRef` (`Enum.VALUE`).
    pub value_ref: Option<String>,
}

impl Field {
    /// Encoded size (0 for constants).
    pub fn size(&self) -> usize {
        if self.presence == Presence::Constant {
            0
        } else {
            self.ty.size()
        }
    }
}

/// A variable-length data field (`<data>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    pub name: String,
    pub id: u16,
    pub description: String,
    pub since_version: u16,
    /// Name of the composite describing the encoding (e.g. `varAsciiEncoding`).
    pub type_name: String,
    /// Primitive of the length prefix.
    pub length_primitive: Primitive,
    /// `maxValue` of the length prefix, if given.
    pub max_length: Option<u64>,
    /// `characterEncoding` of the payload; `None` means raw bytes.
    pub character_encoding: Option<String>,
}

/// A repeating group (`<group>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub id: u16,
    pub description: String,
    pub since_version: u16,
    pub dimension: CompositeType,
    pub block_length: usize,
    pub fields: Vec<Field>,
    pub groups: Vec<Group>,
    pub data: Vec<Data>,
}

/// `<sbe:message>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub name: String,
    pub id: u16,
    pub description: String,
    pub since_version: u16,
    pub block_length: usize,
    pub fields: Vec<Field>,
    pub groups: Vec<Group>,
    pub data: Vec<Data>,
}

/// A parsed schema with all layouts resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub package: String,
    pub id: u16,
    pub version: u16,
    pub semantic_version: String,
    pub description: String,
    pub byte_order: ByteOrder,
    /// The message header composite (`headerType`, default `messageHeader`).
    pub header: CompositeType,
    /// All named types in schema order.
    pub types: Vec<TypeDef>,
    /// All messages in schema order.
    pub messages: Vec<Message>,
}

impl Schema {
    /// The named type called `name`.
    #[allow(dead_code)]
    pub fn type_named(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name() == name)
    }
}

// ---------------------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------------------

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute(name)
}

fn req_attr<'a>(node: Node<'a, '_>, name: &str) -> Result<&'a str> {
    node.attribute(name).ok_or_else(|| {
        anyhow!(
            "<{}> at byte {} is missing attribute `{name}`",
            node.tag_name().name(),
            node.range().start
        )
    })
}

fn num_attr<T: std::str::FromStr>(node: Node<'_, '_>, name: &str) -> Result<Option<T>> {
    match node.attribute(name) {
        None => Ok(None),
        Some(s) => s.trim().parse::<T>().map(Some).map_err(|_| {
            anyhow!(
                "attribute `{name}`=`{s}` of <{}> is not a valid number",
                node.tag_name().name()
            )
        }),
    }
}

fn description(node: Node<'_, '_>) -> String {
    attr(node, "description")
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn since(node: Node<'_, '_>) -> Result<u16> {
    Ok(num_attr::<u16>(node, "sinceVersion")?.unwrap_or(0))
}

fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|n| n.is_element())
}

/// Parses an SBE XML schema and resolves all layouts.
pub fn parse(xml: &str) -> Result<Schema> {
    let doc = roxmltree::Document::parse(xml).context("parsing SBE schema XML")?;
    let root = doc.root_element();
    if root.tag_name().name() != "messageSchema" {
        bail!(
            "root element is <{}>, expected <messageSchema>",
            root.tag_name().name()
        );
    }
    let byte_order = match attr(root, "byteOrder").unwrap_or("littleEndian") {
        "littleEndian" => ByteOrder::Little,
        "bigEndian" => ByteOrder::Big,
        other => bail!("unknown byteOrder `{other}`"),
    };

    // Collect raw type nodes by name first so that references can be resolved regardless of order.
    let mut type_nodes: Vec<Node> = Vec::new();
    for types in elements(root).filter(|n| n.tag_name().name() == "types") {
        type_nodes.extend(elements(types));
    }
    let mut by_name: BTreeMap<&str, Node> = BTreeMap::new();
    for n in &type_nodes {
        let name = req_attr(*n, "name")?;
        if by_name.insert(name, *n).is_some() {
            bail!("type `{name}` is defined twice");
        }
    }
    let resolver = Resolver { by_name };
    let mut types = Vec::new();
    for n in &type_nodes {
        types.push(resolver.type_def(*n, 0)?);
    }

    let header_name = attr(root, "headerType").unwrap_or("messageHeader");
    let header = match types.iter().find(|t| t.name() == header_name) {
        Some(TypeDef::Composite(c)) => c.clone(),
        Some(_) => bail!("header type `{header_name}` is not a composite"),
        None => bail!("header type `{header_name}` is not defined"),
    };
    for member in ["blockLength", "templateId", "schemaId", "version"] {
        if header.encoded_member(member).is_none() {
            bail!("header composite `{header_name}` lacks primitive member `{member}`");
        }
    }

    let mut messages = Vec::new();
    for m in elements(root).filter(|n| n.tag_name().name() == "message") {
        messages.push(resolver.message(m)?);
    }
    let mut ids = BTreeMap::new();
    for m in &messages {
        if let Some(other) = ids.insert(m.id, &m.name) {
            bail!(
                "messages `{other}` and `{}` share template id {}",
                m.name,
                m.id
            );
        }
    }

    Ok(Schema {
        package: attr(root, "package").unwrap_or("").to_string(),
        id: num_attr(root, "id")?.ok_or_else(|| anyhow!("schema has no id"))?,
        version: num_attr(root, "version")?.unwrap_or(0),
        semantic_version: attr(root, "semanticVersion").unwrap_or("").to_string(),
        description: description(root),
        byte_order,
        header,
        types,
        messages,
    })
}

struct Resolver<'a, 'i> {
    by_name: BTreeMap<&'a str, Node<'a, 'i>>,
}

impl<'a, 'i> Resolver<'a, 'i> {
    fn lookup(&self, name: &str, depth: usize) -> Result<TypeDef> {
        if depth > 32 {
            bail!("type `{name}` is nested too deeply (cyclic reference?)");
        }
        let node = self
            .by_name
            .get(name)
            .ok_or_else(|| anyhow!("unknown type `{name}`"))?;
        self.type_def(*node, depth + 1)
    }

    /// Resolves a primitive name or a named `<type>` to a primitive (used by enum/set `encodingType`).
    fn encoding_primitive(&self, name: &str, depth: usize) -> Result<(Primitive, Option<String>)> {
        if let Some(p) = Primitive::from_name(name) {
            return Ok((p, None));
        }
        match self.lookup(name, depth)? {
            TypeDef::Encoded(t) if t.length == 1 => Ok((t.primitive, Some(t.null_value))),
            _ => bail!("encodingType `{name}` is not a primitive or scalar type"),
        }
    }

    fn type_def(&self, node: Node<'a, 'i>, depth: usize) -> Result<TypeDef> {
        let name = req_attr(node, "name")?;
        let ctx = || format!("in type `{name}`");
        match node.tag_name().name() {
            "type" => self.encoded(node).map(TypeDef::Encoded).with_context(ctx),
            "enum" => self
                .enum_type(node, depth)
                .map(TypeDef::Enum)
                .with_context(ctx),
            "set" => self
                .set_type(node, depth)
                .map(TypeDef::Set)
                .with_context(ctx),
            "composite" => self
                .composite(node, depth)
                .map(TypeDef::Composite)
                .with_context(ctx),
            "ref" => {
                let target = req_attr(node, "type")?;
                let mut t = self.lookup(target, depth).with_context(ctx)?;
                // A ref takes the name (and optional offset) given at the point of use.
                let offset = num_attr::<usize>(node, "offset")?;
                match &mut t {
                    TypeDef::Encoded(x) => {
                        x.name = name.into();
                        x.offset = offset;
                    }
                    TypeDef::Enum(x) => {
                        x.name = name.into();
                        x.offset = offset;
                    }
                    TypeDef::Set(x) => {
                        x.name = name.into();
                        x.offset = offset;
                    }
                    TypeDef::Composite(x) => {
                        x.name = name.into();
                        x.offset = offset;
                    }
                }
                Ok(t)
            }
            other => bail!("unsupported type element <{other}> `{name}`"),
        }
    }

    fn encoded(&self, node: Node<'a, 'i>) -> Result<EncodedType> {
        let name = req_attr(node, "name")?.to_string();
        let prim_name = req_attr(node, "primitiveType")?;
        let primitive = Primitive::from_name(prim_name)
            .ok_or_else(|| anyhow!("unknown primitiveType `{prim_name}`"))?;
        let presence = Presence::parse(attr(node, "presence"))?;
        let constant_value = if presence == Presence::Constant {
            let text = node.text().unwrap_or("").trim().to_string();
            if text.is_empty() {
                bail!("constant type `{name}` has no value");
            }
            Some(text)
        } else {
            None
        };
        let default_length = if constant_value.is_some() && primitive == Primitive::Char {
            constant_value.as_ref().map(|s| s.len()).unwrap_or(1)
        } else {
            1
        };
        Ok(EncodedType {
            null_value: attr(node, "nullValue")
                .map(str::to_string)
                .unwrap_or_else(|| primitive.default_null()),
            min_value: attr(node, "minValue")
                .map(str::to_string)
                .unwrap_or_else(|| primitive.default_min()),
            max_value: attr(node, "maxValue")
                .map(str::to_string)
                .unwrap_or_else(|| primitive.default_max()),
            length: num_attr(node, "length")?.unwrap_or(default_length),
            character_encoding: attr(node, "characterEncoding").map(str::to_string),
            constant_value,
            description: description(node),
            since_version: since(node)?,
            offset: num_attr(node, "offset")?,
            name,
            primitive,
            presence,
        })
    }

    fn enum_type(&self, node: Node<'a, 'i>, depth: usize) -> Result<EnumType> {
        let enc = req_attr(node, "encodingType")?;
        let (encoding, null_override) = self.encoding_primitive(enc, depth)?;
        if encoding.is_float() {
            bail!("enum encodingType must be an integer or char type");
        }
        let mut values = Vec::new();
        for v in elements(node).filter(|n| n.tag_name().name() == "validValue") {
            let text = v.text().unwrap_or("").trim();
            let value = if encoding == Primitive::Char {
                let mut chars = text.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => c as i64,
                    _ => bail!("char enum value `{text}` must be a single character"),
                }
            } else {
                text.parse::<i64>()
                    .map_err(|_| anyhow!("enum value `{text}` is not an integer"))?
            };
            values.push(ValidValue {
                name: req_attr(v, "name")?.to_string(),
                value,
                description: description(v),
                since_version: since(v)?,
            });
        }
        if values.is_empty() {
            bail!("enum has no valid values");
        }
        Ok(EnumType {
            name: req_attr(node, "name")?.to_string(),
            encoding,
            null_value: null_override.unwrap_or_else(|| encoding.default_null()),
            values,
            description: description(node),
            since_version: since(node)?,
            offset: num_attr(node, "offset")?,
        })
    }

    fn set_type(&self, node: Node<'a, 'i>, depth: usize) -> Result<SetType> {
        let enc = req_attr(node, "encodingType")?;
        let (encoding, _) = self.encoding_primitive(enc, depth)?;
        if encoding.is_signed() || encoding.is_float() || encoding == Primitive::Char {
            bail!("set encodingType must be an unsigned integer type");
        }
        let mut choices = Vec::new();
        for c in elements(node).filter(|n| n.tag_name().name() == "choice") {
            let text = c.text().unwrap_or("").trim();
            let bit: u32 = text
                .parse()
                .map_err(|_| anyhow!("choice bit `{text}` is not an integer"))?;
            if bit as usize >= encoding.size() * 8 {
                bail!("choice bit {bit} does not fit in {}", encoding.name());
            }
            choices.push(Choice {
                name: req_attr(c, "name")?.to_string(),
                bit,
                description: description(c),
                since_version: since(c)?,
            });
        }
        Ok(SetType {
            name: req_attr(node, "name")?.to_string(),
            encoding,
            choices,
            description: description(node),
            since_version: since(node)?,
            offset: num_attr(node, "offset")?,
        })
    }

    fn composite(&self, node: Node<'a, 'i>, depth: usize) -> Result<CompositeType> {
        let mut members = Vec::new();
        let mut cursor = 0usize;
        for m in elements(node) {
            let ty = self.type_def(m, depth + 1)?;
            let offset = match ty.explicit_offset() {
                Some(o) if o < cursor => {
                    bail!("member `{}` offset {o} overlaps previous member", ty.name())
                }
                Some(o) => o,
                None => cursor,
            };
            cursor = offset + ty.size();
            members.push(Member { offset, ty });
        }
        Ok(CompositeType {
            name: req_attr(node, "name")?.to_string(),
            members,
            description: description(node),
            since_version: since(node)?,
            offset: num_attr(node, "offset")?,
            size: cursor,
        })
    }

    fn field(&self, node: Node<'a, 'i>, cursor: usize) -> Result<Field> {
        let name = req_attr(node, "name")?.to_string();
        let type_name = req_attr(node, "type")?;
        let ty = match Primitive::from_name(type_name) {
            Some(p) => TypeDef::Encoded(EncodedType {
                name: type_name.to_string(),
                primitive: p,
                presence: Presence::Required,
                null_value: p.default_null(),
                min_value: p.default_min(),
                max_value: p.default_max(),
                length: 1,
                character_encoding: None,
                constant_value: None,
                description: String::new(),
                since_version: 0,
                offset: None,
            }),
            None => self.lookup(type_name, 0)?,
        };
        let type_presence = match &ty {
            TypeDef::Encoded(t) => t.presence,
            _ => Presence::Required,
        };
        let presence = match attr(node, "presence") {
            Some(p) => Presence::parse(Some(p))?,
            None => type_presence,
        };
        let value_ref = attr(node, "valueRef").map(str::to_string);
        if presence == Presence::Constant {
            let ok = match &ty {
                TypeDef::Encoded(t) => t.constant_value.is_some() || value_ref.is_some(),
                TypeDef::Enum(_) => value_ref.is_some(),
                _ => false,
            };
            if !ok {
                bail!("constant field `{name}` needs a constant type or a valueRef");
            }
        }
        let offset = match num_attr::<usize>(node, "offset")? {
            Some(o) if o < cursor => {
                bail!("field `{name}` offset {o} overlaps the previous field (ends at {cursor})")
            }
            Some(o) => o,
            None => cursor,
        };
        Ok(Field {
            id: num_attr(node, "id")?.ok_or_else(|| anyhow!("field `{name}` has no id"))?,
            description: description(node),
            since_version: since(node)?,
            presence,
            offset,
            ty,
            value_ref,
            name,
        })
    }

    fn data(&self, node: Node<'a, 'i>) -> Result<Data> {
        let name = req_attr(node, "name")?.to_string();
        let type_name = req_attr(node, "type")?;
        let composite = match self.lookup(type_name, 0)? {
            TypeDef::Composite(c) => c,
            _ => bail!("data `{name}` type `{type_name}` is not a composite"),
        };
        let (length, length_offset) = composite
            .encoded_member("length")
            .ok_or_else(|| anyhow!("var-data composite `{type_name}` has no `length` member"))?;
        let (var_data, var_offset) = composite
            .encoded_member("varData")
            .ok_or_else(|| anyhow!("var-data composite `{type_name}` has no `varData` member"))?;
        if length_offset != 0 || var_offset != length.size() || var_data.length != 0 {
            bail!("var-data composite `{type_name}` must be `length` then a zero-length `varData`");
        }
        if length.primitive.is_signed()
            || length.primitive.is_float()
            || length.primitive == Primitive::Char
        {
            bail!("var-data `{type_name}` length must be an unsigned integer");
        }
        if !matches!(
            var_data.primitive,
            Primitive::Uint8 | Primitive::Char | Primitive::Int8
        ) {
            bail!("var-data `{type_name}` payload must be single-byte");
        }
        Ok(Data {
            id: num_attr(node, "id")?.ok_or_else(|| anyhow!("data `{name}` has no id"))?,
            description: description(node),
            since_version: since(node)?,
            type_name: type_name.to_string(),
            length_primitive: length.primitive,
            max_length: length.max_value.parse::<u64>().ok().filter(|_| {
                // Only an explicit maxValue is a real limit; the primitive default is not.
                length.max_value != length.primitive.default_max()
            }),
            character_encoding: var_data.character_encoding.clone(),
            name,
        })
    }

    /// Parses fields, groups and data of a message or group body; returns (fields, groups, data, block end).
    #[allow(clippy::type_complexity)]
    fn body(&self, node: Node<'a, 'i>) -> Result<(Vec<Field>, Vec<Group>, Vec<Data>, usize)> {
        let (mut fields, mut groups, mut data) = (Vec::new(), Vec::new(), Vec::new());
        let mut cursor = 0usize;
        for n in elements(node) {
            match n.tag_name().name() {
                "field" => {
                    if !groups.is_empty() || !data.is_empty() {
                        bail!(
                            "field `{}` follows a group or data element",
                            attr(n, "name").unwrap_or("?")
                        );
                    }
                    let f = self.field(n, cursor)?;
                    cursor = f.offset + f.size();
                    fields.push(f);
                }
                "group" => {
                    if !data.is_empty() {
                        bail!(
                            "group `{}` follows a data element",
                            attr(n, "name").unwrap_or("?")
                        );
                    }
                    groups.push(self.group(n)?);
                }
                "data" => data.push(self.data(n)?),
                other => bail!("unexpected element <{other}> in message body"),
            }
        }
        Ok((fields, groups, data, cursor))
    }

    fn group(&self, node: Node<'a, 'i>) -> Result<Group> {
        let name = req_attr(node, "name")?.to_string();
        let dim_name = attr(node, "dimensionType").unwrap_or("groupSizeEncoding");
        let dimension = match self.lookup(dim_name, 0)? {
            TypeDef::Composite(c) => c,
            _ => bail!("group `{name}` dimensionType `{dim_name}` is not a composite"),
        };
        for m in ["blockLength", "numInGroup"] {
            if dimension.encoded_member(m).is_none() {
                bail!("group dimension `{dim_name}` lacks member `{m}`");
            }
        }
        let (fields, groups, data, end) = self
            .body(node)
            .with_context(|| format!("in group `{name}`"))?;
        let block_length = match num_attr::<usize>(node, "blockLength")? {
            Some(b) if b < end => {
                bail!("group `{name}` blockLength {b} is smaller than its fields ({end})")
            }
            Some(b) => b,
            None => end,
        };
        Ok(Group {
            id: num_attr(node, "id")?.ok_or_else(|| anyhow!("group `{name}` has no id"))?,
            description: description(node),
            since_version: since(node)?,
            dimension,
            block_length,
            fields,
            groups,
            data,
            name,
        })
    }

    fn message(&self, node: Node<'a, 'i>) -> Result<Message> {
        let name = req_attr(node, "name")?.to_string();
        let (fields, groups, data, end) = self
            .body(node)
            .with_context(|| format!("in message `{name}`"))?;
        let block_length = match num_attr::<usize>(node, "blockLength")? {
            Some(b) if b < end => {
                bail!("message `{name}` blockLength {b} is smaller than its fields ({end})")
            }
            Some(b) => b,
            None => end,
        };
        Ok(Message {
            id: num_attr(node, "id")?.ok_or_else(|| anyhow!("message `{name}` has no id"))?,
            description: description(node),
            since_version: since(node)?,
            block_length,
            fields,
            groups,
            data,
            name,
        })
    }
}
