//! Refreshes the access token of an `authorized_user` JSON file (what
//! gcloud, google-auth and the `manual_flow` example write) on a tokio
//! runtime, over [`ReqwestTransport`].
//!
//! ```text
//! cargo run --example tokio_refresh --features reqwest,file-store -- path/to/authorized_user.json [--save]
//! ```
//!
//! When the file's access token is not fresh (missing, expired, or within
//! the refresh threshold of its expiry), it asks the file's `token_uri` for
//! a new one. It prints the token's freshness and expiry, never the token.
//! With `--save`, the file is locked, the save prepared before the refresh is
//! sent, and the refreshed credentials replace the file atomically (a
//! private temporary file beside it, then a rename; mode 0600 on Unix).

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use oauth2_sansio::io::file_store::CredentialsFile;
use oauth2_sansio::io::reqwest::ReqwestTransport;
use oauth2_sansio::{Credentials, CredentialsStore, Freshness, UserCredentials};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const USAGE: &str = "usage: tokio_refresh path/to/authorized_user.json [--save]";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match refresh(std::env::args_os().skip(1)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tokio_refresh: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn refresh(args: impl Iterator<Item = std::ffi::OsString>) -> Result<(), Box<dyn Error>> {
    let (path, save) = parse_args(args)?;
    let file = CredentialsFile::new(&path);
    let credentials = file
        .load()?
        .ok_or_else(|| format!("{}: no such file", path.display()))?;
    println!("before: {}", status(&credentials));
    if credentials.freshness(SystemTime::now()) == Freshness::Fresh {
        println!("the access token is fresh: nothing to do");
        return Ok(());
    }

    if !save {
        let refreshed = ReqwestTransport::new()
            .run(credentials.refresh()?, tokio_sleep_until)
            .await?;
        println!("after:  {}", status(&refreshed));
        println!("not saved (pass --save to write the refreshed credentials back)");
        return Ok(());
    }
    // Saving: lock the file, load through the lock (another process may have
    // refreshed), and prepare the save before the request is sent, so a
    // rotated refresh token is never lost to a file that cannot be written.
    let mut lock = file.lock()?;
    let credentials = lock
        .load()?
        .ok_or_else(|| format!("{}: no such file", path.display()))?;
    let prepared = lock.prepare_save()?;
    let refreshed = ReqwestTransport::new()
        .run(credentials.refresh()?, tokio_sleep_until)
        .await?;
    println!("after:  {}", status(&refreshed));
    prepared.commit(&refreshed)?;
    println!("saved to {}", path.display());
    Ok(())
}

fn parse_args(args: impl Iterator<Item = std::ffi::OsString>) -> Result<(PathBuf, bool), String> {
    let mut path = None;
    let mut save = false;
    for arg in args {
        match arg.to_str() {
            Some("--save") => save = true,
            Some("-h" | "--help") => return Err(USAGE.to_owned()),
            Some(flag) if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{USAGE}"))
            }
            _ if path.is_none() => path = Some(PathBuf::from(arg)),
            _ => return Err(USAGE.to_owned()),
        }
    }
    Ok((path.ok_or(USAGE)?, save))
}

/// What `run` awaits for each wait a machine asks for.
fn tokio_sleep_until(until: SystemTime) -> tokio::time::Sleep {
    tokio::time::sleep(until.duration_since(SystemTime::now()).unwrap_or_default())
}

/// The access token's freshness and expiry, e.g.
/// `Fresh, expires 2026-11-26T10:00:00Z (in 3599 s)`.
fn status(credentials: &UserCredentials) -> String {
    let now = SystemTime::now();
    let freshness = credentials.freshness(now);
    let Some(token) = credentials.token() else {
        return format!("{freshness:?}, no access token");
    };
    let Some(expiry) = token.expiry() else {
        return format!("{freshness:?}, no known expiry");
    };
    let when = OffsetDateTime::from(expiry)
        .replace_nanosecond(0)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "an unprintable time".to_owned());
    match expiry.duration_since(now) {
        Ok(left) => format!("{freshness:?}, expires {when} (in {} s)", left.as_secs()),
        Err(past) => format!(
            "{freshness:?}, expired {when} ({} s ago)",
            past.duration().as_secs()
        ),
    }
}
