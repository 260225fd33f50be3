//! Revocation, introspection, the client credentials grant, token exchange
//! and discovery: each request build and response parse, beside the
//! `oauth2` crate 5.x where it does the same step (it has no token exchange
//! and no discovery: those groups have a `serde_json` baseline instead).
//! Run: `cargo bench --bench rfc`.
//!
//! `oauth2` builds requests only inside `request(http_client)`; its builds
//! are measured with an HTTP client that captures the request and refuses
//! to send it. It parses JSON answers with serde after checking the status
//! and content type; its parse is measured as that `serde_json` call.
#![forbid(unsafe_code)]

mod common;

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use common::*;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use oauth2::basic::{BasicClient, BasicTokenIntrospectionResponse, BasicTokenResponse};
use oauth2::{
    AuthType, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IntrospectionUrl,
    RevocationUrl, Scope, StandardRevocableToken, TokenUrl,
};
use oauth2_sansio::discovery::{AuthorizationServerMetadata, DiscoveryRequest, WellKnown};
use oauth2_sansio::google::{GOOGLE_REVOKE_URI, GOOGLE_STS_URI, GOOGLE_TOKEN_URI};
use oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT;
use oauth2_sansio::token_exchange::{token_types, TokenExchangeRequest};
use oauth2_sansio::{
    AccessToken, Client, ClientSecret, IntrospectionResponse, Machine, RefreshToken, SecurityToken,
    Step,
};

const INTROSPECTION_URI: &str = "https://as.example.com/oauth2/introspect";
const SCOPES: [&str; 2] = [
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/pubsub",
];
const AUDIENCE: &str = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/pool/providers/github";

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000)
}

fn access_token() -> String {
    format!("ya29.{}", token_chars(213, 4))
}

fn refresh_token() -> String {
    format!("1//0{}", token_chars(99, 5))
}

// ---------------------------------------------------------------- fixtures

type OAuth2Client =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointSet, EndpointSet, EndpointSet>;

fn sansio_client() -> Client {
    Client::google(CLIENT_ID, Some(ClientSecret::new(CLIENT_SECRET)))
        .introspection_endpoint(INTROSPECTION_URI)
        .build()
        .expect("valid client")
}

fn oauth2_client() -> OAuth2Client {
    BasicClient::new(oauth2::ClientId::new(CLIENT_ID.to_owned()))
        .set_client_secret(oauth2::ClientSecret::new(CLIENT_SECRET.to_owned()))
        .set_token_uri(TokenUrl::new(GOOGLE_TOKEN_URI.to_owned()).expect("valid URL"))
        .set_revocation_url(RevocationUrl::new(GOOGLE_REVOKE_URI.to_owned()).expect("valid URL"))
        .set_introspection_url(
            IntrospectionUrl::new(INTROSPECTION_URI.to_owned()).expect("valid URL"),
        )
        .set_auth_type(AuthType::BasicAuth)
}

/// Polls a machine that must send first and returns its request.
fn send_step<M: Machine>(machine: &mut M) -> http::Request<Vec<u8>> {
    match machine.poll(now()).expect("poll") {
        Step::Send(request) => request,
        _ => panic!("expected Step::Send"),
    }
}

/// Hands `body` to a machine that has sent, and returns its output.
fn answered<M: Machine>(mut machine: M, body: &[u8]) -> M::Output {
    let response = http::Response::builder()
        .status(200)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .expect("valid response");
    machine
        .handle_response(response, now())
        .expect("valid response");
    match machine.poll(now()).expect("poll") {
        Step::Done(output) => output,
        _ => panic!("expected Step::Done"),
    }
}

/// A machine that has sent its request.
fn sent<M: Machine>(mut machine: M) -> M {
    drop(send_step(&mut machine));
    machine
}

/// An introspection answer of the size real servers send (Keycloak-like).
fn introspection_body() -> Vec<u8> {
    format!(
        r#"{{"active":true,"scope":"openid email profile","client_id":"{CLIENT_ID}","username":"jdoe@example.com",
"token_type":"Bearer","exp":1764003600,"iat":1764000000,"nbf":1764000000,"sub":"f1b4c6a2-93f5-4b7e-8d2a-0c7a5e9b1d34",
"aud":["https://api.example.com","account"],"iss":"https://as.example.com","jti":"{}","acr":"1","sid":"{}"}}"#,
        token_chars(36, 6),
        token_chars(36, 7)
    )
    .into_bytes()
}

