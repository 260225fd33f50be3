//! The subject token of an AWS source: the signed request serialised as
//! google-auth serialises it.

use std::fmt::Write as _;

use percent_encoding::utf8_percent_encode;

use super::super::sts::PYTHON_QUOTE;

/// `quote(json.dumps({"headers": [{"key": K, "value": V}, ...], "method":
/// M, "url": U}, separators=(",", ":"), sort_keys=True))`: the headers in
/// their order, each object's keys sorted, every non-ASCII character
/// escaped as Python's `json` does, then percent-encoded keeping `/`.
pub(super) fn serialised_request(url: &str, method: &str, headers: &[(String, String)]) -> String {
    let mut json = String::from("{\"headers\":[");
    for (i, (key, value)) in headers.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str("{\"key\":");
        python_json_string(&mut json, key);
        json.push_str(",\"value\":");
        python_json_string(&mut json, value);
        json.push('}');
    }
    json.push_str("],\"method\":");
    python_json_string(&mut json, method);
    json.push_str(",\"url\":");
    python_json_string(&mut json, url);
    json.push('}');
    utf8_percent_encode(&json, PYTHON_QUOTE).to_string()
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`):
/// printable ASCII as it is, `"` and `\` escaped, the usual short escapes,
/// anything else `\uXXXX` (UTF-16, lowercase hex).
fn python_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_python_json_escapes_them() {
        let mut out = String::new();
        python_json_string(&mut out, "a\"\\\n\u{1}\u{7f}é😀/");
        assert_eq!(out, r#""a\"\\\n\u0001\u007f\u00e9\ud83d\ude00/""#);
    }
}
