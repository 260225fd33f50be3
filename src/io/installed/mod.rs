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
//! - on Linux, serves only connections from processes of this user or
//!   root, and closes the others unread (see below);
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
//! On Linux the listener also serves only this user's connections, and
//! root's (relays such as docker-proxy or WSL's port forwarding run as
//! root): right after accepting a connection it finds the socket at the
//! other end in the kernel's table of TCP sockets (`/proc/net/tcp`,
//! `/proc/net/tcp6`), and closes the connection unread if another user
//! holds that socket, or no process does any more (a client that sent its
//! request and closed). A refused connection never reaches the flow:
//! another user who takes the start link from a command line, or learns a
//! whole callback, gets no answer, and the link still works for the
//! browser. The first refusal is reported after the prompt, since a browser
//! running as another user than the program is refused too. "This user" is
//! the owner the kernel lists for the listener's own socket: the effective
//! user that opened it, numbered as the other sockets are (the owner of
//! `/proc/self` would say root for a process that is not dumpable). Reading
//! both tables whole took about 25 ms here with 8 000 sockets listed; it is
//! done once for every batch of connections accepted together. Measured here
//! (`tests/interop/browser.rs`, headless Chromium, a local oidc-provider
//! that approves at once): a process of another user, waiting for the start
//! link and given it as soon as it was on the browser's command line, had
//! its visit closed unanswered 8 to 78 ms later, and Chromium signed in.
//!
//! What remains:
//!
//! - processes of the same user, and root: they can open the start link
//!   before the browser and get the authorization URL and the cookie. The
//!   browser's own visit then comes second and stops the flow with
//!   [`CallbackError::StartLinkReused`](crate::CallbackError::StartLinkReused),
//!   unless the attacker has by then finished the whole authorization at
//!   the server and delivered the callback. Measured here: a process of the
//!   same user polling `/proc` every 2 ms opened the link 12 to 32 ms after
//!   it became readable, Chromium's own visit came 0.96 to 1.5 s after, and
//!   a scripted authorization took 46 to 146 ms, so a prepared attacker
//!   whose account the server approves without a click still wins the race.
//!   Such a process can read the user's files, saved credentials included,
//!   anyway;
//! - other platforms (macOS, Windows, the BSDs), and Linux where the table
//!   does not list the listener (no procfs, some sandboxes): every
//!   connection is served, and any local user can race the browser as
//!   above. What the start link buys there: reading the URL is no longer
//!   enough, the attacker must complete the authorization within the
//!   browser's start-up, and one who takes the link but is slower makes
//!   the sign-in stop instead of completing with their account;
//! - a table longer than 32 MiB (some 200 000 sockets) cannot be checked:
//!   every connection is refused then. Another user who makes the machine
//!   hold that many sockets, or floods the port (each batch costs a reading
//!   of the table), can slow or stop the sign-in, never take it over.
//!
//! Whoever reads the prompt output can race the same way, within the same
//! limits. The listener's port is open to every local user, which is why
//! forged callbacks and floods are handled as above.
//!
//! On a machine shared with users you do not trust, other than Linux, use
//! the device flow
//! ([`Client::device_authorization`](crate::Client::device_authorization),
//! `oauth2-sansio login --device`): no listener, and nothing on a command
//! line.
//!
//! ```no_run
//! use oauth2_sansio::io::installed::InstalledAppFlow;
//! use oauth2_sansio::io::read_client_secrets;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secrets = read_client_secrets("client_secrets.json")?;
//! let client = secrets.client_builder().build()?;
//! let credentials = InstalledAppFlow::new(client)
//!     .scopes(["openid", "email"]) // and "offline_access" on an OpenID server
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
#[cfg(feature = "ring")]
mod id_token;
mod listener;
mod pool;
mod redirect;
mod serve;
pub(crate) mod socket_table;

pub use browser::Browser;
pub use connection::CONNECTION_TIMEOUT;
pub use error::{BrowserError, InstalledAppError};
#[cfg(feature = "ring")]
pub use flow::OpenIdSignIn;
pub use flow::{InstalledAppFlow, DEFAULT_TIMEOUT, PROMPT};
pub use listener::LoopbackHost;
