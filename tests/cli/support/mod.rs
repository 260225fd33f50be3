//! What the CLI tests share: running the binary, scratch files, playing
//! the browser, a rotating token endpoint, and finding every process a
//! run started.

mod browser;
mod files;
#[cfg(all(feature = "ring", target_os = "linux"))]
pub mod marked_processes;
mod process;
mod rotating;
mod user;

use std::time::Duration;

pub use browser::Authorization;
pub use files::{credentials_json, expiry_in, mode, Scratch, PAST};
pub use process::{example, oauth2_sansio, Finished, Running};
pub use rotating::{Outcome, RotatingServer, FIRST_REFRESH_TOKEN};
#[cfg(unix)]
pub use user::unprivileged;

/// Bounds every wait on the binary, so no test can hang.
pub const PATIENCE: Duration = Duration::from_secs(30);
