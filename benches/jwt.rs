//! Service-account JWTs and `private_key_jwt` client assertions: building
//! and signing one against ring's bare RSA signature over the same bytes
//! (the target: within 5 % of it), and parsing the token endpoint's
//! answers. Run: `cargo bench --bench jwt`;
//! figures in benches/RESULTS-jwt.md.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use criterion::{criterion_group, criterion_main, BatchSize, Bencher, Criterion};
use oauth2_sansio::jwt::{encode, Claims, RingSigner, Signer};
use oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT;
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::{
    Client, ClientAssertionKey, ClientAuthMethod, ClientSecret, Credentials, Machine, Step,
    TokenResponse,
};
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};

const KEY_JSON: &[u8] = include_bytes!("../tests/fixtures/service_account/service_account.json");
const PKCS8: &str = include_str!("../tests/fixtures/service_account/rsa2048_pkcs8.pem");
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn credentials() -> ServiceAccountCredentials {
    ServiceAccountCredentials::from_json(KEY_JSON)
        .expect("the test key file")
        .with_scopes([SCOPE])
}

/// The PKCS#8 DER inside the PEM, for ring's own parser.
fn pkcs8_der() -> Vec<u8> {
    use base64::Engine;
    let body: String = PKCS8.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64")
}

fn assertion(c: &mut Criterion) {
    let creds = credentials();
    let signer = RingSigner::from_pem(PKCS8, Some("0123456789abcdef".into())).expect("key");
    let claims = creds.assertion_claims(now());
    let jwt = encode(&signer, &claims).expect("signs");
    let signing_input = jwt
        .secret()
        .rsplit_once('.')
        .expect("three segments")
        .0
        .to_owned();

    let ring_key = RsaKeyPair::from_pkcs8(&pkcs8_der()).expect("ring reads the key");
    let rng = SystemRandom::new();

    let mut group = c.benchmark_group("assertion");
    group.bench_function("ring_sign_same_bytes", |b| {
        b.iter(|| ring_sign(&ring_key, &rng, black_box(signing_input.as_bytes())))
    });
    group.bench_function("claims_and_encode", |b| {
        b.iter(|| {
            let claims = black_box(&creds).assertion_claims(black_box(now()));
            encode(&signer, &claims).expect("signs")
        })
    });
    group.bench_function("refresh_first_poll_request", |b| {
        b.iter(
            || match black_box(&creds).refresh().unwrap().poll(black_box(now())) {
                Ok(Step::Send(request)) => request,
                _ => unreachable!("the first poll sends"),
            },
        )
    });
    group.bench_function("claims_and_encode_without_signing", |b| {
        b.iter(|| {
            let claims = black_box(&creds).assertion_claims(black_box(now()));
            encode(&NoSignature, &claims).expect("encodes")
        })
    });
    group.finish();

    // The same two operations alternating in every iteration, each timed
    // in its own benchmark: load from other processes hits both alike.
    let ring_alone = || ring_sign(&ring_key, &rng, black_box(signing_input.as_bytes()));
    let crate_sign = || {
        let claims = black_box(&creds).assertion_claims(black_box(now()));
        encode(&signer, &claims).expect("signs")
    };
    let mut paired = c.benchmark_group("assertion_paired");
    paired.bench_function("ring_sign_same_bytes", |b| {
        b.iter_custom(|iters| alternate(iters, &ring_alone, &crate_sign))
    });
    paired.bench_function("claims_and_encode", |b| {
        b.iter_custom(|iters| alternate(iters, &crate_sign, &ring_alone))
    });
    paired.finish();
}

/// ring alone: the RS256 signature of `input`.
fn ring_sign(key: &RsaKeyPair, rng: &SystemRandom, input: &[u8]) -> Vec<u8> {
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(&RSA_PKCS1_SHA256, rng, input, &mut signature)
        .expect("signs");
    signature
}

/// Runs `timed` and `other` in turn `iters` times; returns the time spent
/// in `timed` alone.
fn alternate<A, B>(iters: u64, timed: &dyn Fn() -> A, other: &dyn Fn() -> B) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        black_box(timed());
        total += start.elapsed();
        black_box(other());
    }
    total
}

/// A signer returning a fixed 256-byte "signature": isolates the JSON and
/// base64 work from the RSA operation.
struct NoSignature;

impl Signer for NoSignature {
    fn algorithm(&self) -> oauth2_sansio::jwt::Algorithm {
        oauth2_sansio::jwt::Algorithm::Rs256
    }
    fn key_id(&self) -> Option<&str> {
        Some("0123456789abcdef")
    }
    fn sign(&self, _: &[u8]) -> Result<Vec<u8>, oauth2_sansio::jwt::SignError> {
        Ok(vec![0x5a; 256])
    }
}

