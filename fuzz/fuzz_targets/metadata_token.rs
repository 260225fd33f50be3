//! Metadata-server answers to a token or ID-token refresh: the machines
//! driven through their public API, each request answered with any status,
//! flavor header or not, and any body, or a transport failure.
//!
//! Input: per answer, one byte of shape (bit 0: the flavor header; bit 1:
//! a transport failure instead; bit 2: ask for an ID token), two bytes of
//! status, two bytes of body length, the body.
//! Invariants: no panic; at most five requests; waits only after a
//! retried answer (500, 503, 504, 408, 429 or a failure); a token only from
//! a flavored 200; error messages hold no unsafe characters.
#![no_main]

mod support;

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::http;
use oauth2_sansio::metadata::{MetadataCredentials, MetadataIdTokenCredentials, MetadataServer};
use oauth2_sansio::{
    AnyCredentials, Credentials, Machine, Step, TransportFailure, TransportFailureKind,
};

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let credentials = if first & 4 == 0 {
        AnyCredentials::Metadata(
            MetadataCredentials::new(MetadataServer::default()).with_scopes(["s"]),
        )
    } else {
        AnyCredentials::MetadataIdToken(MetadataIdTokenCredentials::new(
            MetadataServer::default(),
            "https://svc.example",
        ))
    };
    let mut machine = credentials.refresh().expect("metadata refreshes build");
    let mut now = SystemTime::UNIX_EPOCH;
    let mut sent = 0;
    let mut shape = first;
    for _ in 0..16 {
        match machine.poll(now) {
            Ok(Step::Send(request)) => {
                sent += 1;
                assert!(sent <= 5, "at most five attempts");
                assert_eq!(request.headers()["metadata-flavor"], "Google");
                let Some((status, body, tail)) = answer(rest) else {
                    return;
                };
                rest = tail;
                let result = if shape & 2 != 0 {
                    let failure = TransportFailure::new(TransportFailureKind::Connect, "down");
                    machine.handle_transport_failure(failure, now)
                } else {
                    let mut response = http::Response::builder().status(status);
                    if shape & 1 != 0 {
                        response = response.header("Metadata-Flavor", "Google");
                    }
                    machine.handle_response(response.body(body.to_vec()).expect("a response"), now)
                };
                if let Err(e) = result {
                    support::assert_safe_error(&e, &[], body);
                    return;
                }
                shape = rest.first().copied().unwrap_or(0);
                rest = rest.get(1..).unwrap_or(&[]);
            }
            Ok(Step::Wait { until, .. }) => {
                assert!(until > now && until <= now + Duration::from_secs(8));
                now = until;
            }
            Ok(Step::Done(credentials)) => {
                assert!(credentials.token().is_some());
                return;
            }
            Ok(_) => return,
            Err(e) => {
                support::assert_safe_error(&e, &[], b"");
                return;
            }
        }
    }
});

/// The status (100..=599), the body and what follows.
fn answer(data: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    let (head, rest) = data.split_first_chunk::<4>()?;
    let status = 100 + u16::from_be_bytes([head[0], head[1]]) % 500;
    let length = usize::from(u16::from_be_bytes([head[2], head[3]])).min(rest.len());
    let (body, tail) = rest.split_at(length);
    Some((status, body, tail))
}
