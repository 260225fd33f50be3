//! The bounds every parser of untrusted input enforces, in one list: what
//! is larger is refused with a typed error before it is parsed.

#[cfg(feature = "ring")]
pub use crate::cache::fleet::FLEET_ENTRY_LIMIT;
pub use crate::client::secrets_file::CLIENT_SECRETS_LIMIT;
pub use crate::client::DEFAULT_RESPONSE_LIMIT;
pub use crate::credentials::service_account::SERVICE_ACCOUNT_KEY_LIMIT;
pub use crate::credentials::AUTHORIZED_USER_LIMIT;
pub use crate::flows::code::callback::CALLBACK_LIMIT;
pub use crate::flows::code::loopback::LOOPBACK_REQUEST_LIMIT;
pub use crate::flows::device::{MAX_POLL_INTERVAL, MAX_USER_CODE_CHARS};
pub use crate::jwt::MAX_UNVERIFIED_JWT_LEN;
pub use crate::wire::token_response::MAX_EXPIRES_IN;
