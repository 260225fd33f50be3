//! Form POSTs to an authorization server's endpoints: the body, the
//! client's credentials in it or in a Basic header, and the headers.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Request};
use zeroize::Zeroizing;

use crate::wire::form::{encode_into, FormBody};

/// Where a request carries the client's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientInForm<'a> {
    /// Not at all (a JWT-bearer grant, a token exchange without a client).
    Nothing,
    /// `client_id` (and `client_secret`, when given) in the body.
    Body {
        /// The client id.
        id: &'a str,
        /// The secret, for `client_secret_post`.
        secret: Option<&'a str>,
    },
    /// HTTP Basic (`client_secret_basic`): the header's value, made once
    /// per client by [`basic_credentials`].
    Basic(&'a HeaderValue),
}

const FORM: HeaderValue = HeaderValue::from_static("application/x-www-form-urlencoded");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A form POST to `endpoint` with `Accept: application/json`: `grant_type`
/// first when given, then the client's credentials when they travel in the
/// body, then `params` (google-auth's order).
pub(crate) fn form_post(
    endpoint: http::Uri,
    grant_type: Option<&str>,
    client: ClientInForm<'_>,
    params: &[(&str, &str)],
) -> Request<Vec<u8>> {
    // A body holding codes, verifiers, secrets or refresh tokens never
    // reallocates, so no copy of them is left behind unzeroized.
    let mut form = FormBody::with_capacity(worst_case_len(grant_type, client, params));
    if let Some(grant_type) = grant_type {
        form.append_pair("grant_type", grant_type);
    }
    let mut basic = None;
    match client {
        ClientInForm::Nothing => {}
        ClientInForm::Body { id, secret } => {
            form.append_pair("client_id", id);
            if let Some(secret) = secret {
                form.append_pair("client_secret", secret);
            }
        }
        ClientInForm::Basic(header) => basic = Some(header.clone()),
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
    client: ClientInForm<'_>,
    params: &[(&str, &str)],
) -> usize {
    let client = match client {
        ClientInForm::Body { id, secret } => {
            "client_id=&client_secret=&".len() + id.len() + secret.map_or(0, str::len)
        }
        ClientInForm::Nothing | ClientInForm::Basic(_) => 0,
    };
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
/// marked sensitive so HTTP/2 encoders never index it. Its clones share one
/// buffer, zeroized when the last of them is dropped.
pub(crate) fn basic_credentials(client_id: &str, secret: &str) -> HeaderValue {
    // Room for the worst case (every byte escaped), so that the buffer
    // holding the secret never moves, and zeroized when dropped.
    let escaped_len = 3 * (client_id.len() + secret.len()) + 1;
    let mut pair = Zeroizing::new(Vec::with_capacity(escaped_len));
    encode_into(&mut pair, client_id.as_bytes());
    pair.push(b':');
    encode_into(&mut pair, secret.as_bytes());
    let mut header = Zeroizing::new(String::with_capacity(6 + pair.len().div_ceil(3) * 4));
    header.push_str("Basic ");
    STANDARD.encode_string(pair.as_slice(), &mut header);
    let shared = bytes::Bytes::from_owner(ZeroizingBytes(header));
    let mut value = HeaderValue::from_maybe_shared(shared).expect("base64 is a valid header value");
    value.set_sensitive(true);
    value
}

/// A header's bytes, zeroized when dropped.
struct ZeroizingBytes(Zeroizing<String>);

impl AsRef<[u8]> for ZeroizingBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
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
            basic in proptest::bool::ANY,
            params in proptest::collection::vec((".{0,8}", ".{0,40}"), 0..5),
        ) {
            let header = secret.as_deref().map(|secret| basic_credentials(&client_id, secret));
            let client = match (&header, basic) {
                (Some(header), true) => ClientInForm::Basic(header),
                _ => ClientInForm::Body { id: &client_id, secret: secret.as_deref() },
            };
            let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let bound = worst_case_len(grant_type.as_deref(), client, &params);
            let request = form_post(
                http::Uri::from_static("https://as.example/token"),
                grant_type.as_deref(),
                client,
                &params,
            );
            proptest::prop_assert!(request.body().len() <= bound);
            // Never grown: a grown Vec has at least twice its first capacity.
            proptest::prop_assert_eq!(request.body().capacity(), bound);
        }
    }

    fn body(grant: Option<&str>, client: ClientInForm<'_>) -> String {
        let request = form_post(
            http::Uri::from_static("https://as.example/x"),
            grant,
            client,
            &[("token", "t&=")],
        );
        String::from_utf8(request.into_body()).unwrap()
    }

    #[test]
    fn form_post_writes_only_what_is_asked() {
        let public = ClientInForm::Body {
            id: "id",
            secret: None,
        };
        let post = ClientInForm::Body {
            id: "id",
            secret: Some("s p"),
        };
        assert_eq!(body(None, ClientInForm::Nothing), "token=t%26%3D");
        assert_eq!(body(None, public), "client_id=id&token=t%26%3D");
        assert_eq!(
            body(None, post),
            "client_id=id&client_secret=s+p&token=t%26%3D"
        );
        assert_eq!(
            body(Some("a:b c"), ClientInForm::Nothing),
            "grant_type=a%3Ab+c&token=t%26%3D"
        );
        assert_eq!(
            body(Some("g"), public),
            "grant_type=g&client_id=id&token=t%26%3D"
        );
        // Nothing at all in the body, and the client in the header.
        let header = basic_credentials("id", "s p");
        let basic = ClientInForm::Basic(&header);
        let request = form_post(
            http::Uri::from_static("https://as.example/x"),
            None,
            basic,
            &[],
        );
        assert!(request.body().is_empty());
        assert!(request.headers()["authorization"]
            .to_str()
            .unwrap()
            .starts_with("Basic "));
    }

    #[test]
    fn basic_auth_urlencodes_before_base64() {
        let value = basic_credentials("installed-app", "installed-app-secret");
        assert_eq!(
            value,
            "Basic aW5zdGFsbGVkLWFwcDppbnN0YWxsZWQtYXBwLXNlY3JldA=="
        );
        let odd = basic_credentials("a b:c", "p@ss/+%");
        let decoded = STANDARD.decode(&odd.as_bytes()[6..]).unwrap();
        assert_eq!(decoded, b"a+b%3Ac:p%40ss%2F%2B%25");
        assert!(odd.is_sensitive());
    }
}
