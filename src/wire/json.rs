//! Strict reading of untrusted JSON objects, shared by every parser.
//!
//! A body is accepted only if it is within its size bound, is a single JSON
//! object (a UTF-8 byte-order mark is tolerated) and has no key twice at the
//! top level: a duplicate key means two readers could see two different
//! values. serde_json bounds nesting depth, so deep input fails instead of
//! overflowing the stack.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Why a body is not an acceptable JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    TooLarge { limit: usize },
    NotJson,
    NotObject,
    DuplicateKey(String),
}

/// Parses `bytes` as one JSON object with unique top-level keys.
pub(crate) fn parse_object(bytes: &[u8], limit: usize) -> Result<Map<String, Value>, JsonProblem> {
    if bytes.len() > limit {
        return Err(JsonProblem::TooLarge { limit });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => Err(JsonProblem::NotObject),
            Err(_) => Err(JsonProblem::NotJson),
        };
    }
    match serde_json::from_slice::<Checked>(bytes) {
        Ok(Checked {
            duplicate: Some(key),
            ..
        }) => Err(JsonProblem::DuplicateKey(key)),
        Ok(Checked { map, .. }) => Ok(map),
        Err(_) => Err(JsonProblem::NotJson),
    }
}

/// A top-level object and the first key it repeats, if any.
struct Checked {
    map: Map<String, Value>,
    duplicate: Option<String>,
}

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Checked, A::Error> {
        let mut map = Map::new();
        let mut duplicate = None;
        while let Some(key) = access.next_key::<String>()? {
            let value: Value = access.next_value()?;
            match map.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(mut slot) => {
                    if duplicate.is_none() {
                        duplicate = Some(crate::error::sanitize(slot.key()));
                    }
                    slot.insert(value);
                }
            }
        }
        Ok(Checked { map, duplicate })
    }
}

/// Why a field's value is unusable.
pub(crate) type FieldReason = &'static str;

/// A string field: absent, `null` and `""` are all `None`.
pub(crate) fn opt_str<'a>(
    map: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, FieldReason> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err("must be a string"),
    }
}

/// Moves a string field out of `map` (absent, `null` and `""` are `None`),
/// so a secret is never copied: it moves into its zeroizing type.
pub(crate) fn take_str(
    map: &mut Map<String, Value>,
    field: &str,
) -> Result<Option<String>, FieldReason> {
    match map.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err("must be a string"),
    }
}

/// A list of strings given either as a JSON array or as one space-separated
/// string (both occur in Google's files and responses). Absent or `null` is
/// `None`.
pub(crate) fn opt_str_list(
    map: &Map<String, Value>,
    field: &str,
) -> Result<Option<Vec<String>>, FieldReason> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.split_whitespace().map(str::to_owned).collect())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err("must be a list of strings"),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err("must be a list of strings or a space-separated string"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_object_with_bom() {
        let map = parse_object(b"\xEF\xBB\xBF {\"a\":1}", 100).unwrap();
        assert_eq!(map["a"], 1);
    }

    #[test]
    fn rejects_duplicate_keys_naming_the_key() {
        assert_eq!(
            parse_object(br#"{"access_token":"a","access_token":"b"}"#, 100),
            Err(JsonProblem::DuplicateKey("access_token".into()))
        );
    }

    #[test]
    fn rejects_non_objects_and_garbage() {
        assert_eq!(parse_object(b"null", 100), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"[]", 100), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"\"s\"", 100), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"{\"a\":", 100), Err(JsonProblem::NotJson));
        assert_eq!(parse_object(b"", 100), Err(JsonProblem::NotJson));
        assert_eq!(parse_object(b"<html>", 100), Err(JsonProblem::NotJson));
        assert_eq!(parse_object(b"{} x", 100), Err(JsonProblem::NotJson));
    }

    #[test]
    fn rejects_oversized_before_parsing() {
        assert_eq!(
            parse_object(b"{}   ", 4),
            Err(JsonProblem::TooLarge { limit: 4 })
        );
    }

    #[test]
    fn deep_nesting_fails_without_overflow() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            parse_object(deep.as_bytes(), usize::MAX),
            Err(JsonProblem::NotJson)
        );
    }
}
