//! What the CLI tests share: running the binary, scratch files, and
//! playing the browser.
#![allow(dead_code, unused_imports)]

mod browser;
mod files;
mod process;
mod rotating;
mod user;

use std::time::Duration;

pub use browser::Authorization;
pub use files::{credentials_json, mode, Scratch};
pub use process::{oauth2_sansio, Finished, Running};
pub use rotating::{Outcome, RotatingServer, FIRST_REFRESH_TOKEN};
pub use user::running_as_root;
#[cfg(unix)]
pub use user::unprivileged;

/// Bounds every wait on the binary, so no test can hang.
pub const PATIENCE: Duration = Duration::from_secs(30);
