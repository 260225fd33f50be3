//! The authorization code flow: the URL (with `state` and PKCE), the
//! callback, the code exchange, and the loopback redirect's parser.

pub mod authorization_url;
pub mod authorize;
pub mod callback;
pub mod exchange;
pub mod loopback;
pub mod par;
pub mod pkce;
