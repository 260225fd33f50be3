//! `IamSigner` over ureq against a canned IAM on 127.0.0.1: a service
//! account without a key file signs JWTs through `signBlob`.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use oauth2_sansio::impersonated::ImpersonatedCredentials;
use oauth2_sansio::io::ureq::{IamSigner, UreqTransport};
use oauth2_sansio::jwt::Signer;
use oauth2_sansio::service_account::ServiceAccountCredentials;
use oauth2_sansio::{Credentials, UserCredentials};
use serde_json::Value;

use crate::support::*;

const TARGET: &str = "keyless@p.iam.gserviceaccount.com";

/// Impersonation of TARGET at `server`, with a user source whose token is
/// fresh for years (so each signature is exactly one request).
fn impersonated(server: &CannedServer) -> ImpersonatedCredentials {
    let source = UserCredentials::from_authorized_user_json(
        br#"{"type":"authorized_user","client_id":"c","client_secret":"user-secret",
            "refresh_token":"1//user-refresh","token":"ya29.user","expiry":"2099-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let url = server.url(&format!(
        "/v1/projects/-/serviceAccounts/{TARGET}:generateAccessToken"
    ));
    ImpersonatedCredentials::new(source, TARGET)
        .with_impersonation_url(&url)
        .unwrap()
}

fn transport() -> UreqTransport {
    UreqTransport::new()
        .with_connect_timeout(SOCKET_TIMEOUT)
        .with_timeout(Duration::from_secs(10))
}

#[test]
fn a_signature_is_one_sign_blob_call_with_the_sources_token() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        200,
        r#"{"keyId":"k1","signedBlob":"c2lnbmF0dXJl"}"#,
    ))]);
    let signer = IamSigner::new(transport(), impersonated(&server));
    assert_eq!(signer.sign(b"header.claims").unwrap(), b"signature");
    assert_eq!(signer.key_id(), None);
    let requests = server.requests();
    let [request] = &requests[..] else {
        panic!("{requests:?}")
    };
    assert_eq!(
        request.line,
        format!("POST /v1/projects/-/serviceAccounts/{TARGET}:signBlob HTTP/1.1")
    );
    let headers = request.sorted_headers();
    assert!(
        headers.contains(&("authorization".into(), "Bearer ya29.user".into())),
        "{headers:?}"
    );
    assert!(
        headers.contains(&("content-type".into(), "application/json".into())),
        "{headers:?}"
    );
    let body: Value = serde_json::from_str(request.body()).unwrap();
    assert_eq!(body, serde_json::json!({"payload": "aGVhZGVyLmNsYWltcw=="}));
}

#[test]
fn a_key_file_less_service_account_gets_tokens_with_assertions_iam_signed() {
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(200, r#"{"keyId":"k1","signedBlob":"c2lnbmF0dXJl"}"#)),
        Answer::Bytes(canned(
            200,
            r#"{"access_token":"ya29.sa","token_type":"Bearer","expires_in":3600}"#,
        )),
    ]);
    let signer = IamSigner::new(transport(), impersonated(&server));
    let account = ServiceAccountCredentials::new(Arc::new(signer), TARGET, &server.url("/token"))
        .unwrap()
        .with_scopes(["https://www.googleapis.com/auth/cloud-platform"]);
    let refreshed = transport().run(account.refresh().unwrap()).unwrap();
    assert_eq!(refreshed.token().unwrap().token().secret(), "ya29.sa");

    let requests = server.requests();
    let form = requests[1].body();
    let assertion = form
        .split('&')
        .find_map(|pair| pair.strip_prefix("assertion="))
        .expect("a JWT-bearer grant");
    let [header, claims, signature] = assertion.split('.').collect::<Vec<_>>()[..] else {
        panic!("{assertion}")
    };
    assert_eq!(
        signature,
        URL_SAFE_NO_PAD.encode(b"signature"),
        "IAM's signature"
    );
    let signed: Value = serde_json::from_str(requests[0].body()).unwrap();
    let signed = signed["payload"].as_str().unwrap();
    assert_eq!(
        STANDARD.decode(signed).unwrap(),
        format!("{header}.{claims}").into_bytes(),
        "IAM signed exactly the JWS signing input"
    );
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert!(header.get("kid").is_none(), "{header}");
}

#[test]
fn a_refusal_is_a_sign_error_naming_the_account_and_no_secret() {
    let denied = r#"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.signBlob' denied","status":"PERMISSION_DENIED"}}"#;
    let server = CannedServer::start(vec![
        Answer::Bytes(canned(403, denied)),
        Answer::Bytes(canned(503, "<html>busy</html>")),
    ]);
    let signer = IamSigner::new(transport(), impersonated(&server));
    let refused = signer.sign(b"x").unwrap_err();
    assert!(!refused.is_retryable());
    for expected in [TARGET, "PERMISSION_DENIED"] {
        assert!(
            refused.message().contains(expected),
            "{}",
            refused.message()
        );
    }
    for secret in ["ya29.user", "user-secret", "1//user-refresh"] {
        assert!(!refused.message().contains(secret), "{}", refused.message());
    }
    assert!(
        signer.sign(b"x").unwrap_err().is_retryable(),
        "HTTP 503 may pass later"
    );
}
