//! What the token-cache tests share: times, credentials with a token of a
//! chosen lifetime, token-endpoint answers, and a counting fake endpoint.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::SystemTime;

use oauth2_sansio::cache::{RefreshJob, RefreshTicket};
use oauth2_sansio::{
    drive, Client, ClientSecret, Credentials, Error, RefreshToken, UserCredentials,
};

use crate::world::clock::START_UNIX;
use crate::world::FakeClock;

/// Where every test's clock starts, in Unix seconds: the fake clock's start.
pub const T0: u64 = START_UNIX;

/// `secs` seconds after [`T0`].
pub fn at(secs: u64) -> SystemTime {
    FakeClock::at(secs)
}

/// Signed-in credentials with a refresh token and no access token yet.
pub fn signed_in() -> UserCredentials {
    let client = Client::google("cache-test-client", Some(ClientSecret::new("cache-secret")))
        .build()
        .expect("valid client");
    UserCredentials::from_refresh_token(&client, RefreshToken::new("1//refresh"), vec![])
}

/// A token endpoint's success, with a rotated refresh token when given.
pub fn granted(access: &str, expires_in: u64) -> http::Response<Vec<u8>> {
    http::Response::new(
        format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":{expires_in}}}"#)
            .into_bytes(),
    )
}

/// A success that also rotates the refresh token.
pub fn granted_rotating(access: &str, expires_in: u64, refresh: &str) -> http::Response<Vec<u8>> {
    http::Response::new(
        format!(
            r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":{expires_in},"refresh_token":"{refresh}"}}"#
        )
        .into_bytes(),
    )
}

/// An HTTP 503 with an HTML body (retryable).
pub fn unavailable() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(503)
        .body(b"<html>busy</html>".to_vec())
        .unwrap()
}

/// `invalid_grant` (not retryable: the refresh token was revoked).
pub fn invalid_grant() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(400)
        .body(br#"{"error":"invalid_grant"}"#.to_vec())
        .unwrap()
}

/// Credentials holding `access`, obtained at `now` and living `expires_in`.
pub fn holding(access: &str, expires_in: u64, now: SystemTime) -> UserCredentials {
    let refresh = signed_in().refresh().expect("has a refresh token");
    drive(refresh, || now, |_| Ok(granted(access, expires_in)), |_| {}).expect("refreshed")
}

/// Runs `job` against one `response` at `now`.
pub fn answer(
    job: RefreshJob<UserCredentials>,
    response: http::Response<Vec<u8>>,
    now: SystemTime,
) -> (RefreshTicket, Result<UserCredentials, Error>) {
    let (ticket, machine) = job.into_parts();
    let mut response = Some(response);
    let outcome = drive(
        machine,
        || now,
        |_| Ok(response.take().expect("one request per refresh")),
        |_| {},
    );
    (ticket, outcome)
}

/// The access token's text.
pub fn secret(token: &oauth2_sansio::cache::CachedToken<UserCredentials>) -> &str {
    token.bearer().token().secret()
}

/// A clock the test moves, readable from any thread.
#[derive(Debug, Default)]
pub struct SharedClock(AtomicU64);

impl SharedClock {
    pub fn starting_at(secs: u64) -> Self {
        Self(AtomicU64::new(secs))
    }

    pub fn now(&self) -> SystemTime {
        at(self.0.load(Ordering::SeqCst))
    }

    pub fn set(&self, secs: u64) {
        self.0.store(secs, Ordering::SeqCst);
    }
}

/// A fake token endpoint that counts the requests it gets.
#[derive(Debug, Default)]
pub struct Endpoint {
    requests: AtomicUsize,
}

impl Endpoint {
    /// Counts one request and checks it is a refresh to Google's endpoint.
    pub fn hit(&self, request: &http::Request<Vec<u8>>) {
        assert_eq!(request.uri(), "https://oauth2.googleapis.com/token");
        let body = String::from_utf8_lossy(request.body());
        assert!(body.contains("grant_type=refresh_token"), "{body}");
        self.requests.fetch_add(1, Ordering::SeqCst);
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}
