//! What the CLI tests share: running the binary, scratch files, and
//! playing the browser.
#![allow(dead_code, unused_imports)]

mod browser;
mod files;
mod process;

use std::time::Duration;

pub use browser::Authorization;
pub use files::{credentials_json, mode, Scratch};
pub use process::{oauth2_sansio, Finished, Running};

/// Bounds every wait on the binary, so no test can hang.
pub const PATIENCE: Duration = Duration::from_secs(30);
