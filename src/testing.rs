//! What the crate's unit tests share.

use std::time::{Duration, SystemTime};

/// `secs` seconds after the Unix epoch.
pub(crate) fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

/// A loopback callback for a test client on a port nothing listens on.
#[cfg(feature = "installed")]
pub(crate) fn loopback_callback() -> crate::loopback::LoopbackCallback {
    let client = crate::Client::builder("app")
        .authorization_endpoint("http://127.0.0.1:9/auth")
        .token_endpoint("http://127.0.0.1:9/token")
        .build()
        .expect("a valid client");
    let (_, pending) = client
        .authorization_request("http://127.0.0.1:9/")
        .build_with_entropy(SystemTime::UNIX_EPOCH, &[1; 64])
        .expect("a valid request");
    crate::loopback::LoopbackCallback::new(pending, client).expect("a valid callback")
}
