//! [`FileSubjectTokens`]: an external account's `file` source, read at
//! each refresh (the core reads no files), and the attaching of it to
//! credentials ADC found.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::external::{
    subject_token_from, CredentialSource, SubjectTokenContext, SubjectTokenError,
    SubjectTokenFormat, SubjectTokenSupplier, SUBJECT_TOKEN_LIMIT,
};
use crate::{AnyCredentials, SecurityToken};

/// Reads the subject token from a file at each refresh, as google-auth's
/// `file` source does (a Kubernetes projected token, a file another
/// process renews). Blocking: the file is small and bounded.
///
/// ```no_run
/// use std::sync::Arc;
/// use oauth2_sansio::external::ExternalAccountCredentials;
/// use oauth2_sansio::io::subject_token::FileSubjectTokens;
///
/// let credentials = ExternalAccountCredentials::from_json(&std::fs::read("wif.json")?)?;
/// let credentials = match FileSubjectTokens::for_source(&credentials) {
///     Some(file) => credentials.with_supplier(Arc::new(file)),
///     None => credentials,
/// };
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileSubjectTokens {
    path: PathBuf,
    format: SubjectTokenFormat,
}

impl FileSubjectTokens {
    /// Reads `path`, whose content is as `format` says.
    pub fn new(path: impl Into<PathBuf>, format: SubjectTokenFormat) -> Self {
        Self {
            path: path.into(),
            format,
        }
    }

    /// The reader of `credentials`' `file` source, if that is its source.
    pub fn for_source(credentials: &crate::external::ExternalAccountCredentials) -> Option<Self> {
        match credentials.credential_source()? {
            CredentialSource::File { path, format } => Some(Self::new(path, format.clone())),
            _ => None,
        }
    }
}

impl SubjectTokenSupplier for FileSubjectTokens {
    fn subject_token(
        &self,
        _context: &SubjectTokenContext<'_>,
    ) -> Result<SecurityToken, SubjectTokenError> {
        let shown = self.path.display();
        let file = File::open(&self.path).map_err(|e| {
            SubjectTokenError::supplier(format!(
                "the credential source file {shown} cannot be opened ({e}); check \
                 credential_source.file and that the token is there"
            ))
        })?;
        let mut content = Zeroizing::new(Vec::new());
        file.take(SUBJECT_TOKEN_LIMIT as u64 + 1)
            .read_to_end(&mut content)
            .map_err(|e| {
                SubjectTokenError::retryable(format!(
                    "the credential source file {shown} cannot be read ({e})"
                ))
            })?;
        subject_token_from(&content, &self.format)
    }
}

/// `credentials` with a [`FileSubjectTokens`] attached when they are an
/// external account with a `file` source and no supplier: what ADC's io
/// runners do with what they find.
pub fn with_file_subject_tokens(credentials: AnyCredentials) -> AnyCredentials {
    match credentials {
        AnyCredentials::External(external) => match FileSubjectTokens::for_source(&external) {
            Some(file) => AnyCredentials::External(external.with_supplier(Arc::new(file))),
            None => AnyCredentials::External(external),
        },
        other => other,
    }
}

/// `credentials` ready to renew in this process, when they are an external
/// account: a `file` source's [`FileSubjectTokens`], an `executable`
/// source's [`ExecutableSubjectTokens`](crate::io::executable::ExecutableSubjectTokens)
/// (allowed by `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES`), or the process's
/// [`AwsEnvironment`](crate::external::AwsEnvironment) for an `aws`
/// source. What ADC's io runners and the CLI do with what they find.
pub fn with_process_sources(credentials: AnyCredentials) -> AnyCredentials {
    use crate::external::{AwsEnvironment, CredentialSource};
    use crate::io::executable::ExecutableSubjectTokens;
    let external = match with_file_subject_tokens(credentials) {
        AnyCredentials::External(external) => external,
        other => return other,
    };
    let external = match external.credential_source() {
        Some(CredentialSource::Executable(_)) => {
            let allowed = ExecutableSubjectTokens::allowed_by_environment();
            match ExecutableSubjectTokens::for_source(&external, allowed) {
                Some(runner) => external.with_supplier(Arc::new(runner)),
                None => external,
            }
        }
        Some(CredentialSource::Aws(_)) => {
            external.with_aws_environment(AwsEnvironment::new(|name| std::env::var(name).ok()))
        }
        _ => external,
    };
    AnyCredentials::External(external)
}
