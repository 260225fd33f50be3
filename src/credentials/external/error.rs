//! [`SubjectTokenError`]: why no subject token could be had for an
//! external account's token exchange.

use std::fmt;

/// No subject token: the source is not supported yet, needs a supplier
/// none was attached, gave unusable bytes, or its supplier failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubjectTokenError {
    /// The credential source is parsed but its refresh is not implemented
    /// yet (`certificate`).
    UnsupportedSource {
        /// The source's kind, as the file names it.
        source: &'static str,
    },
    /// A `file` or `executable` source without a
    /// [`SubjectTokenSupplier`](super::SubjectTokenSupplier): the sans-IO core
    /// never reads files nor runs commands.
    NoSupplier,
    /// The subject token's bytes are unusable (not UTF-8, empty, too
    /// large, not the JSON the format names).
    Invalid {
        /// What is wrong, never the token.
        reason: &'static str,
    },
    /// An AWS source could not make its signed request: no region or
    /// credentials to be had, or the instance metadata service (IMDS)
    /// answered something unusable.
    Aws {
        /// What is wrong and what to do, never a key.
        reason: &'static str,
    },
    /// An `executable` source may not run: google-auth's rule, unless
    /// `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES` is `1`.
    ExecutablesNotAllowed,
    /// An executable's output (or its `output_file`) is not the JSON the
    /// executable-sourced credentials format defines.
    Executable {
        /// What is wrong, never the token.
        reason: &'static str,
    },
    /// The executable answered `"success": false`.
    ExecutableFailed {
        /// Its `code` (cleaned of control characters).
        code: String,
        /// Its `message` (cleaned of control characters).
        message: String,
    },
    /// The supplier could not supply a token.
    Supplier {
        /// The supplier's description; it must not contain secrets.
        message: String,
        /// Whether asking again later may succeed.
        retryable: bool,
    },
}

impl SubjectTokenError {
    /// A supplier failure that asking again will not fix (a missing file,
    /// a refused permission).
    pub fn supplier(message: impl Into<String>) -> Self {
        Self::Supplier {
            message: crate::error::sanitize(&message.into()),
            retryable: false,
        }
    }

    /// A supplier failure that may pass if asked again later.
    pub fn retryable(message: impl Into<String>) -> Self {
        Self::Supplier {
            message: crate::error::sanitize(&message.into()),
            retryable: true,
        }
    }

    /// Whether asking for the subject token again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Supplier {
                retryable: true,
                ..
            }
        )
    }
}

impl fmt::Display for SubjectTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedSource { source } => write!(
                f,
                "the external account's credential source `{source}` is not supported yet; \
                 use a `file` or `url` source, or supply the subject token yourself with a \
                 SubjectTokenSupplier"
            ),
            Self::NoSupplier => f.write_str(
                "the external account reads its subject token from a file or a command, and the \
                 sans-IO core reads no files and runs no commands: attach a SubjectTokenSupplier \
                 (the io module's FileSubjectTokens or ExecutableSubjectTokens; ADC through the \
                 io transports attaches them itself)",
            ),
            Self::Invalid { reason } => write!(f, "the subject token {reason}"),
            Self::Aws { reason } => write!(f, "the AWS credential source {reason}"),
            Self::ExecutablesNotAllowed => f.write_str(
                "the external account's subject token comes from an executable, and executables \
                 are not allowed to run: set GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 if you \
                 trust the command in the credentials file",
            ),
            Self::Executable { reason } => write!(f, "the credential source executable {reason}"),
            Self::ExecutableFailed { code, message } => write!(
                f,
                "the credential source executable failed: code {code}, message {message}"
            ),
            Self::Supplier { message, retryable } => {
                write!(f, "the subject token supplier failed: {message}")?;
                if *retryable {
                    f.write_str("; try again later")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for SubjectTokenError {}
