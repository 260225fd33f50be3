//! The URL the user opens to sign in: the authorization endpoint with the
//! request's query, written once by the crate's own form encoder.

use std::fmt;
use std::sync::OnceLock;

use url::Url;

use crate::wire::form::FormBody;

/// The URL to send the user's browser to, as
/// [`AuthorizationRequest::build`](crate::AuthorizationRequest::build) and a
/// pushed request ([`AuthorizationRequest::push`](crate::AuthorizationRequest::push))
/// make it.
///
/// It is text, because that is what a browser, a `Location` header or a
/// terminal takes: [`as_str`](Self::as_str), [`Display`](fmt::Display),
/// `Into<String>`. [`url`](Self::url) reads it as a [`Url`] for code that
/// wants its parts, parsed at its first call (`url`'s own writer costs
/// several times what the crate's encoder does, so the URL is not made as a
/// `Url`).
///
/// ```
/// # use std::time::SystemTime;
/// let client = oauth2_sansio::Client::google("id", None).build()?;
/// let (url, _pending) = client
///     .authorization_request("http://127.0.0.1:8080/")
///     .scope("openid")
///     .build_with_entropy(SystemTime::now(), &[7; 64])?;
/// assert!(url.as_str().starts_with("https://accounts.google.com/o/oauth2/auth?response_type=code&"));
/// assert!(url.url().query_pairs().any(|(name, value)| name == "scope" && value == "openid"));
/// # Ok::<(), oauth2_sansio::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct AuthorizationUrl {
    text: String,
    parsed: OnceLock<Url>,
}

impl AuthorizationUrl {
    /// The URL's text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The URL read as a [`Url`], parsed at the first call.
    pub fn url(&self) -> &Url {
        self.parsed.get_or_init(|| parse(&self.text))
    }

    /// The URL's text, owned.
    pub fn into_string(self) -> String {
        self.text
    }

    /// `endpoint` with the pairs `write` appends to its query.
    pub(crate) fn write(endpoint: &Url, write: impl FnOnce(&mut FormBody)) -> Self {
        // Room for a Google-sized request: the text is written without growing.
        let mut query = FormBody::after(endpoint.as_str(), 512);
        match endpoint.query() {
            None => query.separate_with(Some(b'?')),
            Some("") => query.separate_with(None),
            Some(_) => {}
        }
        write(&mut query);
        Self {
            text: query.finish_text(),
            parsed: OnceLock::new(),
        }
    }
}

impl fmt::Display for AuthorizationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for AuthorizationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AuthorizationUrl").field(&self.text).finish()
    }
}

impl AsRef<str> for AuthorizationUrl {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl PartialEq for AuthorizationUrl {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for AuthorizationUrl {}

impl PartialEq<str> for AuthorizationUrl {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for AuthorizationUrl {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// A URL made elsewhere (a pushed request's, a test's), as the loopback
/// listener's start link takes it.
impl From<Url> for AuthorizationUrl {
    fn from(url: Url) -> Self {
        Self {
            text: url.as_str().to_owned(),
            parsed: OnceLock::from(url),
        }
    }
}

impl From<AuthorizationUrl> for String {
    fn from(url: AuthorizationUrl) -> String {
        url.text
    }
}

impl From<AuthorizationUrl> for Url {
    fn from(url: AuthorizationUrl) -> Url {
        match url.parsed.into_inner() {
            Some(parsed) => parsed,
            None => parse(&url.text),
        }
    }
}

/// The text as a [`Url`]: an endpoint's URL (which parsed) with form
/// pairs, only ASCII letters, digits, `*-._+%&=`, added to its query.
fn parse(text: &str) -> Url {
    Url::parse(text).expect("an endpoint URL with a form-encoded query is a URL")
}
