//! Token endpoint requests and responses.

mod call;
pub(crate) mod request;
mod response;

pub(crate) use call::token_call_machine;
pub use call::TokenCall;
pub use response::{TokenResponse, MAX_EXPIRES_IN};