fn client_credentials_body() -> Vec<u8> {
    format!(
        r#"{{"access_token":"{}","expires_in":3599,"token_type":"Bearer","scope":"{}"}}"#,
        access_token(),
        SCOPES.join(" ")
    )
    .into_bytes()
}

fn sts_body() -> Vec<u8> {
    format!(
        r#"{{"access_token":"{}","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3599}}"#,
        access_token()
    )
    .into_bytes()
}

/// Google's OpenID configuration, as served.
const GOOGLE_DISCOVERY: &str = include_str!("../tests/fixtures/google_openid_configuration.json");

// ------------------------------------------------------------------ groups

fn revocation(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client();
    let ours_token = RefreshToken::new(refresh_token());
    let theirs_token = oauth2::RefreshToken::new(refresh_token());
    let oauth2_revoke = |http: &dyn Fn(HttpRequest) -> Result<HttpResponse, NotSent>| {
        oauth2
            .revoke_token(StandardRevocableToken::RefreshToken(theirs_token.clone()))
            .expect("https endpoint")
            .request(&http)
    };
    let mut revoke = client.revoke(&ours_token).expect("endpoint");
    assert_same_request(&send_step(&mut revoke), &oauth2_request(oauth2_revoke));

    let mut group = c.benchmark_group("revocation_request_build");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            let mut revoke = client.revoke(black_box(&ours_token)).expect("endpoint");
            send_step(&mut revoke)
        })
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| assert!(oauth2_revoke(&refuse).is_err()))
    });
    group.finish();

    // Build, a canned 200, and its handling: oauth2 reads only the status.
    let ok = || {
        http::Response::builder()
            .status(200)
            .body(Vec::new())
            .expect("valid response")
    };
    let mut group = c.benchmark_group("revocation_round_trip");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            let mut revoke = sent(client.revoke(black_box(&ours_token)).expect("endpoint"));
            revoke.handle_response(ok(), now()).expect("200");
            matches!(revoke.poll(now()), Ok(Step::Done(())))
        })
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| {
            oauth2_revoke(&|request| {
                drop(black_box(request));
                Ok(ok())
            })
            .expect("200")
        })
    });
    group.finish();
}

fn introspection(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client();
    let ours_token = AccessToken::new(access_token());
    let theirs_token = oauth2::AccessToken::new(access_token());
    let oauth2_introspect = |http: &dyn Fn(HttpRequest) -> Result<HttpResponse, NotSent>| {
        oauth2
            .introspect(&theirs_token)
            .set_token_type_hint("access_token")
            .request(&http)
    };
    let mut introspect = client.introspect(&ours_token).expect("endpoint");
    assert_same_request(
        &send_step(&mut introspect),
        &oauth2_request(oauth2_introspect),
    );

    let mut group = c.benchmark_group("introspection_request_build");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            let mut introspect = client.introspect(black_box(&ours_token)).expect("endpoint");
            send_step(&mut introspect)
        })
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| assert!(oauth2_introspect(&refuse).is_err()))
    });
    group.finish();

    let body = introspection_body();
    let ours = IntrospectionResponse::parse(200, &body, DEFAULT_RESPONSE_LIMIT).expect("valid");
    let theirs: BasicTokenIntrospectionResponse = serde_json::from_slice(&body).expect("valid");
    assert!(ours.is_active() && oauth2::TokenIntrospectionResponse::active(&theirs));
    let mut group = c.benchmark_group("introspection_response_parse");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            IntrospectionResponse::parse(200, black_box(&body), DEFAULT_RESPONSE_LIMIT)
                .expect("valid")
        })
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| {
            serde_json::from_slice::<BasicTokenIntrospectionResponse>(black_box(&body))
                .expect("valid")
        })
    });
    group.finish();
}

