//! What can stop the installed-app flow, each case saying what to do.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::error::config::ConfigError;
use crate::error::Error;
use crate::flows::code::callback::CallbackError;

/// Why [`InstalledAppFlow::run`](super::InstalledAppFlow::run) stopped
/// without credentials. No message contains a secret.
#[derive(Debug)]
#[non_exhaustive]
pub enum InstalledAppError {
    /// The loopback listener could not be opened: the port is busy, needs
    /// privileges, or the address does not exist on this machine.
    Bind {
        /// The address the flow tried to listen on.
        addr: SocketAddr,
        /// What the operating system said.
        source: io::Error,
    },
    /// No genuine callback arrived before the timeout.
    Timeout {
        /// How long the flow waited.
        waited: Duration,
    },
    /// The browser came back with this authorization's `state` but no code:
    /// the user or the server refused (`access_denied`, ...).
    Callback(CallbackError),
    /// Pushing the authorization request (RFC 9126) failed.
    Push(Error),
    /// The code exchange at the token endpoint failed.
    Exchange(Error),
    /// The issuer's key set could not be fetched to verify the ID token.
    Keys(Error),
    /// The ID token of an `openid` sign-in is missing or refused: the
    /// credentials are not handed over.
    #[cfg(feature = "ring")]
    IdToken(crate::jwt::verify::IdTokenError),
    /// The flow's or the client's configuration cannot be used.
    Config(ConfigError),
    /// A local IO operation failed.
    Io {
        /// What the flow was doing.
        during: &'static str,
        /// What the operating system said.
        source: io::Error,
    },
}

impl fmt::Display for InstalledAppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bind { addr, source } => match source.kind() {
                io::ErrorKind::AddrInUse => write!(
                    f,
                    "port {} on {} is already in use; choose another port, or port 0 to let the system pick a free one",
                    addr.port(),
                    addr.ip()
                ),
                io::ErrorKind::PermissionDenied => write!(
                    f,
                    "not allowed to listen on {addr} (ports below 1024 need privileges); use port 0 or a port above 1023"
                ),
                io::ErrorKind::AddrNotAvailable => write!(
                    f,
                    "{} is not available on this machine; use the IPv4 loopback 127.0.0.1 instead",
                    addr.ip()
                ),
                _ => write!(f, "cannot listen on {addr}: {source}"),
            },
            Self::Timeout { waited } => write!(
                f,
                "the browser did not come back with the sign-in result within {} s; \
                 run the sign-in again and complete it in the browser (or allow more time)",
                waited.as_secs()
            ),
            Self::Callback(e) => write!(f, "the sign-in did not complete: {e}"),
            Self::Push(e) => write!(f, "pushing the authorization request failed: {e}"),
            Self::Exchange(e) => write!(f, "exchanging the authorization code failed: {e}"),
            Self::Keys(e) => write!(f, "fetching the issuer's keys to verify the ID token failed: {e}"),
            #[cfg(feature = "ring")]
            Self::IdToken(e) => write!(f, "the sign-in is refused: {e}"),
            Self::Config(e) => write!(f, "{e}"),
            Self::Io { during, source } => write!(f, "{during} failed: {source}"),
        }
    }
}

impl std::error::Error for InstalledAppError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Bind { source, .. } | Self::Io { source, .. } => Some(source),
            Self::Callback(e) => Some(e),
            Self::Push(e) | Self::Exchange(e) | Self::Keys(e) => Some(e),
            #[cfg(feature = "ring")]
            Self::IdToken(e) => Some(e),
            Self::Config(e) => Some(e),
            Self::Timeout { .. } => None,
        }
    }
}

impl From<ConfigError> for InstalledAppError {
    fn from(e: ConfigError) -> Self {
        Self::Config(e)
    }
}

/// Why the browser could not be opened. Never fatal to the flow: the
/// printed URL still works.
#[derive(Debug)]
#[non_exhaustive]
pub enum BrowserError {
    /// The URL is not `http` or `https` (a `file:`, `javascript:` or
    /// custom-scheme URL could run code); nothing was started.
    UnsupportedUrl,
    /// The browser program could not be started.
    Spawn {
        /// The program (from `BROWSER`, the platform default, or the caller).
        program: String,
        /// What the operating system said.
        source: io::Error,
    },
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnsupportedUrl => {
                f.write_str("only http and https URLs are opened in the browser")
            }
            Self::Spawn { program, source } => {
                write!(f, "cannot start the browser {program:?}: {source}")
            }
        }
    }
}

impl std::error::Error for BrowserError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Spawn { source, .. } => Some(source),
            Self::UnsupportedUrl => None,
        }
    }
}
