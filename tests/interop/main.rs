//! End to end against a real authorization server: panva's oidc-provider
//! on 127.0.0.1 (`testkit::interop`), through the crate's public API and
//! the real `UreqTransport`; with the `installed` feature, the
//! installed-app runner with headless Chromium as the system browser; and
//! google-auth (Python) against the same fake metadata server as the
//! crate. The CLI's interop tests are in tests/cli/.
//!
//! Setup, once per machine: `bash scripts/interop-setup.sh` (the pinned
//! oidc-provider, Debian's chromium, and google-auth in interop/.venv).
#![forbid(unsafe_code)]

mod support;

#[cfg(feature = "installed")]
mod browser;
mod code_flow;
mod device;
mod google_auth;
mod harness;
#[cfg(feature = "installed")]
mod id_token;
#[cfg(feature = "installed")]
mod par_dpop;
mod private_key_jwt;
mod rfc;
#[cfg(all(feature = "installed", feature = "reqwest", feature = "tower"))]
mod web_server;
