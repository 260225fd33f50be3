//! `application/x-www-form-urlencoded` bodies, byte for byte what the WHATWG
//! URL standard's serializer (and `url::form_urlencoded`) writes, but
//! copying each run of bytes that needs no escaping at once instead of byte
//! by byte: the encoding was half the cost of building a token request.

/// A form body being written: `name=value` pairs joined by `&`.
pub(crate) struct FormBody {
    body: Vec<u8>,
    /// What precedes the next pair is written: it needs no `&`.
    separated: bool,
}

impl FormBody {
    /// An empty body with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            body: Vec::with_capacity(capacity),
            separated: false,
        }
    }

    /// A body that goes on from `start` (a URL, a query), with room for
    /// `more` bytes after it.
    pub(crate) fn after(start: &str, more: usize) -> Self {
        let mut body = Vec::with_capacity(start.len() + more);
        body.extend_from_slice(start.as_bytes());
        Self {
            body,
            separated: false,
        }
    }

    /// Writes `separator` (`?` after a URL without a query), if any, and
    /// starts the first pair without `&`.
    pub(crate) fn separate_with(&mut self, separator: Option<u8>) {
        self.body.extend(separator);
        self.separated = true;
    }

    /// Appends `name=value`, both form-encoded.
    pub(crate) fn append_pair(&mut self, name: &str, value: &str) {
        if !std::mem::take(&mut self.separated) && !self.body.is_empty() {
            self.body.push(b'&');
        }
        encode_into(&mut self.body, name.as_bytes());
        self.body.push(b'=');
        encode_into(&mut self.body, value.as_bytes());
    }

    /// The body's bytes.
    pub(crate) fn finish(self) -> Vec<u8> {
        self.body
    }

    /// The body as text: [`encode_into`] writes only ASCII.
    pub(crate) fn finish_text(self) -> String {
        String::from_utf8(self.body).expect("form encoding writes ASCII")
    }
}

/// Appends `input` form-encoded to `out`: ASCII letters, digits and `*-._`
/// as they are, space as `+`, every other byte as `%XX` (upper case).
pub(crate) fn encode_into(out: &mut Vec<u8>, input: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = input;
    loop {
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
    UNESCAPED[usize::from(byte)]
}

/// The bytes written as they are, by value: one load per byte.
const UNESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_');
        byte += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use url::form_urlencoded::{byte_serialize, Serializer};

    use super::*;

    fn encoded(input: &[u8]) -> String {
        let mut out = Vec::new();
        encode_into(&mut out, input);
        String::from_utf8(out).expect("the encoding is ASCII")
    }

    #[test]
    fn escapes_like_the_whatwg_serializer() {
        assert_eq!(encoded(b""), "");
        assert_eq!(encoded(b"aZ09*-._"), "aZ09*-._");
        assert_eq!(encoded(b"a b+c"), "a+b%2Bc");
        assert_eq!(
            encoded(b"http://127.0.0.1:53682/"),
            "http%3A%2F%2F127.0.0.1%3A53682%2F"
        );
        assert_eq!(encoded("é~\0\u{7f}".as_bytes()), "%C3%A9%7E%00%7F");
    }

    #[test]
    fn pairs_are_joined_by_ampersands() {
        let mut form = FormBody::with_capacity(0);
        form.append_pair("grant_type", "refresh_token");
        form.append_pair("a&b", "c=d");
        assert_eq!(form.finish(), b"grant_type=refresh_token&a%26b=c%3Dd");
        assert!(FormBody::with_capacity(8).finish().is_empty());
    }

    proptest! {
        #[test]
        fn any_bytes_encode_as_url_encodes_them(input in prop::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(encoded(&input), byte_serialize(&input).collect::<String>());
        }

        #[test]
        fn any_pairs_make_the_body_url_makes(
            pairs in prop::collection::vec((any::<String>(), any::<String>()), 0..6),
        ) {
            let mut ours = FormBody::with_capacity(0);
            let mut theirs = Serializer::new(String::new());
            for (name, value) in &pairs {
                ours.append_pair(name, value);
                theirs.append_pair(name, value);
            }
            prop_assert_eq!(ours.finish(), theirs.finish().into_bytes());
        }
    }
}
