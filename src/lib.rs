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
//! use oauth2_sansio::{drive, Client, ClientSecret, Step};
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
//!         Ok(http::Response::new(
//!             br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r"}"#.to_vec(),
//!         ))
//!     },
//!     |_until| {},
//! )?;
//! assert_eq!(credentials.refresh_token().unwrap().secret(), "1//r");
//!
//! // 4. Authorize API requests; refresh when stale.
//! let mut api_request = http::Request::new(());
//! credentials.authorize(&mut api_request, SystemTime::now())?;
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
//! # fn send(_: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure> { unimplemented!() }
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
//!         _ => unreachable!("Step is non_exhaustive"),
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
//!   `state` and PKCE S256) and what to keep until the callback.
//! - [`PendingAuthorization::complete`]: callback validation, yielding a
//!   [`CodeExchange`].
//! - [`UserCredentials`]: tokens, freshness ([`Freshness`]), request
//!   authorization, [`Refresh`], `authorized_user` JSON.
//! - [`ServiceAccountCredentials`] ([`ServiceAccountKey`]): RS256 JWT-bearer
//!   assertions (RFC 7523), domain-wide delegation; also
//!   [`SelfSignedJwtCredentials`] and [`IdTokenCredentials`]. Keys sign
//!   through the [`jwt::Signer`] trait (ring by default; an HSM, KMS or
//!   IAM signBlob works the same).
//! - [`Client::device_authorization`]: the device grant (RFC 8628), a
//!   [`DeviceAuthorizationCall`] for the code to show, then a [`DevicePoll`]
//!   until the user approves.
//! - [`Client::revoke`] ([`Revocation`], RFC 7009) and
//!   [`Client::introspect`] ([`IntrospectionResponse`], RFC 7662); also
//!   [`UserCredentials::revoke_refresh_token`].
//! - [`Client::client_credentials`]: a client's own token
//!   ([`ClientCredentials`], RFC 6749 §4.4).
//! - [`Discovery`]: RFC 8414 and OpenID Connect metadata
//!   ([`AuthorizationServerMetadata`]), and a client built from it.
//! - [`TokenExchange`]: RFC 8693 token exchange ([`ExchangedToken`]), as
//!   Google's STS does it.
//! - [`cache`]: many callers, one refresh (`TokenManager`, sans-IO;
//!   `SharedToken`, thread-safe with lock-free-in-practice reads), for
//!   user and service-account credentials alike.
//! - [`TokenCall`], [`TokenResponse`]: the token endpoint, for grants the
//!   crate does not model.
//! - [`Error`], [`CallbackError`], [`ConfigError`], [`FileError`]: what went
//!   wrong, typed.
//! - Secrets ([`AccessToken`], [`RefreshToken`], [`ClientSecret`], ...)
//!   print as `[redacted]` and are zeroized on drop.
//!
//! # Features
//!
//! - `ring` (default): `jwt::RingSigner`, RS256 from a PKCS#8 or PKCS#1 PEM key.
//! - `ureq`: `transport::ureq::UreqTransport`, a blocking transport (see [`transport`]).
//! - `reqwest`: `transport::reqwest::ReqwestTransport`, the async twin.
//! - `installed`: `transport::installed::InstalledAppFlow`, the installed-app
//!   runner (loopback redirect listener, system browser).
//! - `file-store`: `transport::file_store::CredentialsFile`, authorized_user
//!   JSON on disk, replaced atomically.
//! - `cli`: the `oauth2-sansio` binary (`login`, `token`, `revoke`), built on the three
//!   features above.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod authorize;
pub mod cache;
mod call;
mod callback;
mod client;
mod client_assertion;
mod client_credentials;
mod client_secrets;
mod config_error;
mod credentials;
mod device;
mod discovery;
mod driver;
mod endpoint;
mod error;
mod exchange;
mod expiry;
mod form;
mod introspect;
mod json;
pub mod jwt;
mod lazy_call;
pub mod loopback;
mod pkce;
mod revoke;
mod safe_text;
mod secret;
mod step;
mod store;
mod token;
mod token_exchange;
mod wipe;

