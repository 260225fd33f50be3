//! The IO layer on 127.0.0.1: the ureq and reqwest transports against a
//! canned HTTP server (what goes on the wire, bounds, timeouts, proxies),
//! Application Default Credentials against a fake metadata server and
//! files on disk, IAM's signBlob as a JWT signer, the credentials file on
//! disk, credentials shared by processes through Redis, and the installed-app
//! runner with the test playing the browser. Each subject needs its
//! feature; without it its module is left out.
#![forbid(unsafe_code)]

#[cfg(any(feature = "ureq", feature = "reqwest"))]
mod support;

#[cfg(any(feature = "ureq", feature = "reqwest"))]
mod adc;
#[cfg(unix)]
mod executable;
#[cfg(feature = "file-store")]
mod file_store;
#[cfg(feature = "ureq")]
mod iam_signer;
#[cfg(all(feature = "installed", feature = "ureq"))]
mod installed_app;
#[cfg(all(feature = "redis", feature = "ureq"))]
mod redis_fleet;
#[cfg(feature = "reqwest")]
mod reqwest_transport;
#[cfg(feature = "ureq")]
mod ureq_transport;
