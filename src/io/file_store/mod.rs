//! Credentials in an `authorized_user` JSON file (feature `file-store`),
//! saved so that a refresh never loses them.
//!
//! A server that rotates refresh tokens makes the old one useless the
//! moment it answers a refresh. So the order of work matters more than the
//! write itself:
//!
//! 1. [`CredentialsFile::lock`]: one refresh at a time per file, across
//!    processes; the wait is bounded and a timeout names the holder.
//! 2. [`FileLock::load`]: the newest credentials, including ones a killed
//!    run wrote but could not put in place (they are put in place now).
//! 3. [`FileLock::prepare_save`]: before anything is sent, a private file
//!    is created beside the credentials file and its space reserved, so a
//!    read-only directory or a full disk fails here, while the old refresh
//!    token still works. The prepared save holds the lock until committed.
//! 4. Refresh, then [`PreparedSave::commit`] at once: the new credentials
//!    are written into the reserved file, flushed, and renamed over the old
//!    one. If that rename still fails, the written file stays where it is,
//!    private to the owner, and the error names it
//!    ([`FileStoreError::NotSaved`]); the next [`FileLock::load`] puts it in
//!    place.
//!
//! ```no_run
//! # fn refresh(_: &oauth2_sansio::UserCredentials) -> oauth2_sansio::UserCredentials { unimplemented!() }
//! use oauth2_sansio::io::file_store::CredentialsFile;
//!
//! let file = CredentialsFile::new("credentials.json");
//! let mut lock = file.lock()?;
//! let stored = lock.load()?.expect("signed in before");
//! let save = lock.prepare_save()?; // fails here, before the refresh, if it cannot work
//! let refreshed = refresh(&stored); // e.g. UreqTransport::new().run(stored.refresh()?)
//! save.commit(&refreshed)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A token cache keeps what it renews in the file by the same rules:
//! [`CredentialsFile`] is a [`Keeper`](crate::cache::Keeper). Under the
//! lock, before a refresh is sent, the cache loads the file: credentials
//! another process renewed since (their token expires later than the
//! cache's) are taken instead of refreshing, so caches in several processes
//! on one file never send the same refresh token twice.
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("oauth2-sansio-doc-keep-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let client = oauth2_sansio::Client::google("id", None).build()?;
//! # let signed_in = oauth2_sansio::UserCredentials::from_refresh_token(&client, oauth2_sansio::RefreshToken::new("1//r"), vec![]);
//! use std::time::SystemTime;
//! use oauth2_sansio::cache::SharedToken;
//! use oauth2_sansio::io::file_store::CredentialsFile;
//! use oauth2_sansio::CredentialsStore;
//!
//! let file = CredentialsFile::new(dir.join("credentials.json"));
//! # file.save(&signed_in)?;
//! let stored = file.load()?.expect("signed in before");
//! let cache = SharedToken::new(stored).with_keeper(file.clone());
//! // With a transport: cache.token_with(SystemTime::now, |refresh| transport.run(refresh))
//! let token = cache.token(SystemTime::now, |_request| {
//!     // This server rotates refresh tokens.
//!     Ok(oauth2_sansio::http::Response::new(br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//rotated"}"#.to_vec()))
//! })?;
//! let saved = file.load()?.expect("saved");
//! assert_eq!(saved.refresh_token().unwrap().secret(), "1//rotated");
//! if let Some(failure) = cache.keep_failure() {
//!     eprintln!("warning: {failure}"); // says where the new credentials are
//! }
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What remains: a process killed after the server rotated the token and
//! before the new credentials reach the reserved file (the time to read and
//! parse the response) loses the grant; the protocol offers no way to close
//! that window from the client side.
//!
//! Every path the store opens is opened without following a symbolic link
//! (the file, its lock and its temporary files), and files it creates are
//! readable and writable by the owner only.

mod error;
mod keeper;
mod leftovers;
mod lock;
mod open;
mod prepared;

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use zeroize::Zeroize;

pub use error::{FileStoreError, LockHolder};
pub use lock::FileLock;
pub use prepared::PreparedSave;

use crate::credentials::store::CredentialsStore;
use crate::credentials::{UserCredentials, AUTHORIZED_USER_LIMIT};

/// How long [`CredentialsFile::lock`] waits for another holder by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// An `authorized_user` JSON file (the format gcloud and google-auth use).
///
/// See the [module documentation](self) for how a refresh is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsFile {
    path: PathBuf,
    lock_timeout: Duration,
}

