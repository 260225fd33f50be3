//! The authorization-code flow, step by step, against the `oauth2` crate 5.x.
//!
//! Every group has an `oauth2_sansio` function (this crate) and an `oauth2`
//! function (what an `oauth2` user writes for the same step), plus helper
//! functions that isolate costs (clones, request building) so the ratio in
//! benches/RESULTS.md compares like with like. Run: `cargo bench --bench flow`.
#![forbid(unsafe_code)]

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::code_flow::*;
use common::*;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use oauth2::{AuthType, CsrfToken, HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier};
use oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT;
use oauth2_sansio::{Credentials, Machine, Step, TokenResponse, UserCredentials};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

/// The serde baseline for the authorized_user round trip: the same fields,
/// derived, with no validation.
#[derive(Serialize, Deserialize)]
struct PlainAuthorizedUser {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    refresh_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiry: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quota_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    universe_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
}

/// The sorted parameter names of an authorization URL.
fn query_names(url: &url::Url) -> Vec<String> {
    let mut names: Vec<String> = url.query_pairs().map(|(n, _)| n.into_owned()).collect();
    names.sort();
    names
}

// ------------------------------------------------------------------ groups

fn authorization_url(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client(AuthType::BasicAuth);
    let scopes = oauth2_scopes();
    let mut rng = StdRng::seed_from_u64(7);
    let build_oauth2 = || {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, csrf) = oauth2
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().cloned())
            .set_pkce_challenge(challenge)
            .add_extra_param("access_type", "offline")
            .url();
        (url, csrf, verifier)
    };
    let (ours, _) = client
        .authorization_request(REDIRECT_URI)
        .scopes(SCOPES)
        .build_with_entropy(now(), &ENTROPY)
        .expect("valid request");
    assert_eq!(query_names(ours.url()), query_names(&build_oauth2().0));
    let mut group = c.benchmark_group("authorization_url");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            client
                .authorization_request(black_box(REDIRECT_URI))
                .scopes(SCOPES)
                .build_with_entropy(now(), black_box(&ENTROPY))
                .expect("valid request")
        })
    });
    group.bench_function("oauth2_sansio_seeded_std_rng", |b| {
        b.iter(|| {
            client
                .authorization_request(black_box(REDIRECT_URI))
                .scopes(SCOPES)
                .build(now(), &mut rng)
                .expect("valid request")
        })
    });
    group.bench_function("oauth2", |b| b.iter(build_oauth2));
    group.finish();
}

