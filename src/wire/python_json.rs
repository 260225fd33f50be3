//! JSON as Python's `json.dumps` writes it by default (`", "` and `": "`
//! between items, non-ASCII as `\uXXXX`), then `urllib.parse.quote`d: the
//! `options` google-auth sends to Google's STS, byte for byte.

use std::io::{self, Write};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, Serializer};

/// What Python's `urllib.parse.quote` leaves as it is: letters, digits,
/// `_.-~` and `/`.
const PYTHON_QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b'/');

/// `quote(json.dumps(value))`, with `value`'s fields in their declared
/// order (as a Python dict keeps insertion order).
pub(crate) fn quoted_python_json(value: &impl Serialize) -> String {
    quoted(value, PythonFormatter { compact: false })
}

/// `quote(json.dumps(value, separators=(",", ":")))`: the same without
/// spaces (a `serde_json::Value`'s keys come sorted, as `sort_keys=True`).
pub(crate) fn quoted_compact_python_json(value: &impl Serialize) -> String {
    quoted(value, PythonFormatter { compact: true })
}

fn quoted(value: &impl Serialize, formatter: PythonFormatter) -> String {
    let mut json = Vec::new();
    let mut serializer = Serializer::with_formatter(&mut json, formatter);
    value
        .serialize(&mut serializer)
        .expect("plain data always serializes");
    let json = String::from_utf8(json).expect("the formatter writes ASCII");
    utf8_percent_encode(&json, PYTHON_QUOTE).to_string()
}

/// Python's item separator, before every item but the first.
fn separator<W: ?Sized + Write>(writer: &mut W, first: bool, compact: bool) -> io::Result<()> {
    match (first, compact) {
        (true, _) => Ok(()),
        (false, true) => writer.write_all(b","),
        (false, false) => writer.write_all(b", "),
    }
}

/// serde_json's compact output with Python's separators and ASCII-only
/// strings.
struct PythonFormatter {
    compact: bool,
}

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        separator(w, first, self.compact)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        separator(w, first, self.compact)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(if self.compact { b":" } else { b": " })
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if c == '\u{7f}' {
                // json.dumps escapes everything outside ' '..='~'.
                writer.write_all(b"\\u007f")?;
            } else if c.is_ascii() {
                CompactFormatter.write_string_fragment(writer, c.encode_utf8(&mut [0; 4]))?;
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_separators_ascii_escapes_and_quote() {
        // json.dumps({"a": [1, "é"], "b": {"c": "x/y z"}}) then quote(...):
        assert_eq!(
            quoted_python_json(&json!({"a": [1, "é\u{1F600}"], "b": {"c": "x/y z\""}})),
            "%7B%22a%22%3A%20%5B1%2C%20%22%5Cu00e9%5Cud83d%5Cude00%22%5D%2C%20%22b%22%3A%20%7B%22c%22%3A%20%22x/y%20z%5C%22%22%7D%7D"
        );
        assert_eq!(
            quoted_compact_python_json(&json!({"b": 1, "a": ["x\u{7f}", "y"]})),
            "%7B%22a%22%3A%5B%22x%5Cu007f%22%2C%22y%22%5D%2C%22b%22%3A1%7D"
        );
        assert_eq!(
            quoted_python_json(&json!({"userProject": "123456"})),
            "%7B%22userProject%22%3A%20%22123456%22%7D"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(any::<String>(), inner, 0..4)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn unquoting_and_parsing_gives_the_value_back_and_the_text_is_ascii(value in json()) {
            let quoted = quoted_python_json(&value);
            prop_assert!(quoted.bytes().all(|b| b.is_ascii_graphic()), "{}", quoted);
            let text = percent_encoding::percent_decode_str(&quoted).decode_utf8().unwrap();
            prop_assert!(text.is_ascii());
            let back: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(back, value);
        }
    }
}
