//! The web-server flow: a web application that signs its users in at an
//! OpenID Connect provider (Google, or any other) and calls the provider's
//! userinfo endpoint for them.
//!
//! ```text
//! cargo run --example web_server --features reqwest,ring,tower -- client_secrets.json ISSUER [ADDR]
//! ```
//!
//! `client_secrets.json` is a `web` client (its endpoints may be absent:
//! they come from the issuer's discovery document); ADDR defaults to
//! `127.0.0.1:8080`, and the client must be registered with the redirect
//! URI `http://ADDR/callback`. Once listening, the program prints
//! `LISTENING http://ADDR` on stdout.
//!
//! Routes: `/` (a sign-in link), `/login` (to the provider), `/callback`
//! (back from it), `/me` (the user, from userinfo), `POST /logout`.
//!
//! The security choices, each one a line below:
//! - the pending sign-in (state, PKCE verifier, nonce) stays on the server,
//!   keyed by a random session id in an `HttpOnly`, `SameSite=Lax` cookie
//!   (`Secure` when the app is served over https); one pending sign-in per
//!   session, expiring after ten minutes;
//! - the callback takes the pending sign-in out of the session before
//!   checking it, so a replayed callback finds none; `state` binds the
//!   callback to the session that started it (another session's callback
//!   is refused); the ID token is verified (signature by the issuer's key,
//!   issuer, audience, the nonce sent);
//! - tokens never reach the browser: the session cookie is only an id;
//!   each session's credentials sit in a token cache (`SharedToken`), and
//!   the page's API calls go through the crate's tower layer (`AuthLayer`):
//!   a token refreshed before it expires, one refresh for all the requests
//!   of a session in flight, one resend after a refused token;
//! - logout is a POST carrying the session's CSRF token (a random value
//!   rendered in the page, compared in constant time), revokes the refresh
//!   token and forgets the session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{Form, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use oauth2_sansio::cache::SharedToken;
use oauth2_sansio::discovery::{AuthorizationServerMetadata, DiscoveryRequest, WellKnown};
use oauth2_sansio::io::reqwest::ReqwestTransport;
use oauth2_sansio::io::tower::{AuthLayer, Replay};
use oauth2_sansio::jwt::verify::{CacheVerdict, KeySetCache};
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::{
    AccessType, Client, ClientSecrets, PendingAuthorization, UserCredentials, UserRefresh,
};
use rand::rngs::SysRng;
use rand::TryRng;
use tower_layer::Layer;
use tower_service::Service;

/// How long a sign-in may take between `/login` and `/callback`.
const PENDING_LIFETIME: Duration = Duration::from_secs(600);
/// The session cookie's name and lifetime.
const COOKIE: &str = "session";
const SESSION_LIFETIME: Duration = Duration::from_secs(3600);

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// One browser's session.
#[derive(Default)]
struct Session {
    /// The sign-in under way, and when it started.
    pending: Option<(PendingAuthorization, Instant)>,
    /// The signed-in user's credentials, in a token cache (never sent to
    /// the browser).
    credentials: Option<Arc<SharedToken<UserCredentials>>>,
    /// The value a logout form must carry.
    csrf: String,
}

struct App {
    client: Client,
    metadata: AuthorizationServerMetadata,
    base: String,
    secure: bool,
    transport: ReqwestTransport,
    sessions: Mutex<HashMap<String, Session>>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let (Some(secrets), Some(issuer)) = (args.next(), args.next()) else {
        return Err("usage: web_server CLIENT_SECRETS.json ISSUER [ADDR]".into());
    };
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let secrets = ClientSecrets::from_json_for_discovery(&std::fs::read(&secrets)?)?;
    let transport = ReqwestTransport::new();
    let discovery = DiscoveryRequest::new(issuer, WellKnown::OpenIdConfiguration).build()?;
    let metadata = transport.run(discovery, sleep_until).await?;
    let client = secrets.client_builder_at(&metadata).build()?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = Arc::new(App {
        client,
        metadata,
        secure: base.starts_with("https://"),
        base: base.clone(),
        transport,
        sessions: Mutex::default(),
    });
    let router = Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/me", get(me))
        .route("/logout", post(logout))
        .with_state(app);
    println!("LISTENING {base}");
    axum::serve(listener, router).await?;
    Ok(())
}

async fn sleep_until(until: SystemTime) {
    tokio::time::sleep(until.duration_since(SystemTime::now()).unwrap_or_default()).await;
}

