//! Token endpoint answers: `TokenResponse::parse`, and the machines that
//! read one (a refresh, a token exchange, the service account's ID-token
//! grant), a revocation and an introspection, each answered once.

use std::sync::Arc;

use oauth2_sansio::jwt::{Algorithm, SignError, Signer};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::token_exchange::{token_types, TokenExchangeRequest};
use oauth2_sansio::{
    AccessToken, Client, ClientAuthMethod, ClientSecret, Credentials, SecurityToken, Step,
    TokenResponse, UserCredentials,
};
use serde_json::json;

use super::derive::{json_cases, JsonRules};
use super::json::J;
use super::tally::{outcome, refused, Case, Outcome, Tally};
use super::{answered, jwt, status, RESPONSE_LIMIT};
use super::{ACCESS_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, ROTATED_REFRESH_TOKEN};

const SUBJECT_TOKEN: &str = "STbadinput-Lp0Ok9Ij8";

const TOKEN_RULES: JsonRules = JsonRules {
    required: &["access_token", "token_type"],
    bound: Some(RESPONSE_LIMIT),
    strict_duplicates: true,
    empty_refused: true,
};

/// Every member of an error answer is needed for nothing: whatever is
/// done to it, it must be refused.
const ERROR_RULES: JsonRules = JsonRules {
    required: &[],
    bound: Some(RESPONSE_LIMIT),
    strict_duplicates: true,
    empty_refused: true,
};

fn token_seed() -> J {
    J::from(&json!({
        "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3599,
        "refresh_token": ROTATED_REFRESH_TOKEN, "scope": "openid email", "id_token": jwt::id_token(),
    }))
}

fn error_seed() -> J {
    J::from(&json!({
        "error": "invalid_grant", "error_description": "Token has been expired or revoked.",
        "error_uri": "https://as.example/errors/invalid_grant",
    }))
}

/// The bad answers: the success seed's (with 200) and the error seed's
/// (with 400, every one refused).
fn answers(rng_seed: u64, rules: &JsonRules, seed: J) -> Vec<(u16, Case)> {
    let mut all: Vec<(u16, Case)> = json_cases(&seed, rules, rng_seed)
        .into_iter()
        .map(|case| (200, case))
        .collect();
    all.extend(
        json_cases(&error_seed(), &ERROR_RULES, rng_seed + 1)
            .into_iter()
            .map(|mut case| {
                case.must_refuse = Some("an error status");
                (400, case)
            }),
    );
    all
}

/// Runs `parse` on each answer (status in the first two bytes).
fn run_answers(
    tally: &mut Tally,
    secrets: &[&str],
    answers: Vec<(u16, Case)>,
    parse: impl Fn(u16, &[u8]) -> Outcome,
) {
    let cases = answers.into_iter().map(|(status, mut case)| {
        let mut bytes = status.to_be_bytes().to_vec();
        bytes.append(&mut case.bytes);
        case.bytes = bytes;
        case
    });
    tally.run(secrets, cases, |bytes| {
        parse(u16::from_be_bytes([bytes[0], bytes[1]]), &bytes[2..])
    });
}

fn done<T>(result: Result<Step<T>, oauth2_sansio::Error>) -> Outcome {
    match result {
        Ok(Step::Done(_)) => Outcome::Accepted,
        Ok(_) => panic!("an answered one-request machine finishes"),
        Err(e) => refused(e),
    }
}

fn token_secrets() -> Vec<String> {
    let mut secrets = vec![ACCESS_TOKEN.to_owned(), ROTATED_REFRESH_TOKEN.to_owned()];
    secrets.extend(jwt::secrets());
    secrets
}

fn client() -> Client {
    Client::builder("client.apps.example")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .revocation_endpoint("https://as.example/revoke")
        .introspection_endpoint("https://as.example/introspect")
        .response_limit(RESPONSE_LIMIT)
        .build()
        .expect("a valid client")
}

fn user() -> UserCredentials {
    let file = json!({
        "type": "authorized_user", "client_id": "client.apps.example",
        "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN,
        "token_uri": "https://as.example/token",
    });
    UserCredentials::from_authorized_user_json(file.to_string().as_bytes())
        .expect("valid credentials")
        .with_response_limit(RESPONSE_LIMIT)
}

/// Signs with a constant: the answer, not the assertion, is under test.
struct FixedSigner;

const ASSERTION_SIGNATURE: &[u8] = b"ASbadinput-signature";

impl Signer for FixedSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }
    fn key_id(&self) -> Option<&str> {
        Some("key-1")
    }
    fn sign(&self, _message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(ASSERTION_SIGNATURE.to_vec())
    }
}

pub fn tallies() -> Vec<Tally> {
    vec![
        token_response(),
        refresh(),
        token_exchange(),
        revocation(),
        introspection(),
        id_token_grant(),
    ]
}

