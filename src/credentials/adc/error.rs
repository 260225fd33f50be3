//! Why Application Default Credentials found nothing usable.

use std::fmt;
use std::path::PathBuf;

use crate::error::config::{ConfigError, FileError};

/// Why Application Default Credentials found nothing usable. Never holds
/// or prints a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdcError {
    /// `GOOGLE_APPLICATION_CREDENTIALS` names a file that cannot be read
    /// (as with google-auth, a missing file is an error, not a reason to
    /// look further).
    ExplicitFile {
        /// The file.
        path: PathBuf,
        /// Why it cannot be read.
        problem: String,
    },
    /// A credentials file could not be read.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        problem: String,
    },
    /// A credentials file is not valid.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: FileError,
    },
    /// A credentials file of a type this crate cannot use (yet).
    UnsupportedType {
        /// The file.
        path: PathBuf,
        /// Its `type` (control, invisible and bidi characters removed).
        kind: String,
    },
    /// A service-account key file, but no signer to use it: the `ring`
    /// feature is off.
    NoSigner {
        /// The file.
        path: PathBuf,
    },
    /// The metadata server's settings (`GCE_METADATA_HOST`, ...) are
    /// invalid.
    Config(ConfigError),
    /// Nothing found, after looking everywhere ADC looks.
    NotFound {
        /// Each place looked, and what was there.
        looked: Vec<String>,
    },
}

impl fmt::Display for AdcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExplicitFile { path, problem } => write!(
                f,
                "GOOGLE_APPLICATION_CREDENTIALS names {}, which cannot be read ({problem}); \
                 point it at a credentials file, or unset it",
                path.display()
            ),
            Self::Unreadable { path, problem } => {
                write!(f, "{} cannot be read: {problem}", path.display())
            }
            Self::Invalid { path, source } => write!(f, "{}: {source}", path.display()),
            Self::UnsupportedType { path, kind } => write!(
                f,
                "{}: credentials of type {kind:?} are not supported yet (supported: \
                 authorized_user, service_account)",
                path.display()
            ),
            Self::NoSigner { path } => write!(
                f,
                "{} is a service-account key, and signing with it needs the `ring` feature",
                path.display()
            ),
            Self::Config(e) => write!(f, "the metadata server's settings: {e}"),
            Self::NotFound { looked } => write!(
                f,
                "no credentials found; looked at: {}. Set GOOGLE_APPLICATION_CREDENTIALS to a \
                 credentials file, sign in with `gcloud auth application-default login` (or \
                 `oauth2-sansio login --adc`), or run on Google Cloud",
                looked.join("; ")
            ),
        }
    }
}

impl std::error::Error for AdcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Invalid { source, .. } => Some(source),
            Self::Config(e) => Some(e),
            _ => None,
        }
    }
}
