//! Real transports, behind optional features: the only part of the crate
//! that performs IO (sockets, the wall clock, sleeping).
//!
//! Each transport sends one [`http::Request`] exactly as a machine built it
//! (no redirects followed, no headers that change the body added, the
//! response body bounded, never through a proxy to a loopback host) and
//! runs any [`Machine`](crate::Machine) through [`drive`](crate::drive) or
//! [`drive_async`](crate::drive_async) with the real clock.
//!
//! - `ureq` (feature `ureq`): `UreqTransport`, a blocking transport over
//!   ureq 3.
//! - [`subject_token`]: an external account's `file` source, read at each
//!   refresh (always available: it needs only std).
//! - [`read_client_secrets`]: `client_secrets.json` from disk, its path in
//!   every error (always available).
//! - `reqwest` (feature `reqwest`): `ReqwestTransport`, an async transport
//!   over reqwest 0.13, on any runtime; `reqwest_012` (feature
//!   `reqwest-012`): the same over reqwest 0.12.
//! - `tower` (feature `tower`): `AuthLayer`, every request of a tower HTTP
//!   client authorized from a [`SharedToken`](crate::cache::SharedToken),
//!   with one refresh and one resend after a `401`; `ureq::AuthorizedAgent`
//!   is its blocking twin.
//! - `redis` (feature `redis`): `RedisFleet`, credentials shared by the
//!   processes of a fleet through Redis.

#[cfg(any(feature = "ureq", feature = "reqwest", feature = "reqwest-012"))]
pub mod adc;
#[cfg(any(feature = "ureq", feature = "reqwest", feature = "reqwest-012"))]
mod common;

mod client_secrets;
pub mod executable;
pub mod subject_token;

pub use client_secrets::{read_client_secrets, ClientSecretsFileError};

#[cfg(feature = "ureq")]
pub mod ureq;

#[cfg(any(feature = "tower", feature = "ureq"))]
mod authorized;
#[cfg(any(feature = "tower", feature = "ureq"))]
pub use authorized::AuthorizedError;

#[cfg(feature = "tower")]
pub mod tower;

/// `ReqwestTransport`, the async twin of the ureq transport.
#[cfg(feature = "reqwest")]
pub mod reqwest;

#[cfg(feature = "reqwest-012")]
pub mod reqwest_012;

#[cfg(feature = "file-store")]
pub mod file_store;

#[cfg(feature = "redis")]
pub mod redis;

/// The installed-app runner: loopback listener, browser, code exchange.
#[cfg(feature = "installed")]
pub mod installed;

/// Blocks the thread until `until` by the wall clock (at once if it has
/// passed): the sleep of the blocking runners.
#[cfg(any(feature = "ureq", feature = "installed"))]
pub(crate) fn sleep_until(until: std::time::SystemTime) {
    if let Ok(wait) = until.duration_since(std::time::SystemTime::now()) {
        std::thread::sleep(wait);
    }
}
