//! The authorization callback: the redirect the browser comes back with.

use std::borrow::Cow;
use std::fmt;

use subtle::ConstantTimeEq;

use crate::client::Client;
use crate::error::{ErrorCode, OAuthError};
use crate::flows::code::authorize::PendingAuthorization;
use crate::flows::code::exchange::{code_exchange, CodeExchange};
use crate::secret::{AuthorizationCode, CsrfState};
use crate::wire::printable::is_printable;

/// The longest callback input accepted: 16 KiB.
pub const CALLBACK_LIMIT: usize = 16 * 1024;

/// Why a callback was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// Nothing was given.
    Empty,
    /// Longer than [`CALLBACK_LIMIT`].
    TooLong,
    /// A parameter (`code`, `state`, `iss`, `error`) appears more than once.
    DuplicateParameter(&'static str),
    /// A parameter has control characters or invalid percent-encoding.
    InvalidParameter(&'static str),
    /// No `state`: the redirect did not come from this authorization request.
    MissingState,
    /// `state` differs: a forged or stale redirect (possible CSRF).
    StateMismatch,
    /// `iss` is required by the server's metadata but missing.
    MissingIssuer,
    /// `iss` is not the issuer the request was sent to (possible mix-up attack).
    IssuerMismatch,
    /// Both `code` and `error` are present.
    CodeAndError,
    /// Neither `code` nor `error`.
    MissingCode,
    /// The response parameters are in the URL fragment: the server used an
    /// implicit or `form_post`-less hybrid response mode the crate does not support.
    ResponseInFragment,
    /// The authorization server reported an error (`access_denied`, ...).
    Authorization(OAuthError),
    /// The pending authorization was made for another client or token
    /// endpoint than the one it is being completed with.
    WrongClient,
    /// The loopback listener's one-time start link was opened a second
    /// time ([`LoopbackCallback::with_start_link`](crate::loopback::LoopbackCallback::with_start_link)),
    /// so another program may hold the cookie that completes the sign-in:
    /// the listener stopped.
    StartLinkReused,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the callback is empty; paste the whole redirect URL"),
            Self::TooLong => write!(f, "the callback is longer than {CALLBACK_LIMIT} bytes"),
            Self::DuplicateParameter(p) => write!(f, "the callback has `{p}` more than once; it was tampered with"),
            Self::InvalidParameter(p) => write!(f, "the callback's `{p}` has invalid characters"),
            Self::MissingState => f.write_str("the callback has no `state`; start the sign-in again"),
            Self::StateMismatch => f.write_str(
                "the callback's `state` does not match this sign-in (a forged or stale redirect); start the sign-in again",
            ),
            Self::MissingIssuer => f.write_str("the callback has no `iss` though the server always sends one; start again"),
            Self::IssuerMismatch => f.write_str(
                "the callback's `iss` is not the server this sign-in was sent to (possible mix-up attack)",
            ),
            Self::CodeAndError => f.write_str("the callback has both `code` and `error`"),
            Self::MissingCode => f.write_str("the callback has no `code`; paste the whole redirect URL"),
            Self::ResponseInFragment => f.write_str(
                "the callback carries its result in the URL fragment; use response_type=code with a query response",
            ),
            Self::Authorization(e) => write!(f, "{e}"),
            Self::WrongClient => f.write_str("this pending authorization belongs to another client or server"),
            Self::StartLinkReused => f.write_str(
                "the sign-in link was opened twice, maybe by another program on this machine, so the sign-in was stopped; \
                 start it again (on a machine shared with other users, prefer the device flow)",
            ),
        }
    }
}

impl CallbackError {
    /// Whether the callback carried this authorization's `state` (and
    /// issuer), so the error is the server's real answer to this request
    /// (`access_denied`, say). `false` means the callback may be stray or
    /// forged: a listener should answer it and keep waiting for the real one.
    pub fn is_genuine(&self) -> bool {
        matches!(
            self,
            Self::Authorization(_) | Self::CodeAndError | Self::MissingCode
        )
    }
}

impl std::error::Error for CallbackError {}

/// The parameters of a callback the crate reads.
#[derive(Default)]
struct Params<'a> {
    code: Option<Cow<'a, str>>,
    state: Option<Cow<'a, str>>,
    iss: Option<Cow<'a, str>>,
    error: Option<Cow<'a, str>>,
    error_description: Option<Cow<'a, str>>,
    error_uri: Option<Cow<'a, str>>,
}

