//! No secret reaches `Debug` output of any public type that holds one.

use std::time::SystemTime;

use oauth2_sansio::{
    Client, ClientSecret, ClientSecrets, Credentials, Machine, Step, TokenResponse, UserCredentials,
};

const CLIENT_SECRET: &str = "client-secret-value";
const CODE: &str = "authorization-code-value";
const ACCESS: &str = "access-token-value";
const REFRESH: &str = "refresh-token-value";
const ID_TOKEN: &str = "id-token-value";

/// Fails if `shown` contains a secret as text or as a `Debug`-printed byte
/// list (how a `Vec<u8>` request body would print).
fn assert_redacted(what: &str, shown: String, secrets: &[&str]) {
    for secret in secrets {
        assert!(!shown.contains(secret), "{what} shows {secret}: {shown}");
        let bytes = format!("{:?}", secret.as_bytes());
        let bytes = bytes.trim_start_matches('[').trim_end_matches(']');
        assert!(!shown.contains(bytes), "{what} shows {secret} as bytes");
    }
}

fn client() -> Client {
    Client::builder("app")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .build()
        .unwrap()
}

#[test]
fn flow_types_redact_every_secret() {
    let now = SystemTime::UNIX_EPOCH;
    let client = client();
    assert_redacted("Client", format!("{client:?}"), &[CLIENT_SECRET]);

    let (_, pending) = client
        .authorization_request("http://127.0.0.1/")
        .build_with_entropy(now, &[1; 64])
        .unwrap();
    let state = pending.state().secret().to_owned();
    assert_redacted("PendingAuthorization", format!("{pending:?}"), &[&state]);

    let mut exchange = pending
        .complete(&client, &format!("?state={state}&code={CODE}"))
        .unwrap();
    assert_redacted(
        "CodeExchange",
        format!("{exchange:?}"),
        &[CODE, CLIENT_SECRET, &state],
    );
    let step = exchange.poll(now).unwrap();
    assert_redacted("Step::Send", format!("{step:?}"), &[CODE, CLIENT_SECRET]);

    let body = format!(
        r#"{{"access_token":"{ACCESS}","token_type":"Bearer","refresh_token":"{REFRESH}","id_token":"{ID_TOKEN}","expires_in":60}}"#
    );
    exchange
        .handle_response(http::Response::new(body.clone().into_bytes()), now)
        .unwrap();
    let Step::Done(credentials) = exchange.poll(now).unwrap() else {
        panic!("expected Done")
    };
    let all = [ACCESS, REFRESH, ID_TOKEN, CLIENT_SECRET];
    assert_redacted("UserCredentials", format!("{credentials:?}"), &all);
    let refresh = credentials.refresh().unwrap();
    assert_redacted("Refresh", format!("{refresh:?}"), &all);
    let parsed = TokenResponse::parse(200, body.as_bytes(), 1 << 20).unwrap();
    assert_redacted("TokenResponse", format!("{parsed:?}"), &all);
}

