//! Classification of fields into the shapes the generators know how to emit.

use super::schema::{EnumType, Field, Presence, Primitive, SetType, TypeDef};
use anyhow::{anyhow, bail, Result};

/// What a fixed field looks like to a generator.
#[derive(Debug, Clone)]
pub enum FieldKind<'a> {
    /// A single primitive value stored in the block.
    Scalar {
        primitive: Primitive,
        null: &'a str,
        min: &'a str,
        max: &'a str,
    },
    /// An enum stored in the block.
    Enum(&'a EnumType),
    /// A bit set stored in the block.
    Set(&'a SetType),
    /// A constant primitive (not stored).
    ConstScalar {
        primitive: Primitive,
        value: &'a str,
    },
    /// A constant `char` array, i.e. a string (not stored).
    ConstString { value: &'a str },
    /// A constant enum value (not stored); the `usize` indexes `EnumType::values`.
    ConstEnum(&'a EnumType, usize),
}

/// Classifies `field`, or explains why the generators cannot emit it.
pub fn field_kind(field: &Field) -> Result<FieldKind<'_>> {
    let unsupported = |what: &str| {
        anyhow!(
            "field `{}`: {what} fields are not supported by the generators",
            field.name
        )
    };
    match (&field.ty, field.presence) {
        (TypeDef::Encoded(t), Presence::Constant) => {
            let value = match (&t.constant_value, &field.value_ref) {
                (Some(v), _) => v.as_str(),
                (None, Some(_)) => return Err(unsupported("valueRef on a primitive")),
                (None, None) => bail!("constant field `{}` has no value", field.name),
            };
            if t.primitive == Primitive::Char && t.length != 1 {
                Ok(FieldKind::ConstString { value })
            } else if t.length == 1 {
                Ok(FieldKind::ConstScalar {
                    primitive: t.primitive,
                    value,
                })
            } else {
                Err(unsupported("constant array"))
            }
        }
        (TypeDef::Encoded(t), _) => {
            if t.length != 1 {
                return Err(unsupported("fixed-length array"));
            }
            Ok(FieldKind::Scalar {
                primitive: t.primitive,
                null: &t.null_value,
                min: &t.min_value,
                max: &t.max_value,
            })
        }
        (TypeDef::Enum(e), Presence::Constant) => {
            let r = field.value_ref.as_deref().unwrap_or("");
            let value = r.rsplit('.').next().unwrap_or("");
            let idx = e
                .values
                .iter()
                .position(|v| v.name == value)
                .ok_or_else(|| {
                    anyhow!(
                        "field `{}`: valueRef `{r}` names no value of `{}`",
                        field.name,
                        e.name
                    )
                })?;
            Ok(FieldKind::ConstEnum(e, idx))
        }
        (TypeDef::Enum(e), _) => Ok(FieldKind::Enum(e)),
        (TypeDef::Set(s), _) => Ok(FieldKind::Set(s)),
        (TypeDef::Composite(_), _) => Err(unsupported("composite")),
    }
}