/// 32 random bytes, base64url: session ids and CSRF tokens.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    SysRng
        .try_fill_bytes(&mut bytes)
        .expect("the system random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The session id the request's cookie names, if any.
fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

fn page(status: StatusCode, body: &str) -> Response {
    (
        status,
        Html(format!("<!doctype html><title>web_server</title>{body}")),
    )
        .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn home() -> Response {
    page(StatusCode::OK, r#"<a href="/login">Sign in</a>"#)
}

/// Starts a sign-in: a new session if there is none, one pending sign-in
/// kept in it (a newer one replaces an older), the browser sent on.
async fn login(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let built = app
        .client
        .authorization_request(format!("{}/callback", app.base))
        .scopes(["openid", "email", "offline_access"])
        .prompt("consent")
        .access_type(None::<AccessType>)
        .with_nonce(true)
        .build(SystemTime::now(), &mut UnwrapErr(SysRng));
    let (url, pending) = match built {
        Ok(built) => built,
        Err(e) => return page(StatusCode::INTERNAL_SERVER_ERROR, &escape(&e.to_string())),
    };
    let known = session_id(&headers).filter(|id| app.sessions.lock().unwrap().contains_key(id));
    let id = known.unwrap_or_else(random_token);
    let mut sessions = app.sessions.lock().unwrap();
    let session = sessions.entry(id.clone()).or_default();
    session.pending = Some((pending, Instant::now()));
    let secure = if app.secure { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_LIFETIME.as_secs()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response()
}

/// Back from the provider: the session's pending sign-in, taken out
/// (single use), checked against the callback, the code exchanged and the
/// ID token verified.
async fn callback(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(id) = session_id(&headers) else {
        return page(
            StatusCode::BAD_REQUEST,
            "No session: start at <a href=\"/login\">/login</a>.",
        );
    };
    let taken = app
        .sessions
        .lock()
        .unwrap()
        .get_mut(&id)
        .and_then(|session| session.pending.take());
    let Some((pending, started)) = taken else {
        return page(
            StatusCode::BAD_REQUEST,
            "No sign-in is under way in this session.",
        );
    };
    if started.elapsed() > PENDING_LIFETIME {
        return page(
            StatusCode::BAD_REQUEST,
            "The sign-in took too long; start again.",
        );
    }
    match finish_sign_in(&app, pending, query.as_deref().unwrap_or("")).await {
        Ok(credentials) => {
            if let Some(session) = app.sessions.lock().unwrap().get_mut(&id) {
                session.credentials = Some(Arc::new(SharedToken::new(credentials)));
                session.csrf = random_token();
            }
            Redirect::to("/me").into_response()
        }
        Err(e) => page(
            StatusCode::BAD_REQUEST,
            &format!("Sign-in refused: {}", escape(&e.to_string())),
        ),
    }
}

async fn finish_sign_in(
    app: &App,
    pending: PendingAuthorization,
    query: &str,
) -> Result<UserCredentials, Failure> {
    let verifier = pending
        .id_token_verifier()
        .ok_or("the sign-in has no nonce")?;
    let exchange = pending.complete(&app.client, &format!("?{query}"))?;
    let credentials = app.transport.run(exchange, sleep_until).await?;
    let token = credentials.id_token().ok_or("no ID token")?;
    let jwks_uri = app
        .metadata
        .jwks_uri()
        .ok_or("the issuer publishes no keys")?;
    let mut keys = KeySetCache::new(jwks_uri.as_str())?;
    let fetched = app
        .transport
        .run(keys.fetch(SystemTime::now()), sleep_until)
        .await?;
    keys.store(fetched);
    match keys.verify(&verifier, token.secret(), SystemTime::now()) {
        CacheVerdict::Verified(_) => Ok(credentials),
        CacheVerdict::Refused(refused) => Err(refused.into()),
        _ => Err("no key of the issuer verifies the ID token".into()),
    }
}

/// The signed-in user, from the provider's userinfo endpoint.
async fn me(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let signed_in = session_id(&headers).and_then(|id| {
        let sessions = app.sessions.lock().unwrap();
        let session = sessions.get(&id)?;
        Some((session.credentials.clone()?, session.csrf.clone()))
    });
    let Some((credentials, csrf)) = signed_in else {
        return Redirect::to("/").into_response();
    };
    match userinfo(&app, &credentials).await {
        Ok(claims) => page(
            StatusCode::OK,
            &format!(
                "<p id=\"user\">Signed in as <b>{}</b> ({})</p>\
                 <form method=\"post\" action=\"/logout\">\
                 <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                 <button>Sign out</button></form>",
                escape(claims["sub"].as_str().unwrap_or("?")),
                escape(claims["email"].as_str().unwrap_or("no email")),
            ),
        ),
        Err(e) => page(StatusCode::BAD_GATEWAY, &escape(&e.to_string())),
    }
}

/// userinfo through the tower layer over the reqwest transport, with the
/// session's token cache.
async fn userinfo(
    app: &App,
    credentials: &Arc<SharedToken<UserCredentials>>,
) -> Result<serde_json::Value, Failure> {
    let endpoint = app
        .metadata
        .userinfo_endpoint()
        .ok_or("no userinfo endpoint")?;
    let transport = app.transport.clone();
    let refresher = move |machine: UserRefresh| {
        let transport = transport.clone();
        async move { transport.run(machine, sleep_until).await }
    };
    let mut api = AuthLayer::new(Arc::clone(credentials), refresher).layer(app.transport.clone());
    let request = Replay::attach(http::Request::get(endpoint.as_str()).body(Vec::new())?);
    std::future::poll_fn(|cx| api.poll_ready(cx)).await?;
    let response = api.call(request).await?;
    if response.status() != 200 {
        return Err(format!("userinfo answered HTTP {}", response.status()).into());
    }
    Ok(serde_json::from_slice(response.body())?)
}

#[derive(serde::Deserialize)]
struct LogoutForm {
    csrf: String,
}

/// Revokes the refresh token and forgets the session; only with the
/// session's CSRF token.
async fn logout(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let Some(id) = session_id(&headers) else {
        return Redirect::to("/").into_response();
    };
    let session = {
        let mut sessions = app.sessions.lock().unwrap();
        let matches = sessions.get(&id).is_some_and(|session| {
            !session.csrf.is_empty()
                && constant_time_eq(session.csrf.as_bytes(), form.csrf.as_bytes())
        });
        if !matches {
            return page(
                StatusCode::FORBIDDEN,
                "The sign-out form is not this session's.",
            );
        }
        sessions.remove(&id)
    };
    if let (Some(cache), Some(endpoint)) = (
        session.and_then(|s| s.credentials),
        app.metadata.revocation_endpoint(),
    ) {
        let credentials = cache.credentials();
        if let Ok(revocation) = credentials.revoke_refresh_token(endpoint) {
            // The session is gone either way; a failed revocation leaves
            // the refresh token to expire at the provider.
            let _ = app.transport.run(revocation, sleep_until).await;
        }
    }
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
