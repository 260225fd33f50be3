//! The device authorization grant
//! ([RFC 8628](https://www.rfc-editor.org/rfc/rfc8628)): sign-in for a
//! device whose user has a browser elsewhere.
//!
//! The grant is two machines, because the user must be shown a code between
//! them:
//!
//! 1. [`Client::device_authorization`](crate::Client::device_authorization)
//!    builds a [`DeviceAuthorizationCall`]: one POST to the device
//!    authorization endpoint. Its output, a [`DeviceAuthorization`], holds
//!    the user code and the verification URI to show.
//! 2. [`DeviceAuthorization::into_poll`] is a [`DevicePoll`]: it polls the
//!    token endpoint, waiting with [`Step::Wait`](crate::Step::Wait)
//!    between polls, until the user approves (output: [`UserCredentials`](crate::UserCredentials)),
//!    refuses, or the codes expire.
//!
//! Each runs to its end with [`drive`](crate::drive), `drive_async` or a
//! transport's `run`, and the code is shown in between with ordinary code,
//! with no callback, event variant or channel. One machine that paused to
//! show the code would need a `Step` variant that [`drive`](crate::drive)
//! does not know, or a callback inside the transport; and the two-step
//! form makes it impossible to poll before there is a code to show.

mod authorization;
mod dialect;
mod machine;
mod request;
mod response;

pub use authorization::DeviceAuthorization;
pub use dialect::{DeviceDialect, DEVICE_CODE_GRANT_TYPE, GOOGLE_LEGACY_DEVICE_GRANT_TYPE};
pub use machine::{DevicePoll, SLOW_DOWN_STEP};
pub use request::{DeviceAuthorizationCall, DeviceAuthorizationRequest};
pub use response::{
    DeviceAuthorizationResponse, DEFAULT_POLL_INTERVAL, MAX_POLL_INTERVAL, MAX_USER_CODE_CHARS,
};