fn client_credentials(c: &mut Criterion) {
    let client = sansio_client();
    let oauth2 = oauth2_client();
    let scopes: Vec<Scope> = SCOPES.iter().map(|s| Scope::new((*s).to_owned())).collect();
    let oauth2_grant = |http: &dyn Fn(HttpRequest) -> Result<HttpResponse, NotSent>| {
        oauth2
            .exchange_client_credentials()
            .add_scopes(scopes.iter().cloned())
            .request(&http)
    };
    let grant = || {
        client
            .client_credentials()
            .scopes(SCOPES)
            .build()
            .expect("valid")
    };
    assert_same_request(&send_step(&mut grant()), &oauth2_request(oauth2_grant));

    let mut group = c.benchmark_group("client_credentials_request_build");
    group.bench_function("oauth2_sansio", |b| b.iter(|| send_step(&mut grant())));
    group.bench_function("oauth2", |b| {
        b.iter(|| assert!(oauth2_grant(&refuse).is_err()))
    });
    group.finish();

    // Ours: the token response rules and the ClientCredentials (expiry,
    // freshness settings) made from it.
    let body = client_credentials_body();
    let mut group = c.benchmark_group("client_credentials_response_parse");
    group.bench_function("oauth2_sansio", |b| {
        b.iter_batched(
            || sent(grant()),
            |machine| answered(machine, black_box(&body)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("oauth2", |b| {
        b.iter(|| serde_json::from_slice::<BasicTokenResponse>(black_box(&body)).expect("valid"))
    });
    group.finish();
}

fn token_exchange(c: &mut Criterion) {
    let subject = format!(
        "{}.{}.{}",
        token_chars(36, 1),
        token_chars(420, 2),
        token_chars(342, 3)
    );
    let exchange = || {
        TokenExchangeRequest::new(
            GOOGLE_STS_URI,
            SecurityToken::new(black_box(subject.as_str())),
            token_types::JWT,
        )
        .audience(AUDIENCE)
        .scopes(["https://www.googleapis.com/auth/cloud-platform"])
        .requested_token_type(token_types::ACCESS_TOKEN)
        .build()
        .expect("valid")
    };
    let mut group = c.benchmark_group("token_exchange_request_build");
    group.bench_function("oauth2_sansio", |b| b.iter(|| send_step(&mut exchange())));
    group.finish();

    let body = sts_body();
    let mut group = c.benchmark_group("token_exchange_response_parse");
    group.bench_function("oauth2_sansio", |b| {
        b.iter_batched(
            || sent(exchange()),
            |machine| answered(machine, black_box(&body)),
            BatchSize::SmallInput,
        )
    });
    let n_a = String::from_utf8(body.clone())
        .expect("UTF-8")
        .replace("\"Bearer\"", "\"N_A\"")
        .into_bytes();
    group.bench_function("oauth2_sansio_n_a", |b| {
        b.iter_batched(
            || sent(exchange()),
            |machine| answered(machine, black_box(&n_a)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).expect("valid"))
    });
    group.finish();
}

fn discovery(c: &mut Criterion) {
    let issuer = "https://accounts.google.com";
    let mut group = c.benchmark_group("discovery_request_build");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            let mut discovery =
                DiscoveryRequest::new(black_box(issuer), WellKnown::OpenIdConfiguration)
                    .build()
                    .expect("valid issuer");
            send_step(&mut discovery)
        })
    });
    group.finish();

    let body = GOOGLE_DISCOVERY.as_bytes();
    let mut group = c.benchmark_group("discovery_document_parse");
    group.bench_function("oauth2_sansio", |b| {
        b.iter(|| {
            AuthorizationServerMetadata::parse(issuer, 200, black_box(body), DEFAULT_RESPONSE_LIMIT)
                .expect("valid")
        })
    });
    group.bench_function("oauth2_sansio_with_client", |b| {
        b.iter(|| {
            AuthorizationServerMetadata::parse(issuer, 200, black_box(body), DEFAULT_RESPONSE_LIMIT)
                .expect("valid")
                .client_builder(CLIENT_ID)
                .build()
                .expect("valid client")
        })
    });
    group.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)).expect("valid"))
    });
    group.finish();
}

criterion_group!(
    benches,
    revocation,
    introspection,
    client_credentials,
    token_exchange,
    discovery
);
criterion_main!(benches);
