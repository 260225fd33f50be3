//! `application/x-www-form-urlencoded`, both ways.

use std::borrow::Cow;

/// Appends `input` form-encoded to `out`: ASCII letters, digits and `*-._`
/// as they are, space as `+`, every other byte as `%XX`.
pub fn encode_into(out: &mut Vec<u8>, input: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = input;
    while !rest.is_empty() {
        let plain = rest
            .iter()
            .position(|&b| !is_unescaped(b))
            .unwrap_or(rest.len());
        out.extend_from_slice(&rest[..plain]);
        let Some((&byte, tail)) = rest[plain..].split_first() else {
            return;
        };
        if byte == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]);
        }
        rest = tail;
    }
}

fn is_unescaped(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'-' | b'.' | b'_')
}

/// Appends `name=value`, `&` first unless `out` is empty.
pub fn append_pair(out: &mut Vec<u8>, name: &str, value: &str) {
    if !out.is_empty() {
        out.push(b'&');
    }
    encode_into(out, name.as_bytes());
    out.push(b'=');
    encode_into(out, value.as_bytes());
}

/// The longest `name=value&` pairs can encode to: every byte escaped.
pub fn worst_case_len(pairs: &[(&str, &str)]) -> usize {
    pairs.iter().map(|(n, v)| 3 * (n.len() + v.len()) + 2).sum()
}

/// One form-encoded name or value, decoded in one pass: borrowed when
/// there is nothing to decode; invalid UTF-8 becomes U+FFFD.
pub fn decode(raw: &str) -> Cow<'_, str> {
    if !raw.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(raw);
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(hex),
                bytes.get(i + 2).and_then(hex),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    Cow::Owned(match String::from_utf8(out) {
        Ok(text) => text,
        Err(invalid) => String::from_utf8_lossy(invalid.as_bytes()).into_owned(),
    })
}

fn hex(digit: &u8) -> Option<u8> {
    (*digit as char).to_digit(16).map(|d| d as u8)
}
