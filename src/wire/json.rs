//! Strict reading of untrusted JSON objects, shared by every parser.
//!
//! A body is accepted only if it is within its size bound, is a single JSON
//! object (a UTF-8 byte-order mark is tolerated) and has no key twice in any
//! object, at any depth: a duplicate key means two readers could see two
//! different values. serde_json bounds nesting depth, so deep input fails
//! instead of overflowing the stack.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why a body is not an acceptable JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonProblem {
    TooLarge {
        limit: usize,
    },
    /// Where the first fault is (1-based, as serde_json counts).
    NotJson {
        line: usize,
        column: usize,
    },
    NotObject,
    /// The path to the first repeated key: `key` at the top level,
    /// `outer.key` or `list[2].key` below it (never a value).
    DuplicateKey(String),
}

/// Parses `bytes` as one JSON object in which no object repeats a key.
pub(crate) fn parse_object(bytes: &[u8], limit: usize) -> Result<Map<String, Value>, JsonProblem> {
    let bytes = json_start(bytes, limit)?;
    let mut duplicate = None;
    let mut deserializer = serde_json::Deserializer::from_str(bytes);
    let parsed = Strict {
        duplicate: &mut duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, duplicate) {
        (_, Some(path)) => Err(JsonProblem::DuplicateKey(crate::error::sanitize(&path))),
        (Ok(Value::Object(map)), None) => Ok(map),
        (Ok(_), None) => Err(JsonProblem::NotObject),
        (Err(e), None) => Err(not_json(&e)),
    }
}

/// `bytes` as text without a UTF-8 byte-order mark, if they are within
/// `limit`, valid UTF-8, and do not start with something other than an
/// object. The whole input is checked at once, which is several times
/// cheaper than serde_json checking each string it reads from bytes.
pub(crate) fn json_start(bytes: &[u8], limit: usize) -> Result<&str, JsonProblem> {
    if bytes.len() > limit {
        return Err(JsonProblem::TooLarge { limit });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return match serde_json::from_slice::<de::IgnoredAny>(bytes) {
            Ok(_) => Err(JsonProblem::NotObject),
            Err(e) => Err(not_json(&e)),
        };
    }
    std::str::from_utf8(bytes).map_err(|invalid| {
        let (before, _) = bytes.split_at(invalid.valid_up_to());
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |at| at + 1);
        JsonProblem::NotJson {
            line: 1 + before.iter().filter(|b| **b == b'\n').count(),
            column: 1 + before.len() - line_start,
        }
    })
}

/// Reads one JSON object from any serde deserializer, with
/// [`parse_object`]'s rule: no object repeats a key. For the `Deserialize`
/// impls of types whose reader takes a [`Map`]; the caller's format bounds
/// the input's size.
pub(crate) fn strict_object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    let mut duplicate = None;
    let parsed = Strict {
        duplicate: &mut duplicate,
    }
    .deserialize(deserializer);
    match (parsed, duplicate) {
        (_, Some(path)) => Err(de::Error::custom(format_args!(
            "the key {:?} appears twice; keep one of them",
            crate::error::sanitize(&path)
        ))),
        (Ok(Value::Object(map)), None) => Ok(map),
        (Ok(_), None) => Err(de::Error::custom("expected a JSON object")),
        (Err(e), None) => Err(e),
    }
}

pub(crate) fn not_json(error: &serde_json::Error) -> JsonProblem {
    JsonProblem::NotJson {
        line: error.line(),
        column: error.column(),
    }
}

