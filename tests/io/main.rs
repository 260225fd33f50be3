//! The IO layer on 127.0.0.1: the ureq and reqwest (0.13 and 0.12) transports against a
//! canned HTTP server (what goes on the wire, bounds, timeouts, proxies),
//! Application Default Credentials against a fake metadata server and
//! files on disk, IAM's signBlob as a JWT signer, the credentials file on
//! disk, `client_secrets.json` read from disk, credentials shared by
//! processes through Redis, and the installed-app runner with the test
//! playing the browser, and the authorizing clients (the tower layer over
//! hyper and reqwest, ureq's `AuthorizedAgent`) with a canned server as
//! token endpoint and API. Each subject needs its
//! feature; without it its module is left out.
#![forbid(unsafe_code)]

#[cfg(any(feature = "ureq", feature = "reqwest", feature = "reqwest-012"))]
mod support;

#[cfg(any(feature = "ureq", feature = "reqwest"))]
mod adc;
mod client_secrets;
#[cfg(unix)]
mod executable;
#[cfg(feature = "file-store")]
mod file_store;
#[cfg(all(feature = "tower", feature = "ureq"))]
mod hyper_tower;
#[cfg(feature = "ureq")]
mod iam_signer;
#[cfg(all(feature = "installed", feature = "ureq"))]
mod installed_app;
#[cfg(all(feature = "installed", feature = "ureq", feature = "ring"))]
mod installed_id_token;
#[cfg(feature = "ring")]
mod key_set_client;
// The reqwest transport's tests (reqwest_transport.rs), run over each
// reqwest version the crate supports.
#[cfg(all(feature = "redis", feature = "ureq"))]
mod redis_fleet;
#[cfg(feature = "reqwest-012")]
mod reqwest_012;
#[cfg(feature = "reqwest")]
mod reqwest_013;
#[cfg(all(feature = "reqwest", feature = "tower"))]
mod reqwest_tower;
#[cfg(feature = "ureq")]
mod ureq_authorized;
#[cfg(feature = "ureq")]
mod ureq_transport;
