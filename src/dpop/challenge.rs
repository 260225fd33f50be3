//! The `WWW-Authenticate` challenges of a resource server's `401`
//! ([RFC 9110 §11.6.1](https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1)),
//! read for the `DPoP` one ([RFC 9449 §7.1](https://www.rfc-editor.org/rfc/rfc9449#section-7.1)).

use http::header::WWW_AUTHENTICATE;
use http::HeaderMap;

use crate::error::sanitize;

/// The longest `WWW-Authenticate` text read (all header lines together);
/// beyond it the challenges are not read.
pub const MAX_CHALLENGE_LEN: usize = 8 * 1024;

/// The most challenges, and parameters per challenge, read.
const MAX_ITEMS: usize = 64;

/// A resource server's `DPoP` challenge: what it says is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DpopChallenge {
    /// `error`: `use_dpop_nonce`, `invalid_dpop_proof`, `invalid_token`, ...
    /// (control, invisible and bidi characters removed).
    pub error: Option<String>,
    /// `error_description`, cleaned the same way.
    pub error_description: Option<String>,
    /// `algs`: the proof algorithms the server accepts.
    pub algs: Vec<String>,
}

impl DpopChallenge {
    /// Whether the server asks for a proof carrying its nonce.
    pub fn wants_nonce(&self) -> bool {
        self.error.as_deref() == Some("use_dpop_nonce")
    }
}

/// The `DPoP` challenge among the `WWW-Authenticate` headers, if there is
/// exactly one (a second one makes the answer ambiguous: `None`).
/// Malformed or oversized headers give `None`; nothing panics.
///
/// ```
/// use oauth2_sansio::dpop::dpop_challenge;
/// use oauth2_sansio::http::{header::WWW_AUTHENTICATE, HeaderMap};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(
///     WWW_AUTHENTICATE,
///     r#"Bearer realm="api", DPoP error="use_dpop_nonce", error_description="nonce is required", algs="ES256 EdDSA""#.parse()?,
/// );
/// let challenge = dpop_challenge(&headers).unwrap();
/// assert!(challenge.wants_nonce());
/// assert_eq!(challenge.algs, ["ES256", "EdDSA"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dpop_challenge(headers: &HeaderMap) -> Option<DpopChallenge> {
    single_challenge(headers, "dpop").map(Challenge::into_dpop)
}

/// The `error` of the `Bearer` challenge among the `WWW-Authenticate`
/// headers ([RFC 6750 §3](https://www.rfc-editor.org/rfc/rfc6750#section-3)),
/// read by the same rules as [`dpop_challenge`]: `None` when there is no
/// such challenge (or several, or the headers are malformed or oversized),
/// `Some(None)` for a challenge without an `error`.
pub(crate) fn bearer_error(headers: &HeaderMap) -> Option<Option<String>> {
    let challenge = single_challenge(headers, "bearer")?;
    Some(
        challenge
            .params
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("error"))
            .map(|(_, value)| sanitize(&value)),
    )
}

/// The one challenge of `scheme` (lower case) among the headers.
fn single_challenge<'h>(headers: &'h HeaderMap, scheme: &str) -> Option<Challenge<'h>> {
    let mut total = 0;
    let mut found = None;
    for value in headers.get_all(WWW_AUTHENTICATE) {
        total += value.len();
        if total > MAX_CHALLENGE_LEN {
            return None;
        }
        let text = value.to_str().ok()?;
        for challenge in challenges(text)? {
            if challenge.scheme.eq_ignore_ascii_case(scheme) {
                if found.is_some() {
                    return None;
                }
                found = Some(challenge);
            }
        }
    }
    found
}

/// One challenge: its scheme and its `name=value` parameters.
#[derive(Debug, PartialEq, Eq)]
struct Challenge<'a> {
    scheme: &'a str,
    params: Vec<(&'a str, String)>,
}

impl Challenge<'_> {
    fn into_dpop(self) -> DpopChallenge {
        let mut dpop = DpopChallenge::default();
        for (name, value) in self.params {
            let value = sanitize(&value);
            if name.eq_ignore_ascii_case("error") {
                dpop.error = Some(value);
            } else if name.eq_ignore_ascii_case("error_description") {
                dpop.error_description = Some(value);
            } else if name.eq_ignore_ascii_case("algs") {
                dpop.algs = value
                    .split(' ')
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
        }
        dpop
    }
}

