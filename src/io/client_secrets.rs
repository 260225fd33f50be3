//! `client_secrets.json` read from disk, the file's path in every error.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::client::secrets_file::{ClientSecrets, CLIENT_SECRETS_LIMIT};
use crate::error::config::FileError;

/// Reads and parses the `client_secrets.json` at `path` (at most
/// [`CLIENT_SECRETS_LIMIT`] bytes): [`ClientSecrets::from_json`] with the
/// file read for you, and the path in the error.
///
/// ```no_run
/// let secrets = oauth2_sansio::io::read_client_secrets("client_secrets.json")?;
/// let client = secrets.client_builder().build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_client_secrets(
    path: impl AsRef<Path>,
) -> Result<ClientSecrets, ClientSecretsFileError> {
    let path = path.as_ref();
    let mut bytes = Zeroizing::new(Vec::new());
    File::open(path)
        .and_then(|file| {
            file.take(CLIENT_SECRETS_LIMIT as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(|source| ClientSecretsFileError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
    ClientSecrets::from_json(&bytes).map_err(|source| ClientSecretsFileError::Invalid {
        path: path.to_owned(),
        source,
    })
}

/// Why [`read_client_secrets`] failed. Its `Display` names the file, never
/// its content.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientSecretsFileError {
    /// The file cannot be opened or read.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not a usable `client_secrets.json`.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it (the field, or the line and column).
        source: FileError,
    },
}

impl ClientSecretsFileError {
    /// The file.
    pub fn path(&self) -> &Path {
        match self {
            Self::Unreadable { path, .. } | Self::Invalid { path, .. } => path,
        }
    }
}

impl fmt::Display for ClientSecretsFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { path, source } => write!(
                f,
                "cannot read {} ({source}); download the OAuth client's JSON from the \
                 server's console and give its path",
                path.display()
            ),
            Self::Invalid { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for ClientSecretsFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreadable { source, .. } => Some(source),
            Self::Invalid { source, .. } => Some(source),
        }
    }
}
