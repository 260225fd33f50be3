//! The `oauth2-sansio` binary and the examples as subprocesses: `--help`, `token`, `login`
//! and `revoke` against canned servers on 127.0.0.1, `token` from
//! Application Default Credentials (real files, a loopback metadata
//! fake), durability when the disk refuses or the run is killed, and the
//! tool against the real oidc-provider (with headless Chromium as the
//! browser), which needs the interop setup: `bash scripts/interop-setup.sh`.
#![forbid(unsafe_code)]

mod support;

mod adc;
#[cfg(unix)]
mod durability;
mod examples;
#[cfg(all(feature = "ring", target_os = "linux"))]
mod interop;
#[cfg(feature = "ring")]
mod interop_device;
mod revoke;
mod token_and_login;
#[cfg(feature = "ring")]
mod verify_id_token;
