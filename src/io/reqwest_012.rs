//! The async transport of [`io::reqwest`](crate::io::reqwest) over
//! reqwest 0.12 (feature `reqwest-012`), for programs whose other crates
//! still use that version, so that one reqwest is built and one connection
//! pool can be shared: the same [`ReqwestTransport`], [`TokenSource`] and
//! Application Default Credentials, from the same code, over
//! `reqwest_012::Client` (rustls with the *ring* provider).
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use oauth2_sansio::io::reqwest_012::{default_token_source, ReqwestTransport};
//!
//! let source = default_token_source(["https://www.googleapis.com/auth/cloud-platform"]).await?;
//! let token = source.token().await?;
//! // A client of your own, e.g. with a User-Agent:
//! let client = ReqwestTransport::client_builder().user_agent("my-app/1.0").build()?;
//! let transport = ReqwestTransport::with_client(client);
//! # let _ = (token, transport); Ok(()) }
//! ```

/// The reqwest this module is over (`super::backend` in the shared files).
use ::reqwest_012 as backend;

pub use adc::{default_credentials, default_token_source, TokenSource};
#[cfg(feature = "ring")]
pub use id_token::KeySetClient;
pub use transport::{ReqwestTransport, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};

// The files of `io::reqwest`, compiled a second time over reqwest 0.12.
#[allow(clippy::duplicate_mod)]
#[path = "reqwest/adc.rs"]
mod adc;
#[cfg(feature = "tower")]
#[allow(clippy::duplicate_mod)]
#[path = "reqwest/tower.rs"]
mod tower;
#[allow(clippy::duplicate_mod)]
#[path = "reqwest/transport.rs"]
mod transport;

#[cfg(feature = "ring")]
#[allow(clippy::duplicate_mod)]
#[path = "reqwest/id_token.rs"]
mod id_token;

/// What differs from reqwest 0.13 (`io::reqwest`).
mod shim {
    use super::backend::{ClientBuilder, Error};

    /// reqwest 0.12 has no `is_dns`; hyper-util names a failed lookup
    /// "dns error".
    pub(super) fn is_dns(error: &Error) -> bool {
        let mut next = std::error::Error::source(error);
        while let Some(cause) = next {
            if cause.to_string() == "dns error" {
                return true;
            }
            next = cause.source();
        }
        false
    }

    /// `tls_backend_preconfigured` in reqwest 0.13.
    pub(super) fn preconfigured_tls(
        builder: ClientBuilder,
        tls: rustls::ClientConfig,
    ) -> ClientBuilder {
        builder.use_preconfigured_tls(tls)
    }
}
