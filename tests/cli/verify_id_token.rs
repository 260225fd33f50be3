//! `verify-id-token`: a token on stdin verified against a key set served by
//! a canned server on 127.0.0.1; its claims printed, or one line saying why
//! it is refused.

use std::io::Write;
use std::process::Stdio;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::{json, Value};
use testkit::canned_http::{canned_with, Answer, CannedServer};
use testkit::jwt::PKCS8;

use crate::support::oauth2_sansio;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn rsa() -> RsaKeyPair {
    let body: String = PKCS8.lines().filter(|l| !l.starts_with("-----")).collect();
    RsaKeyPair::from_pkcs8(&STANDARD.decode(body).unwrap()).unwrap()
}

/// An RS256 token of `issuer` for `aud`, valid for the next hour.
fn token(rsa: &RsaKeyPair, issuer: &str, aud: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = json!({"alg": "RS256", "kid": "k1"});
    let claims = json!({"iss": issuer, "aud": aud, "sub": "42", "iat": now, "exp": now + 3600});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut signature = vec![0; rsa.public().modulus_len()];
    rsa.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{input}.{}", b64(&signature))
}

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut all = vec!["verify-id-token"];
    all.extend(args);
    let mut child = oauth2_sansio(&all)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn a_valid_token_prints_its_claims_and_a_forged_one_is_refused() {
    let rsa = rsa();
    let jwks = testkit::jwt::jwk_json("k1");
    let answer = || Answer::Bytes(canned_with(200, &[("cache-control", "max-age=600")], &jwks));
    let server = CannedServer::start(vec![answer(), answer()]);
    let issuer = "https://issuer.example";
    let jwks_uri = server.url("/jwks");
    let args = [
        "--issuer",
        issuer,
        "--jwks-uri",
        jwks_uri.as_str(),
        "--audience",
        "client-1",
    ];

    let (code, stdout, stderr) = run(&args, &format!("{}\n", token(&rsa, issuer, "client-1")));
    assert_eq!(code, 0, "{stderr}");
    let claims: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(claims["sub"], "42");
    assert_eq!(claims["aud"], "client-1");

    let (code, stdout, stderr) = run(&args, &token(&rsa, issuer, "someone-else"));
    assert_eq!(code, 4);
    assert_eq!(stdout, "");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not for this audience"), "{stderr}");
    assert_eq!(server.requests().len(), 2, "one key-set fetch per run");
}

#[test]
fn without_an_issuer_choice_it_is_a_usage_error() {
    let (code, _, stderr) = run(&["--audience", "a"], "x");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--google, --iap, or --issuer"), "{stderr}");
}

#[test]
fn with_only_the_issuer_the_keys_come_from_its_discovery_document() {
    use testkit::interop::{
        sign_in_and_exchange, InteropServer, LOOPBACK_REDIRECT, NATIVE_CONFIDENTIAL,
    };

    let server = InteropServer::start();
    let client = server.client(NATIVE_CONFIDENTIAL);
    let credentials = sign_in_and_exchange(&server, &client, LOOPBACK_REDIRECT);
    let token = credentials
        .id_token()
        .expect("an ID token")
        .secret()
        .to_owned();
    let args = |audience: &'static str| {
        ["--issuer", server.issuer(), "--audience", audience].map(str::to_owned)
    };

    let (code, stdout, stderr) = run(
        &args(NATIVE_CONFIDENTIAL).each_ref().map(String::as_str),
        &token,
    );
    assert_eq!(code, 0, "{stderr}");
    let claims: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(claims["sub"], "user1");
    assert_eq!(claims["iss"], server.issuer());

    let (code, _, stderr) = run(&args("someone-else").each_ref().map(String::as_str), &token);
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("not for this audience"), "{stderr}");
}
