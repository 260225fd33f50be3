//! The reqwest transport's tests over reqwest 0.13 (`io::reqwest`).

use crate::support::proxy_env::ProxyChild;
use oauth2_sansio::io::reqwest::ReqwestTransport;
use reqwest as backend;

const PROXY_CHILD: ProxyChild = ProxyChild("reqwest_013::transport::proxy_child");

#[path = "reqwest_transport.rs"]
mod transport;
