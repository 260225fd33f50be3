//! Credentials: tokens that authorize API requests, and how to renew them.

mod authorized_user;
pub mod bearer;
pub mod freshness;
mod service_account;
pub mod store;
pub mod user;

pub use authorized_user::{AUTHORIZED_USER_LIMIT, AUTHORIZED_USER_TYPE};
pub use bearer::{BearerToken, NeedsRefresh, QUOTA_PROJECT_HEADER};
pub use service_account::{
    IdTokenCredentials, IdTokenRefresh, JwtAccess, SelfSignedJwtCredentials,
    ServiceAccountCredentials, ServiceAccountKey, ServiceAccountRefresh, JWT_BEARER_GRANT_TYPE,
    SERVICE_ACCOUNT_KEY_LIMIT, SERVICE_ACCOUNT_TYPE,
};
pub use user::{Refresh, UserCredentials};
