//! The bad-input tally (issue 18's figures): every parser of untrusted
//! input in the catalogue of docs/security.md is fed inputs derived
//! deterministically from valid seeds (see `derive`), each under
//! `catch_unwind`. The test asserts no panic, no secret of a seed (nor its
//! first eight characters) in any error's `Display` or `Debug`, and that
//! every input the parser's rules say must be refused is refused; with
//! `--nocapture` it prints one line per parser and the total.
//!
//! Secret values are distinctive (`...badinput...`) so that a match is
//! never a coincidence.

mod callback;
mod derive;
mod device;
mod discovery;
#[cfg(feature = "ring")]
mod dpop;
mod files;
mod json;
mod jwt;
mod loopback;
mod metadata;
mod pending;
mod responses;
mod tally;

use std::time::{Duration, SystemTime};

use oauth2_sansio::{Error, Machine, Step};

use tally::Tally;

pub const CLIENT_SECRET: &str = "GOCSPX-CSbadinput-2kPq9xVw";
pub const ACCESS_TOKEN: &str = "ya29.ATbadinput-a0Zx7Tq3Lm";
pub const REFRESH_TOKEN: &str = "1//RTbadinput-Qw8e5Rt6Yu";
pub const ROTATED_REFRESH_TOKEN: &str = "1//NRbadinput-Zx3c4Vb5Nm";
pub const DEVICE_CODE: &str = "DCbadinput-Ghp7Lk2Jd9";
pub const CODE: &str = "4/0AbCDbadinput-Xy1Zw2Vu3";

/// The response bound given to every machine and response parser: small,
/// so that crossing it is cheap.
pub const RESPONSE_LIMIT: usize = 16 * 1024;

/// What the machines' clocks read.
pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// Drives a fresh one-request machine to its request, answers it with
/// `status` and `body`, and polls again.
pub fn answered<M: Machine>(
    mut machine: M,
    response: http::response::Builder,
    body: &[u8],
) -> Result<Step<M::Output>, Error> {
    match machine.poll(now()) {
        Ok(Step::Send(_)) => {}
        other => panic!("a fresh machine sends first, got {:?}", other.map(|_| ())),
    }
    let response = response.body(body.to_vec()).expect("a valid response");
    machine.handle_response(response, now())?;
    machine.poll(now())
}

/// An answer with `status`.
pub fn status(status: u16) -> http::response::Builder {
    http::Response::builder().status(status)
}

#[test]
fn bad_inputs() {
    let started = std::time::Instant::now();
    let families = [
        callback::tallies,
        loopback::tallies,
        responses::tallies,
        device::tallies,
        files::tallies,
        discovery::tallies,
        pending::tallies,
        jwt::tallies,
        metadata::tallies,
        #[cfg(feature = "ring")]
        dpop::tallies,
    ];
    let mut tallies = Vec::new();
    let mut total = Tally::new("total");
    for family in families {
        for tally in family() {
            println!("{:<30} {}", tally.name, tally.line());
            total.add(&tally);
            tallies.push(tally);
        }
    }
    println!("{}", total.line());
    println!("(in {:.1} s)", started.elapsed().as_secs_f64());
    let failures: Vec<String> = tallies
        .iter()
        .flat_map(|t| t.failures.iter().map(move |f| format!("{}: {f}", t.name)))
        .collect();
    assert_eq!(total.panics, 0, "panics: {failures:#?}");
    assert_eq!(total.leaks, 0, "secrets shown: {failures:#?}");
    assert_eq!(total.wrongly_accepted, 0, "accepted: {failures:#?}");
    assert!(failures.is_empty(), "{failures:#?}");
}