/// Reads one JSON value as serde_json's `Value` does, but stops at the
/// first object that repeats a key, leaving the key's path in `duplicate`.
/// Each enclosing object or array puts its part of the path in front as
/// the error passes through it, so nothing is spent on paths unless a
/// duplicate is found.
pub(crate) struct Strict<'a> {
    pub(crate) duplicate: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(access.size_hint().unwrap_or(0));
        loop {
            let seed = Strict {
                duplicate: &mut *self.duplicate,
            };
            match access.next_element_seed(seed) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Ok(Value::Array(items)),
                Err(e) => {
                    let index = format!("[{}]", items.len());
                    return Err(nested_in(self.duplicate, &index, e));
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.is_empty() && key == ARBITRARY_PRECISION_NUMBER {
                return number_from_string(access);
            }
            let seed = Strict {
                duplicate: &mut *self.duplicate,
            };
            let value = match access.next_value_seed(seed) {
                Ok(value) => value,
                Err(e) => return Err(nested_in(self.duplicate, &key, e)),
            };
            match map.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(slot) => {
                    *self.duplicate = Some(slot.key().clone());
                    return Err(de::Error::custom("duplicate key"));
                }
            }
        }
        Ok(Value::Object(map))
    }
}

/// The one key of the map serde_json hands over for a number when a crate
/// in the build enables its `arbitrary_precision` feature; the value is the
/// number's text. serde_json's own `Value` reads it the same way.
const ARBITRARY_PRECISION_NUMBER: &str = "$serde_json::private::Number";

fn number_from_string<'de, A: MapAccess<'de>>(mut access: A) -> Result<Value, A::Error> {
    let text: String = access.next_value()?;
    let number = text
        .parse::<serde_json::Number>()
        .map_err(de::Error::custom)?;
    Ok(Value::Number(number))
}

/// `error`, passing out of the member `part` (a key, or `[index]`): when it
/// is a duplicate key's, `part` goes in front of the key's path.
pub(crate) fn nested_in<E>(duplicate: &mut Option<String>, part: &str, error: E) -> E {
    if let Some(path) = duplicate {
        let separator = if path.starts_with('[') { "" } else { "." };
        *path = format!("{part}{separator}{path}");
    }
    error
}

/// Why a field's value is unusable.
pub(crate) type FieldReason = &'static str;

/// A string field: absent, `null` and `""` are all `None`.
pub(crate) fn opt_str<'a>(
    map: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, FieldReason> {
    match map.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        other => no_string(other),
    }
}

/// Moves a string field out of `map` (absent, `null` and `""` are `None`),
/// so a secret is never copied: it moves into its zeroizing type.
pub(crate) fn take_str(
    map: &mut Map<String, Value>,
    field: &str,
) -> Result<Option<String>, FieldReason> {
    match map.remove(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s)),
        other => no_string(other.as_ref()),
    }
}

/// What a string field that is not a non-empty string means: absent,
/// `null` and `""` are `None`; any other JSON type is refused.
fn no_string<T>(value: Option<&Value>) -> Result<Option<T>, FieldReason> {
    match value {
        None | Some(Value::Null | Value::String(_)) => Ok(None),
        Some(_) => Err("must be a string"),
    }
}

