//! Token endpoint requests and responses.

pub(crate) mod request;
mod response;

pub use response::{TokenResponse, MAX_EXPIRES_IN};
