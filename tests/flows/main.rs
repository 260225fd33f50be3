//! Every machine end to end, without a network or a real clock: the code
//! flow and its callback, refresh, the device grant, revocation,
//! introspection, discovery, token exchange, client credentials,
//! `private_key_jwt`, service accounts, the token cache and the metadata
//! server and impersonation, against the in-memory authorization server and fake clock of
//! `testkit::world` (or the canned answers of `testkit::one_request`, or
//! the in-memory metadata server of `testkit::metadata`, or the in-memory
//! IAM of `testkit::iam`). Transcript tests
//! pin the exact bytes of every request.
#![forbid(unsafe_code)]

mod callback;
mod client_credentials;
mod code_flow;
mod device_flow;
mod discovery;
mod downscoped;
#[cfg(feature = "ring")]
mod dpop;
mod external_account;
mod external_aws;
mod external_user;
#[cfg(feature = "ring")]
mod id_token_verify;
mod impersonated;
mod introspect;
mod loopback;
mod metadata;
mod par;
#[cfg(feature = "ring")]
mod private_key_jwt;
mod refresh_flow;
mod revoke;
mod rng;
#[cfg(feature = "ring")]
mod service_account;
mod token_cache;
mod token_cache_keep;
mod token_exchange;
#[cfg(feature = "tower")]
mod tower_layer;
