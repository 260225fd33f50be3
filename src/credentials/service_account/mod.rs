//! Service accounts: server-to-server credentials with no user present
//! (google-auth's `service_account` module).
//!
//! - [`ServiceAccountKey`]: the key JSON file.
//! - [`ServiceAccountCredentials`]: access tokens from the JWT-bearer grant
//!   ([`ServiceAccountRefresh`]), optionally acting as a Workspace user
//!   (domain-wide delegation).
//! - [`SelfSignedJwtCredentials`]: the account signs its own bearer token;
//!   no token call.
//! - [`IdTokenCredentials`]: OpenID Connect ID tokens for one audience
//!   ([`IdTokenRefresh`]).
//!
//! Each signs with a [`Signer`](crate::jwt::Signer): a key file's RSA key
//! (feature `ring`), or any remote signer.

mod account;
mod credentials;
mod id_token;
mod key;
mod self_signed;

pub use account::JWT_BEARER_GRANT_TYPE;
pub use credentials::{ServiceAccountCredentials, ServiceAccountRefresh};
pub use id_token::{IdTokenCredentials, IdTokenGrant, IdTokenRefresh};
pub use key::{ServiceAccountKey, SERVICE_ACCOUNT_KEY_LIMIT, SERVICE_ACCOUNT_TYPE};
pub use self_signed::{JwtAccess, SelfSignedJwtCredentials, SelfSignedJwtRefresh};
