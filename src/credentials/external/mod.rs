//! External accounts: workload and workforce identity federation
//! (google-auth's `external_account`). A token from outside Google (an
//! OIDC ID token, a SAML assertion) is exchanged at Google's Security
//! Token Service for a Google access token, then optionally for a service
//! account's through IAM.
//!
//! The core fetches a `url` source itself (it is HTTP, a machine step),
//! and makes an `aws` source's signed request itself (its instance
//! metadata calls are machine steps too; the AWS variables come in as an
//! [`AwsEnvironment`]). It reads no files and runs no commands, so a
//! `file` or `executable` source is served by a [`SubjectTokenSupplier`],
//! which the io module provides (`FileSubjectTokens`,
//! `ExecutableSubjectTokens`) and ADC's io runners attach; a program with
//! its own token plugs in a supplier of its own. The `certificate` source
//! is read and checked, and its refresh fails with
//! [`SubjectTokenError::UnsupportedSource`] for now.

mod aws;
mod credentials;
mod error;
mod executable;
mod file;
mod refresh;
mod source;
mod sts;
mod supplier;

pub use aws::{AwsEnvironment, AWS_SUBJECT_TOKEN_TYPE};
pub use credentials::ExternalAccountCredentials;
pub use error::SubjectTokenError;
pub use executable::{executable_output, ExecutableToken, EXECUTABLE_OUTPUT_LIMIT};
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
