//! The cross-process lock on a credentials file, and what may only be done
//! while holding it.

use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::thread;
use std::time::{Duration, Instant};

use super::error::{FileStoreError, LockHolder};
use super::leftovers;
use super::open;
use super::prepared::{self, PreparedSave};
use super::CredentialsFile;
use crate::credentials::UserCredentials;

/// The first pause between two attempts at a busy lock; it doubles up to
/// [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(5);
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// An exclusive lock on a credentials file, from
/// [`CredentialsFile::lock`]; released when dropped (or when the process
/// ends). Loading through it also recovers credentials a killed run left
/// behind, and saving through it is prepared before the refresh is sent.
#[derive(Debug)]
pub struct FileLock {
    store: CredentialsFile,
    _lock: File,
}

/// Takes the lock on `store`'s file, waiting at most its lock timeout.
pub(super) fn acquire(store: &CredentialsFile) -> Result<FileLock, FileStoreError> {
    let path = open::lock_path(store.path()).map_err(|e| store.error(e))?;
    let mut file = open::lock_file(&path).map_err(|e| FileStoreError::at(&path, e))?;
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(e)) => return Err(FileStoreError::at(&path, e)),
        }
        let waited = started.elapsed();
        if waited >= store.lock_timeout {
            return Err(FileStoreError::LockTimeout {
                holder: holder(&mut file),
                path,
                waited,
            });
        }
        thread::sleep(pause.min(store.lock_timeout - waited));
        pause = (pause * 2).min(MAX_PAUSE);
    }
    // Who holds it, for a waiter's message; failing to say so is harmless.
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()));
    Ok(FileLock {
        store: store.clone(),
        _lock: file,
    })
}

/// The holder the lock file names.
fn holder(file: &mut File) -> Option<LockHolder> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    let pid: u32 = text.trim().parse().ok()?;
    let program = fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    Some(LockHolder { pid, program })
}

impl FileLock {
    /// The file this lock is for.
    pub fn file(&self) -> &CredentialsFile {
        &self.store
    }

    /// The newest credentials: the file's, unless a run killed between
    /// writing new credentials and renaming them into place (or one whose
    /// rename failed) left newer ones for the same client beside it; those
    /// are put in place now. Temporary files that hold nothing usable are
    /// removed. `None` if there are no credentials.
    pub fn load(&mut self) -> Result<Option<UserCredentials>, FileStoreError> {
        leftovers::recover(&self.store)
    }

    /// Creates the file the next save writes, and reserves its space,
    /// before anything is sent: if saving cannot work (a directory that is
    /// not writable, a full disk, a leftover file in the way), this fails
    /// while the stored refresh token is still good. Commit it as soon as
    /// the new credentials exist.
    ///
    /// The prepared save holds the lock until it is committed or dropped
    /// (on failure, the lock is released at once).
    pub fn prepare_save(self) -> Result<PreparedSave, FileStoreError> {
        Ok(prepared::prepare(&self.store)?.holding(self))
    }

    /// Prepares a save and commits `credentials` to it at once; the lock
    /// stays held.
    pub fn save(&mut self, credentials: &UserCredentials) -> Result<(), FileStoreError> {
        prepared::prepare(&self.store)?.commit(credentials)
    }

    /// Removes the credentials file and every temporary file beside it
    /// (after a revocation, say); `false` if there was no file.
    pub fn remove(&mut self) -> Result<bool, FileStoreError> {
        leftovers::remove_all(self.store.path());
        match fs::remove_file(self.store.path()) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.store.error(e)),
        }
    }
}