#[test]
fn files_redact_their_secrets() {
    let secrets = ClientSecrets::from_json(
        format!(
            r#"{{"installed":{{"client_id":"i","client_secret":"{CLIENT_SECRET}","auth_uri":"https://a.example/","token_uri":"https://t.example/"}}}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    assert_redacted("ClientSecrets", format!("{secrets:?}"), &[CLIENT_SECRET]);

    let creds = UserCredentials::from_authorized_user_json(
        format!(
            r#"{{"client_id":"i","client_secret":"{CLIENT_SECRET}","refresh_token":"{REFRESH}","token":"{ACCESS}","expiry":"2030-01-01T00:00:00Z","rapt_token":"rapt-value"}}"#
        )
        .as_bytes(),
    )
    .unwrap();
    assert_redacted(
        "UserCredentials from file",
        format!("{creds:?}"),
        &[CLIENT_SECRET, REFRESH, ACCESS, "rapt-value"],
    );
}

#[test]
fn error_messages_never_carry_the_request_secrets() {
    let now = SystemTime::UNIX_EPOCH;
    let client = client();
    let (_, pending) = client
        .authorization_request("http://127.0.0.1/")
        .build_with_entropy(now, &[2; 64])
        .unwrap();
    let state = pending.state().secret().to_owned();
    let mut exchange = pending
        .complete(&client, &format!("?state={state}&code={CODE}"))
        .unwrap();
    let _ = exchange.poll(now).unwrap();
    let err = exchange
        .handle_response(
            http::Response::builder()
                .status(400)
                .body(br#"{"error":"invalid_grant","error_description":"Bad Request"}"#.to_vec())
                .unwrap(),
            now,
        )
        .unwrap_err();
    assert_redacted(
        "Error",
        format!("{err} {err:?}"),
        &[CODE, CLIENT_SECRET, &state],
    );
}

#[cfg(feature = "ring")]
#[test]
fn service_account_types_redact_the_key_and_assertions() {
    use oauth2_sansio::service_account::{ServiceAccountCredentials, ServiceAccountKey};

    let json = include_bytes!("../fixtures/service_account/service_account.json");
    let key = ServiceAccountKey::from_json(json).unwrap();
    let pem: serde_json::Value = serde_json::from_slice(json).unwrap();
    let pem = pem["private_key"].as_str().unwrap().to_owned();
    // The base64 body of the key, the part that must never be printed.
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let middle = &body[100..160];
    assert_redacted("ServiceAccountKey", format!("{key:?}"), &[middle]);

    let credentials = ServiceAccountCredentials::from_json(json)
        .unwrap()
        .with_scopes(["https://www.googleapis.com/auth/cloud-platform"]);
    assert_redacted(
        "ServiceAccountCredentials",
        format!("{credentials:?}"),
        &[middle],
    );
    let mut refresh = credentials.refresh().unwrap();
    let Step::Send(request) = refresh
        .poll(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600))
        .unwrap()
    else {
        panic!("a refresh starts with a request")
    };
    let body = String::from_utf8(request.body().clone()).unwrap();
    let assertion = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("assertion="))
        .unwrap()
        .to_owned();
    assert_redacted(
        "ServiceAccountRefresh",
        format!("{refresh:?}"),
        &[&assertion, middle],
    );
}

#[test]
fn token_exchange_redacts_the_subject_and_issued_tokens() {
    use oauth2_sansio::token_exchange::{token_types, TokenExchangeRequest};
    use oauth2_sansio::SecurityToken;

    let now = SystemTime::UNIX_EPOCH;
    let mut exchange = TokenExchangeRequest::new(
        "https://sts.example/v1/token",
        SecurityToken::new("subject-token-value"),
        token_types::JWT,
    )
    .build()
    .unwrap();
    assert_redacted(
        "TokenExchange",
        format!("{exchange:?}"),
        &["subject-token-value"],
    );
    let _ = exchange.poll(now).unwrap();
    let body = format!(
        r#"{{"access_token":"{ACCESS}","issued_token_type":"{}","token_type":"Bearer","expires_in":3600,"refresh_token":"{REFRESH}"}}"#,
        token_types::ACCESS_TOKEN
    );
    exchange
        .handle_response(http::Response::new(body.into_bytes()), now)
        .unwrap();
    let Step::Done(issued) = exchange.poll(now).unwrap() else {
        panic!("expected Done")
    };
    assert_redacted("ExchangedToken", format!("{issued:?}"), &[ACCESS, REFRESH]);
}

/// The token-holding types of impersonation, federation and ID-token
/// verification: what they hold is a redacting secret, or claims only.
#[test]
fn token_types_show_no_token() {
    use oauth2_sansio::external::executable_output;
    use oauth2_sansio::impersonated::GeneratedAccessToken;
    use oauth2_sansio::{AccessToken, BearerToken, IntrospectionResponse};

    let bearer = BearerToken::new(AccessToken::new(ACCESS), None);
    assert_redacted("BearerToken", format!("{bearer:?}"), &[ACCESS]);

    let body = format!(r#"{{"accessToken":"{ACCESS}","expireTime":"2099-01-01T00:00:00Z"}}"#);
    let generated = GeneratedAccessToken::parse(200, body.as_bytes(), 4096).unwrap();
    assert_redacted("GeneratedAccessToken", format!("{generated:?}"), &[ACCESS]);

    let output = format!(
        r#"{{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:id_token","id_token":"{ID_TOKEN}"}}"#
    );
    let executable = executable_output(output.as_bytes(), SystemTime::now()).unwrap();
    assert_redacted("ExecutableToken", format!("{executable:?}"), &[ID_TOKEN]);

    // An introspection answer holds claims; an unknown member holding a
    // token-looking value is kept in `extra`, so only the claims it names
    // may show. The token introspected is never part of it.
    let answer = br#"{"active":true,"scope":"read","client_id":"app"}"#;
    let introspected = IntrospectionResponse::parse(200, answer, 4096).unwrap();
    let token = introspected.active().unwrap();
    assert_redacted(
        "IntrospectedToken",
        format!("{token:?}"),
        &[ACCESS, REFRESH],
    );
}

/// A verifier holds its rules, and a verified token its claims, never the
/// JWT or its signature.
#[cfg(feature = "ring")]
#[test]
fn id_token_verification_types_show_no_token() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use oauth2_sansio::jwt::verify::{IdTokenVerifier, JwkSet};
    use oauth2_sansio::jwt::{RingSigner, Signer};

    let signer = RingSigner::from_pem(testkit::jwt::PKCS8, Some("k".into())).unwrap();
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let header = b64(br#"{"alg":"RS256","kid":"k"}"#);
    let claims = format!(
        r#"{{"iss":"https://accounts.google.com","aud":"a","sub":"1","iat":{now},"exp":{}}}"#,
        now + 600
    );
    let input = format!("{header}.{}", b64(claims.as_bytes()));
    let signature = b64(&signer.sign(input.as_bytes()).unwrap());
    let token = format!("{input}.{signature}");
    let public = testkit::jwt::jwk_json("k");
    let keys = JwkSet::parse(public.as_bytes()).unwrap();
    let verifier = IdTokenVerifier::google("a");
    let verified = verifier.verify(&token, &keys, SystemTime::now()).unwrap();
    assert_redacted(
        "VerifiedIdToken",
        format!("{verified:?}"),
        &[&token, &signature],
    );
    assert_redacted(
        "IdTokenVerifier",
        format!("{verifier:?}"),
        &[&token, &signature],
    );
}

#[cfg(feature = "ring")]
#[test]
fn fleet_keys_show_no_secret_of_the_credentials_they_key() {
    use oauth2_sansio::cache::fleet::FleetCredentials;
    use oauth2_sansio::RefreshToken;

    let credentials = UserCredentials::from_refresh_token(
        &client(),
        RefreshToken::new(REFRESH),
        vec!["openid".into()],
    );
    let key = credentials.fleet_key("user@example.test");
    let secrets = [CLIENT_SECRET, REFRESH];
    assert_redacted("FleetKey", format!("{key:?}"), &secrets);
    // The names in Redis are hashes: not even the subject is in clear.
    let names = [key.entry_key("fleet:"), key.lock_key("fleet:")].join(" ");
    assert_redacted(
        "FleetKey's Redis names",
        names,
        &[CLIENT_SECRET, REFRESH, "user@example.test"],
    );
}