/// The items of a space-separated list (`scope`): RFC 6749 §3.3 scope
/// tokens are ASCII, so ASCII whitespace is what separates them, read as
/// bytes.
pub(crate) fn split_list(list: &str) -> Vec<String> {
    list.split_ascii_whitespace().map(str::to_owned).collect()
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
        Some(Value::String(s)) => Ok(Some(split_list(s))),
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
    fn invalid_utf8_is_not_json_at_its_first_invalid_byte() {
        for (bytes, line, column) in [
            (&b"{\"a\":\"\xff\"}"[..], 1, 7),
            (b"{\"a\":1,\n \"\xc3\":2}", 2, 3),
            (b"{\"a\":1}\xe2\x82", 1, 8),
        ] {
            let expected = Err(JsonProblem::NotJson { line, column });
            assert_eq!(parse_object(bytes, 100), expected, "{bytes:?}");
            let fields = crate::wire::json_fields::read_fields(bytes, 100, &["a"]);
            assert_eq!(fields.err(), expected.err(), "{bytes:?}");
        }
    }

    #[test]
    fn rejects_duplicate_keys_naming_the_key() {
        assert_eq!(
            parse_object(br#"{"access_token":"a","access_token":"b"}"#, 100),
            Err(JsonProblem::DuplicateKey("access_token".into()))
        );
    }

    #[test]
    fn rejects_nested_duplicate_keys_naming_the_path_not_the_value() {
        let duplicate = |json: &str| match parse_object(json.as_bytes(), 1 << 10) {
            Err(JsonProblem::DuplicateKey(path)) => path,
            other => panic!("{json}: {other:?}"),
        };
        assert_eq!(
            duplicate(r#"{"installed":{"client_id":"a","client_id":"b"}}"#),
            "installed.client_id"
        );
        assert_eq!(
            duplicate(r#"{"keys":[{"kid":"1"},{"kid":"2","kid":"secret-value"}]}"#),
            "keys[1].kid"
        );
        assert_eq!(
            duplicate(r#"{"a":[[],[{"b":{"c":1,"c":1}}]]}"#),
            "a[1][0].b.c"
        );
        assert_eq!(
            duplicate("{\"a\":{\"k\\n\u{202e}\":1,\"k\\n\u{202e}\":2}}"),
            "a.k"
        );
        // The first duplicate stops the parse, so malformed text after it
        // is never read.
        assert_eq!(duplicate(r#"{"a":1,"a":2,"#), "a");
    }

    #[test]
    fn nested_values_read_as_serde_json_reads_them() {
        for json in [
            r#"{"a":[1,-2,3.5,-0.0,"s\u00e9",true,null,{}],"b":{"c":{"d":[[]]}}}"#,
            r#"{"e":18446744073709551615,"f":-9223372036854775808,"g":1e308}"#,
            r#"{"a":{"b":1},"b":{"b":1},"c":[{"b":1},{"b":1}]}"#,
        ] {
            let expected: Value = serde_json::from_str(json).unwrap();
            let parsed = parse_object(json.as_bytes(), 1 << 10).unwrap();
            assert_eq!(Value::Object(parsed), expected, "{json}");
        }
        assert!(matches!(
            parse_object(br#"{"a":[1e400]}"#, 100),
            Err(JsonProblem::NotJson { .. })
        ));
    }

    #[test]
    fn an_arbitrary_precision_number_is_read_as_serde_json_reads_it() {
        // What serde_json hands over for `12` when a crate in the build
        // enables `arbitrary_precision`.
        let map = parse_object(
            br#"{"expires_in":{"$serde_json::private::Number":"12"}}"#,
            100,
        )
        .unwrap();
        assert_eq!(map["expires_in"].as_u64(), Some(12));
        assert!(matches!(
            parse_object(br#"{"a":{"$serde_json::private::Number":"x"}}"#, 100),
            Err(JsonProblem::NotJson { .. })
        ));
    }

    #[test]
    fn rejects_non_objects_and_garbage() {
        assert_eq!(parse_object(b"null", 100), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"[]", 100), Err(JsonProblem::NotObject));
        assert_eq!(parse_object(b"\"s\"", 100), Err(JsonProblem::NotObject));
        assert!(matches!(
            parse_object(b"{\"a\":", 100),
            Err(JsonProblem::NotJson { .. })
        ));
        assert!(matches!(
            parse_object(b"", 100),
            Err(JsonProblem::NotJson { .. })
        ));
        assert!(matches!(
            parse_object(b"<html>", 100),
            Err(JsonProblem::NotJson { .. })
        ));
        assert!(matches!(
            parse_object(b"{} x", 100),
            Err(JsonProblem::NotJson { .. })
        ));
    }

    #[test]
    fn the_fault_is_located() {
        assert_eq!(
            parse_object(b"{\n  \"a\": 1,\n  \"b\" 2\n}", 100),
            Err(JsonProblem::NotJson { line: 3, column: 7 })
        );
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
        assert!(matches!(
            parse_object(deep.as_bytes(), usize::MAX),
            Err(JsonProblem::NotJson { .. })
        ));
    }
}
