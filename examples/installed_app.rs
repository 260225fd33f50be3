//! An installed app (a desktop or command-line program) that signs the
//! user in once and keeps the credentials on disk. The first run opens the
//! browser (the installed-app runner: a loopback redirect, PKCE, `state`,
//! a refresh token asked for) and saves the credentials; every later run
//! reads them from the file, and the token cache renews the access token
//! when it is stale and writes the renewed credentials back before handing
//! out the token, so a rotated refresh token is never lost.
//!
//! ```text
//! cargo run --example installed_app --features installed,ureq,file-store -- \
//!     client_secrets.json credentials.json [SCOPE ...]
//! ```
//!
//! It prints what it did and until when the token is valid, never the
//! token. Against Google, use a "Desktop app" OAuth client's JSON; against
//! an OpenID server, add the `offline_access` scope.

use std::error::Error;
use std::process::ExitCode;
use std::time::SystemTime;

use oauth2_sansio::cache::SharedToken;
use oauth2_sansio::io::file_store::CredentialsFile;
use oauth2_sansio::io::installed::InstalledAppFlow;
use oauth2_sansio::io::read_client_secrets;
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::{Credentials, CredentialsStore};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const USAGE: &str = "usage: installed_app client_secrets.json credentials.json [SCOPE ...]";
const DEFAULT_SCOPES: [&str; 2] = ["openid", "email"];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("installed_app: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args_os().skip(1);
    let (Some(secrets), Some(saved)) = (args.next(), args.next()) else {
        return Err(USAGE.into());
    };
    let mut scopes = args
        .map(|scope| scope.into_string())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "scopes must be valid UTF-8")?;
    if scopes.is_empty() {
        scopes = DEFAULT_SCOPES.map(String::from).to_vec();
    }
    let file = CredentialsFile::new(saved);

    let credentials = match file.load()? {
        Some(saved) => {
            println!("loaded {}", file.path().display());
            saved
        }
        None => {
            // Fail now, not after the user has signed in.
            file.check_writable()?;
            let client = read_client_secrets(secrets)?.client_builder().build()?;
            let signed_in = InstalledAppFlow::new(client)
                .scopes(scopes)
                .run_with_ureq(&mut rand::rng())?;
            file.save(&signed_in)?;
            println!("signed in; saved to {}", file.path().display());
            signed_in
        }
    };
    let before = credentials.token().cloned();

    // The token cache: one refresh for every thread that asks at once, and
    // each renewal saved to the file before the token is handed out.
    let cache = SharedToken::new(credentials).with_keeper(file.clone());
    let transport = UreqTransport::new();
    let token = cache.token_with(SystemTime::now, |refresh| transport.run(refresh))?;
    if let Some(failure) = cache.keep_failure() {
        eprintln!("warning: {failure}");
    }
    if before.as_ref() != Some(token.bearer()) {
        println!(
            "renewed the access token; saved to {}",
            file.path().display()
        );
    }
    println!(
        "access token valid until {}",
        until(token.bearer().expiry())
    );
    Ok(())
}

/// `2026-11-26T10:00:00Z`, or that the server did not say.
fn until(expiry: Option<SystemTime>) -> String {
    expiry
        .and_then(|expiry| {
            OffsetDateTime::from(expiry)
                .replace_nanosecond(0)
                .ok()?
                .format(&Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "an unknown time (the server gave no expiry)".to_owned())
}
