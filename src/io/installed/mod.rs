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
//!   cut off (64 requests in progress at most; more are refused), so a
//!   flood of connections from localhost cannot crowd out the browser's
//!   (at worst it waits in the kernel's accept queue);
//! - never puts the authorization URL, which carries `state` and the PKCE
//!   challenge, on a command line: the browser is opened on a one-time
//!   start link, `http://127.0.0.1:PORT/start/<random>`, whose first visit
//!   redirects to the authorization URL and sets a random cookie
//!   (`HttpOnly`, `SameSite=Lax`); only a callback bringing the cookie back
//!   ends the flow, and a second visit of the link stops it;
//! - opens only http/https URLs, by running the browser program directly,
//!   never through a shell (CVE-2025-6514);
//! - uses PKCE (S256) and `state`, for confidential and public clients.
//!
//! # Other users on this machine
//!
//! Any local user can read every process's command line
//! (`/proc/<pid>/cmdline` on Linux). With the authorization URL there, as
//! google-auth-oauthlib's `run_local_server` leaves it, another user can
//! complete that authorization with their own account and send the
//! callback to the listener: the program is then signed in as them (login
//! CSRF). PKCE and `state` do not help, since the URL holds both.
//!
//! What remains with the start link: it is on the browser's command line
//! from the moment the browser starts until it requests the link. A local
//! user who polls the process table can open the link first and get the
//! authorization URL and the cookie. The browser's own visit then comes
//! second and stops the flow with
//! [`CallbackError::StartLinkReused`](crate::CallbackError::StartLinkReused),
//! unless the attacker has by then finished the whole authorization at the
//! server and delivered the callback. Measured here
//! (`tests/interop_browser.rs`, headless Chromium, a local oidc-provider
//! that approves at once): a process polling `/proc` every 2 ms opened the
//! link 4–11 ms after it became readable, Chromium's own visit came
//! 0.45–1.3 s after, and a scripted authorization took 26–72 ms. So a
//! prepared attacker whose account the server approves without a click
//! still wins the race. What the start link buys: reading the URL is no
//! longer enough, the attacker must complete the authorization within the
//! browser's start-up, and one who takes the link but is slower makes the
//! sign-in stop instead of completing with their account. Anyone who can
//! read the prompt output can race the same way. The listener's port is open to
//! every local user too, which is why forged callbacks and floods are
//! handled as above.
//!
//! On a machine shared with users you do not trust, use the device flow
//! ([`Client::device_authorization`](crate::Client::device_authorization),
//! `oauth2-sansio login --device`): no listener, and nothing on a command
//! line.
//!
//! ```no_run
//! use oauth2_sansio::io::installed::InstalledAppFlow;
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
mod socket_table;

pub use browser::Browser;
pub use connection::CONNECTION_TIMEOUT;
pub use error::{BrowserError, InstalledAppError};
pub use flow::{InstalledAppFlow, DEFAULT_TIMEOUT, PROMPT};
pub use listener::LoopbackHost;
