//! PAR and DPoP: a pushed authorization request endpoint's answer, a token
//! answer to a DPoP-proved refresh, and a stored DPoP private key (the
//! `dpop_key` of an authorized_user file).

use oauth2_sansio::dpop::DpopKey;
use oauth2_sansio::{
    Client, ClientSecret, Credentials, PushedRequest, UserCredentials, MAX_PUSH_LIFETIME,
};
use serde_json::json;

use super::derive::{json_cases, JsonRules};
use super::json::J;
use super::tally::{outcome, refused, Outcome, Tally};
use super::{answered, jwt, status, RESPONSE_LIMIT};
use super::{ACCESS_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, ROTATED_REFRESH_TOKEN};

const REQUEST_URI: &str = "urn:ietf:params:oauth:request_uri:RUbadinput-Mn4Bv5";

pub fn tallies() -> Vec<Tally> {
    vec![par_answer(), dpop_refresh_answer(), dpop_private_key()]
}

fn par_answer() -> Tally {
    let mut tally = Tally::new("PAR answer");
    let rules = JsonRules {
        required: &["request_uri", "expires_in"],
        bound: Some(RESPONSE_LIMIT),
        strict_duplicates: true,
        empty_refused: true,
    };
    let seed = J::from(&json!({"request_uri": REQUEST_URI, "expires_in": 60}));
    let cases = json_cases(&seed, &rules, 900);
    tally.run(&[REQUEST_URI], cases, |body| {
        outcome(PushedRequest::parse(201, body, RESPONSE_LIMIT))
    });
    let too_long =
        J::from(&json!({"request_uri": REQUEST_URI, "expires_in": MAX_PUSH_LIFETIME + 1}));
    tally.run(
        &[REQUEST_URI],
        [super::tally::Case::new(
            "expires_in over the bound",
            too_long.render(),
            Some("expires_in at most a day"),
        )],
        |body| outcome(PushedRequest::parse(201, body, RESPONSE_LIMIT)),
    );
    tally
}

fn dpop_refresh_answer() -> Tally {
    let mut tally = Tally::new("DPoP refresh answer");
    let rules = JsonRules {
        required: &["access_token", "token_type"],
        bound: Some(RESPONSE_LIMIT),
        strict_duplicates: true,
        empty_refused: true,
    };
    let seed = J::from(&json!({
        "access_token": ACCESS_TOKEN, "token_type": "DPoP", "expires_in": 3599,
        "refresh_token": ROTATED_REFRESH_TOKEN, "scope": "openid", "id_token": jwt::id_token(),
    }));
    let mut secrets = vec![
        ACCESS_TOKEN.to_owned(),
        ROTATED_REFRESH_TOKEN.to_owned(),
        REFRESH_TOKEN.to_owned(),
        CLIENT_SECRET.to_owned(),
    ];
    secrets.extend(jwt::secrets());
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let client = Client::builder("client.apps.example")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .response_limit(RESPONSE_LIMIT)
        .build()
        .expect("a valid client");
    let key = DpopKey::generate().expect("a key");
    let user = UserCredentials::from_refresh_token(
        &client,
        oauth2_sansio::RefreshToken::new(REFRESH_TOKEN),
        vec![],
    )
    .with_dpop(key);
    tally.run(
        &secrets,
        json_cases(&seed, &rules, 910),
        |body| match answered(user.refresh().expect("a refresh token"), status(200), body) {
            Ok(oauth2_sansio::Step::Done(_)) => Outcome::Accepted,
            Ok(_) => panic!("an answered refresh finishes"),
            Err(e) => refused(e),
        },
    );
    tally
}

fn dpop_private_key() -> Tally {
    let mut tally = Tally::new("DPoP private JWK");
    let key = DpopKey::generate().expect("a key");
    let jwk: serde_json::Value =
        serde_json::from_str(&key.private_jwk().expect("a held key")).expect("JSON");
    let d = jwk["d"].as_str().expect("d").to_owned();
    let rules = JsonRules {
        required: &["kty", "crv", "x", "y", "d"],
        bound: Some(4096),
        strict_duplicates: false,
        empty_refused: true,
    };
    let cases = json_cases(&J::from(&jwk), &rules, 920);
    tally.run(&[d.as_str()], cases, |bytes| {
        match std::str::from_utf8(bytes) {
            Ok(text) => outcome(DpopKey::from_private_jwk(text)),
            Err(e) => refused(e),
        }
    });
    tally
}
