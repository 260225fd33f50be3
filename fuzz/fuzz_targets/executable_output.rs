//! An `executable` source's output (stdout or `output_file`):
//! `executable_output` on any bytes.
//!
//! Invariants: no panic; a token read is never empty; error messages are
//! safe to show and never hold the token fields' values.
#![no_main]

mod support;

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::external::executable_output;

fuzz_target!(|data: &[u8]| {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    match executable_output(data, now) {
        Ok(token) => assert!(!token.token.secret().is_empty()),
        Err(e) => support::assert_safe_error(&e, &[], data),
    }
});
