//! `token`: an access or ID token from Application Default Credentials or a
//! file. An authorized_user file the caller names is refreshed (and
//! replaced) when stale, without ever losing the refresh token the server
//! rotated.

use std::path::Path;
use std::time::SystemTime;

use oauth2_sansio::adc::{Adc, AdcSource, DefaultCredentials, FileRead};
use oauth2_sansio::io::adc::{process_environment, read_file};
use oauth2_sansio::io::subject_token::with_process_sources;
use oauth2_sansio::metadata::MetadataIdTokenCredentials;
use oauth2_sansio::{AnyCredentials, BearerToken};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zeroize::Zeroize;

use crate::args::{Format, TokenArgs};
use crate::diagnose::token_request_failed;
use crate::exit::{Failure, INTERNAL, LOCAL};
use crate::output;
use crate::store::{lock, locked_load, warn_if_shared};
use oauth2_sansio::io::file_store::{CredentialsFile, FileLock};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::CredentialsStore;
use oauth2_sansio::UserCredentials;
use oauth2_sansio::{Credentials, Freshness};

/// Prints a valid access token (or ID token).
pub fn token(args: TokenArgs) -> Result<(), Failure> {
    let search = Adc::new(process_environment()).with_scopes(args.scopes.iter().cloned());
    let found = match &args.credentials {
        Some(path) => {
            let found = credentials_in(&search, path)?;
            if matches!(found.credentials(), AnyCredentials::User(_)) && !args.id_token {
                let credentials = user_file_token(path)?;
                let token = credentials.token().ok_or_else(no_token)?;
                let dpop = credentials.dpop_key().is_some();
                return print(token, dpop, found.source(), &args);
            }
            found
        }
        None => UreqTransport::new()
            .find_default_credentials(search)
            .map_err(|e| Failure::new(LOCAL, e.to_string()))?,
    };
    let source = found.source().clone();
    let credentials = match &args.audience {
        Some(audience) if args.id_token => id_token_credentials(found, audience)?,
        // A file named by --credentials is read here, not by the io
        // runner, so its external account's sources are attached here.
        _ => with_process_sources(found.into_credentials()),
    };
    let credentials = fresh(credentials, &source)?;
    let token = credentials.token().ok_or_else(no_token)?;
    print(token, credentials.dpop_key().is_some(), &source, &args)
}

/// The credentials in the file at `path`, of any type ADC reads.
fn credentials_in(search: &Adc, path: &Path) -> Result<DefaultCredentials, Failure> {
    let unreadable = |problem: String| {
        Failure::new(
            LOCAL,
            format!(
                "{} cannot be read ({problem}); give a credentials file, or sign in with {}",
                path.display(),
                login_command(path)
            ),
        )
    };
    match read_file(path) {
        FileRead::Bytes(mut bytes) => {
            let found = search.credentials_in(path, &bytes);
            bytes.zeroize();
            found.map_err(|e| Failure::new(LOCAL, e.to_string()))
        }
        FileRead::NotFound => Err(missing(&CredentialsFile::new(path))),
        FileRead::Failed(problem) => Err(unreadable(problem)),
        _ => Err(unreadable("unknown".to_owned())),
    }
}

/// ID-token credentials for `audience` of the same account.
fn id_token_credentials(
    found: DefaultCredentials,
    audience: &str,
) -> Result<AnyCredentials, Failure> {
    let quota = found.quota_project().map(str::to_owned);
    let impersonated = match found.credentials() {
        AnyCredentials::ServiceAccount(account) => {
            return Ok(AnyCredentials::IdToken(
                account.id_token_credentials(audience),
            ))
        }
        AnyCredentials::Metadata(metadata) => {
            return Ok(AnyCredentials::MetadataIdToken(
                MetadataIdTokenCredentials::new(metadata.server().clone(), audience)
                    .with_quota_project(quota),
            ))
        }
        AnyCredentials::Impersonated(impersonated) => Some(Ok(impersonated.clone())),
        AnyCredentials::External(external) => external.impersonated(),
        _ => None,
    };
    match impersonated {
        Some(Ok(impersonated)) => Ok(AnyCredentials::ImpersonatedIdToken(
            impersonated.id_token_credentials(audience),
        )),
        Some(Err(e)) => Err(Failure::new(LOCAL, format!("{}: {e}", found.source()))),
        None => Err(Failure::new(
            LOCAL,
            format!(
                "ID tokens come from a service account (a key, the metadata server or \
                 impersonation), and the credentials from {} are {}; use a service-account \
                 key, impersonate one, or run on Google Cloud",
                found.source(),
                match found.credentials() {
                    AnyCredentials::User(_) => "a user's",
                    _ => "of a kind that has none",
                }
            ),
        )),
    }
}

/// `credentials` refreshed first if their token is not fresh.
fn fresh(credentials: AnyCredentials, source: &AdcSource) -> Result<AnyCredentials, Failure> {
    if credentials.freshness(SystemTime::now()) == Freshness::Fresh {
        return Ok(credentials);
    }
    let failed = |e| {
        token_request_failed(
            &format!("getting a token from {source} failed"),
            &e,
            "; sign in again",
        )
    };
    let refresh = credentials.refresh().map_err(failed)?;
    UreqTransport::new().run(refresh).map_err(failed)
}

/// Prints `token` (DPoP-bound with `dpop`) as `args.format` says.
fn print(
    token: &BearerToken,
    dpop: bool,
    source: &AdcSource,
    args: &TokenArgs,
) -> Result<(), Failure> {
    match args.format {
        Format::Text => output::result(token.token().secret()),
        Format::Json => {
            let expiry = token.expiry().map(|expiry| {
                OffsetDateTime::from(expiry)
                    .replace_nanosecond(0)
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                    .format(&Rfc3339)
                    .unwrap_or_default()
            });
            let name = if args.id_token {
                "id_token"
            } else {
                "access_token"
            };
            let object = serde_json::json!({
                name: token.token().secret(),
                "token_type": if dpop { "DPoP" } else { "Bearer" },
                "expiry": expiry,
                "source": source.name(),
            });
            output::result(&object.to_string())
        }
    }
}

fn no_token() -> Failure {
    Failure::new(INTERNAL, "the refreshed credentials hold no token")
}

/// The access token of the authorized_user file at `path`, refreshed and
/// saved first when stale.
fn user_file_token(path: &Path) -> Result<UserCredentials, Failure> {
    let file = CredentialsFile::new(path);
    warn_if_shared(&file);
    let mut credentials = load(&file)?;
    if credentials.freshness(SystemTime::now()) != Freshness::Fresh {
        // One refresh at a time per file: a concurrent run holding the lock
        // may refresh first, so load again once it is ours.
        let mut lock = lock(&file)?;
        credentials = locked_load(&mut lock, || missing(&file))?;
        if credentials.freshness(SystemTime::now()) != Freshness::Fresh {
            credentials = refresh_and_save(lock, &credentials)?;
        }
    }
    Ok(credentials)
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
    lock: FileLock,
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
