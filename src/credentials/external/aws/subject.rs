//! The subject token of an AWS source: the signed request serialised as
//! google-auth serialises it.

use serde_json::{json, Value};

use crate::wire::python_json::quoted_compact_python_json;

/// `quote(json.dumps({"headers": [{"key": K, "value": V}, ...], "method":
/// M, "url": U}, separators=(",", ":"), sort_keys=True))`: the headers in
/// their order, each object's keys sorted, every non-ASCII character
/// escaped as Python's `json` does, then percent-encoded keeping `/`.
pub(super) fn serialised_request(url: &str, method: &str, headers: &[(String, String)]) -> String {
    let headers: Vec<Value> = headers
        .iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect();
    quoted_compact_python_json(&json!({"headers": headers, "method": method, "url": url}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_python_json_escapes_them() {
        let token = serialised_request(
            "u",
            "POST",
            &[("k".into(), "a\"\\\n\u{1}\u{7f}é😀/".into())],
        );
        let json = percent_encoding::percent_decode_str(&token)
            .decode_utf8()
            .unwrap();
        assert_eq!(
            json,
            r#"{"headers":[{"key":"k","value":"a\"\\\n\u0001\u007f\u00e9\ud83d\ude00/"}],"method":"POST","url":"u"}"#
        );
    }
}
