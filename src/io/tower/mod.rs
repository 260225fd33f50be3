//! Authorized HTTP for any [tower](https://docs.rs/tower) client (feature
//! `tower`): Google's `AuthorizedSession`, as a layer.
//!
//! [`AuthLayer`] wraps a `Service<http::Request<B>>` (hyper's client,
//! reqwest through a small adapter, any tower stack) so that every request
//! is authorized from a [`SharedToken`](crate::cache::SharedToken):
//!
//! - the token comes from the cache, refreshed before it expires, with one
//!   refresh for all the requests in flight; the refresh runs through the
//!   [`Refresher`] the layer is given;
//! - `Authorization` (and `x-goog-user-project` for a quota project) is
//!   set by [`CachedToken::authorize`](crate::cache::CachedToken::authorize):
//!   `Authorization: DPoP` and a proof for a DPoP-bound token;
//! - a `401` that refuses the token (read by
//!   [`CachedToken::read_answer`](crate::cache::CachedToken::read_answer))
//!   retires it from the cache, so the next request has a new one, and the
//!   request is sent once more with a new token; a `401` asking for a DPoP
//!   nonce is sent once more with a proof carrying it. At most one refresh
//!   and one resend per request, and only for a request that carries a
//!   [`Replay`] extension: other bodies cannot be sent twice, and their
//!   `401` goes back to the caller.
//!
//! Errors are [`AuthorizedError`](crate::io::AuthorizedError)s; none shows
//! a token.
//!
//! For reqwest, wrap the crate's `ReqwestTransport` (features `reqwest` or
//! `reqwest-012`), a tower service over `http::Request<Vec<u8>>` with the
//! transport's rules (no redirect followed, the body bounded, no proxy for
//! loopback): reqwest's own `Client` is a service over `reqwest::Request`,
//! which the layer cannot authorize. It also runs the refreshes:
//! `move |machine| { let t = transport.clone(); async move { t.run(machine, sleep).await } }`.
//!
//! ```
//! use std::sync::Arc;
//! use oauth2_sansio::cache::SharedToken;
//! use oauth2_sansio::io::tower::{AuthLayer, Replay};
//! use oauth2_sansio::{drive_async, http, Client, RefreshToken, UserCredentials, UserRefresh};
//! use tower_layer::Layer;
//!
//! # fn service() -> impl tower_service::Service<http::Request<Vec<u8>>, Response = http::Response<Vec<u8>>, Error = std::convert::Infallible, Future = std::future::Ready<Result<http::Response<Vec<u8>>, std::convert::Infallible>>> + Clone {
//! #     #[derive(Clone)] struct S;
//! #     impl tower_service::Service<http::Request<Vec<u8>>> for S {
//! #         type Response = http::Response<Vec<u8>>; type Error = std::convert::Infallible;
//! #         type Future = std::future::Ready<Result<Self::Response, Self::Error>>;
//! #         fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> { std::task::Poll::Ready(Ok(())) }
//! #         fn call(&mut self, _: http::Request<Vec<u8>>) -> Self::Future { std::future::ready(Ok(http::Response::new(vec![]))) }
//! #     }
//! #     S
//! # }
//! let client = Client::google("id", None).build()?;
//! let credentials = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
//! let cache = Arc::new(SharedToken::new(credentials));
//! // Runs a refresh: here an in-memory token endpoint; in real life
//! // `transport.run(machine)` of the reqwest transport, say.
//! let refresher = |machine: UserRefresh| {
//!     drive_async(machine, std::time::SystemTime::now, |_request| async {
//!         Ok(http::Response::new(br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599}"#.to_vec()))
//!     }, |_| async {})
//! };
//! let mut api = AuthLayer::new(cache, refresher).layer(service());
//!
//! let request = Replay::attach(http::Request::get("https://www.googleapis.com/drive/v3/files").body(Vec::new())?);
//! let future = tower_service::Service::call(&mut api, request); // after poll_ready
//! # let response = tokio::runtime::Builder::new_current_thread().build()?.block_on(future)?;
//! # assert_eq!(response.status(), 200);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod layer;
mod replay;
mod service;

pub use layer::{AuthLayer, Refresher};
pub use replay::Replay;
pub use service::AuthService;
