//! The authorization-code flow both sides run in benches/flow.rs and
//! benches/instructions.rs: Google's client, redirect, code, token response
//! and authorized_user file, and the `oauth2` calls for the same steps.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenResponse,
};
use oauth2::{
    AuthType, AuthUrl, CsrfToken, EndpointNotSet, EndpointSet, HttpResponse, PkceCodeVerifier,
    RedirectUrl, Scope, StandardRevocableToken, TokenUrl,
};
use oauth2_sansio::google::{GOOGLE_AUTH_URI, GOOGLE_TOKEN_URI};
use oauth2_sansio::{
    Client, ClientSecret, CodeExchange, Machine, PendingAuthorization, Step, UserCredentials,
};

use super::{token_chars, CLIENT_ID, CLIENT_SECRET};

pub const REDIRECT_URI: &str = "http://127.0.0.1:8080/";
pub const SCOPES: [&str; 3] = [
    "openid",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/drive.readonly",
];
/// An authorization code of Google's shape and length (73 characters).
pub const CODE: &str = "4/0AeanS0ZxYwVuTsRqPoNmLkJiHgFeDcBa9876543210ZyXwVuTsRqPoNmLkJiHgFeDcBa_Q";
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// Fixed bytes repeat every iteration, so the branch predictor learns how
/// they encode; benches/flow.rs's `oauth2_sansio_seeded_std_rng` (fresh bytes
/// each time, as oauth2's `thread_rng`) shows the realistic cost.
pub const ENTROPY: [u8; 64] = [0x5a; 64];

pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000)
}

/// An `oauth2` client of Google's endpoints whose token responses are `TR`.
pub type OAuth2ClientOf<TR> = oauth2::Client<
    BasicErrorResponse,
    TR,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The `oauth2` client most users write: `BasicClient`.
pub type OAuth2Client = OAuth2ClientOf<BasicTokenResponse>;

pub fn sansio_client() -> Client {
    Client::google(CLIENT_ID, Some(ClientSecret::new(CLIENT_SECRET)))
        .build()
        .expect("valid client")
}

pub fn oauth2_client(auth_type: AuthType) -> OAuth2Client {
    oauth2_client_of(auth_type)
}

/// [`oauth2_client`] with another token response type (one that keeps
/// Google's `id_token`, say).
pub fn oauth2_client_of<TR: oauth2::TokenResponse>(auth_type: AuthType) -> OAuth2ClientOf<TR> {
    oauth2::Client::new(oauth2::ClientId::new(CLIENT_ID.to_owned()))
        .set_client_secret(oauth2::ClientSecret::new(CLIENT_SECRET.to_owned()))
        .set_auth_uri(AuthUrl::new(GOOGLE_AUTH_URI.to_owned()).expect("valid URL"))
        .set_token_uri(TokenUrl::new(GOOGLE_TOKEN_URI.to_owned()).expect("valid URL"))
        .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.to_owned()).expect("valid URL"))
        .set_auth_type(auth_type)
}

pub fn oauth2_scopes() -> Vec<Scope> {
    SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect()
}

pub fn pending(client: &Client) -> PendingAuthorization {
    let (_, pending) = client
        .authorization_request(REDIRECT_URI)
        .scopes(SCOPES)
        .build_with_entropy(now(), &ENTROPY)
        .expect("valid request");
    pending
}

/// The redirect Google sends back: state, iss, code, scope, authuser, prompt.
pub fn callback_url(state: &str) -> String {
    format!(
        "{REDIRECT_URI}?state={state}&iss=https%3A%2F%2Faccounts.google.com&code={}\
         &scope=email%20openid%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email\
         %20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdrive.readonly&authuser=0&prompt=consent",
        url::form_urlencoded::byte_serialize(CODE.as_bytes()).collect::<String>()
    )
}

/// A Google code-exchange response: a 218-character access token, a
/// 103-character refresh token and a 1,195-character RS256 ID token
/// (header.payload.signature, as Google issues them).
pub fn google_token_response() -> Vec<u8> {
    let id_token = format!(
        "{}.{}.{}",
        token_chars(102, 1),
        token_chars(748, 2),
        token_chars(342, 3)
    );
    format!(
        r#"{{
  "access_token": "ya29.{}",
  "expires_in": 3599,
  "refresh_token": "1//0{}",
  "scope": "https://www.googleapis.com/auth/drive.readonly https://www.googleapis.com/auth/userinfo.email openid",
  "token_type": "Bearer",
  "id_token": "{id_token}"
}}"#,
        token_chars(213, 4),
        token_chars(99, 5)
    )
    .into_bytes()
}

