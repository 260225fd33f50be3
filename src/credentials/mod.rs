//! Credentials: tokens that authorize API requests, and how to renew them.

mod authorized_user;
mod bearer;
mod user;

pub use authorized_user::{AUTHORIZED_USER_LIMIT, AUTHORIZED_USER_TYPE};
pub use bearer::{BearerToken, NeedsRefresh, QUOTA_PROJECT_HEADER};
pub use user::{Refresh, UserCredentials};
