//! External accounts: workload and workforce identity federation
//! (google-auth's `external_account`). A token from outside Google (an
//! OIDC ID token, a SAML assertion) is exchanged at Google's Security
//! Token Service for a Google access token, then optionally for a service
//! account's through IAM.
//!
//! The core fetches a `url` source itself (it is HTTP, a machine step);
//! it reads no files, so a `file` source is read by a
//! [`SubjectTokenSupplier`], which the io module provides
//! (`FileSubjectTokens`) and ADC's io runners attach; a program with its own
//! token plugs in a supplier of its own. The `aws`, `executable` and
//! `certificate` sources are read and checked, and their refresh fails with
//! [`SubjectTokenError::UnsupportedSource`] for now.

mod aws;
mod credentials;
mod error;
mod file;
mod refresh;
mod source;
mod sts;
mod supplier;

pub use credentials::ExternalAccountCredentials;
pub use error::SubjectTokenError;
pub use file::{EXTERNAL_ACCOUNT_LIMIT, EXTERNAL_ACCOUNT_TYPE};
pub use refresh::ExternalAccountRefresh;
pub use source::{
    AwsSource, CertificateSource, CredentialSource, ExecutableSource, SubjectTokenFormat,
};
pub use supplier::{
    subject_token_from, SubjectTokenContext, SubjectTokenSupplier, SUBJECT_TOKEN_LIMIT,
};

/// What errors call the file.
const FILE: &str = "external_account JSON";