impl<'a> Params<'a> {
    /// Reads the six parameters the crate uses; other parameters (Google's
    /// long `scope`, `authuser`, `prompt`) are skipped without decoding.
    fn parse(query: &'a str) -> Result<Self, CallbackError> {
        let mut params = Params::default();
        let mut seen = 0u8;
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let (bit, slot, name) = match &*form_decode(raw_name) {
                "code" => (1, &mut params.code, "code"),
                "state" => (2, &mut params.state, "state"),
                "iss" => (4, &mut params.iss, "iss"),
                "error" => (8, &mut params.error, "error"),
                "error_description" => (16, &mut params.error_description, "error_description"),
                "error_uri" => (32, &mut params.error_uri, "error_uri"),
                _ => continue,
            };
            if seen & bit != 0 {
                return Err(CallbackError::DuplicateParameter(name));
            }
            seen |= bit;
            if !raw_value.is_empty() {
                *slot = Some(form_decode(raw_value));
            }
        }
        for (value, name) in [
            (&params.code, "code"),
            (&params.state, "state"),
            (&params.iss, "iss"),
            (&params.error, "error"),
        ] {
            if value.as_deref().is_some_and(|v| !is_clean_token(v)) {
                return Err(CallbackError::InvalidParameter(name));
            }
        }
        Ok(params)
    }

    fn has_result(&self) -> bool {
        self.code.is_some() || self.error.is_some()
    }
}

/// No control characters and no U+FFFD (which marks invalid UTF-8 after
/// percent-decoding).
fn is_clean_token(value: &str) -> bool {
    !value.chars().any(|c| c.is_control() || c == '\u{FFFD}')
}

/// Whether the input starts with `scheme://` (so it is a URL, not a query
/// whose values happen to contain `://`).
fn has_scheme(input: &str) -> bool {
    // A scheme has no `:`, so its end is the first `://` if it has one.
    let scheme_len = input
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        .unwrap_or(input.len());
    input.starts_with(|c: char| c.is_ascii_alphabetic()) && input[scheme_len..].starts_with("://")
}

/// Splits the input into its query and fragment.
fn split(input: &str) -> (&str, Option<&str>) {
    let rest = match input.split_once("://") {
        Some((_, after_scheme)) if has_scheme(input) => match after_scheme.split_once('?') {
            Some((_, query)) => query,
            // No query: only a fragment can carry anything.
            None => return ("", after_scheme.split_once('#').map(|(_, f)| f)),
        },
        _ => input.strip_prefix('?').unwrap_or(input),
    };
    match rest.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (rest, None),
    }
}

/// `application/x-www-form-urlencoded` decoding of one name or value:
/// borrowed when there is nothing to decode; invalid UTF-8 becomes U+FFFD
/// (which the token checks then refuse).
fn form_decode(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['%', '+']) {
        return Cow::Borrowed(raw);
    }
    let spaced = raw.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

impl PendingAuthorization {
    /// Validates the redirect the browser came back with (the full URL or
    /// its query string) and returns the code exchange.
    ///
    /// Checks, in order (RFC 9207 §2.4): size, duplicate parameters, `iss`
    /// against the issuer the request was sent to, `state` (in constant
    /// time), then the error or the code. `client` must be the client that
    /// built the request (a mix-up check compares its id and token endpoint).
    pub fn complete(self, client: &Client, redirect: &str) -> Result<CodeExchange, CallbackError> {
        let code = self.validate(client, redirect)?;
        Ok(code_exchange(self, client, code))
    }

    /// The checks of [`complete`](Self::complete) without consuming the
    /// pending authorization: the code, if the redirect is genuine and
    /// successful. A loopback listener uses it to keep waiting after a stray
    /// or forged request (see [`CallbackError::is_genuine`]).
    pub(crate) fn validate(
        &self,
        client: &Client,
        redirect: &str,
    ) -> Result<AuthorizationCode, CallbackError> {
        let redirect = checked_input(redirect)?;
        let (query, fragment) = split(redirect);
        self.validate_query(client, query, fragment)
    }

    /// Like [`complete`](Self::complete), for text a user pasted: the full
    /// redirect URL, its query string, or the bare code (the manual
    /// copy-paste mode). A URL or query is checked exactly as by `complete`;
    /// a bare code skips the `state` check, because the user carried it by
    /// hand. Never pass a web request's query here: use `complete`.
    pub fn complete_pasted(
        self,
        client: &Client,
        pasted: &str,
    ) -> Result<CodeExchange, CallbackError> {
        let pasted = checked_input(pasted)?;
        let delimited = pasted
            .bytes()
            .any(|b| matches!(b, b'=' | b'?' | b'#' | b'&'));
        let looks_like_code = !delimited && !has_scheme(pasted);
        if looks_like_code {
            if !is_printable(pasted) {
                return Err(CallbackError::InvalidParameter("code"));
            }
            self.check_client(client)?;
            return Ok(code_exchange(self, client, AuthorizationCode::new(pasted)));
        }
        self.complete(client, pasted)
    }

