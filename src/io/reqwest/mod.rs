//! An async transport over [reqwest](https://docs.rs/reqwest) 0.13
//! (feature `reqwest`): the async twin of the `ureq` transport. The same
//! over reqwest 0.12 is `io::reqwest_012` (feature `reqwest-012`).
//!
//! reqwest runs on tokio, but this module names no runtime: [`run`] takes
//! from the caller the sleep for each wait a machine asks for.
//!
//! Requests to loopback hosts (127.0.0.0/8, `[::1]`, `localhost` and names
//! under it) are never sent through a proxy, whatever the proxy variables
//! say; other hosts use the proxies the environment names (or those of the
//! client given to `with_client`).
//!
//! A token from Application Default Credentials, cached and renewed for
//! every task that shares the source:
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let source = oauth2_sansio::io::reqwest::default_token_source(["https://www.googleapis.com/auth/cloud-platform"]).await?;
//! let token = source.token().await?; // token.authorize(&mut request, now), or token.secret()
//! # let _ = token; Ok(()) }
//! ```
//!
//! Over a client of your own (a `User-Agent`, a connection pool shared with
//! the rest of the program), started from
//! [`ReqwestTransport::client_builder`](crate::io::reqwest::ReqwestTransport::client_builder):
//!
//! ```no_run
//! use oauth2_sansio::io::reqwest::ReqwestTransport;
//!
//! let client = ReqwestTransport::client_builder()
//!     .user_agent("my-app/1.0")
//!     .build()?;
//! let transport = ReqwestTransport::with_client(client);
//! # Ok::<(), reqwest::Error>(())
//! ```
//!
//! Running a machine:
//!
//! ```no_run
//! use std::time::SystemTime;
//! use oauth2_sansio::io::reqwest::ReqwestTransport;
//! use oauth2_sansio::{Credentials, UserCredentials};
//!
//! # async fn refresh(credentials: &UserCredentials) -> Result<UserCredentials, oauth2_sansio::Error> {
//! let transport = ReqwestTransport::new();
//! let refreshed = transport
//!     .run(credentials.refresh()?, |until| {
//!         let wait = until.duration_since(SystemTime::now()).unwrap_or_default();
//!         tokio::time::sleep(wait)
//!     })
//!     .await?;
//! # Ok(refreshed)
//! # }
//! ```
//!
//! [`run`]: crate::io::reqwest::ReqwestTransport::run

mod adc;
#[cfg(feature = "ring")]
mod id_token;
#[cfg(feature = "tower")]
mod tower;
mod transport;

pub use adc::{default_credentials, default_token_source, TokenSource};
#[cfg(feature = "ring")]
pub use id_token::KeySetClient;
pub use transport::{ReqwestTransport, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};

/// The reqwest this module is over (`super::backend` in `transport.rs` and
/// `adc.rs`).
use ::reqwest as backend;

/// What differs from reqwest 0.12 (`io::reqwest_012`).
mod shim {
    use super::backend::{ClientBuilder, Error};

    pub(super) fn preconfigured_tls(
        builder: ClientBuilder,
        tls: rustls::ClientConfig,
    ) -> ClientBuilder {
        builder.tls_backend_preconfigured(tls)
    }

    pub(super) fn is_dns(error: &Error) -> bool {
        error.is_dns()
    }
}
