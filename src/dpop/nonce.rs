//! Server nonces ([RFC 9449 §8–9](https://www.rfc-editor.org/rfc/rfc9449#section-8)):
//! read from the `DPoP-Nonce` header of any answer, kept per origin, and
//! put in the next proof for that origin.

use http::header::HeaderName;
use http::HeaderMap;

/// The header a server sends its nonce in.
pub const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// The longest nonce kept; a longer one is ignored (oidc-provider's are
/// 43 characters).
pub const MAX_NONCE_LEN: usize = 1024;

/// How many servers' nonces a key remembers; the oldest is forgotten first.
pub(crate) const MAX_ORIGINS: usize = 32;

/// The nonce in `headers`, if there is exactly one and it is well formed
/// (`1*NQCHAR`: visible ASCII except `"` and `\`, at most
/// [`MAX_NONCE_LEN`] bytes). A malformed one is ignored: the next proof
/// goes without it and the server asks again.
///
/// ```
/// use oauth2_sansio::dpop::{nonce_in, DPOP_NONCE};
///
/// let mut headers = oauth2_sansio::http::HeaderMap::new();
/// headers.insert(DPOP_NONCE, "eyJ7S_zG.eyJH0-Z.HX4w-7v".parse()?);
/// assert_eq!(nonce_in(&headers), Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn nonce_in(headers: &HeaderMap) -> Option<&str> {
    let mut values = headers.get_all(DPOP_NONCE).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let bytes = value.as_bytes();
    let well_formed = !bytes.is_empty()
        && bytes.len() <= MAX_NONCE_LEN
        && bytes
            .iter()
            .all(|&b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
    // Visible ASCII only, so the bytes are valid UTF-8.
    well_formed.then(|| value.to_str().ok()).flatten()
}

/// The latest nonce of each server (by origin) a key has talked to.
#[derive(Debug, Default)]
pub(crate) struct NonceBook {
    /// Oldest first.
    entries: Vec<(String, String)>,
}

impl NonceBook {
    /// The nonce last given by `origin`.
    pub(crate) fn get(&self, origin: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(o, _)| o == origin)
            .map(|(_, nonce)| nonce.as_str())
    }

    /// Keeps `nonce` as `origin`'s latest.
    pub(crate) fn set(&mut self, origin: &str, nonce: &str) {
        if let Some(at) = self.entries.iter().position(|(o, _)| o == origin) {
            let (_, kept) = &mut self.entries[at];
            if kept != nonce {
                nonce.clone_into(kept);
            }
            return;
        }
        if self.entries.len() == MAX_ORIGINS {
            self.entries.remove(0);
        }
        self.entries.push((origin.to_owned(), nonce.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(DPOP_NONCE, http::HeaderValue::from_bytes(value).unwrap());
        }
        headers
    }

    #[test]
    fn only_one_well_formed_nonce_is_taken() {
        assert_eq!(nonce_in(&headers(&[b"abc-_.~!#"])), Some("abc-_.~!#"));
        assert_eq!(nonce_in(&headers(&[])), None);
        assert_eq!(nonce_in(&headers(&[b"a", b"b"])), None);
        for bad in [&b"a b"[..], b"a\"b", b"a\\b", b"\xc3\xa9", b"a\tb"] {
            assert_eq!(nonce_in(&headers(&[bad])), None, "{bad:?}");
        }
        let long = vec![b'n'; MAX_NONCE_LEN + 1];
        assert_eq!(nonce_in(&headers(&[&long])), None);
        assert!(nonce_in(&headers(&[&long[1..]])).is_some());
    }

    #[test]
    fn the_book_keeps_the_latest_per_origin_and_forgets_the_oldest() {
        let mut book = NonceBook::default();
        book.set("https://a", "1");
        book.set("https://b", "2");
        book.set("https://a", "3");
        assert_eq!(book.get("https://a"), Some("3"));
        assert_eq!(book.get("https://b"), Some("2"));
        for i in 0..MAX_ORIGINS {
            book.set(&format!("https://o{i}"), "x");
        }
        assert_eq!(book.get("https://a"), None);
        assert_eq!(book.entries.len(), MAX_ORIGINS);
    }
}
