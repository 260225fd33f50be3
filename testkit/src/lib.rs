//! What several of oauth2-sansio's test crates share, so that none of them
//! copies it: the deterministic world of the end-to-end tests (an in-memory
//! authorization server on a fake clock), the drivers and canned answers
//! of the one-request machines and the token cache, the committed test
//! keys, and a canned HTTP server on 127.0.0.1. Helpers that only one
//! test crate needs live in that crate's `support/` module.
//!
//! Its features mirror the crate's: enabling `ring` on oauth2-sansio
//! enables it here too, so every test build sees one set of features.
#![forbid(unsafe_code)]

pub mod canned_http;
#[cfg(feature = "ring")]
pub mod jwt;
pub mod one_request;
pub mod token_cache;
pub mod world;