pub fn canned_response(body: &[u8]) -> HttpResponse {
    http::Response::builder()
        .status(200)
        .header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(JSON_CONTENT_TYPE),
        )
        .body(body.to_vec())
        .expect("valid response")
}

/// What `gcloud auth application-default login` writes, with a cached token.
pub fn authorized_user_json() -> Vec<u8> {
    format!(
        r#"{{
  "account": "",
  "client_id": "{CLIENT_ID}",
  "client_secret": "{CLIENT_SECRET}",
  "expiry": "2025-11-24T17:39:59Z",
  "quota_project_id": "my-project-123456",
  "refresh_token": "1//0{}",
  "scopes": ["openid", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/cloud-platform"],
  "token": "ya29.{}",
  "token_uri": "https://oauth2.googleapis.com/token",
  "type": "authorized_user",
  "universe_domain": "googleapis.com"
}}"#,
        token_chars(99, 5),
        token_chars(213, 4)
    )
    .into_bytes()
}

/// `oauth2`'s code exchange, sent through `http`.
#[allow(clippy::type_complexity)]
pub fn oauth2_exchange<TR: oauth2::TokenResponse, C: oauth2::SyncHttpClient>(
    oauth2: &OAuth2ClientOf<TR>,
    code: oauth2::AuthorizationCode,
    verifier: PkceCodeVerifier,
    http: &C,
) -> Result<TR, oauth2::RequestTokenError<C::Error, BasicErrorResponse>> {
    oauth2
        .exchange_code(code)
        .set_pkce_verifier(verifier)
        .request(http)
}

pub fn oauth2_code() -> oauth2::AuthorizationCode {
    oauth2::AuthorizationCode::new(black_box(CODE).to_owned())
}

/// Our code exchange for `pending`, made from the bare code: the shortest
/// public path to `CodeExchange::new`, which builds the token request.
pub fn sansio_exchange(pending: PendingAuthorization, client: &Client) -> CodeExchange {
    pending
        .complete_pasted(client, black_box(CODE))
        .expect("valid code")
}

/// Polls a machine that must send first and returns its request.
pub fn send_step<M: Machine>(machine: &mut M) -> http::Request<Vec<u8>> {
    match machine.poll(now()).expect("poll") {
        Step::Send(request) => request,
        _ => panic!("expected Step::Send"),
    }
}

/// The hand-written callback check of an `oauth2` user: parse the URL, pick
/// `code` and `state`, compare `state` with the kept `CsrfToken`.
pub fn oauth2_validate_callback(
    callback: &str,
    csrf: &CsrfToken,
) -> Result<oauth2::AuthorizationCode, &'static str> {
    let url = url::Url::parse(callback).map_err(|_| "unparsable")?;
    let (mut code, mut state) = (None, None);
    for (name, value) in url.query_pairs() {
        match &*name {
            "code" => code = Some(value),
            "state" => state = Some(value),
            _ => {}
        }
    }
    if state.as_deref() != Some(csrf.secret().as_str()) {
        return Err("state mismatch");
    }
    let code = code.ok_or("no code")?;
    Ok(oauth2::AuthorizationCode::new(code.into_owned()))
}

/// The credentials a code exchange answered with `body` yields.
pub fn exchanged_credentials(client: &Client, body: &[u8]) -> UserCredentials {
    let mut exchange = sansio_exchange(pending(client), client);
    drop(send_step(&mut exchange));
    exchange
        .handle_response(canned_response(body), now())
        .expect("valid response");
    match exchange.poll(now()).expect("poll") {
        Step::Done(credentials) => credentials,
        _ => panic!("expected Step::Done"),
    }
}

/// The PKCE verifier of `pending(client)` (the same every time: the entropy
/// is fixed).
pub fn pending_verifier(client: &Client) -> String {
    verifier_of(client, pending(client))
}

/// The PKCE verifier `pending` keeps, read back from the request it
/// produces (the crate keeps it private; the other sides need the same
/// value).
pub fn verifier_of(client: &Client, pending: PendingAuthorization) -> String {
    let mut exchange = sansio_exchange(pending, client);
    let request = send_step(&mut exchange);
    url::form_urlencoded::parse(request.body())
        .find(|(name, _)| name == "code_verifier")
        .map(|(_, value)| value.into_owned())
        .expect("the code exchange sends code_verifier")
}
