//! The installed-app runner (feature `installed`, std only): a loopback
//! listener, the user's browser and the code exchange, the equivalent of
//! google-auth-oauthlib's `InstalledAppFlow.run_local_server`.
//!
//! What it does differently, on purpose:
//!
//! - listens on `127.0.0.1` (or `[::1]`, or `localhost` on both), never on
//!   all interfaces, with an OS-chosen port by default
//!   ([RFC 8252 §7.3](https://www.rfc-editor.org/rfc/rfc8252#section-7.3));
//!   a fixed port that is busy fails at once;
//! - waits 5 minutes by default, not forever, and releases the port on
//!   every exit path;
//! - answers every request ([`loopback`](crate::loopback)): `/favicon.ico`
//!   and forged callbacks do not end the flow;
//! - reads every connection as soon as it is accepted, and keeps at most
//!   64 silent ones: the oldest makes room for a new one once it has been
//!   silent for 100 ms, while a connection that has sent bytes is never
//!   cut off, so a flood of connections from localhost cannot crowd out
//!   the browser's (at worst it waits in the kernel's accept queue);
//! - opens only http/https URLs, by running the browser program directly,
//!   never through a shell (CVE-2025-6514);
//! - uses PKCE (S256) and `state`, for confidential and public clients.
//!
//! ```no_run
//! use oauth2_sansio::transport::installed::InstalledAppFlow;
//! use oauth2_sansio::ClientSecrets;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secrets = ClientSecrets::from_json(&std::fs::read("client_secrets.json")?)?;
//! let client = secrets.client_builder().build()?;
//! let credentials = InstalledAppFlow::new(client)
//!     .scopes(["openid", "email"])
//!     .configure_request(|request| request.prompt("consent"))
//!     // or .run_with_ureq(&mut rand::rng())? with the `ureq` feature
//!     .run(&mut rand::rng(), |_request| {
//!         // send the token request with any HTTP client
//! #       unimplemented!()
//!     })?;
//! println!("signed in with scopes {:?}", credentials.granted_scopes());
//! # Ok(()) }
//! ```

mod browser;
mod connection;
mod error;
mod flow;
mod listener;
mod pool;
mod redirect;
mod serve;

pub use browser::Browser;
pub use connection::CONNECTION_TIMEOUT;
pub use error::{BrowserError, InstalledAppError};
pub use flow::{InstalledAppFlow, DEFAULT_TIMEOUT, PROMPT};
pub use listener::LoopbackHost;
