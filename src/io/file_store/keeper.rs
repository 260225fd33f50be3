//! The credentials file as the store a token cache keeps the credentials it
//! renews in.

use super::error::FileStoreError;
use super::{CredentialsFile, PreparedSave};
use crate::cache::{KeepError, KeepErrorKind, Keeper};
use crate::credentials::UserCredentials;

/// A [`SharedToken`](crate::cache::SharedToken) keeps the user credentials
/// it renews in this file by the store's rules: lock, load through the lock,
/// prepare the save, all before the refresh is sent; commit before the new
/// token is served. The lock is held from prepare to commit, so caches in
/// several processes on one file refresh one at a time, and each one after
/// the first takes the credentials the first one saved.
impl Keeper<UserCredentials> for CredentialsFile {
    /// The save prepared under the file's lock, which it holds until the
    /// renewed credentials are committed (or it is dropped).
    type Prepared = PreparedSave;

    /// Takes the lock, loads through it (what another process renewed, or a
    /// killed run left, included) and prepares the save.
    fn prepare(&self) -> Result<(PreparedSave, Option<UserCredentials>), KeepError> {
        let mut lock = self.lock()?;
        let stored = lock.load()?;
        Ok((lock.prepare_save()?, stored))
    }

    /// Commits the prepared save; if the rename fails, the error names the
    /// private file that holds the credentials.
    fn keep(&self, prepared: PreparedSave, credentials: &UserCredentials) -> Result<(), KeepError> {
        Ok(prepared.commit(credentials)?)
    }
}

impl From<FileStoreError> for KeepError {
    fn from(error: FileStoreError) -> Self {
        let kind = match &error {
            FileStoreError::LockTimeout { .. } => KeepErrorKind::Busy,
            FileStoreError::Io { .. } | FileStoreError::NotSaved { .. } => KeepErrorKind::Io,
            FileStoreError::Invalid { .. } | FileStoreError::SymbolicLink { .. } => {
                KeepErrorKind::Invalid
            }
        };
        let message = match &error {
            FileStoreError::Io { .. } => format!(
                "{error}; check that the directory exists and that this process may write there"
            ),
            _ => error.to_string(),
        };
        let keep_error = KeepError::new(kind, message);
        match error.kept() {
            Some(kept) => keep_error.kept_in(kept.display().to_string()),
            None => keep_error,
        }
    }
}
