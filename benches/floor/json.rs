//! Borrowed JSON values: strings point into the input unless they have
//! escapes, and everything else is reduced to what validation needs.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One JSON value.
pub enum Field<'de> {
    Null,
    Str(Cow<'de, str>),
    /// A whole number from 0 to `u64::MAX`.
    U64(u64),
    /// A list of strings (anything else in a list makes it `Other`).
    Strings(Vec<Cow<'de, str>>),
    /// Any other number, a boolean, an object, a list of other things.
    Other,
}

/// A string field: absent, `null` and `""` are `None`; anything but a
/// string is refused.
pub fn text(field: Option<Field<'_>>) -> Result<Option<Cow<'_, str>>, &'static str> {
    match field {
        None | Some(Field::Null) => Ok(None),
        Some(Field::Str(text)) if text.is_empty() => Ok(None),
        Some(Field::Str(text)) => Ok(Some(text)),
        Some(_) => Err("must be a string"),
    }
}

impl<'de> Deserialize<'de> for Field<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: Error>(self, text: &'de str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Borrowed(text)))
    }

    fn visit_str<E: Error>(self, text: &str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(text.to_owned())))
    }

    fn visit_string<E: Error>(self, text: String) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(text)))
    }

    fn visit_u64<E: Error>(self, n: u64) -> Result<Field<'de>, E> {
        Ok(Field::U64(n))
    }

    fn visit_i64<E: Error>(self, n: i64) -> Result<Field<'de>, E> {
        Ok(u64::try_from(n).map_or(Field::Other, Field::U64))
    }

    fn visit_f64<E: Error>(self, _: f64) -> Result<Field<'de>, E> {
        Ok(Field::Other)
    }

    fn visit_bool<E: Error>(self, _: bool) -> Result<Field<'de>, E> {
        Ok(Field::Other)
    }

    fn visit_unit<E: Error>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }

    fn visit_none<E: Error>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Field<'de>, A::Error> {
        let mut strings = Vec::new();
        let mut other = false;
        while let Some(item) = items.next_element::<Field<'de>>()? {
            match item {
                Field::Str(text) if !other => strings.push(text),
                _ => other = true,
            }
        }
        Ok(if other {
            Field::Other
        } else {
            Field::Strings(strings)
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Field<'de>, A::Error> {
        while entries.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }
}

/// An object key, borrowed from the input unless it has escapes.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Field::deserialize(deserializer)? {
            Field::Str(text) => Ok(Key(text)),
            _ => Err(D::Error::custom("a key must be a string")),
        }
    }
}

/// `bytes` as text without a UTF-8 byte-order mark, if it is within
/// `limit` and valid UTF-8: checked at once, so that serde_json reads
/// strings without checking each again.
pub fn bounded(bytes: &[u8], limit: usize) -> Result<&str, &'static str> {
    if bytes.len() > limit {
        return Err("too large");
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|_| "not UTF-8")
}

/// Whether every byte is printable ASCII but space, read without an early
/// exit so that it compiles to a vector loop.
pub fn printable(text: &str) -> bool {
    text.bytes().fold(true, |ok, b| ok & b.is_ascii_graphic())
}
