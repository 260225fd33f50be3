//! Exit codes, and the one-line failure a command ends with.

use std::fmt;
use std::process::ExitCode;

use crate::output::one_line;

/// Success: the token or the credentials were printed or saved.
pub const OK: u8 = 0;
/// An unexpected internal error (a bug in this tool).
pub const INTERNAL: u8 = 1;
/// The command line is wrong (clap's own code for usage errors).
pub const USAGE: u8 = 2;
/// A local problem: the client_secrets or credentials file is missing,
/// unreadable or invalid, it cannot be saved, or the port cannot be used.
pub const LOCAL: u8 = 3;
/// The sign-in did not complete: refused (`access_denied`), a bad
/// callback, or no answer from the browser before the timeout.
pub const SIGN_IN: u8 = 4;
/// The server refused or answered wrongly (`invalid_grant`,
/// `invalid_client`, a broken response); retrying the same will not help.
pub const SERVER: u8 = 5;
/// A temporary failure (network, timeout, server overloaded): try again.
pub const TEMPORARY: u8 = 6;

/// The exit codes as `--help` shows them.
pub const HELP: &str = "\
Exit codes:
  0  success
  1  internal error (a bug in this tool)
  2  usage error (wrong command line)
  3  local problem: client_secrets or credentials file missing, unreadable or
     invalid; credentials cannot be saved; the port cannot be used
  4  sign-in did not complete: access denied, bad callback, or timeout
  5  the server refused or answered wrongly (e.g. invalid_grant: sign in
     again with `oauth2-sansio login`)
  6  temporary failure (network, timeout, server unavailable): try again";

/// Why a command stopped: an exit code and one line for stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// A failure with exit `code`, described by `message` (which must not
    /// contain a secret).
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// `oauth2-sansio: <message>` on one line: control, bidi and invisible
/// characters (newlines included) become spaces, so nothing a server or a
/// path holds can forge another line.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oauth2-sansio: {}", one_line(&self.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_one_prefixed_line() {
        let failure = Failure::new(SERVER, "first\nsecond\r\x1b[31m");
        assert_eq!(failure.to_string(), "oauth2-sansio: first second  [31m");
        assert_eq!(failure.code(), 5);
    }

    #[test]
    fn codes_are_distinct_and_listed_in_the_help() {
        let codes = [OK, INTERNAL, USAGE, LOCAL, SIGN_IN, SERVER, TEMPORARY];
        for (i, code) in codes.iter().enumerate() {
            assert!(!codes[..i].contains(code), "{code} twice");
            assert!(
                HELP.contains(&format!("\n  {code}  ")),
                "{code} not in the help"
            );
        }
    }
}
