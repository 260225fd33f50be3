//! The reqwest transport's tests over reqwest 0.12 (`io::reqwest_012`).

use crate::support::proxy_env::ProxyChild;
use oauth2_sansio::io::reqwest_012::ReqwestTransport;
use reqwest_012 as backend;

const PROXY_CHILD: ProxyChild = ProxyChild("reqwest_012::transport::proxy_child");

// The tests of reqwest_013, compiled a second time over reqwest 0.12.
#[allow(clippy::duplicate_mod)]
#[path = "reqwest_transport.rs"]
mod transport;