/// The challenges of one header value; `None` when it is not well formed.
fn challenges(text: &str) -> Option<Vec<Challenge<'_>>> {
    let mut list: Vec<Challenge<'_>> = Vec::new();
    let mut rest = text;
    loop {
        rest = skip_separators(rest);
        if rest.is_empty() {
            return Some(list);
        }
        let (name, after) = token(rest)?;
        let after_spaces = after.trim_start_matches([' ', '\t']);
        if let Some(value) = after_spaces
            .strip_prefix('=')
            .filter(|v| !v.starts_with('='))
        {
            // `name=value`: a parameter of the current challenge.
            let (value, after) = param_value(value.trim_start_matches([' ', '\t']))?;
            let current = list.last_mut()?;
            if current.params.len() == MAX_ITEMS {
                return None;
            }
            current.params.push((name, value));
            rest = after;
        } else {
            // A new challenge, maybe with a token68 after it.
            if list.len() == MAX_ITEMS {
                return None;
            }
            list.push(Challenge {
                scheme: name,
                params: Vec::new(),
            });
            rest = after_spaces;
            if let Some((_, after)) = token68(rest) {
                rest = after;
            }
        }
        rest = rest.trim_start_matches([' ', '\t']);
        if !rest.is_empty() && !rest.starts_with(',') && !starts_param(rest) {
            return None;
        }
    }
}

fn skip_separators(text: &str) -> &str {
    text.trim_start_matches([' ', '\t', ','])
}

/// Whether `text` starts with `name=` (a parameter after a scheme).
fn starts_param(text: &str) -> bool {
    token(text).is_some_and(|(_, after)| after.trim_start_matches([' ', '\t']).starts_with('='))
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A token at the start of `text`, and the rest.
fn token(text: &str) -> Option<(&str, &str)> {
    let end = text
        .bytes()
        .position(|b| !is_tchar(b))
        .unwrap_or(text.len());
    (end > 0).then(|| text.split_at(end))
}

/// A token68 (`1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`)
/// standing alone before a comma or the end.
fn token68(text: &str) -> Option<(&str, &str)> {
    let body = text
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)))
        .unwrap_or(text.len());
    if body == 0 {
        return None;
    }
    let padded = body + text[body..].bytes().take_while(|&b| b == b'=').count();
    let after = text[padded..].trim_start_matches([' ', '\t']);
    (after.is_empty() || after.starts_with(',')).then(|| text.split_at(padded))
}

/// A parameter's value (a token or a quoted string, unescaped) and the rest.
fn param_value(text: &str) -> Option<(String, &str)> {
    let Some(quoted) = text.strip_prefix('"') else {
        let (value, rest) = token(text)?;
        return Some((value.to_owned(), rest));
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((value, &quoted[at + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(WWW_AUTHENTICATE, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn oidc_providers_challenge_is_read() {
        let found = dpop_challenge(&headers(&[
            r#"DPoP realm="http://127.0.0.1:39123", error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", algs="ES256 Ed25519 EdDSA""#,
        ]))
        .unwrap();
        assert!(found.wants_nonce());
        assert_eq!(
            found.error_description.as_deref(),
            Some("Resource server requires nonce in DPoP proof")
        );
        assert_eq!(found.algs, ["ES256", "Ed25519", "EdDSA"]);
    }

    #[test]
    fn the_dpop_challenge_is_found_among_others_and_across_lines() {
        let found = dpop_challenge(&headers(&[
            "Basic realm=\"x\", Negotiate abc123==",
            "dpop error=invalid_token, Bearer",
        ]))
        .unwrap();
        assert_eq!(found.error.as_deref(), Some("invalid_token"));
        assert!(!found.wants_nonce());
        let escaped = dpop_challenge(&headers(&[r#"DPoP error="a\"b""#])).unwrap();
        assert_eq!(escaped.error.as_deref(), Some("a\"b"));
    }

    #[test]
    fn the_bearer_error_is_read_beside_other_challenges() {
        assert_eq!(
            bearer_error(&headers(&[
                r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#
            ])),
            Some(Some("invalid_token".to_owned()))
        );
        assert_eq!(
            bearer_error(&headers(&["Basic realm=\"x\"", "bearer realm=\"api\""])),
            Some(None)
        );
        assert_eq!(
            bearer_error(&headers(&[r#"DPoP error="invalid_token""#])),
            None
        );
        assert_eq!(bearer_error(&headers(&["Bearer, Bearer"])), None);
    }

    #[test]
    fn ambiguous_or_malformed_challenges_are_not_read() {
        for bad in [
            r#"DPoP error="use_dpop_nonce", DPoP error="x""#,
            r#"DPoP error="unterminated"#,
            r#"error="no scheme""#,
            r#"DPoP error=="x""#,
            "DPoP @@@",
        ] {
            assert_eq!(dpop_challenge(&headers(&[bad])), None, "{bad}");
        }
        assert_eq!(dpop_challenge(&headers(&["Bearer realm=\"x\""])), None);
        let long = format!("DPoP error=\"{}\"", "a".repeat(MAX_CHALLENGE_LEN));
        assert_eq!(dpop_challenge(&headers(&[&long])), None);
    }
}
