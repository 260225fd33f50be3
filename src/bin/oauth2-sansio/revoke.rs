//! `revoke`: revokes the refresh token of an authorized_user file (and with
//! it the grant), then removes the file.

use std::path::PathBuf;

use clap::Args;
use url::Url;

use crate::diagnose::code_of;
use crate::exit::{Failure, LOCAL, USAGE};
use crate::output;
use crate::store::{lock, locked_load};
use oauth2_sansio::io::file_store::CredentialsFile;
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::parse_endpoint;
use oauth2_sansio::ConfigError;
use oauth2_sansio::CredentialsStore;
use oauth2_sansio::Error;
use oauth2_sansio::UserCredentials;

/// `revoke --help`.
pub const HELP: &str = "\
Revokes the refresh token of an authorized_user JSON file at the server's
revocation endpoint (RFC 7009), which also ends the access tokens of the same
sign-in, then REMOVES the file: it holds nothing usable any more.

The endpoint is Google's (https://oauth2.googleapis.com/revoke) for a file
whose token_uri is Google's; for any other server, give --revocation-endpoint.

If the server says the token is already invalid (Google: invalid_token), the
file is removed too. On any other failure the file is left exactly as it was,
so the command can be run again.";

/// `revoke`'s options.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The authorized_user JSON to revoke and then remove
    #[arg(long, value_name = "PATH")]
    pub credentials: PathBuf,

    /// The server's revocation endpoint (default: Google's, for a file whose token_uri is Google's)
    #[arg(long, value_name = "URL")]
    pub revocation_endpoint: Option<String>,
}

/// Revokes the file's refresh token, then removes the file.
pub fn revoke(args: RevokeArgs) -> Result<(), Failure> {
    let file = CredentialsFile::new(&args.credentials);
    let missing = || {
        Failure::new(
            LOCAL,
            format!(
                "{} does not exist: nothing to revoke",
                file.path().display()
            ),
        )
    };
    // Checked before the lock is taken, so a mistyped path or endpoint
    // leaves nothing behind.
    let stored = file
        .load()
        .map_err(|e| Failure::new(LOCAL, format!("{e}; give the file `login --save` wrote")))?
        .ok_or_else(missing)?;
    endpoint(&args, &stored)?;
    // Through the lock: a run killed mid-refresh may have left newer ones.
    let mut lock = lock(&file)?;
    let credentials = locked_load(&mut lock, missing)?;
    let endpoint = endpoint(&args, &credentials)?;
    let revocation = credentials
        .revoke_refresh_token(&endpoint)
        .map_err(|e| Failure::new(LOCAL, format!("{}: {e}", file.path().display())))?;
    match UreqTransport::new().run(revocation) {
        Ok(()) => {}
        Err(Error::OAuth(e)) if e.code().as_str() == "invalid_token" => output::note(
            "the server says the refresh token is already invalid (expired or revoked)",
        ),
        Err(e) => {
            return Err(Failure::new(
                code_of(&e),
                format!(
                    "revoking the refresh token failed, {} is unchanged: {e}",
                    file.path().display()
                ),
            ))
        }
    }
    // The file and any temporary copies: none holds anything usable now.
    if let Err(e) = lock.remove() {
        return Err(Failure::new(
            LOCAL,
            format!("the refresh token is revoked, but removing the file failed: {e}; delete it yourself"),
        ));
    }
    output::note(&format!("revoked; removed {}", file.path().display()));
    Ok(())
}

/// `--revocation-endpoint` (https, or http on loopback), else the one the
/// credentials imply.
fn endpoint(args: &RevokeArgs, credentials: &UserCredentials) -> Result<Url, Failure> {
    match &args.revocation_endpoint {
        Some(url) => parse_endpoint(url, "--revocation-endpoint", false).map_err(|e| {
            let problem = match e {
                ConfigError::InsecureEndpoint { .. } => {
                    "must use https (http only on 127.0.0.1, [::1] or localhost)"
                }
                _ => "must be an absolute URL without a fragment",
            };
            Failure::new(USAGE, format!("--revocation-endpoint {problem}"))
        }),
        None => credentials.revocation_endpoint().ok_or_else(|| {
            Failure::new(
                USAGE,
                format!(
                    "{} is not for Google (its token_uri is {}): give the server's --revocation-endpoint URL",
                    args.credentials.display(),
                    credentials.token_uri()
                ),
            )
        }),
    }
}