fn token_response() -> Tally {
    let mut tally = Tally::new("token response");
    let secrets = token_secrets();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    run_answers(
        &mut tally,
        &secrets,
        answers(200, &TOKEN_RULES, token_seed()),
        |status, body| outcome(TokenResponse::parse(status, body, RESPONSE_LIMIT)),
    );
    tally
}

fn refresh() -> Tally {
    let mut tally = Tally::new("refresh answer");
    let mut secrets = token_secrets();
    secrets.extend([CLIENT_SECRET.to_owned(), REFRESH_TOKEN.to_owned()]);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let user = user();
    run_answers(
        &mut tally,
        &secrets,
        answers(300, &TOKEN_RULES, token_seed()),
        |code, body| {
            done(answered(
                user.refresh().expect("a refresh token"),
                status(code),
                body,
            ))
        },
    );
    tally
}

fn token_exchange() -> Tally {
    let mut tally = Tally::new("token exchange answer");
    let mut secrets = token_secrets();
    secrets.extend([CLIENT_SECRET.to_owned(), SUBJECT_TOKEN.to_owned()]);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let rules = JsonRules {
        required: &["access_token", "token_type", "issued_token_type"],
        ..TOKEN_RULES
    };
    let seed = J::from(&json!({
        "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600,
        "issued_token_type": token_types::ACCESS_TOKEN,
    }));
    run_answers(
        &mut tally,
        &secrets,
        answers(400, &rules, seed),
        |code, body| {
            let exchange = TokenExchangeRequest::new(
                "https://sts.example/token",
                SecurityToken::new(SUBJECT_TOKEN),
                token_types::JWT,
            )
            .client_authentication(
                ClientAuthMethod::ClientSecretBasic,
                "client",
                Some(ClientSecret::new(CLIENT_SECRET)),
            )
            .response_limit(RESPONSE_LIMIT)
            .build()
            .expect("a valid exchange");
            done(answered(exchange, status(code), body))
        },
    );
    tally
}

/// A revocation succeeds on any 200 within the bound, so the 200 seed is
/// an empty object and only its mutations and the bound are tried.
fn revocation() -> Tally {
    let mut tally = Tally::new("revocation answer");
    let secrets = [ACCESS_TOKEN, CLIENT_SECRET];
    let mut answers: Vec<(u16, Case)> =
        super::derive::over_bound(&J::Object(vec![]), RESPONSE_LIMIT)
            .into_iter()
            .chain(super::derive::mutations(b"{}", 500, 200))
            .map(|case| (200, case))
            .collect();
    answers.extend(
        json_cases(&error_seed(), &ERROR_RULES, 501)
            .into_iter()
            .map(|mut case| {
                case.must_refuse = Some("an error status");
                (400, case)
            }),
    );
    let client = client();
    let token = AccessToken::new(ACCESS_TOKEN);
    run_answers(&mut tally, &secrets, answers, |code, body| {
        done(answered(
            client.revoke(&token).expect("an endpoint"),
            status(code),
            body,
        ))
    });
    tally
}

fn introspection() -> Tally {
    let mut tally = Tally::new("introspection answer");
    let secrets = [ACCESS_TOKEN, CLIENT_SECRET];
    let rules = JsonRules {
        required: &["active"],
        ..TOKEN_RULES
    };
    let seed = J::from(&json!({
        "active": true, "scope": "openid email", "client_id": "client.apps.example",
        "username": "user@example.com", "token_type": "Bearer", "exp": 1_767_229_200,
        "iat": 1_767_225_600, "sub": "100000000000000000042", "aud": "client.apps.example",
        "iss": "https://as.example",
    }));
    let client = client();
    let token = AccessToken::new(ACCESS_TOKEN);
    run_answers(
        &mut tally,
        &secrets,
        answers(600, &rules, seed),
        |code, body| {
            done(answered(
                client.introspect(&token).expect("an endpoint"),
                status(code),
                body,
            ))
        },
    );
    tally
}

fn id_token_grant() -> Tally {
    let mut tally = Tally::new("ID-token grant answer");
    let mut secrets = jwt::secrets().to_vec();
    secrets.push(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ASSERTION_SIGNATURE,
    ));
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let rules = JsonRules {
        required: &["id_token"],
        ..TOKEN_RULES
    };
    let seed = J::from(&json!({ "id_token": jwt::id_token() }));
    let credentials = ServiceAccountCredentials::new(
        Arc::new(FixedSigner),
        "sa@project.iam.gserviceaccount.com",
        "https://oauth2.example/token",
    )
    .expect("valid credentials")
    .with_response_limit(RESPONSE_LIMIT)
    .id_token_credentials("https://service.example");
    run_answers(
        &mut tally,
        &secrets,
        answers(700, &rules, seed),
        |code, body| {
            done(answered(
                credentials.refresh().expect("a refresh"),
                status(code),
                body,
            ))
        },
    );
    tally
}
