//! Credentials in an `authorized_user` JSON file, replaced atomically
//! (feature `file-store`).

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config_error::FileError;
use crate::credentials::{UserCredentials, AUTHORIZED_USER_LIMIT};
use crate::store::CredentialsStore;

/// An `authorized_user` JSON file (the format gcloud and google-auth use).
///
/// Saving writes a new file beside it (owner read/write only on Unix),
/// flushes it to disk and renames it over the old one, so a crash or a full
/// disk leaves either the old file or the new one, never a torn one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsFile {
    path: PathBuf,
}

/// An exclusive lock on a credentials file; released when dropped (or when
/// the process ends). See [`CredentialsFile::lock`].
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// Why the credentials file could not be read or written.
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
}

impl fmt::Display for FileStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Invalid { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for FileStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Invalid { source, .. } => Some(source),
        }
    }
}

impl CredentialsFile {
    /// The file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Takes an exclusive lock for a read-refresh-write cycle, waiting while
    /// another process (or thread) holds it. The lock is a private sibling
    /// file, `.NAME.lock`, locked with the operating system's advisory file
    /// lock, so a process that dies releases it; the lock file itself stays.
    ///
    /// Two processes that refresh one credentials file at once would both
    /// send the same refresh token, and a server that rotates refresh tokens
    /// takes the second use as theft and revokes the whole grant. Hold the
    /// lock from loading to saving, and re-load once it is held: the other
    /// process may have refreshed already.
    pub fn lock(&self) -> Result<FileLock, FileStoreError> {
        let name = self.path.file_name().ok_or_else(|| {
            self.io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path names no file",
            ))
        })?;
        let lock_path = self
            .path
            .with_file_name(format!(".{}.lock", name.to_string_lossy()));
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&lock_path).map_err(|e| self.io(e))?;
        file.lock().map_err(|e| self.io(e))?;
        Ok(FileLock { _file: file })
    }

    fn io(&self, source: io::Error) -> FileStoreError {
        FileStoreError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

impl CredentialsStore for CredentialsFile {
    type Error = FileStoreError;

    fn load(&self) -> Result<Option<UserCredentials>, FileStoreError> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(e)),
        };
        let mut bytes = Vec::new();
        file.take(AUTHORIZED_USER_LIMIT as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.io(e))?;
        let parsed = UserCredentials::from_authorized_user_json(&bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        parsed.map(Some).map_err(|source| FileStoreError::Invalid {
            path: self.path.clone(),
            source,
        })
    }

    fn save(&self, credentials: &UserCredentials) -> Result<(), FileStoreError> {
        let mut json = credentials.to_authorized_user_json().into_bytes();
        let written = write_atomically(&self.path, |file| file.write_all(&json));
        zeroize::Zeroize::zeroize(&mut json);
        written.map_err(|e| self.io(e))
    }
}

/// Replaces `path` with what `write` puts into a fresh private file beside
/// it. On any error the temporary file is removed and `path` is untouched.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let temp = dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = private_new_file(&temp)?;
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Creates a new file (never opening an existing one or following a link at
/// that name), readable and writable by the owner only on Unix.
fn private_new_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes the rename durable where the platform allows; failure only weakens
/// durability, not atomicity, so it is ignored.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
