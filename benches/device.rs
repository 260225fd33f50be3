//! The device authorization grant (RFC 8628), step by step, against the
//! `oauth2` crate 5.x's device flow (`exchange_device_code`,
//! `exchange_device_access_token`).
//!
//! Both sides authenticate the client in the body (`client_secret_post`,
//! oauth2's `AuthType::RequestBody`), so they build the same requests
//! (checked before measuring). Run: `cargo bench --bench device`.
//!
//! - `device_authorization_request_build`: the POST to the device
//!   authorization endpoint.
//! - `device_authorization_response_parse`: Google's answer, parsed and
//!   checked (oauth2: its serde derive, which checks no URL scheme and takes
//!   `interval: null` as 5 s).
//! - `device_authorization_call`: both together, as a caller drives them.
//! - `device_poll_approved`: one poll answered with tokens: request build,
//!   token response parse, credentials.
//! - `device_poll_pending_then_approved`: `authorization_pending`, then
//!   tokens (oauth2's sleep is a no-op; ours is a `Wait` step).
#![forbid(unsafe_code)]

mod common;

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

use common::*;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use oauth2::basic::BasicClient;
use oauth2::StandardDeviceAuthorizationResponse;
use oauth2::{
    AuthType, AuthUrl, DeviceAuthorizationUrl, EndpointNotSet, EndpointSet, HttpRequest,
    HttpResponse, Scope, TokenUrl,
};
use oauth2_sansio::device::{DeviceAuthorizationResponse, DevicePoll};
use oauth2_sansio::google::{GOOGLE_AUTH_URI, GOOGLE_DEVICE_AUTHORIZATION_URI, GOOGLE_TOKEN_URI};
use oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT;
use oauth2_sansio::{Client, ClientAuthMethod, ClientSecret, Machine, Step};

const SCOPES: [&str; 2] = ["openid", "https://www.googleapis.com/auth/userinfo.email"];
const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// Google's device authorization answer, with a device code of its length.
const DEVICE_RESPONSE: &str = r#"{
  "device_code": "AH-1Ng3Qx0rD0v9mV8n3ZkVfB6aL0yTzXwQ7bPp2nC4sE1rUo5hGjKlMnOpQrStUvWxYz0123456789_-AbCdEfGhIjKlMnOpQrStUvWx",
  "expires_in": 1800,
  "interval": 5,
  "user_code": "GQVQ-JKEC",
  "verification_url": "https://www.google.com/device"
}"#;
const PENDING: &str =
    r#"{"error": "authorization_pending","error_description": "Precondition Required"}"#;

fn issued_at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000)
}

/// When the first poll is due (Google's 5-second interval).
fn first_poll() -> SystemTime {
    issued_at() + Duration::from_secs(5)
}

type OAuth2Client =
    BasicClient<EndpointSet, EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

fn sansio_client() -> Client {
    Client::google(CLIENT_ID, Some(ClientSecret::new(CLIENT_SECRET)))
        .auth_method(ClientAuthMethod::ClientSecretPost)
        .build()
        .expect("valid client")
}

fn oauth2_client() -> OAuth2Client {
    BasicClient::new(oauth2::ClientId::new(CLIENT_ID.to_owned()))
        .set_client_secret(oauth2::ClientSecret::new(CLIENT_SECRET.to_owned()))
        .set_auth_uri(AuthUrl::new(GOOGLE_AUTH_URI.to_owned()).expect("valid URL"))
        .set_token_uri(TokenUrl::new(GOOGLE_TOKEN_URI.to_owned()).expect("valid URL"))
        .set_device_authorization_url(
            DeviceAuthorizationUrl::new(GOOGLE_DEVICE_AUTHORIZATION_URI.to_owned())
                .expect("valid URL"),
        )
        .set_auth_type(AuthType::RequestBody)
}

fn oauth2_scopes() -> Vec<Scope> {
    SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect()
}

/// Google's token answer to an approved device: a 218-character access
/// token and a 103-character refresh token.
fn token_response() -> Vec<u8> {
    format!(
        r#"{{
  "access_token": "ya29.{}",
  "expires_in": 3599,
  "refresh_token": "1//0{}",
  "scope": "openid https://www.googleapis.com/auth/userinfo.email",
  "token_type": "Bearer"
}}"#,
        token_chars(213, 4),
        token_chars(99, 5)
    )
    .into_bytes()
}

fn canned(status: u16, body: &[u8]) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(JSON_CONTENT_TYPE),
        )
        .body(body.to_vec())
        .expect("valid response")
}

/// Polls a machine that must send at `now` and returns its request.
fn send_step<M: Machine>(machine: &mut M, now: SystemTime) -> http::Request<Vec<u8>> {
    match machine.poll(now).expect("poll") {
        Step::Send(request) => request,
        _ => panic!("expected Step::Send"),
    }
}

/// Drives a machine that must send at `now`, answers it with `response`,
/// and returns its output.
fn answered<M: Machine>(machine: &mut M, now: SystemTime, response: &HttpResponse) -> M::Output {
    drop(send_step(machine, now));
    machine
        .handle_response(response.clone(), now)
        .expect("a valid answer");
    match machine.poll(now).expect("poll") {
        Step::Done(output) => output,
        _ => panic!("expected Step::Done"),
    }
}

/// An `oauth2` HTTP client that answers every request with `response`.
fn answering(
    response: &HttpResponse,
) -> impl Fn(HttpRequest) -> Result<HttpResponse, NotSent> + '_ {
    move |request| {
        drop(black_box(request));
        Ok(response.clone())
    }
}

