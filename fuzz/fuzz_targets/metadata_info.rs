//! The metadata server's small text answers (project id, account email,
//! universe domain): any status, flavored or not, any body.
//!
//! Input: one byte (which endpoint; bit 2: the flavor header), two bytes
//! of status, the body.
//! Invariants: no panic; a value only from a flavored 200 (or, for the
//! universe domain, a 404, which means `googleapis.com`); the value is the
//! trimmed UTF-8 body.
#![no_main]

mod support;

use std::time::SystemTime;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::http;
use oauth2_sansio::metadata::{MetadataServer, DEFAULT_UNIVERSE_DOMAIN};
use oauth2_sansio::{Machine, Step};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Some((status, body)) = support::status_and_body(rest) else {
        return;
    };
    let server = MetadataServer::default();
    let mut machine = match which % 3 {
        0 => server.project_id(),
        1 => server.account_email(),
        _ => server.universe_domain(),
    };
    let now = SystemTime::UNIX_EPOCH;
    assert!(matches!(machine.poll(now), Ok(Step::Send(_))));
    let mut response = http::Response::builder().status(status);
    let flavored = which & 4 != 0;
    if flavored {
        response = response.header("Metadata-Flavor", "Google");
    }
    let answered = machine.handle_response(response.body(body.to_vec()).expect("a response"), now);
    match answered.and_then(|()| machine.poll(now)) {
        Ok(Step::Done(value)) => {
            if which % 3 == 2 && status == 404 {
                assert_eq!(value, DEFAULT_UNIVERSE_DOMAIN);
            } else {
                assert!(status == 200 && flavored);
                assert_eq!(value, std::str::from_utf8(body).expect("utf-8").trim());
            }
        }
        Ok(Step::Wait { .. }) => assert!([500, 503, 504, 408, 429].contains(&status)),
        Ok(_) => {}
        Err(e) => support::assert_safe_error(&e, &[], body),
    }
});
