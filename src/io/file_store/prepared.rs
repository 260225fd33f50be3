//! A save made ready before the refresh whose result it records is sent.

use std::fs::{self, File};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

use rand::Rng;
use zeroize::Zeroize;

use super::error::FileStoreError;
use super::leftovers;
use super::open;
use super::{CredentialsFile, FileLock};
use crate::credentials::{UserCredentials, AUTHORIZED_USER_LIMIT};

/// Room reserved beyond the current file's size: new credentials are about
/// as long as the old ones, and tokens vary by a few hundred bytes.
const SLACK: u64 = 16 * 1024;

/// How many fresh names to try when one is taken.
const NAME_ATTEMPTS: usize = 16;

/// A private file beside the credentials file, created and with its space
/// reserved, waiting for the new credentials; from
/// [`FileLock::prepare_save`](super::FileLock::prepare_save).
///
/// It holds the file's lock until it is committed or dropped. Dropped
/// without a commit, it removes its file (which holds no secret, only the
/// reserved blanks), then releases the lock.
#[derive(Debug)]
pub struct PreparedSave {
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
    /// Dropped after `Drop::drop` has removed the temporary file.
    _lock: Option<FileLock>,
}

/// Creates and fills the temporary file for `store`'s next save; the
/// caller holds the lock, or hands it over with [`PreparedSave::holding`].
pub(super) fn prepare(store: &CredentialsFile) -> Result<PreparedSave, FileStoreError> {
    let target = store.path();
    let (temp, mut file) = create_temp(target).map_err(|e| store.error(e))?;
    let current = fs::symlink_metadata(target).map_or(0, |m| m.len());
    if let Err(e) = reserve(&mut file, current.min(AUTHORIZED_USER_LIMIT as u64) + SLACK) {
        drop(file);
        let _ = fs::remove_file(&temp);
        return Err(FileStoreError::at(&temp, e));
    }
    Ok(PreparedSave {
        target: target.to_owned(),
        temp,
        file: Some(file),
        _lock: None,
    })
}

/// A new private file `.NAME.tmp-<random>` beside `target`; a name that is
/// taken (by a leftover of a killed run, say) is skipped for another.
fn create_temp(target: &Path) -> io::Result<(PathBuf, File)> {
    let mut rng = rand::rng();
    let names = std::iter::repeat_with(move || format!("{:016x}", rng.next_u64()));
    create_temp_named(target, names.take(NAME_ATTEMPTS))
}

/// A new private file beside `target`, named by the first of `suffixes`
/// not taken.
fn create_temp_named(
    target: &Path,
    suffixes: impl IntoIterator<Item = String>,
) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for suffix in suffixes {
        let temp = open::temp_path(target, &suffix)?;
        match open::new_private(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// Writes `len` blanks and flushes them to disk, so the space is the
/// file's before the refresh is sent.
fn reserve(file: &mut File, len: u64) -> io::Result<()> {
    let blanks = [b' '; 4096];
    let mut left = len;
    while left > 0 {
        let chunk = left.min(blanks.len() as u64) as usize;
        file.write_all(&blanks[..chunk])?;
        left -= chunk as u64;
    }
    file.sync_all()
}

impl PreparedSave {
    /// The same save, holding `lock` until it is committed or dropped.
    pub(super) fn holding(mut self, lock: FileLock) -> Self {
        self._lock = Some(lock);
        self
    }

    /// The file that will hold the new credentials until the rename.
    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    /// Writes `credentials` into the reserved file, flushes it, and renames
    /// it over the credentials file.
    ///
    /// If the rename fails the written file is kept, and the error
    /// ([`FileStoreError::NotSaved`]) names it; if even the write fails
    /// the error says the credentials are kept nowhere. Either way the
    /// caller still holds `credentials`: use the token, and tell the user.
    pub fn commit(mut self, credentials: &UserCredentials) -> Result<(), FileStoreError> {
        let Some(mut file) = self.file.take() else {
            let source = io::Error::other("the reserved file is gone");
            return Err(self.error(source, None));
        };
        let mut json = credentials.to_authorized_user_json().into_bytes();
        let written = overwrite(&mut file, &json);
        json.zeroize();
        drop(file);
        if let Err(source) = written {
            // Half written: what is there is no use to anyone.
            let _ = fs::remove_file(&self.temp);
            return Err(self.error(source, None));
        }
        if let Err(source) = fs::rename(&self.temp, &self.target) {
            let kept = Some(self.temp.clone());
            return Err(self.error(source, kept));
        }
        self.temp = PathBuf::new();
        open::sync_directory(open::directory_of(&self.target));
        // The file is now the newest: what earlier runs left is stale.
        leftovers::remove_all(&self.target);
        Ok(())
    }

    fn error(&mut self, source: io::Error, kept: Option<PathBuf>) -> FileStoreError {
        // Drop must not remove what is kept.
        self.temp = PathBuf::new();
        FileStoreError::NotSaved {
            path: self.target.clone(),
            source,
            kept,
        }
    }
}

/// Replaces the reserved blanks with `json`, cuts the rest, and flushes.
fn overwrite(file: &mut File, json: &[u8]) -> io::Result<()> {
    file.rewind()?;
    file.write_all(json)?;
    file.set_len(json.len() as u64)?;
    file.sync_all()
}

impl Drop for PreparedSave {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_is_skipped_for_the_next() {
        let dir = std::env::temp_dir().join(format!("oauth2-sansio-names-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("creds.json");
        fs::write(dir.join(".creds.json.tmp-a"), "left by a killed run").unwrap();

        let (temp, _file) = create_temp_named(&target, ["a".to_owned(), "b".to_owned()]).unwrap();
        assert_eq!(temp, dir.join(".creds.json.tmp-b"));
        let all_taken = create_temp_named(&target, ["a".to_owned(), "b".to_owned()]);
        assert_eq!(all_taken.unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        fs::remove_dir_all(&dir).unwrap();
    }
}
