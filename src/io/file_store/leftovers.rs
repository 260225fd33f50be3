//! Temporary files earlier runs left beside the credentials file: a run
//! killed after writing new credentials but before renaming them into
//! place, a rename that failed, a prepared save never committed. Only
//! looked at while holding the lock, when no other run can be writing one.

use std::fs::{self, Metadata};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::error::FileStoreError;
use super::open;
use super::{read_authorized_user, CredentialsFile};
use crate::credentials::UserCredentials;

/// A temporary file that holds whole credentials.
struct Leftover {
    path: PathBuf,
    credentials: UserCredentials,
    modified: SystemTime,
}

/// The newest credentials for `store`: its file's, or a leftover's that is
/// newer and for the same client (put in place over the file now, if the
/// directory allows). Leftovers not taken are removed.
pub(super) fn recover(store: &CredentialsFile) -> Result<Option<UserCredentials>, FileStoreError> {
    let current = store.read()?;
    let mut best: Option<Leftover> = None;
    for path in temp_files(store.path()) {
        let Some(found) = whole(&path) else {
            let _ = fs::remove_file(&path);
            continue;
        };
        let takes_over = match &current {
            Some((credentials, metadata)) => {
                same_grant(&found.credentials, credentials) && found.modified >= modified(metadata)
            }
            None => true,
        };
        let newest = best.as_ref().is_none_or(|b| found.modified >= b.modified);
        if takes_over && newest {
            if let Some(older) = best.replace(found) {
                let _ = fs::remove_file(older.path);
            }
        } else {
            let _ = fs::remove_file(&found.path);
        }
    }
    let Some(newer) = best else {
        return Ok(current.map(|(credentials, _)| credentials));
    };
    // If the directory still refuses the rename, the leftover stays for a
    // later run and its credentials are used meanwhile.
    if fs::rename(&newer.path, store.path()).is_ok() {
        open::sync_directory(open::directory_of(store.path()));
    }
    Ok(Some(newer.credentials))
}

/// Removes every temporary file beside `target`.
pub(super) fn remove_all(target: &Path) {
    for path in temp_files(target) {
        let _ = fs::remove_file(path);
    }
}

/// The temporary files named after `target` in its directory.
fn temp_files(target: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(open::directory_of(target)) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| open::is_temp_name(target, &entry.file_name()))
        .map(|entry| entry.path())
        .collect()
}

/// The whole, private credentials at `path`, or `None` for anything else:
/// a link, a half-written or blank file, one others may read.
fn whole(path: &Path) -> Option<Leftover> {
    let file = open::read_only(path).ok()??;
    let (credentials, metadata) = read_authorized_user(file, path).ok()?;
    if !metadata.is_file() || is_shared(&metadata) {
        return None;
    }
    Some(Leftover {
        path: path.to_owned(),
        credentials,
        modified: modified(&metadata),
    })
}

/// Whether two sets of credentials come from one client at one server.
fn same_grant(a: &UserCredentials, b: &UserCredentials) -> bool {
    a.client_id() == b.client_id() && a.token_uri() == b.token_uri()
}

fn modified(metadata: &Metadata) -> SystemTime {
    metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH)
}

fn is_shared(metadata: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        metadata.permissions().mode() & 0o077 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}
