//! Why the credentials file could not be read, locked or written.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::open::is_symlink_refusal;
use crate::error::config::FileError;

/// Why the credentials file could not be read, locked or written. No
/// variant holds or prints a secret.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileStoreError {
    /// Reading or writing failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The file is not valid authorized_user JSON.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: FileError,
    },
    /// A symbolic link is where the store expected a file (the credentials
    /// file, its lock or a temporary file); the store never follows one,
    /// since a link planted there could make it read or create another file.
    SymbolicLink {
        /// The link.
        path: PathBuf,
    },
    /// Another process held the lock longer than the lock timeout.
    LockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long this process waited.
        waited: Duration,
        /// Who holds it, when known.
        holder: Option<LockHolder>,
    },
    /// New credentials (after a refresh, the server has already replaced the
    /// refresh token) could not replace the file.
    NotSaved {
        /// The credentials file, which still holds the previous credentials.
        path: PathBuf,
        /// Why.
        source: io::Error,
        /// Where the new credentials are kept (a private file beside it,
        /// which the next [`FileLock::load`](super::FileLock::load) puts
        /// in place), or `None` if they could not be written anywhere.
        kept: Option<PathBuf>,
    },
}

/// The process that last took a lock, as it recorded itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    /// Its process id.
    pub pid: u32,
    /// Its program name, when the system tells (Linux: `/proc/PID/comm`).
    pub program: Option<String>,
}

impl FileStoreError {
    /// `source` for `path`: a refused symbolic link gets its own kind.
    pub(super) fn at(path: &Path, source: io::Error) -> Self {
        if is_symlink_refusal(&source) {
            Self::SymbolicLink {
                path: path.to_owned(),
            }
        } else {
            Self::Io {
                path: path.to_owned(),
                source,
            }
        }
    }

    /// Where the new credentials are, for [`NotSaved`](Self::NotSaved).
    pub fn kept(&self) -> Option<&Path> {
        match self {
            Self::NotSaved { kept, .. } => kept.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for FileStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Invalid { path, source } => write!(f, "{}: {source}", path.display()),
            Self::SymbolicLink { path } => write!(
                f,
                "{} is a symbolic link, which is never followed; give the real file's path, \
                 or remove the link",
                path.display()
            ),
            Self::LockTimeout {
                path,
                waited,
                holder,
            } => {
                write!(
                    f,
                    "{} stayed locked for {} s",
                    path.display(),
                    waited.as_secs()
                )?;
                match holder {
                    Some(LockHolder {
                        pid,
                        program: Some(program),
                    }) => write!(f, " by process {pid} ({program})")?,
                    Some(LockHolder { pid, program: None }) => write!(f, " by process {pid}")?,
                    None => write!(f, " by another process")?,
                }
                write!(
                    f,
                    "; if that process is stopped (Ctrl-Z) or hung, resume or end it, then retry"
                )
            }
            Self::NotSaved {
                path,
                source,
                kept: Some(kept),
            } => write!(
                f,
                "the new credentials could not replace {} ({source}); they are kept in {} \
                 (readable by you only) and the next run puts them in place once it can \
                 write there, or move that file over {} yourself",
                path.display(),
                kept.display(),
                path.display()
            ),
            Self::NotSaved {
                path,
                source,
                kept: None,
            } => write!(
                f,
                "the new credentials could not be written beside {} ({source}); \
                 the refresh token it holds may no longer work",
                path.display()
            ),
        }
    }
}

impl std::error::Error for FileStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } | Self::NotSaved { source, .. } => Some(source),
            Self::Invalid { source, .. } => Some(source),
            _ => None,
        }
    }
}
