//! Credential files: `client_secrets.json`, a service-account key,
//! `authorized_user` JSON, and either read as an Application Default
//! Credentials file.

use std::path::Path;

use oauth2_sansio::adc::{Adc, AdcEnvironment, ADC_FILE_LIMIT};
use oauth2_sansio::limits::{
    AUTHORIZED_USER_LIMIT, CLIENT_SECRETS_LIMIT, SERVICE_ACCOUNT_KEY_LIMIT,
};
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::{ClientSecrets, UserCredentials};
use serde_json::{json, Value};

use super::derive::{json_cases, JsonRules};
use super::json::J;
use super::tally::{outcome, Tally};
use super::{ACCESS_TOKEN, CLIENT_SECRET, REFRESH_TOKEN};

const PRIVATE_KEY_ID: &str = "KIbadinput-0f9e8d7c6b5a";

fn client_secrets(section: &str) -> J {
    J::from(&json!({ section: {
        "client_id": "123-abc.apps.googleusercontent.com", "project_id": "my-project",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_secret": CLIENT_SECRET, "redirect_uris": ["http://localhost"],
    }}))
}

fn authorized_user() -> J {
    J::from(&json!({
        "type": "authorized_user", "client_id": "123-abc.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN, "token": ACCESS_TOKEN,
        "expiry": "2026-11-25T23:40:54Z", "scopes": ["openid", "email"],
        "quota_project_id": "my-project", "universe_domain": "googleapis.com",
        "account": "user@example.com",
    }))
}

/// The committed test key, with a distinctive key id.
fn service_account() -> J {
    let mut key: Value =
        serde_json::from_slice(testkit::jwt::KEY_JSON).expect("the test key reads");
    key["private_key_id"] = json!(PRIVATE_KEY_ID);
    J::from(&key)
}

/// The key's secrets: its id and the PEM's base64 body (the first eight
/// characters of the whole PEM are its `-----BEGIN` line, no secret).
fn key_secrets() -> Vec<String> {
    let pem = testkit::jwt::PKCS8;
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let first_line = pem.lines().nth(1).expect("a PEM body").to_owned();
    vec![PRIVATE_KEY_ID.to_owned(), body, first_line]
}

pub fn tallies() -> Vec<Tally> {
    let mut secrets_file = Tally::new("client_secrets.json");
    for (n, section) in ["installed", "web"].into_iter().enumerate() {
        let rules = JsonRules {
            required: if section == "installed" {
                &[
                    "installed",
                    "installed.client_id",
                    "installed.auth_uri",
                    "installed.token_uri",
                ]
            } else {
                &["web", "web.client_id", "web.auth_uri", "web.token_uri"]
            },
            bound: Some(CLIENT_SECRETS_LIMIT),
            strict_duplicates: true,
            empty_refused: true,
        };
        secrets_file.run(
            &[CLIENT_SECRET],
            json_cases(&client_secrets(section), &rules, 1000 + n as u64),
            |bytes| outcome(ClientSecrets::from_json(bytes)),
        );
    }

    let user_rules = JsonRules {
        required: &["client_id", "refresh_token"],
        bound: Some(AUTHORIZED_USER_LIMIT),
        strict_duplicates: true,
        empty_refused: true,
    };
    let user_secrets = [CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN];
    let mut user = Tally::new("authorized_user JSON");
    user.run(
        &user_secrets,
        json_cases(&authorized_user(), &user_rules, 1010),
        |bytes| outcome(UserCredentials::from_authorized_user_json(bytes)),
    );

    let key_rules = JsonRules {
        required: &["client_email", "private_key", "token_uri"],
        bound: Some(SERVICE_ACCOUNT_KEY_LIMIT),
        strict_duplicates: true,
        empty_refused: true,
    };
    let key_secrets = key_secrets();
    let key_secrets: Vec<&str> = key_secrets.iter().map(String::as_str).collect();
    let mut key = Tally::new("service-account key");
    key.run(
        &key_secrets,
        json_cases(&service_account(), &key_rules, 1020),
        |bytes| outcome(ServiceAccountCredentials::from_json(bytes)),
    );

    let mut adc = Tally::new("ADC credentials file");
    let search = Adc::new(AdcEnvironment::new(|_| None, None, false)).with_scopes(["s"]);
    let path = Path::new("/keys/credentials.json");
    let adc_user = JsonRules {
        required: &["type", "client_id", "refresh_token"],
        bound: Some(ADC_FILE_LIMIT),
        ..user_rules
    };
    adc.run(
        &user_secrets,
        json_cases(&authorized_user(), &adc_user, 1030),
        |bytes| outcome(search.credentials_in(path, bytes)),
    );
    let adc_key = JsonRules {
        required: &["type", "client_email", "private_key", "token_uri"],
        bound: Some(ADC_FILE_LIMIT),
        ..key_rules
    };
    adc.run(
        &key_secrets,
        json_cases(&service_account(), &adc_key, 1031),
        |bytes| outcome(search.credentials_in(path, bytes)),
    );
    vec![secrets_file, user, key, adc]
}