pub mod transport;

/// The `oauth2-sansio` command-line tool (feature `cli`): `login`, `token` and `revoke`.
#[cfg(feature = "cli")]
pub mod cli;

pub use authorize::{AccessType, AuthorizationRequest, PendingAuthorization};
pub use call::{Call, Parser, TokenCall};
pub use callback::{CallbackError, CALLBACK_LIMIT};
pub use client::{
    Client, ClientAuthMethod, ClientBuilder, DEFAULT_RESPONSE_LIMIT, GOOGLE_AUTH_URI,
    GOOGLE_DEVICE_AUTHORIZATION_URI, GOOGLE_ISSUER, GOOGLE_REVOKE_URI, GOOGLE_TOKEN_URI,
};
pub use client_assertion::{
    AssertionAudience, ClientAssertionKey, CLIENT_ASSERTION_TYPE, DEFAULT_CLIENT_ASSERTION_LIFETIME,
};
pub use client_credentials::{ClientCredentials, ClientCredentialsGrant, ClientCredentialsRequest};
pub use client_secrets::{ClientKind, ClientSecrets, CLIENT_SECRETS_LIMIT};
pub use config_error::{ConfigError, FileError, FileProblem};
pub use credentials::{
    BearerToken, NeedsRefresh, Refresh, UserCredentials, AUTHORIZED_USER_LIMIT,
    AUTHORIZED_USER_TYPE, QUOTA_PROJECT_HEADER,
};
pub use credentials::{
    IdTokenCredentials, IdTokenRefresh, JwtAccess, SelfSignedJwtCredentials,
    ServiceAccountCredentials, ServiceAccountKey, ServiceAccountRefresh, JWT_BEARER_GRANT_TYPE,
    SERVICE_ACCOUNT_KEY_LIMIT, SERVICE_ACCOUNT_TYPE,
};
pub use device::{
    DeviceAuthorization, DeviceAuthorizationCall, DeviceAuthorizationRequest,
    DeviceAuthorizationResponse, DeviceDialect, DevicePoll, DEFAULT_POLL_INTERVAL,
    DEVICE_CODE_GRANT_TYPE, GOOGLE_LEGACY_DEVICE_GRANT_TYPE, MAX_POLL_INTERVAL,
    MAX_USER_CODE_CHARS, SLOW_DOWN_STEP,
};
pub use discovery::{AuthorizationServerMetadata, Discovery, DiscoveryBuilder, WellKnown};
pub use driver::{drive, drive_async};
pub use endpoint::TokenRef;
pub use error::{
    Error, ErrorCode, InvalidResponse, Misuse, OAuthError, TransportFailure, TransportFailureKind,
};
pub use exchange::CodeExchange;
pub use expiry::{freshness, Freshness, DEFAULT_REFRESH_THRESHOLD};
pub use introspect::{IntrospectedToken, Introspection, IntrospectionResponse};
pub use pkce::CHALLENGE_METHOD;
pub use revoke::Revocation;
pub use secret::SecurityToken;
pub use secret::{
    AccessToken, AuthorizationCode, ClientSecret, CsrfState, DeviceCode, IdToken, PkceVerifier,
    RefreshToken,
};
pub use secret::{Assertion, PrivateKeyPem};
pub use step::{Machine, Step, WaitReason};
pub use store::CredentialsStore;
pub use token::{TokenResponse, MAX_EXPIRES_IN};
pub use token_exchange::{
    token_types, ExchangeTokenType, ExchangedToken, TokenExchange, TokenExchangeBuilder,
    GOOGLE_STS_URI, TOKEN_EXCHANGE_GRANT_TYPE,
};

// Re-exported so callers name the same versions the crate uses.
pub use http;
pub use rand_core;
pub use url;
