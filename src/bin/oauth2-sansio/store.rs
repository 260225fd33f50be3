//! The credentials file as the commands use it: locked for a change,
//! loaded through the lock, and a warning when others may read it.

use crate::exit::{Failure, LOCAL};
use crate::output;
use oauth2_sansio::io::file_store::{CredentialsFile, FileLock};
use oauth2_sansio::UserCredentials;

/// The file's lock, or why it could not be had (a timeout names the
/// holder).
pub(super) fn lock(file: &CredentialsFile) -> Result<FileLock, Failure> {
    file.lock()
        .map_err(|e| Failure::new(LOCAL, format!("cannot lock the credentials file: {e}")))
}

/// The newest credentials through the lock (a killed run's are recovered);
/// `missing` when there are none.
pub(super) fn locked_load(
    lock: &mut FileLock,
    missing: impl FnOnce() -> Failure,
) -> Result<UserCredentials, Failure> {
    match lock.load() {
        Ok(Some(credentials)) => Ok(credentials),
        Ok(None) => Err(missing()),
        Err(e) => Err(Failure::new(LOCAL, e.to_string())),
    }
}

/// Warns when users other than the owner may read or write the file: it
/// holds a refresh token. The next save writes it owner-only.
pub(super) fn warn_if_shared(file: &CredentialsFile) {
    if let Ok(Some(mode)) = file.loose_permissions() {
        output::note(&format!(
            "warning: {} holds a refresh token but other users may read or change it \
             (mode {mode:04o}); run `chmod 600 {}` (the next save makes it private)",
            file.path().display(),
            file.path().display()
        ));
    }
}
