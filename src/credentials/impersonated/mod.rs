//! Impersonated service accounts: credentials of any kind (the source)
//! obtain a service account's tokens from the IAM Service Account
//! Credentials API (google-auth's `impersonated_credentials`), and the
//! `impersonated_service_account` file gcloud writes.

mod credentials;
mod file;
mod iam;
mod id_token;
mod refresh;
mod sign_blob;

pub use credentials::ImpersonatedCredentials;
pub use file::IMPERSONATED_TYPE;
pub use iam::{GeneratedAccessToken, IAM_SCOPE, MAX_LIFETIME};
pub use id_token::{ImpersonatedIdTokenCredentials, ImpersonatedIdTokenRefresh};
pub use refresh::ImpersonatedRefresh;
pub use sign_blob::{SignBlob, SignBlobRequest, SignedBlob};

pub(crate) use iam::impersonation_url;
