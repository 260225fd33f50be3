//! Building token endpoint requests: the form body and client authentication.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Request};
use url::Url;
use zeroize::Zeroizing;

use crate::client::assertion::ClientAssertion;
use crate::client::{to_uri, Client, ClientAuthMethod};
use crate::error::config::ConfigError;
use crate::secret::ClientSecret;
use crate::wire::form::{encode_into, FormBody};

/// Who is calling the token endpoint, and how it proves it.
#[derive(Clone, Copy)]
pub(crate) struct ClientAuth<'a> {
    pub method: ClientAuthMethod,
    pub client_id: &'a str,
    pub secret: Option<&'a ClientSecret>,
    /// The key and audience for `private_key_jwt`; the assertion itself is
    /// added when the request is sent
    /// ([`authenticated_call`](crate::client::assertion::authenticated_call)).
    pub assertion: Option<&'a ClientAssertion>,
}

/// Whether `method` has what it needs: a secret for the secret methods, a
/// key for `private_key_jwt`.
pub(crate) fn check_credentials(
    method: ClientAuthMethod,
    has_secret: bool,
    has_key: bool,
) -> Result<(), ConfigError> {
    match method {
        ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost if !has_secret => {
            Err(ConfigError::SecretRequired)
        }
        ClientAuthMethod::PrivateKeyJwt if !has_key => Err(ConfigError::AssertionKeyRequired),
        _ => Ok(()),
    }
}

/// An owned [`ClientAuth`], for machines that make requests later (a
/// refresh, a retry).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClientIdentity {
    pub method: ClientAuthMethod,
    pub id: String,
    pub secret: Option<ClientSecret>,
    pub assertion: Option<Arc<ClientAssertion>>,
}

impl ClientIdentity {
    /// How `client` authenticates.
    pub fn of(client: &Client) -> Self {
        Self {
            method: client.auth_method,
            id: client.id.clone(),
            secret: client.secret.clone(),
            assertion: client.assertion.clone(),
        }
    }

    /// Whether the method has what it needs: a secret, or a key for
    /// `private_key_jwt`.
    pub fn check(&self) -> Result<(), ConfigError> {
        check_credentials(self.method, self.secret.is_some(), self.assertion.is_some())
    }

    /// Borrowed, for building a request.
    pub fn auth(&self) -> ClientAuth<'_> {
        ClientAuth {
            method: self.method,
            client_id: &self.id,
            secret: self.secret.as_ref(),
            assertion: self.assertion.as_deref(),
        }
    }
}

const FORM: HeaderValue = HeaderValue::from_static("application/x-www-form-urlencoded");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A POST of `grant_type` and `params` to `endpoint`, authenticated as `auth`.
///
/// Body order follows google-auth: `grant_type`, then the client credentials
/// when they travel in the body, then the grant's own parameters.
pub(crate) fn token_request(
    endpoint: &Url,
    auth: ClientAuth<'_>,
    grant_type: &str,
    params: &[(&str, &str)],
) -> Request<Vec<u8>> {
    token_request_to(to_uri(endpoint), auth, grant_type, params)
}

/// [`token_request`] to an endpoint already converted to an `http::Uri`.
pub(crate) fn token_request_to(
    endpoint: http::Uri,
    auth: ClientAuth<'_>,
    grant_type: &str,
    params: &[(&str, &str)],
) -> Request<Vec<u8>> {
    form_post(endpoint, Some(grant_type), Some(auth), params)
}

/// A form POST to `endpoint`: `grant_type` first when given, then the
/// client's credentials as `auth` says (nothing at all without `auth`),
/// then `params`; `Accept: application/json`.
pub(crate) fn form_request(
    endpoint: &Url,
    grant_type: Option<&str>,
    auth: Option<ClientAuth<'_>>,
    params: &[(&str, &str)],
) -> http::Request<Vec<u8>> {
    form_post(to_uri(endpoint), grant_type, auth, params)
}

/// A form POST with `Accept: application/json`: `grant_type` first when
/// given, then the client's credentials as `auth` says (nothing at all
/// without `auth`: revocation or token exchange without a client), then
/// `params`.
pub(crate) fn form_post(
    endpoint: http::Uri,
    grant_type: Option<&str>,
    auth: Option<ClientAuth<'_>>,
    params: &[(&str, &str)],
) -> Request<Vec<u8>> {
    // A body holding codes, verifiers, secrets or refresh tokens never
    // reallocates, so no copy of them is left behind unzeroized.
    let mut form = FormBody::with_capacity(worst_case_len(grant_type, auth, params));
    if let Some(grant_type) = grant_type {
        form.append_pair("grant_type", grant_type);
    }
    let mut basic = None;
    match auth.map(|auth| (auth, auth.method, auth.secret)) {
        None => {}
        Some((auth, ClientAuthMethod::ClientSecretBasic, Some(secret))) => {
            basic = Some(basic_credentials(auth.client_id, secret))
        }
        Some((auth, ClientAuthMethod::ClientSecretPost, Some(secret))) => {
            form.append_pair("client_id", auth.client_id);
            form.append_pair("client_secret", secret.secret());
        }
        Some((auth, _, _)) => {
            form.append_pair("client_id", auth.client_id);
        }
    }
    for (name, value) in params {
        form.append_pair(name, value);
    }
    post(endpoint, form.finish(), basic)
}

