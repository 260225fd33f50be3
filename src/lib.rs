//! The client side of OAuth 2.0 as sans-IO state machines: Google's flows
//! (google-auth-oauthlib's `Flow`, google-auth's `Credentials`) and the RFCs
//! around them.
//!
//! The crate never opens a socket, reads a clock, touches a file or draws
//! its own randomness. You hand it the current time, random bytes and HTTP
//! responses; it hands back [`http::Request`]s to send, deadlines to wait
//! for, and results. Any runtime can drive it — tokio, async-std, a blocking
//! loop, WASM, a test with a fake clock.
//!
//! # The driving contract
//!
//! Every flow is a [`Machine`]. [`Machine::poll`] says what to do next:
//! [`Step::Send`] a request, [`Step::Wait`] until a time, or
//! [`Step::Done`] with the result. [`drive`] and [`drive_async`] run that
//! loop over closures you supply; here is the whole authorization-code flow
//! against a stand-in server:
//!
//! ```
//! use std::time::SystemTime;
//! use oauth2_sansio::{drive, Client, ClientSecret, Credentials};
//!
//! let client = Client::google("my-client-id", Some(ClientSecret::new("my-secret"))).build()?;
//!
//! // 1. Build the URL the user opens; keep `pending` until the callback.
//! let now = SystemTime::now();
//! let (url, pending) = client
//!     .authorization_request("http://127.0.0.1:8080/")
//!     .scopes(["openid", "email"])
//!     .build_with_entropy(now, &[42; 64])?; // or .build(now, &mut rand::rng())
//!
//! // 2. The browser comes back to the redirect URI with code and state.
//! let state = pending.state().secret().to_owned();
//! let callback = format!("http://127.0.0.1:8080/?state={state}&code=4/0Ab&scope=openid+email");
//! let exchange = pending.complete(&client, &callback)?;
//!
//! // 3. Drive the code exchange: one POST to the token endpoint.
//! let credentials = drive(
//!     exchange,
//!     SystemTime::now,
//!     |request| {
//!         assert_eq!(request.uri(), "https://oauth2.googleapis.com/token");
//!         Ok(oauth2_sansio::http::Response::new(
//!             br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r"}"#.to_vec(),
//!         ))
//!     },
//!     |_until| {},
//! )?;
//! assert_eq!(credentials.refresh_token().unwrap().secret(), "1//r");
//!
//! // 4. Authorize API requests; refresh when stale.
//! let mut api_request = oauth2_sansio::http::Request::new(());
//! credentials.authorize(&mut api_request, SystemTime::now())?; // Credentials, for every kind
//! let refresh = credentials.refresh()?; // another Machine
//! # let _ = (url, refresh);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Driving by hand is the same loop, with your own IO:
//!
//! ```no_run
//! # use std::time::SystemTime;
//! # use oauth2_sansio::{Machine, Step, Error, TransportFailure};
//! # fn send(_: oauth2_sansio::http::Request<Vec<u8>>) -> Result<oauth2_sansio::http::Response<Vec<u8>>, TransportFailure> { unimplemented!() }
//! # fn sleep_until(_: SystemTime) {}
//! # fn run<M: Machine>(mut machine: M) -> Result<M::Output, Error> {
//! loop {
//!     let now = SystemTime::now();
//!     match machine.poll(now)? {
//!         Step::Send(request) => match send(request) {
//!             Ok(response) => machine.handle_response(response, SystemTime::now())?,
//!             Err(failure) => machine.handle_transport_failure(failure, SystemTime::now())?,
//!         },
//!         Step::Wait { until, .. } => sleep_until(until),
//!         Step::Done(output) => break Ok(output),
//!     }
//! }
//! # }
//! ```
//!
//! # Map
//!
//! - [`Client`], [`ClientSecrets`]: who the client is, where the server is,
//!   how it authenticates (a secret, none, or a private key:
//!   [`ClientAssertionKey`], `private_key_jwt`).
//! - [`AuthorizationRequest`], [`PendingAuthorization`]: the URL (with
//!   `state` and PKCE S256) and what to keep until the callback;
//!   [`PendingAuthorization::complete`] checks the callback and yields a
//!   [`CodeExchange`]. [`loopback`]: the installed app's redirect listener,
//!   sans-IO.
//! - [`Credentials`]: what every kind of credentials is (a token, its
//!   freshness, request authorization, a refresh machine). The kinds:
//!   [`UserCredentials`] (a sign-in, `authorized_user` JSON),
//!   [`service_account`] (JWT-bearer access tokens, ID tokens, self-signed
//!   JWTs), [`ClientCredentials`] (RFC 6749 §4.4), and [`AnyCredentials`]
//!   for a kind picked at run time. [`cache`] keeps any of them fresh for
//!   many callers.
//! - [`device`]: the device grant (RFC 8628). [`Client::revoke`]
//!   ([`Revocation`], RFC 7009), [`Client::introspect`]
//!   ([`Introspection`], RFC 7662), [`discovery`] (RFC 8414, OpenID
//!   Connect), [`token_exchange`] (RFC 8693, Google's STS).
//! - [`Call`], [`TokenCall`], [`TokenResponse`]: one request and its
//!   answer, for grants the crate does not model.
//! - [`Error`], [`CallbackError`], [`ConfigError`], [`FileError`]: what went
//!   wrong, typed.
//! - Secrets ([`AccessToken`], [`RefreshToken`], [`ClientSecret`], ...)
//!   print as `[redacted]` and are zeroized on drop; [`Entropy`] is where
//!   their random bytes come from (any rand version's CSPRNG).
//! - [`google`]: Google's endpoints; [`limits`]: every bound on untrusted
//!   input; [`jwt`]: signing and reading JWTs; [`io`]: the optional IO
//!   (transports, the installed-app runner, a credentials file).
//!
//! # Names
//!
//! - A **machine** is named for the exchange it performs, a noun:
//!   [`CodeExchange`], [`Revocation`], [`Introspection`],
//!   [`DevicePoll`](device::DevicePoll), [`Discovery`](discovery::Discovery),
//!   [`TokenExchange`](token_exchange::TokenExchange),
//!   [`ClientCredentialsGrant`]; the machine that renews a kind of
//!   credentials is `<Kind>Refresh` ([`UserRefresh`],
//!   [`ServiceAccountRefresh`](service_account::ServiceAccountRefresh), ...).
//!   A machine that sends one request is a [`Call`] and these names are
//!   aliases of it; its output is what its context makes of the answer
//!   ([`Update`]).
//! - What builds a machine is a `…Request` ([`AuthorizationRequest`],
//!   [`ClientCredentialsRequest`], [`DeviceAuthorizationRequest`](device::DeviceAuthorizationRequest),
//!   [`DiscoveryRequest`](discovery::DiscoveryRequest),
//!   [`TokenExchangeRequest`](token_exchange::TokenExchangeRequest)), whose
//!   `build` checks it and returns the machine. `…Builder` builds a value
//!   that is not a machine ([`ClientBuilder`]).
//! - A kind of credentials is `…Credentials`; what a server answered, as
//!   parsed, is `…Response` ([`TokenResponse`], [`IntrospectionResponse`]).
//!
//! # Where things live
//!
//! | path in `src/` | what |
//! | --- | --- |
//! | `lib.rs`, `google.rs`, `limits.rs` | this page; Google's endpoints; the bounds on untrusted input |
//! | `machine/` | [`Step`], [`Machine`], [`Call`] (one request, signed when sent, its answer parsed), [`drive`] |
//! | `client/` | [`Client`] and its builder; `auth.rs`: who the client is and how each request authenticates it; `assertion.rs`: `private_key_jwt`; `secrets_file.rs`: `client_secrets.json` |
//! | `wire/` | form bodies and POSTs, strict JSON objects (whole, or their known fields read borrowed), [`TokenResponse`], endpoint URLs, the printable check, reading an answer |
//! | `flows/` | `code/` (authorization URL, pushed requests, callback, code exchange, the loopback parser), `device/`, and one file per other flow |
//! | `credentials/` | the [`Credentials`] trait (`kind.rs`), every kind, [`AnyCredentials`], freshness, [`CredentialsStore`] |
//! | `cache/` | [`cache::TokenManager`], [`cache::SharedToken`]; `answer.rs`: what an API's `401` asks of the token; `fleet/`: the sans-IO protocol by which many processes share one set of credentials (lock, compare-and-swap, sealed entries) |
//! | `jwt/` | claims, signing ([`jwt::Signer`], ring), unverified decoding, `verify/` (ID tokens, key sets) |
//! | `dpop/` | [`dpop::DpopKey`] and its proofs, nonces per origin, `WWW-Authenticate` challenges, the token calls' nonce retry |
//! | `secret/` | secret newtypes; wiping request and response bodies; [`Entropy`], the random bytes behind them |
//! | `error/` | [`Error`] and its parts; [`ConfigError`], [`FileError`] |
//! | `io/` | the only IO: `ureq/` (`authorized.rs`: API calls), `tower/` (the authorizing layer), `authorized.rs` (what both share), `reqwest/` (one transport for reqwest 0.13 and, through `reqwest_012.rs`, 0.12), `installed/` (the loopback runner and browser), `file_store/`, `redis/` (the fleet's store), `client_secrets.rs` |
//! | `bin/oauth2-sansio/` | the command-line tool, on the public API only |
//!
//! # Features
//!
//! - `ring` (default): `jwt::RingSigner`, RS256 from a PKCS#8 or PKCS#1 PEM
//!   key; ES256 [`dpop::DpopKey`]s (generated, PKCS#8 or private JWK); ID
//!   token verification.
//! - `ureq`: `io::ureq::UreqTransport`, a blocking transport (see [`io`]).
//! - `reqwest`: `io::reqwest::ReqwestTransport`, the async twin;
//!   `reqwest-012`: the same over reqwest 0.12 (`io::reqwest_012`).
//! - `tower`: `io::tower::AuthLayer`, every request of a tower HTTP client
//!   authorized from a [`cache::SharedToken`] (refreshed and resent once
//!   after a `401` that refuses the token); `io::ureq::AuthorizedAgent` is
//!   its blocking twin.
//! - `installed`: `io::installed::InstalledAppFlow`, the installed-app
//!   runner (loopback redirect listener, system browser).
//! - `file-store`: `io::file_store::CredentialsFile`, authorized_user JSON
//!   on disk, saved so that a refresh never loses it.
//! - `redis`: `io::redis::RedisFleet`, a token cache's credentials shared by
//!   the processes of a fleet through Redis (the protocol: `cache::fleet`);
//!   `io::redis::AsyncRedisFleet`, its async twin on tokio.
//! - `cli`: the `oauth2-sansio` binary (`login`, `token`, `revoke`), built
//!   on the three features above.
//! - `rand_core_06`, `rand_core_09`: [`Entropy`] adapters for RNGs of
//!   rand 0.8 and rand 0.9 (`RandCore06`, `RandCore09`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod cache;
mod client;
mod credentials;
pub mod dpop;
mod error;
mod flows;
#[cfg(all(fuzzing, feature = "installed"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod google;
pub mod io;
pub mod jwt;
pub mod limits;
mod machine;
mod macros;
mod secret;
#[cfg(test)]
mod testing;
mod wire;

