//! The `oauth2-sansio` command-line tool (feature `cli`), modelled on
//! `google-oauthlib-tool` and `gcloud auth print-access-token`:
//!
//! ```text
//! oauth2-sansio login --client-secrets client_secrets.json \
//!     --scope openid --scope email [--no-browser] [--port N] \
//!     [--save credentials.json] [--timeout SECS] [--login-hint EMAIL]
//! oauth2-sansio login --device [--device-endpoint URL] --client-secrets FILE \
//!     --scope openid [--save credentials.json]
//! oauth2-sansio login --issuer URL [--par] [--dpop] --client-secrets FILE \
//!     --scope openid --scope offline_access [--save credentials.json]
//! oauth2-sansio token --credentials credentials.json
//! oauth2-sansio revoke --credentials credentials.json [--revocation-endpoint URL]
//! ```
//!
//! - `login` runs the installed-app flow
//!   ([`InstalledAppFlow`](oauth2_sansio::io::installed::InstalledAppFlow):
//!   a listener on `http://127.0.0.1:PORT/`, PKCE, `state`,
//!   `prompt=consent` and `access_type=offline` so that a refresh token
//!   comes back) and writes the credentials as authorized_user JSON, to
//!   `--save PATH` (mode 0600, replaced atomically) or to stdout. The URL
//!   is printed on stderr; the browser is the one the `BROWSER` environment
//!   variable names, else the system's, or none with `--no-browser`.
//!   With `--device` it runs the device flow (RFC 8628) instead: the
//!   verification URL and the user code are printed on stderr, to be
//!   entered on any other device, and the tool polls until the sign-in is
//!   done (exit 4 if refused or expired). The device endpoint is Google's
//!   for a Google client_secrets.json, else `--device-endpoint URL`.
//! - `token` prints the file's access token on stdout, followed by a
//!   newline, and nothing else. A stale or expired token is refreshed at the
//!   file's `token_uri` first and the file replaced atomically; a failed
//!   refresh or a broken response leaves the file exactly as it was.
//! - `revoke` revokes the file's refresh token (RFC 7009; Google's endpoint
//!   for Google files, else `--revocation-endpoint`) and then **removes**
//!   the file; an answer that the token is already invalid removes it too,
//!   any other failure leaves it untouched.
//!
//! # Pointing it at a server
//!
//! `login` reads a `client_secrets.json` naming the client and the server.
//!
//! - **Google**: in the Google Cloud console (APIs & Services >
//!   Credentials), create an OAuth client ID of type *Desktop app* and
//!   download its JSON. Desktop clients accept any
//!   `http://127.0.0.1:PORT/` redirect, so nothing needs registering.
//! - **Any other OAuth 2.0 server**: register a client allowed to use the
//!   redirect URI `http://127.0.0.1:PORT/` (fix the port with `--port` if
//!   the server compares it exactly) and write the file by hand with that
//!   server's endpoints:
//!
//!   ```json
//!   {"installed": {"client_id": "my-app", "client_secret": "...",
//!                  "auth_uri": "https://as.example/authorize",
//!                  "token_uri": "https://as.example/token"}}
//!   ```
//!
//!   Leave out `client_secret` for a public client (PKCE is always used).
//!   OpenID Connect servers issue a refresh token only for the
//!   `offline_access` scope.
//!
//! # Exit codes and messages
//!
//! A failure is one line on stderr, `oauth2-sansio: <what went wrong and
//! what to do>`, without secrets, and one of these exit codes:
//!
//! | code | meaning |
//! | ---- | ------- |
//! | 0 | success |
//! | 1 | internal error (a bug in this tool) |
//! | 2 | usage error (wrong command line) |
//! | 3 | local problem: client_secrets or credentials file missing, unreadable or invalid; credentials cannot be saved; the port cannot be used |
//! | 4 | sign-in did not complete: access denied, bad callback, or timeout |
//! | 5 | the server refused or answered wrongly (`invalid_grant`: sign in again with `oauth2-sansio login`) |
//! | 6 | temporary failure (network, timeout, server unavailable): try again |
//!
//! Only two things ever reach stdout: the access token `token` exists to
//! print, and the credentials `login` prints when there is no `--save`.
//!
//! It uses only the library's public API.

#![forbid(unsafe_code)]

mod args;
mod device;
mod diagnose;
mod discover;
mod exit;
mod login;
mod output;
mod revoke;
mod store;
mod token;
mod verify;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Runs the tool on the process's arguments; the exit code says how it
/// went (see the crate documentation).
fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` go to stdout with code 0, usage
            // errors to stderr with code 2.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(exit::USAGE));
        }
    };
    let done = match cli.command {
        Command::Login(args) => login::login(args),
        Command::Token(args) => token::token(args),
        Command::Revoke(args) => revoke::revoke(args),
        Command::VerifyIdToken(args) => verify::verify_id_token(args),
    };
    match done {
        Ok(()) => ExitCode::from(exit::OK),
        Err(failure) => {
            let _ = writeln!(io::stderr(), "{failure}");
            failure.exit_code()
        }
    }
}
