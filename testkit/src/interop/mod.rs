//! The end-to-end interop harness: a real oidc-provider (panva's, npm,
//! pinned in `interop/package-lock.json`) on 127.0.0.1, and a user agent
//! that completes its login and consent without a person.
//!
//! Setup, once per machine: `bash scripts/interop-setup.sh`.
//!
//! ```ignore
//! use testkit::interop::{sign_in, InteropServer, UserAgent, LOOPBACK_REDIRECT, NATIVE_PUBLIC};
//!
//! let server = InteropServer::start(); // one per test; killed by PID on drop
//! let client = server.client(NATIVE_PUBLIC); // endpoints, issuer, `iss` required
//! // Either the whole sign-in in one call ...
//! let (callback, pending) = sign_in(&server, &client, LOOPBACK_REDIRECT, None);
//! // ... or by hand: any authorization URL, followed by a fresh user agent.
//! let (url, pending) = client
//!     .authorization_request(LOOPBACK_REDIRECT)
//!     .build(SystemTime::now(), &mut UnwrapErr(SysRng))?;
//! let callback = server.check(UserAgent::new().authorize(&url, LOOPBACK_REDIRECT), "sign-in");
//! let exchange = server.check(pending.complete(&client, callback.as_str()), "callback");
//! let credentials = server.check(UreqTransport::new().run(exchange), "code exchange");
//! ```
//!
//! Interactions answer by themselves: the subject is the request's
//! `login_hint` (default `user1`); `login_hint=deny` makes the user refuse.
//! A test that panics while an [`InteropServer`] is alive prints the
//! provider's error events and stderr. The harness's own tests are in
//! tests/interop/harness.rs.

mod clients;
mod cookies;
mod device_user;
mod failure;
mod flows;
mod server;
mod user_agent;

pub use clients::{
    client_key, Registration, CLIENT_KEY_ID, CLIENT_KEY_PEM, NATIVE_CONFIDENTIAL,
    NATIVE_PRIVATE_KEY_JWT, NATIVE_PUBLIC, WEB_BASIC, WEB_POST, WEB_REDIRECT_URI,
};
pub use cookies::CookieJar;
pub use device_user::{fast_device_endpoint, Choice, DeviceUser};
pub use flows::{
    exchange_recording, sign_in, sign_in_and_exchange, userinfo, RoundTrip, LOOPBACK_REDIRECT,
    SCOPES,
};
pub use server::{find_on_path, interop_dir, InteropServer, ServerOptions};
pub use user_agent::{page_text, Hop, Stopped, UserAgent, MAX_REDIRECTS};
