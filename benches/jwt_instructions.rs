//! Instruction counts of an RS256 assertion, for a comparison that the
//! load of a shared machine cannot blur (benches/RESULTS-jwt.md):
//!
//! ```sh
//! cargo bench --bench jwt_instructions --no-run    # prints the executable
//! for mode in ring encode poll client-ring client client-poll; do for n in 0 20; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null <executable> $mode $n 2>&1 | grep Collected
//! done; done
//! ```
//!
//! `(count(20) - count(0)) / 20` is one operation: `ring` signs the
//! assertion's signing input with ring alone; `encode` builds the claims and
//! signs them with `jwt::encode`; `poll` is `ServiceAccountCredentials::
//! refresh().poll(now)`, the whole token request. The `client-` modes do
//! the same for a `private_key_jwt` client assertion: `client-ring` signs
//! its signing input with ring alone, `client` is `ClientAssertionKey::
//! sign` (claims, `jti`, encode, sign), `client-poll` the first poll of a
//! client credentials grant (the whole authenticated token request). Run by
//! `cargo bench`, it does nothing.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use base64::Engine;
use std::sync::Arc;

use oauth2_sansio::jwt::{encode, RingSigner};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::{Client, ClientAssertionKey, Credentials, Machine, Step};
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};

const KEY_JSON: &[u8] = include_bytes!("../tests/fixtures/service_account/service_account.json");
const PKCS8: &str = include_str!("../tests/fixtures/service_account/rsa2048_pkcs8.pem");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(Ok(n))) = (args.first(), args.get(1).map(|n| n.parse::<usize>())) else {
        eprintln!(
            "usage: jwt_instructions ring|encode|poll|client-ring|client|client-poll <count> \
             (under valgrind)"
        );
        return;
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let creds = ServiceAccountCredentials::from_json(KEY_JSON)
        .expect("the test key file")
        .with_scopes(["https://www.googleapis.com/auth/cloud-platform"]);
    let jwt = encode(&**creds.signer(), &creds.assertion_claims(now)).expect("signs");
    let input = jwt
        .secret()
        .rsplit_once('.')
        .expect("three segments")
        .0
        .to_owned();
    let body: String = PKCS8.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64");
    let key = RsaKeyPair::from_pkcs8(&der).expect("ring reads the key");
    let rng = SystemRandom::new();
    let client_key = ClientAssertionKey::with_seed(
        Arc::new(RingSigner::from_pem(PKCS8, Some("client-key-1".into())).expect("key")),
        [7; 32],
    );
    let client = Client::builder("my-client")
        .authorization_endpoint("https://as.example/authorize")
        .token_endpoint("https://as.example/token")
        .issuer("https://as.example")
        .private_key_jwt(client_key.clone())
        .build()
        .expect("a valid client");
    let client_jwt = client_key
        .sign("my-client", "https://as.example", now)
        .expect("signs");
    let client_input = client_jwt
        .secret()
        .rsplit_once('.')
        .expect("three segments")
        .0
        .to_owned();
    for _ in 0..n {
        match mode.as_str() {
            "ring" => {
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(
                    &RSA_PKCS1_SHA256,
                    &rng,
                    black_box(input.as_bytes()),
                    &mut signature,
                )
                .expect("signs");
                black_box(signature);
            }
            "encode" => {
                let claims = creds.assertion_claims(black_box(now));
                black_box(encode(&**creds.signer(), &claims).expect("signs"));
            }
            "poll" => match creds.refresh().unwrap().poll(black_box(now)) {
                Ok(Step::Send(request)) => {
                    black_box(request);
                }
                _ => unreachable!("the first poll sends"),
            },
            "client-ring" => {
                let mut signature = vec![0; key.public().modulus_len()];
                key.sign(
                    &RSA_PKCS1_SHA256,
                    &rng,
                    black_box(client_input.as_bytes()),
                    &mut signature,
                )
                .expect("signs");
                black_box(signature);
            }
            "client" => {
                black_box(
                    client_key
                        .sign("my-client", "https://as.example", black_box(now))
                        .expect("signs"),
                );
            }
            "client-poll" => {
                let grant = client.client_credentials().build().expect("valid");
                match { grant }.poll(black_box(now)) {
                    Ok(Step::Send(request)) => {
                        black_box(request);
                    }
                    _ => unreachable!("the first poll sends"),
                }
            }
            _ => {
                eprintln!("unknown mode {mode}");
                return;
            }
        }
    }
}
