//! What several of oauth2-sansio's test crates (and a bench) share, so
//! that none of them copies it: the deterministic world of the end-to-end
//! tests (an in-memory authorization server on a fake clock), the drivers
//! and canned answers of the one-request machines and the token cache, the
//! committed test keys, scratch directories, a canned HTTP server on
//! 127.0.0.1, a fake metadata server (in memory and on 127.0.0.1), an
//! in-memory IAM Credentials API for impersonation,
//! processes of another local user, a throwaway Redis server, and the interop harness
//! (oidc-provider, a user agent, headless Chromium). Helpers that only one
//! test crate needs live in that crate's `support/` module.
//!
//! Its features mirror the crate's: enabling `ring`, `ureq`, `installed` or `tower`
//! on oauth2-sansio enables it here too.
#![forbid(unsafe_code)]

#[cfg(target_os = "linux")]
pub mod another_user;
#[cfg(feature = "tower")]
pub mod authorized_api;
pub mod canned_http;
#[cfg(feature = "installed")]
pub mod chromium;
pub mod iam;
#[cfg(all(feature = "ureq", feature = "ring"))]
pub mod interop;
#[cfg(feature = "ring")]
pub mod jwt;
pub mod metadata;
pub mod one_request;
pub mod redis_server;
pub mod scratch;
pub mod sts;
pub mod token_cache;
pub mod world;
