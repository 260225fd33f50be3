//! Credentials: the [`Credentials`] trait every kind implements, the kinds
//! (user, service account, ID token, self-signed JWT, client credentials,
//! the metadata server's, impersonated service accounts),
//! [`AnyCredentials`] for a kind picked at run time, and where credentials
//! are kept between runs ([`CredentialsStore`](store::CredentialsStore)).

pub mod adc;
mod any;
pub(crate) mod authorize;
mod authorized_user;
pub mod bearer;
pub mod client;
pub mod downscoped;
pub mod external;
mod external_user;
mod file_fields;
pub mod freshness;
pub mod impersonated;
pub mod kind;
pub mod metadata;
mod renewed;
pub mod service_account;
mod slot;
pub mod store;
pub mod user;

pub use any::{AnyCredentials, AnyRefresh};
pub use authorize::AuthorizeError;
pub use authorized_user::{AUTHORIZED_USER_LIMIT, AUTHORIZED_USER_TYPE};
pub use bearer::{BearerToken, NeedsRefresh};
pub use client::{ClientCredentials, ClientCredentialsGrant};
pub use external_user::EXTERNAL_ACCOUNT_AUTHORIZED_USER_TYPE;
pub use kind::Credentials;
pub use renewed::{AfterSource, Renewed};
pub use user::{UserCredentials, UserRefresh};