pub use credentials::{adc, downscoped, external, impersonated, metadata, service_account};
pub use error::safe_text;
pub use flows::code::loopback;
pub use flows::{device, discovery, token_exchange};

pub use client::assertion::{
    AssertionAudience, ClientAssertionKey, CLIENT_ASSERTION_TYPE, DEFAULT_CLIENT_ASSERTION_LIFETIME,
};
pub use client::secrets_file::{ClientKind, ClientSecrets};
pub use client::{Client, ClientAuthMethod, ClientBuilder};
pub use credentials::freshness::{freshness, Freshness, DEFAULT_REFRESH_THRESHOLD};
pub use credentials::store::CredentialsStore;
pub use credentials::{
    AfterSource, AnyCredentials, AnyRefresh, AuthorizeError, BearerToken, ClientCredentials,
    ClientCredentialsGrant, Credentials, NeedsRefresh, Renewed, UserCredentials, UserRefresh,
    AUTHORIZED_USER_TYPE, EXTERNAL_ACCOUNT_AUTHORIZED_USER_TYPE,
};
pub use error::config::{ConfigError, FileError, FileProblem};
pub use error::{
    Error, ErrorCode, InvalidResponse, Misuse, OAuthError, TransportFailure, TransportFailureKind,
};
pub use flows::client_credentials::ClientCredentialsRequest;
pub use flows::code::authorization_url::AuthorizationUrl;
pub use flows::code::authorize::{AccessType, AuthorizationRequest, PendingAuthorization};
pub use flows::code::callback::CallbackError;
pub use flows::code::exchange::CodeExchange;
pub use flows::code::par::{
    PushedAuthorization, PushedRequest, Pushing, MAX_PUSH_LIFETIME, MAX_REQUEST_URI_LEN,
};
pub use flows::code::pkce::CHALLENGE_METHOD;
pub use flows::introspect::{IntrospectedToken, Introspection, IntrospectionResponse};
pub use flows::revoke::Revocation;
pub use flows::token_ref::TokenRef;
pub use machine::call::{Call, Parser, TokenCall, Update};
pub use machine::drive::{drive, drive_async};
pub use machine::step::{HttpResponse, Machine, RequestTimeout, Step, WaitReason};
pub use machine::then::{Next, Then};
#[cfg(feature = "rand_core_06")]
pub use secret::entropy::RandCore06;
#[cfg(feature = "rand_core_09")]
pub use secret::entropy::RandCore09;
pub use secret::entropy::{Entropy, EntropyFn};
pub use secret::{
    AccessToken, Assertion, AuthorizationCode, ClientSecret, CsrfState, DeviceCode, IdToken,
    PkceVerifier, PrivateKeyPem, RefreshToken, SecurityToken,
};
pub use wire::endpoint::parse_endpoint;
pub use wire::token_response::TokenResponse;

/// The README's programs, compiled as doc tests.
#[cfg(all(
    doctest,
    feature = "ureq",
    feature = "installed",
    feature = "file-store"
))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

// Re-exported so callers name the same versions the crate uses.
pub use http;
pub use rand_core;
pub use url;
