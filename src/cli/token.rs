//! `token`: the access token from an authorized_user file, refreshed (and
//! the file replaced) when it is stale.

use std::path::Path;
use std::time::SystemTime;

use super::args::TokenArgs;
use super::diagnose::token_request_failed;
use super::exit::{Failure, INTERNAL, LOCAL};
use super::output;
use crate::credentials::UserCredentials;
use crate::expiry::Freshness;
use crate::store::CredentialsStore;
use crate::transport::file_store::CredentialsFile;
use crate::transport::ureq::UreqTransport;

/// Prints a valid access token.
pub(crate) fn token(args: TokenArgs) -> Result<(), Failure> {
    let file = CredentialsFile::new(&args.credentials);
    let mut credentials = load(&file)?;
    if credentials.freshness(SystemTime::now()) != Freshness::Fresh {
        // One refresh at a time per file: a concurrent run holding the lock
        // may refresh first, so read the file again once it is ours.
        let _lock = file
            .lock()
            .map_err(|e| Failure::new(LOCAL, format!("cannot lock the credentials file: {e}")))?;
        credentials = load(&file)?;
        if credentials.freshness(SystemTime::now()) != Freshness::Fresh {
            credentials = refresh_and_save(&file, &credentials)?;
        }
    }
    let token = credentials
        .token()
        .ok_or_else(|| Failure::new(INTERNAL, "the refreshed credentials hold no access token"))?;
    output::result(token.token().secret())
}

/// The credentials in `file`.
fn load(file: &CredentialsFile) -> Result<UserCredentials, Failure> {
    match file.load() {
        Ok(Some(credentials)) => Ok(credentials),
        Ok(None) => Err(Failure::new(
            LOCAL,
            format!(
                "{} does not exist; sign in first with {}",
                file.path().display(),
                login_command(file.path())
            ),
        )),
        Err(e) => Err(Failure::new(
            LOCAL,
            format!(
                "{e}; give the file `login --save` wrote, or sign in again with {}",
                login_command(file.path())
            ),
        )),
    }
}

/// Refreshes the access token and replaces `file` with the new credentials.
/// On any failure the file is left as it was.
fn refresh_and_save(
    file: &CredentialsFile,
    credentials: &UserCredentials,
) -> Result<UserCredentials, Failure> {
    let on_invalid_grant = format!(" with {}", login_command(file.path()));
    let failed =
        |e| token_request_failed("refreshing the access token failed", &e, &on_invalid_grant);
    let refresh = credentials.refresh().map_err(failed)?;
    let refreshed = UreqTransport::new().run(refresh).map_err(failed)?;
    file.save(&refreshed).map_err(|e| {
        Failure::new(
            LOCAL,
            format!("saving the refreshed credentials failed, the file is unchanged: {e}"),
        )
    })?;
    Ok(refreshed)
}

/// The `login` command that writes `path`.
fn login_command(path: &Path) -> String {
    format!(
        "`oauth2-sansio login --client-secrets FILE --scope SCOPE --save {}`",
        path.display()
    )
}