/// The longest body [`form_post`] can write for these values: every byte
/// escaped to three.
fn worst_case_len(
    grant_type: Option<&str>,
    auth: Option<ClientAuth<'_>>,
    params: &[(&str, &str)],
) -> usize {
    let client = auth.map_or(0, |auth| {
        "client_id=&client_secret=&".len()
            + auth.client_id.len()
            + auth.secret.map_or(0, |secret| secret.secret().len())
    });
    let raw = grant_type.map_or(0, |g| "grant_type=&".len() + g.len())
        + client
        + params
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum::<usize>();
    3 * raw
}

fn post(
    endpoint: http::Uri,
    body: Vec<u8>,
    authorization: Option<HeaderValue>,
) -> Request<Vec<u8>> {
    let mut request = Request::new(body);
    *request.method_mut() = Method::POST;
    *request.uri_mut() = endpoint;
    let headers = request.headers_mut();
    headers.insert(ACCEPT, JSON);
    headers.insert(CONTENT_TYPE, FORM);
    if let Some(value) = authorization {
        headers.insert(AUTHORIZATION, value);
    }
    request
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1),
/// marked sensitive so HTTP/2 encoders never index it.
fn basic_credentials(client_id: &str, secret: &ClientSecret) -> HeaderValue {
    // Room for the worst case (every byte escaped), so that the buffer
    // holding the secret never moves, and zeroized when dropped.
    let escaped_len = 3 * (client_id.len() + secret.secret().len()) + 1;
    let mut pair = Zeroizing::new(Vec::with_capacity(escaped_len));
    encode_into(&mut pair, client_id.as_bytes());
    pair.push(b':');
    encode_into(&mut pair, secret.secret().as_bytes());
    let mut header = String::with_capacity(6 + pair.len().div_ceil(3) * 4);
    header.push_str("Basic ");
    STANDARD.encode_string(pair.as_slice(), &mut header);
    let mut value = HeaderValue::try_from(header).expect("base64 is a valid header value");
    value.set_sensitive(true);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn the_body_is_allocated_once(
            grant_type in proptest::option::of(".{0,12}"),
            client_id in ".{0,12}",
            secret in proptest::option::of(".{0,12}"),
            post in proptest::bool::ANY,
            params in proptest::collection::vec((".{0,8}", ".{0,40}"), 0..5),
        ) {
            let secret = secret.map(ClientSecret::new);
            let method = match (&secret, post) {
                (Some(_), true) => ClientAuthMethod::ClientSecretPost,
                (Some(_), false) => ClientAuthMethod::ClientSecretBasic,
                (None, _) => ClientAuthMethod::None,
            };
            let auth = ClientAuth { method, client_id: &client_id, secret: secret.as_ref(), assertion: None };
            let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let bound = worst_case_len(grant_type.as_deref(), Some(auth), &params);
            let request = form_post(
                http::Uri::from_static("https://as.example/token"),
                grant_type.as_deref(),
                Some(auth),
                &params,
            );
            proptest::prop_assert!(request.body().len() <= bound);
            // Never grown: a grown Vec has at least twice its first capacity.
            proptest::prop_assert_eq!(request.body().capacity(), bound);
        }
    }

    fn body(grant: Option<&str>, auth: Option<ClientAuth<'_>>) -> String {
        let endpoint = Url::parse("https://as.example/x").unwrap();
        let request = form_request(&endpoint, grant, auth, &[("token", "t&=")]);
        String::from_utf8(request.into_body()).unwrap()
    }

    #[test]
    fn form_request_writes_only_what_is_asked() {
        let secret = ClientSecret::new("s p");
        let post = ClientAuth {
            method: ClientAuthMethod::ClientSecretPost,
            client_id: "id",
            secret: Some(&secret),
            assertion: None,
        };
        let public = ClientAuth {
            method: ClientAuthMethod::None,
            client_id: "id",
            secret: None,
            assertion: None,
        };
        assert_eq!(body(None, None), "token=t%26%3D");
        assert_eq!(body(None, Some(public)), "client_id=id&token=t%26%3D");
        assert_eq!(
            body(None, Some(post)),
            "client_id=id&client_secret=s+p&token=t%26%3D"
        );
        assert_eq!(
            body(Some("a:b c"), None),
            "grant_type=a%3Ab+c&token=t%26%3D"
        );
        assert_eq!(
            body(Some("g"), Some(public)),
            "grant_type=g&client_id=id&token=t%26%3D"
        );
        let basic = ClientAuth {
            method: ClientAuthMethod::ClientSecretBasic,
            client_id: "id",
            secret: Some(&secret),
            assertion: None,
        };
        let endpoint = Url::parse("https://as.example/x").unwrap();
        // Nothing at all in the body, and the client in the header: the case
        // that used to trip the old placeholder-cutting version.
        let request = form_request(&endpoint, None, Some(basic), &[]);
        assert!(request.body().is_empty());
        assert!(request.headers()["authorization"]
            .to_str()
            .unwrap()
            .starts_with("Basic "));
    }

    #[test]
    fn basic_auth_urlencodes_before_base64() {
        let value = basic_credentials("installed-app", &ClientSecret::new("installed-app-secret"));
        assert_eq!(
            value,
            "Basic aW5zdGFsbGVkLWFwcDppbnN0YWxsZWQtYXBwLXNlY3JldA=="
        );
        let odd = basic_credentials("a b:c", &ClientSecret::new("p@ss/+%"));
        let decoded = STANDARD.decode(&odd.as_bytes()[6..]).unwrap();
        assert_eq!(decoded, b"a+b%3Ac:p%40ss%2F%2B%25");
        assert!(odd.is_sensitive());
    }
}