    fn validate_query(
        &self,
        client: &Client,
        query: &str,
        fragment: Option<&str>,
    ) -> Result<AuthorizationCode, CallbackError> {
        let params = Params::parse(query)?;
        if !params.has_result()
            && fragment.is_some_and(|f| Params::parse(f).is_ok_and(|p| p.has_result()))
        {
            return Err(CallbackError::ResponseInFragment);
        }
        self.check_client(client)?;
        if let Some(expected) = &self.issuer {
            match &params.iss {
                Some(iss) if iss.as_bytes() != expected.as_bytes() => {
                    return Err(CallbackError::IssuerMismatch)
                }
                None if self.require_issuer => return Err(CallbackError::MissingIssuer),
                _ => {}
            }
        }
        let state = params.state.as_deref().ok_or(CallbackError::MissingState)?;
        if !state_matches(state, &self.state) {
            return Err(CallbackError::StateMismatch);
        }
        match (params.code, params.error) {
            (Some(_), Some(_)) => Err(CallbackError::CodeAndError),
            (None, Some(error)) => Err(CallbackError::Authorization(OAuthError::new(
                ErrorCode::parse(&error),
                params.error_description.as_deref(),
                params.error_uri.as_deref(),
                None,
            ))),
            (Some(code), None) => Ok(AuthorizationCode::new(code.into_owned())),
            (None, None) => Err(CallbackError::MissingCode),
        }
    }

    fn check_client(&self, client: &Client) -> Result<(), CallbackError> {
        if client.id() != &*self.client_id
            || client.token_endpoint.as_str() != &*self.token_endpoint
        {
            return Err(CallbackError::WrongClient);
        }
        Ok(())
    }
}

/// Whether a callback's `state` is the one the request sent, compared in
/// constant time: how long the comparison takes does not tell a forger how
/// many leading bytes were right. Only a different length returns early; a
/// length is not secret (every `state` this crate makes has 43 characters).
fn state_matches(received: &str, sent: &CsrfState) -> bool {
    #[cfg(test)]
    tests::STATE_COMPARISONS.with(|count| count.set(count.get() + 1));
    bool::from(received.as_bytes().ct_eq(sent.secret().as_bytes()))
}

fn checked_input(input: &str) -> Result<&str, CallbackError> {
    if input.len() > CALLBACK_LIMIT {
        return Err(CallbackError::TooLong);
    }
    let input = input.trim();
    if input.is_empty() {
        return Err(CallbackError::Empty);
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::SystemTime;

    use super::*;

    thread_local! {
        /// How many times this thread called `state_matches`.
        pub(super) static STATE_COMPARISONS: Cell<usize> = const { Cell::new(0) };
    }

    proptest::proptest! {
        /// `has_scheme` finds a scheme exactly where the first `://`
        /// follows a valid scheme name, without searching the whole input.
        #[test]
        fn has_scheme_is_a_valid_name_before_the_first_separator(input in "[a-z0-9+.:/ -]{0,12}") {
            let by_search = input.split_once("://").is_some_and(|(scheme, _)| {
                scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            });
            proptest::prop_assert_eq!(has_scheme(&input), by_search);
        }
    }

    fn comparisons() -> usize {
        STATE_COMPARISONS.with(Cell::get)
    }

    #[test]
    fn state_matches_only_the_identical_state() {
        let sent = CsrfState::new("abcdefgh");
        assert!(state_matches("abcdefgh", &sent));
        for position in 0..8 {
            let mut received = b"abcdefgh".to_vec();
            received[position] ^= 1;
            let received = String::from_utf8(received).unwrap();
            assert!(!state_matches(&received, &sent), "{received}");
        }
        for other_length in ["", "abcdefg", "abcdefghi", "abcdefgh "] {
            assert!(!state_matches(other_length, &sent), "{other_length:?}");
        }
        assert!(!state_matches("x", &CsrfState::new("")));
        assert!(state_matches("", &CsrfState::new("")));
    }

    #[test]
    fn the_callback_compares_state_through_state_matches() {
        let client = Client::builder("app")
            .authorization_endpoint("http://127.0.0.1:9/auth")
            .token_endpoint("http://127.0.0.1:9/token")
            .build()
            .unwrap();
        let pending = || {
            client
                .authorization_request("http://127.0.0.1:9/cb")
                .build_with_entropy(SystemTime::UNIX_EPOCH, &[5; 64])
                .unwrap()
                .1
        };
        let state = pending().state().secret().to_owned();
        let mut forged = state.clone().into_bytes();
        *forged.last_mut().unwrap() ^= 1;
        let forged = String::from_utf8(forged).unwrap();

        let before = comparisons();
        assert!(pending()
            .complete(&client, &format!("?state={state}&code=c"))
            .is_ok());
        assert_eq!(comparisons(), before + 1);
        assert_eq!(
            pending()
                .complete(&client, &format!("?state={forged}&code=c"))
                .unwrap_err(),
            CallbackError::StateMismatch
        );
        assert_eq!(comparisons(), before + 2);
        assert_eq!(
            pending()
                .complete_pasted(
                    &client,
                    &format!("http://127.0.0.1:9/cb?state={forged}&code=c")
                )
                .unwrap_err(),
            CallbackError::StateMismatch
        );
        assert_eq!(comparisons(), before + 3);
        assert_eq!(
            pending().complete(&client, "?code=c").unwrap_err(),
            CallbackError::MissingState
        );
        assert_eq!(comparisons(), before + 3);
    }
}
