//! The AWS source: the signed `GetCallerIdentity` request google-auth
//! sends STS as the subject token, with what the environment lacks asked
//! of the instance metadata service.

mod env;
mod fetch;
mod imds;
mod sigv4;
mod subject;

pub use env::AwsEnvironment;
pub(super) use fetch::AwsSubjectToken;
pub use fetch::AWS_SUBJECT_TOKEN_TYPE;