/// The device authorization machine of `client`, not yet polled.
fn sansio_call(client: &Client) -> oauth2_sansio::device::DeviceAuthorizationCall {
    client
        .device_authorization()
        .scopes(SCOPES)
        .build()
        .expect("the Google preset has a device endpoint")
}

/// A fresh polling machine: the device authorization driven to its end
/// with Google's answer.
fn sansio_poll(client: &Client) -> DevicePoll {
    let answer = canned(200, DEVICE_RESPONSE.as_bytes());
    answered(&mut sansio_call(client), issued_at(), &answer).into_poll()
}

fn oauth2_details() -> StandardDeviceAuthorizationResponse {
    serde_json::from_str(DEVICE_RESPONSE).expect("valid response")
}

// ------------------------------------------------------------------ groups

fn device_authorization_request_build(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client();
    let scopes = oauth2_scopes();
    let theirs = oauth2_request(|http| {
        oauth2
            .exchange_device_code()
            .add_scopes(scopes.iter().cloned())
            .request::<_, oauth2::EmptyExtraDeviceAuthorizationFields>(&http)
    });
    assert_same_request(&send_step(&mut sansio_call(&client), issued_at()), &theirs);

    let mut group = c.benchmark_group("device_authorization_request_build");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| send_step(&mut sansio_call(black_box(&client)), issued_at()))
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| {
            oauth2
                .exchange_device_code()
                .add_scopes(scopes.iter().cloned())
                .request::<_, oauth2::EmptyExtraDeviceAuthorizationFields>(&refuse)
        })
    });
    group.finish();
}

fn device_authorization_response_parse(c: &mut Criterion) {
    let body = DEVICE_RESPONSE.as_bytes();
    let ours = DeviceAuthorizationResponse::parse(200, body, DEFAULT_RESPONSE_LIMIT)
        .expect("valid response");
    let theirs = oauth2_details();
    assert_eq!(ours.user_code(), theirs.user_code().secret());
    assert_eq!(ours.interval(), theirs.interval());
    assert_eq!(ours.expires_in(), theirs.expires_in());

    let mut group = c.benchmark_group("device_authorization_response_parse");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            DeviceAuthorizationResponse::parse(200, black_box(body), DEFAULT_RESPONSE_LIMIT)
                .expect("valid response")
        })
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| {
            serde_json::from_slice::<StandardDeviceAuthorizationResponse>(black_box(body))
                .expect("valid response")
        })
    });
    group.finish();
}

fn device_authorization_call(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client();
    let scopes = oauth2_scopes();
    let answer = canned(200, DEVICE_RESPONSE.as_bytes());
    let mut group = c.benchmark_group("device_authorization_call");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| answered(&mut sansio_call(&client), issued_at(), &answer))
    });
    group.bench_function("oauth2", |b| {
        let http = answering(&answer);
        b.iter(|| {
            oauth2
                .exchange_device_code()
                .add_scopes(scopes.iter().cloned())
                .request::<_, oauth2::EmptyExtraDeviceAuthorizationFields>(&http)
                .expect("valid response")
        })
    });
    group.finish();
}

fn device_poll_approved(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client();
    let details = oauth2_details();
    let tokens = canned(200, &token_response());
    // Captured from an answered poll: a refused one would be retried (with
    // backoff) until the code expires.
    let captured = std::cell::RefCell::new(None);
    oauth2
        .exchange_device_access_token(&details)
        .request(
            &|request: HttpRequest| -> Result<HttpResponse, NotSent> {
                *captured.borrow_mut() = Some(request);
                Ok(tokens.clone())
            },
            |_| {},
            None,
        )
        .expect("tokens");
    let theirs = captured.into_inner().expect("oauth2 built a request");
    assert_same_request(&send_step(&mut sansio_poll(&client), first_poll()), &theirs);

    let mut group = c.benchmark_group("device_poll_approved");
    group.bench_function("oauth2_sansio", |b| {
        b.iter_batched(
            || sansio_poll(&client),
            |mut poll| answered(&mut poll, first_poll(), &tokens),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("oauth2", |b| {
        let http = answering(&tokens);
        b.iter(|| {
            oauth2
                .exchange_device_access_token(&details)
                .request(&http, |_| {}, None)
                .expect("tokens")
        })
    });
    group.finish();
}

fn device_poll_pending_then_approved(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client();
    let details = oauth2_details();
    let pending = canned(428, PENDING.as_bytes());
    let tokens = canned(200, &token_response());
    let second_poll = first_poll() + Duration::from_secs(5);

    let mut group = c.benchmark_group("device_poll_pending_then_approved");
    group.bench_function("oauth2_sansio", |b| {
        b.iter_batched(
            || sansio_poll(&client),
            |mut poll| {
                drop(send_step(&mut poll, first_poll()));
                poll.handle_response(pending.clone(), first_poll())
                    .expect("pending");
                match poll.poll(first_poll()).expect("poll") {
                    Step::Wait { until, .. } => assert_eq!(until, second_poll),
                    _ => panic!("expected Step::Wait"),
                }
                answered(&mut poll, second_poll, &tokens)
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("oauth2", |b| {
        let approved = Cell::new(false);
        let http = |request: HttpRequest| -> Result<HttpResponse, NotSent> {
            drop(black_box(request));
            Ok(if approved.replace(!approved.get()) {
                tokens.clone()
            } else {
                pending.clone()
            })
        };
        b.iter(|| {
            oauth2
                .exchange_device_access_token(&details)
                .request(&http, |_| {}, None)
                .expect("tokens")
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = device;
    config = config();
    targets = device_authorization_request_build, device_authorization_response_parse,
        device_authorization_call, device_poll_approved, device_poll_pending_then_approved
}
criterion_main!(device);
