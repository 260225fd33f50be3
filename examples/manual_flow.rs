//! The manual ("copy and paste") sign-in of Google's OAuth 2.0 guide for
//! installed apps: open a URL, approve, paste back where the browser landed.
//!
//! ```text
//! cargo run --example manual_flow --features ureq -- path/to/client_secrets.json [scope ...] > authorized_user.json
//! ```
//!
//! 1. Reads `client_secrets.json` (a Desktop app's, from the Cloud console)
//!    and builds the client from it.
//! 2. Prints the authorization URL (with `state`, PKCE S256,
//!    `access_type=offline` and `prompt=consent`, so that Google returns a
//!    refresh token every time). Scopes default to `openid email`.
//! 3. Reads one line: the address the browser was sent to, its query
//!    string, or the bare code.
//! 4. Exchanges the code over [`UreqTransport`] and prints the credentials
//!    as google-auth's `authorized_user` JSON on stdout.
//!
//! Everything but that JSON goes to stderr, so stdout can be redirected to a
//! file. The JSON holds the refresh token and the client secret: keep the
//! file private.
//!
//! **Redirect URI.** Google retired the out-of-band redirect
//! (`urn:ietf:wg:oauth:2.0:oob`) in 2022. The manual flow now redirects to a
//! loopback address where nothing listens: the browser shows a "cannot
//! connect" page, but its address bar holds `code` and `state`, which the
//! user copies. The example uses the first http(s) redirect URI of the file
//! (`http://localhost` for Desktop clients); when the file has none, it uses
//! `http://127.0.0.1:8080/`, since Google accepts any loopback port for
//! Desktop clients, RFC 8252 §8.3 prefers the IP literal to `localhost`, and
//! 8080 is google-auth-oauthlib's default port.

use std::ffi::OsString;
use std::io::{BufRead, Read};
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use oauth2_sansio::io::read_client_secrets;
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::limits::CALLBACK_LIMIT;
use rand::rngs::SysRng;
use rand::TryRng;
use zeroize::Zeroize;

const USAGE: &str = "usage: manual_flow path/to/client_secrets.json [scope ...]";
const DEFAULT_SCOPES: [&str; 2] = ["openid", "email"];
const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8080/";

fn main() -> ExitCode {
    match sign_in(std::env::args_os().skip(1).collect()) {
        Ok(authorized_user_json) => {
            println!("{authorized_user_json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("manual_flow: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the flow; the error is one line for the user.
fn sign_in(args: Vec<OsString>) -> Result<String, String> {
    let (path, scopes) = match args.split_first() {
        Some((path, scopes)) if !path.is_empty() => (Path::new(path), scopes),
        _ => return Err(USAGE.to_owned()),
    };
    let mut scopes = scopes
        .iter()
        .map(|s| s.to_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or("scopes must be valid UTF-8")?;
    if scopes.is_empty() {
        scopes = DEFAULT_SCOPES.map(String::from).to_vec();
    }

    let secrets = read_client_secrets(path).map_err(|e| e.to_string())?;
    let client = secrets
        .client_builder()
        .build()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let redirect_uri = secrets
        .redirect_uris()
        .iter()
        .find(|uri| uri.starts_with("http://") || uri.starts_with("https://"))
        .map_or(DEFAULT_REDIRECT_URI, String::as_str);

    let mut entropy = [0u8; 64];
    SysRng
        .try_fill_bytes(&mut entropy)
        .map_err(|e| format!("cannot get random bytes from the operating system: {e}"))?;
    let built = client
        .authorization_request(redirect_uri)
        .scopes(scopes)
        .prompt("consent")
        .build_with_entropy(SystemTime::now(), &entropy);
    entropy.zeroize();
    let (url, pending) = built.map_err(|e| e.to_string())?;

    eprintln!("Please visit this URL to authorize this application:\n\n    {url}\n");
    eprintln!(
        "Your browser is then sent to {redirect_uri}, which may fail to load: that is expected.\n\
         Paste the full address from its address bar (or just the code) and press Enter:"
    );
    let mut pasted = String::new();
    std::io::stdin()
        .lock()
        .take(CALLBACK_LIMIT as u64 + 2)
        .read_line(&mut pasted)
        .map_err(|e| format!("cannot read the pasted address: {e}"))?;
    let completed = pending.complete_pasted(&client, pasted.trim());
    pasted.zeroize();
    let exchange = completed.map_err(|e| e.to_string())?;

    let credentials = UreqTransport::new()
        .run(exchange)
        .map_err(|e| e.to_string())?;
    if credentials.refresh_token().is_none() {
        eprintln!(
            "warning: the server sent no refresh token; these credentials cannot be refreshed"
        );
    }
    let missing = credentials.missing_scopes();
    if !missing.is_empty() {
        eprintln!("warning: scopes not granted: {}", missing.join(" "));
    }
    Ok(credentials.to_authorized_user_json())
}
