//! The client, and its POSTs to the token endpoint.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Uri};
use zeroize::Zeroizing;

use super::form::{append_pair, encode_into, worst_case_len};

/// A confidential client of one server, with what every request needs
/// computed once: the Basic header and the token URI.
pub struct FloorClient {
    pub client_id: String,
    pub client_secret: Zeroizing<String>,
    pub authorization_endpoint: String,
    pub issuer: String,
    token_uri: Uri,
    basic: HeaderValue,
}

/// Where the client's credentials travel.
#[derive(Clone, Copy)]
pub enum ClientAuth {
    /// `Authorization: Basic` (client_secret_basic).
    Basic,
    /// `client_id` and `client_secret` in the body (client_secret_post).
    Body,
}

impl FloorClient {
    pub fn new(
        client_id: &str,
        client_secret: &str,
        authorization_endpoint: &str,
        token_endpoint: &str,
        issuer: &str,
    ) -> Self {
        let mut pair = Zeroizing::new(Vec::new());
        encode_into(&mut pair, client_id.as_bytes());
        pair.push(b':');
        encode_into(&mut pair, client_secret.as_bytes());
        let mut basic = HeaderValue::try_from(format!("Basic {}", STANDARD.encode(&*pair)))
            .expect("base64 is a valid header value");
        basic.set_sensitive(true);
        Self {
            client_id: client_id.to_owned(),
            client_secret: Zeroizing::new(client_secret.to_owned()),
            authorization_endpoint: authorization_endpoint.to_owned(),
            issuer: issuer.to_owned(),
            token_uri: token_endpoint.parse().expect("a valid URI"),
            basic,
        }
    }

    /// A POST of `grant_type`, the client's credentials as `auth` says,
    /// then `params`, with `Accept: application/json`. The body is sized for
    /// the worst case up front, so it never moves and leaves no copy of a
    /// secret behind.
    pub fn token_request(
        &self,
        grant_type: &str,
        auth: ClientAuth,
        params: &[(&str, &str)],
    ) -> Request<Vec<u8>> {
        let client: &[(&str, &str)] = match auth {
            ClientAuth::Basic => &[],
            ClientAuth::Body => &[
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
            ],
        };
        let capacity = worst_case_len(&[("grant_type", grant_type)])
            + worst_case_len(client)
            + worst_case_len(params);
        let mut body = Vec::with_capacity(capacity);
        append_pair(&mut body, "grant_type", grant_type);
        for (name, value) in client.iter().chain(params) {
            append_pair(&mut body, name, value);
        }
        let mut request = Request::new(body);
        *request.method_mut() = Method::POST;
        *request.uri_mut() = self.token_uri.clone();
        let headers = request.headers_mut();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        if let ClientAuth::Basic = auth {
            headers.insert(AUTHORIZATION, self.basic.clone());
        }
        request
    }
}