fn callback_validation(c: &mut Criterion) {
    let client = sansio_client();
    let state = pending(&client).state().secret().to_owned();
    let callback = callback_url(&state);
    let csrf = CsrfToken::new(state);
    let oauth2 = oauth2_client(AuthType::BasicAuth);
    let verifier = pending_verifier(&client);
    let mut group = c.benchmark_group("callback_validation");
    // A PendingAuthorization is single-use (not Clone): each iteration
    // completes a fresh one, made in the untimed setup.
    group.bench_function("oauth2_sansio", |b| {
        b.iter_batched(
            || pending(&client),
            |pending| {
                drop(black_box(
                    pending
                        .complete(&client, black_box(&callback))
                        .expect("valid callback"),
                ));
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| oauth2_validate_callback(black_box(&callback), &csrf).expect("valid callback"))
    });
    // `complete` also builds the token request (CodeExchange::new); this is
    // the same work on the oauth2 side.
    group.bench_function("oauth2_plus_exchange_build", |b| {
        b.iter_batched(
            || PkceCodeVerifier::new(verifier.clone()),
            |verifier| {
                let code =
                    oauth2_validate_callback(black_box(&callback), &csrf).expect("valid callback");
                let result = oauth2_exchange(&oauth2, code, verifier, &refuse);
                assert!(result.is_err());
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn token_request_build(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client(AuthType::BasicAuth);
    let verifier = pending_verifier(&client);
    let mut exchange = sansio_exchange(pending(&client), &client);
    assert_same_request(
        &send_step(&mut exchange),
        &oauth2_request(|http| {
            oauth2_exchange(
                &oauth2,
                oauth2_code(),
                PkceCodeVerifier::new(verifier.clone()),
                &http,
            )
        }),
    );
    let mut group = c.benchmark_group("token_request_build");
    // CodeExchange::new builds the request; `complete_pasted` with a bare
    // code is the shortest public path to it (no state check), and `poll`
    // hands the request out.
    group.bench_function("oauth2_sansio", |b| {
        b.iter_batched(
            || pending(&client),
            |pending| {
                let mut exchange = sansio_exchange(pending, &client);
                drop(black_box(send_step(&mut exchange)));
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("oauth2_sansio_poll_and_drops", |b| {
        b.iter_batched(
            || sansio_exchange(pending(&client), &client),
            |mut exchange| drop(black_box(send_step(&mut exchange))),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("oauth2", |b| {
        b.iter_batched(
            || PkceCodeVerifier::new(verifier.clone()),
            |verifier| {
                let result = oauth2_exchange(&oauth2, oauth2_code(), verifier, &refuse);
                assert!(result.is_err());
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn token_response_parse(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client(AuthType::BasicAuth);
    let verifier = pending_verifier(&client);
    let body = google_token_response();
    let mut group = c.benchmark_group("token_response_parse");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            TokenResponse::parse(200, black_box(&body), DEFAULT_RESPONSE_LIMIT)
                .expect("valid response")
        })
    });
    // `oauth2` parses only inside `request`: the full call (build, canned
    // response, parse) and the same call without the parse, to subtract.
    let respond = |request: HttpRequest| -> Result<HttpResponse, NotSent> {
        drop(black_box(request));
        Ok(canned_response(&body))
    };
    group.bench_function("oauth2", |b| {
        b.iter_batched(
            || PkceCodeVerifier::new(verifier.clone()),
            |verifier| {
                oauth2_exchange(&oauth2, oauth2_code(), verifier, &respond).expect("valid response")
            },
            BatchSize::SmallInput,
        )
    });
    let respond_unparsed = |request: HttpRequest| -> Result<HttpResponse, NotSent> {
        drop(black_box(request));
        drop(black_box(canned_response(&body)));
        Err(NotSent)
    };
    group.bench_function("oauth2_build_and_canned_response_only", |b| {
        b.iter_batched(
            || PkceCodeVerifier::new(verifier.clone()),
            |verifier| {
                let result = oauth2_exchange(&oauth2, oauth2_code(), verifier, &respond_unparsed);
                assert!(result.is_err());
            },
            BatchSize::SmallInput,
        )
    });
    // The same end-to-end step on our side: build, canned response, parse,
    // and the resulting UserCredentials.
    group.bench_function("oauth2_sansio_full_exchange", |b| {
        b.iter_batched(
            || pending(&client),
            |pending| {
                let mut exchange = sansio_exchange(pending, &client);
                drop(black_box(send_step(&mut exchange)));
                exchange
                    .handle_response(canned_response(&body), now())
                    .expect("valid response");
                match exchange.poll(now()).expect("poll") {
                    Step::Done(credentials) => credentials,
                    _ => panic!("expected Step::Done"),
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn refresh_request_build(c: &mut Criterion) {
    let client = sansio_client();
    // What a refresh really starts from: the credentials of a code exchange
    // (access token, 1.2 KB ID token, granted scopes), now stale.
    let credentials = exchanged_credentials(&client, &google_token_response());
    let bare = UserCredentials::from_refresh_token(
        &client,
        credentials
            .refresh_token()
            .expect("has refresh token")
            .clone(),
        SCOPES.iter().map(|s| (*s).to_owned()).collect(),
    );
    // google-auth (and so this crate) sends the client secret in the body
    // on refresh; the oauth2 client is configured to send the same request.
    let oauth2 = oauth2_client(AuthType::RequestBody);
    let refresh_token = oauth2::RefreshToken::new(
        credentials
            .refresh_token()
            .expect("has refresh token")
            .secret()
            .to_owned(),
    );
    let scopes = oauth2_scopes();
    let theirs = oauth2_request(|http| {
        oauth2
            .exchange_refresh_token(&refresh_token)
            .add_scopes(scopes.iter().cloned())
            .request(&http)
    });
    for ours in [&credentials, &bare] {
        assert_same_request(
            &send_step(&mut ours.refresh().expect("refreshable")),
            &theirs,
        );
    }
    let mut group = c.benchmark_group("refresh_request_build");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            let mut refresh = black_box(&credentials).refresh().expect("refreshable");
            drop(black_box(send_step(&mut refresh)));
        })
    });
    group.bench_function("oauth2_sansio_refresh_token_only", |b| {
        b.iter(|| {
            let mut refresh = black_box(&bare).refresh().expect("refreshable");
            drop(black_box(send_step(&mut refresh)));
        })
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| {
            let result = oauth2
                .exchange_refresh_token(black_box(&refresh_token))
                .add_scopes(scopes.iter().cloned())
                .request(&refuse);
            assert!(result.is_err());
        })
    });
    group.finish();
}

fn authorized_user_round_trip(c: &mut Criterion) {
    let json = authorized_user_json();
    let mut group = c.benchmark_group("authorized_user_round_trip");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            UserCredentials::from_authorized_user_json(black_box(&json))
                .expect("valid file")
                .to_authorized_user_json()
        })
    });
    group.bench_function("serde_derive_baseline", |b| {
        b.iter(|| {
            let file: PlainAuthorizedUser =
                serde_json::from_slice(black_box(&json)).expect("valid file");
            serde_json::to_string(&file).expect("serializable")
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
    name = flow;
    config = config();
    targets = authorization_url, callback_validation, token_request_build,
        token_response_parse, refresh_request_build, authorized_user_round_trip
}
criterion_main!(flow);
