//! What the response targets share: reading the input, and the checks on
//! every error message. Included with `mod support;`; not a target.
#![allow(dead_code)]

use oauth2_sansio::http;

/// The status (two bytes, mapped into 100..=599) and the body.
pub fn status_and_body(data: &[u8]) -> Option<(u16, &[u8])> {
    let (status, body) = data.split_first_chunk::<2>()?;
    Some((100 + u16::from_be_bytes(*status) % 500, body))
}

/// An HTTP response with `status` and `body`.
pub fn response(status: u16, body: &[u8]) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .body(body.to_vec())
        .expect("100..=599 is a valid status")
}

/// Whether `c` could forge, reorder or hide what a terminal shows: C0/C1
/// controls, U+2028/U+2029, bidi formatting, zero-width and other
/// default-ignorable characters (restated here, not imported).
pub fn is_unsafe(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00..=0x1F
            | 0x7F..=0x9F
            | 0xAD
            | 0x34F
            | 0x61C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// Checks an error's message and `Debug`: nothing that could forge or hide
/// terminal text, and none of the `secrets` the client sent, unless the
/// server's `body` carried it (a server may echo what it was sent).
pub fn assert_safe_error(error: &dyn std::error::Error, secrets: &[&str], body: &[u8]) {
    let shown = error.to_string();
    assert!(!shown.chars().any(is_unsafe), "{shown:?}");
    let debug = format!("{error:?}");
    for secret in secrets {
        if carried_by(body, secret) {
            continue;
        }
        assert!(!shown.contains(secret), "a secret in {shown:?}");
        assert!(!debug.contains(secret), "a secret in {debug}");
    }
}

/// Whether `body` holds `secret`: as bytes, as text once the characters an
/// error drops are dropped (a body that is not JSON to the end still has
/// its keys read up to the fault), or in a JSON string or key.
fn carried_by(body: &[u8], secret: &str) -> bool {
    fn holds(value: &serde_json::Value, secret: &str) -> bool {
        let kept = |text: &str| -> String { text.chars().filter(|c| !is_unsafe(*c)).collect() };
        match value {
            serde_json::Value::String(text) => kept(text).contains(secret),
            serde_json::Value::Array(items) => items.iter().any(|item| holds(item, secret)),
            serde_json::Value::Object(map) => map
                .iter()
                .any(|(key, item)| kept(key).contains(secret) || holds(item, secret)),
            _ => false,
        }
    }
    let raw = String::from_utf8_lossy(body);
    let kept: String = raw.chars().filter(|c| !is_unsafe(*c)).collect();
    raw.contains(secret)
        || kept.contains(secret)
        || serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| holds(&v, secret))
}