impl CredentialsFile {
    /// The file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// Sets how long [`lock`](Self::lock) waits for another holder
    /// (default [`DEFAULT_LOCK_TIMEOUT`]).
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Takes the exclusive lock for a load-refresh-save cycle, waiting at
    /// most the lock timeout while another process (or thread) holds it.
    ///
    /// The lock is a private sibling file, `.NAME.lock`, locked with the
    /// operating system's advisory file lock, so a process that dies
    /// releases it; the file itself stays, holding the last holder's
    /// process id (for the timeout's message).
    ///
    /// Two processes that refresh one credentials file at once would both
    /// send the same refresh token, and a server that rotates refresh tokens
    /// takes the second use as theft and revokes the whole grant. Hold the
    /// lock from loading to saving, and load through it: another process may
    /// have refreshed already.
    ///
    /// Locks taken on one file through two handles exclude each other, in
    /// one process too: while holding it, use its methods, not this type's
    /// [`CredentialsStore`] methods (which take the lock themselves).
    pub fn lock(&self) -> Result<FileLock, FileStoreError> {
        lock::acquire(self)
    }

    /// Whether a save could work now, checked without the lock: a private
    /// file is created beside the credentials file, its space reserved, and
    /// removed again. For a sign-in, which should fail before the user
    /// signs in, not after; the save itself is prepared again under the
    /// lock.
    pub fn check_writable(&self) -> Result<(), FileStoreError> {
        prepared::prepare(self).map(drop)
    }

    /// The file's permission bits if users other than its owner may read or
    /// write it (Unix); `None` when it is private or does not exist. The
    /// file holds a refresh token: warn, and let the next save (which
    /// always writes mode 0600) fix it.
    pub fn loose_permissions(&self) -> Result<Option<u32>, FileStoreError> {
        open::loose_permissions(&self.path).map_err(|e| self.error(e))
    }

    /// The credentials as the file holds them now, read without the lock,
    /// with the file's metadata; `None` if it does not exist.
    pub(crate) fn read(&self) -> Result<Option<(UserCredentials, Metadata)>, FileStoreError> {
        let Some(file) = open::read_only(&self.path).map_err(|e| self.error(e))? else {
            return Ok(None);
        };
        read_authorized_user(file, &self.path).map(Some)
    }

    /// `source` as this file's error: a symbolic link where a file was
    /// expected gets its own kind.
    pub(crate) fn error(&self, source: io::Error) -> FileStoreError {
        FileStoreError::at(&self.path, source)
    }
}

impl CredentialsStore for CredentialsFile {
    type Error = FileStoreError;

    /// The stored credentials, read without taking the lock (a save
    /// replaces the file whole, so a read never sees half of one).
    fn load(&self) -> Result<Option<UserCredentials>, FileStoreError> {
        Ok(self.read()?.map(|(credentials, _)| credentials))
    }

    /// Takes the lock, prepares the save and commits it.
    fn save(&self, credentials: &UserCredentials) -> Result<(), FileStoreError> {
        self.lock()?.save(credentials)
    }
}

/// The credentials in `file` (at `path`) and its metadata. At most
/// [`AUTHORIZED_USER_LIMIT`] + 1 bytes are read, into a buffer allocated
/// once and wiped after parsing.
fn read_authorized_user(
    file: File,
    path: &Path,
) -> Result<(UserCredentials, Metadata), FileStoreError> {
    let metadata = file.metadata().map_err(|e| FileStoreError::at(path, e))?;
    let bound = AUTHORIZED_USER_LIMIT as u64 + 1;
    let capacity = metadata.len().min(bound) as usize + 1;
    let mut bytes = Vec::with_capacity(capacity);
    let read = file.take(bound).read_to_end(&mut bytes);
    let parsed = read.map(|_| UserCredentials::from_authorized_user_json(&bytes));
    bytes.zeroize();
    match parsed {
        Err(e) => Err(FileStoreError::at(path, e)),
        Ok(Err(source)) => Err(FileStoreError::Invalid {
            path: path.to_owned(),
            source,
        }),
        Ok(Ok(credentials)) => Ok((credentials, metadata)),
    }
}
