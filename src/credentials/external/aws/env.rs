//! [`AwsEnvironment`]: the AWS variables an AWS source reads, gathered by
//! the io layer (the core reads no environment).

use std::fmt;

use crate::secret::SecurityToken;

use super::sigv4::AwsCredentials;

/// The AWS environment variables an AWS credential source reads, as
/// google-auth reads them: the region from `AWS_REGION`, else
/// `AWS_DEFAULT_REGION`; the credentials from `AWS_ACCESS_KEY_ID` and
/// `AWS_SECRET_ACCESS_KEY` (both needed) with `AWS_SESSION_TOKEN`. What is
/// missing is asked of the instance metadata service (IMDS). Empty values
/// count as unset.
///
/// The core reads no environment: the io layer captures the process's
/// (`io::subject_token::with_process_sources` does, for ADC and the CLI),
/// or a program or test fills it in and attaches it with
/// [`ExternalAccountCredentials::with_aws_environment`](crate::external::ExternalAccountCredentials::with_aws_environment).
///
/// ```
/// use oauth2_sansio::external::AwsEnvironment;
///
/// let env = AwsEnvironment::new(|name| match name {
///     "AWS_DEFAULT_REGION" => Some("eu-west-3".to_owned()),
///     _ => None,
/// });
/// assert_eq!(env.region(), Some("eu-west-3"));
/// assert!(!env.has_credentials());
/// ```
#[derive(Clone, Default)]
pub struct AwsEnvironment {
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<SecurityToken>,
    session_token: Option<SecurityToken>,
}

impl AwsEnvironment {
    /// The environment where `var` reads a variable
    /// (`std::env::var(..).ok()` in a program).
    pub fn new(var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|value| !value.is_empty());
        Self {
            region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
            access_key_id: var("AWS_ACCESS_KEY_ID"),
            secret_access_key: var("AWS_SECRET_ACCESS_KEY").map(SecurityToken::new),
            session_token: var("AWS_SESSION_TOKEN").map(SecurityToken::new),
        }
    }

    /// The region the variables name, if any.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Whether the variables hold credentials (an access key id and its
    /// secret).
    pub fn has_credentials(&self) -> bool {
        self.credentials().is_some()
    }

    pub(super) fn credentials(&self) -> Option<AwsCredentials> {
        Some(AwsCredentials {
            access_key_id: self.access_key_id.clone()?,
            secret_access_key: self.secret_access_key.clone()?,
            session_token: self.session_token.clone(),
        })
    }
}

/// Shows which variables are set, never the keys.
impl fmt::Debug for AwsEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsEnvironment")
            .field("region", &self.region)
            .field("credentials", &self.has_credentials())
            .field("session_token", &self.session_token.is_some())
            .finish()
    }
}
