//! `token`: the access token from an authorized_user file, refreshed (and
//! the file replaced) when it is stale, without ever losing the refresh
//! token the server rotated.

use std::path::Path;
use std::time::SystemTime;

use crate::args::TokenArgs;
use crate::diagnose::token_request_failed;
use crate::exit::{Failure, INTERNAL, LOCAL};
use crate::output;
use crate::store::{lock, locked_load, warn_if_shared};
use oauth2_sansio::io::file_store::{CredentialsFile, FileLock};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::CredentialsStore;
use oauth2_sansio::UserCredentials;
use oauth2_sansio::{Credentials, Freshness};

/// Prints a valid access token.
pub fn token(args: TokenArgs) -> Result<(), Failure> {
    let file = CredentialsFile::new(&args.credentials);
    warn_if_shared(&file);
    let mut credentials = load(&file)?;
    if credentials.freshness(SystemTime::now()) != Freshness::Fresh {
        // One refresh at a time per file: a concurrent run holding the lock
        // may refresh first, so load again once it is ours.
        let mut lock = lock(&file)?;
        credentials = locked_load(&mut lock, || missing(&file))?;
        if credentials.freshness(SystemTime::now()) != Freshness::Fresh {
            credentials = refresh_and_save(&mut lock, &credentials)?;
        }
    }
    let token = credentials
        .token()
        .ok_or_else(|| Failure::new(INTERNAL, "the refreshed credentials hold no access token"))?;
    output::result(token.token().secret())
}

/// The credentials in `file`, read without the lock.
fn load(file: &CredentialsFile) -> Result<UserCredentials, Failure> {
    match file.load() {
        Ok(Some(credentials)) => Ok(credentials),
        Ok(None) => Err(missing(file)),
        Err(e) => Err(Failure::new(
            LOCAL,
            format!(
                "{e}; give the file `login --save` wrote, or sign in again with {}",
                login_command(file.path())
            ),
        )),
    }
}

fn missing(file: &CredentialsFile) -> Failure {
    Failure::new(
        LOCAL,
        format!(
            "{} does not exist; sign in first with {}",
            file.path().display(),
            login_command(file.path())
        ),
    )
}

/// Refreshes the access token and replaces the file with the new
/// credentials. The save is prepared before the request is sent, so a
/// directory or disk that cannot take it stops the refresh while the stored
/// refresh token still works; once the server has answered, the new
/// credentials are kept even if they cannot replace the file.
fn refresh_and_save(
    lock: &mut FileLock<'_>,
    credentials: &UserCredentials,
) -> Result<UserCredentials, Failure> {
    let path = lock.file().path().to_owned();
    let save = match lock.prepare_save() {
        Ok(save) => save,
        Err(e) => return unrefreshed(credentials, &path, &e),
    };
    let on_invalid_grant = format!(" with {}", login_command(&path));
    let failed =
        |e| token_request_failed("refreshing the access token failed", &e, &on_invalid_grant);
    let refresh = credentials.refresh().map_err(failed)?;
    let refreshed = UreqTransport::new().run(refresh).map_err(failed)?;
    if let Err(e) = save.commit(&refreshed) {
        if e.kept().is_none() {
            // The token is good for its lifetime; the grant may be lost.
            if let Some(token) = refreshed.token() {
                output::result(token.token().secret())?;
            }
            return Err(Failure::new(
                LOCAL,
                format!(
                    "the access token printed was refreshed, but {e}: sign in again with {}",
                    login_command(&path)
                ),
            ));
        }
        output::note(&format!("warning: the access token was refreshed, but {e}"));
    }
    Ok(refreshed)
}

/// When the refreshed credentials could not be saved, nothing was sent:
/// a token still valid is used as it is, with a warning; an expired one
/// cannot be.
fn unrefreshed(
    credentials: &UserCredentials,
    path: &Path,
    error: &oauth2_sansio::io::file_store::FileStoreError,
) -> Result<UserCredentials, Failure> {
    let why = format!(
        "the access token was not refreshed, since the new credentials could not be saved \
         ({error}); {} is unchanged and its refresh token still works: make its directory \
         writable",
        path.display()
    );
    if credentials.freshness(SystemTime::now()) == Freshness::Stale {
        output::note(&format!("warning: {why}"));
        return Ok(credentials.clone());
    }
    Err(Failure::new(LOCAL, why))
}

/// The `login` command that writes `path`.
pub(super) fn login_command(path: &Path) -> String {
    format!(
        "`oauth2-sansio login --client-secrets FILE --scope SCOPE --save {}`",
        path.display()
    )
}