fn responses(c: &mut Criterion) {
    // Google's service-account access tokens are about a kilobyte.
    let access_token = format!("ya29.c.{}", "b0AXv0zTO".repeat(112));
    let access_body =
        format!(r#"{{"access_token":"{access_token}","expires_in":3599,"token_type":"Bearer"}}"#);
    let signer = RingSigner::from_pem(PKCS8, Some("google-key".into())).expect("key");
    let id_token_claims = Claims::new("https://accounts.google.com", now())
        .with_audience("https://my-service-abc123-uc.a.run.app")
        .with_subject("100000000000000000001")
        .with_claim(
            "email",
            "test-sa@oauth2-sansio-tests.iam.gserviceaccount.com",
        )
        .expect("not reserved");
    let id_token = encode(&signer, &id_token_claims).expect("signs");
    let id_body = format!(r#"{{"id_token":"{}"}}"#, id_token.secret());

    let mut group = c.benchmark_group("token_response");
    group.bench_function("TokenResponse_parse_access_token", |b| {
        b.iter(|| {
            TokenResponse::parse(
                200,
                black_box(access_body.as_bytes()),
                DEFAULT_RESPONSE_LIMIT,
            )
        })
    });
    let creds = credentials();
    group.bench_function("ServiceAccountRefresh_response_and_done", |b| {
        answer_and_finish(b, || creds.refresh().unwrap(), &access_body)
    });
    let id_creds = creds.id_token_credentials("https://my-service-abc123-uc.a.run.app");
    group.bench_function("IdTokenRefresh_response_and_done", |b| {
        answer_and_finish(b, || id_creds.refresh().unwrap(), &id_body)
    });
    group.finish();
}

/// `private_key_jwt`: a client assertion against ring's bare signature over
/// the same bytes, and the whole authenticated request against the same
/// grant with a client secret.
fn client_assertion(c: &mut Criterion) {
    let signer = Arc::new(RingSigner::from_pem(PKCS8, Some("client-key-1".into())).expect("key"));
    let key = ClientAssertionKey::with_seed(signer, [7; 32]);
    let builder = || {
        Client::builder("my-client")
            .authorization_endpoint("https://as.example/authorize")
            .token_endpoint("https://as.example/token")
            .issuer("https://as.example")
    };
    let jwt_client = builder()
        .private_key_jwt(key.clone())
        .build()
        .expect("valid");
    let secret_client = builder()
        .client_secret(ClientSecret::new("a-client-secret"))
        .auth_method(ClientAuthMethod::ClientSecretPost)
        .build()
        .expect("valid");
    let jwt = key
        .sign("my-client", "https://as.example", now())
        .expect("signs");
    let signing_input = jwt
        .secret()
        .rsplit_once('.')
        .expect("three segments")
        .0
        .to_owned();
    let ring_key = RsaKeyPair::from_pkcs8(&pkcs8_der()).expect("ring reads the key");
    let rng = SystemRandom::new();
    let first_poll = |client: &Client| match client
        .client_credentials()
        .build()
        .expect("valid")
        .poll(black_box(now()))
    {
        Ok(Step::Send(request)) => request,
        _ => unreachable!("the first poll sends"),
    };

    let mut group = c.benchmark_group("client_assertion");
    group.bench_function("ring_sign_same_bytes", |b| {
        b.iter(|| ring_sign(&ring_key, &rng, black_box(signing_input.as_bytes())))
    });
    group.bench_function("ClientAssertionKey_sign", |b| {
        b.iter(|| key.sign("my-client", "https://as.example", black_box(now())))
    });
    group.bench_function("client_credentials_first_poll_private_key_jwt", |b| {
        b.iter(|| first_poll(&jwt_client))
    });
    group.bench_function("client_credentials_first_poll_client_secret_post", |b| {
        b.iter(|| first_poll(&secret_client))
    });
    group.finish();
}

/// Times `handle_response(body)` and the final `poll` of a machine from
/// `make`, its first poll (the signature) done in the untimed setup.
fn answer_and_finish<M: Machine>(b: &mut Bencher<'_>, make: impl Fn() -> M, body: &str) {
    b.iter_batched(
        || {
            let mut machine = make();
            let _ = machine.poll(now());
            machine
        },
        |mut machine| {
            let response = http::Response::new(body.as_bytes().to_vec());
            machine.handle_response(response, now()).expect("accepted");
            machine.poll(now()).expect("done")
        },
        BatchSize::SmallInput,
    )
}

criterion_group!(benches, assertion, client_assertion, responses);
criterion_main!(benches);
