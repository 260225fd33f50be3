//! oidc-provider's ID tokens verified through its `/jwks`: the installed-app
//! flow checks the ID token of an `openid` sign-in by itself (signature,
//! issuer, audience, the nonce it sent); a token checked for another nonce
//! is refused; and a key rotation (the server restarted on its port with a
//! new key) is followed by one fetch, after which the old key's tokens are
//! refused.

use std::time::Duration;

use oauth2_sansio::io::ureq::{KeySetClient, UreqTransport, VerifyFailure};
use oauth2_sansio::jwt::decode_unverified;
use oauth2_sansio::jwt::verify::{CachePolicy, IdTokenError, IdTokenVerifier, KeySetCache};
use testkit::interop::{
    sign_in_and_exchange, InteropServer, ServerOptions, LOOPBACK_REDIRECT, NATIVE_CONFIDENTIAL,
    NATIVE_PUBLIC,
};

use crate::browser::run_in_chromium;

#[test]
fn the_installed_flow_verifies_the_id_token_it_asked_for() {
    let server = InteropServer::start();
    let run = run_in_chromium(&server, NATIVE_PUBLIC, |flow| flow);
    assert_eq!(
        run.sent_to,
        [server.token_endpoint(), server.jwks_uri()],
        "the code exchange, then the issuer's keys"
    );
    let credentials = server.check(run.result, "the sign-in");
    let token = credentials.id_token().expect("an ID token for openid");
    let claims = decode_unverified(token.secret()).unwrap().payload().clone();
    let nonce = claims["nonce"].as_str().expect("the flow sent a nonce");
    assert_eq!(nonce.len(), 43);

    // The same token, checked for another nonce, is refused.
    let keys = KeySetClient::new(
        UreqTransport::new(),
        KeySetCache::new(&server.jwks_uri()).unwrap(),
    );
    let other = IdTokenVerifier::new(server.issuer(), NATIVE_PUBLIC).with_nonce("another nonce");
    let refused = keys.verify(&other, token.secret()).unwrap_err();
    assert!(
        matches!(refused, VerifyFailure::Refused(IdTokenError::WrongNonce)),
        "{refused}"
    );
    let right = IdTokenVerifier::new(server.issuer(), NATIVE_PUBLIC).with_nonce(nonce);
    let verified = server.check(keys.verify(&right, token.secret()), "verifying");
    assert_eq!(verified.subject(), Some("user1"));
}

#[test]
fn a_key_rotation_is_followed_and_the_old_keys_tokens_are_refused() {
    let first = InteropServer::start();
    let port = first.port();
    let policy = CachePolicy {
        cooldown: Duration::ZERO,
        ..CachePolicy::default()
    };
    let keys = KeySetClient::new(
        UreqTransport::new(),
        KeySetCache::new(&first.jwks_uri())
            .unwrap()
            .with_policy(policy),
    );
    let verifier = IdTokenVerifier::new(first.issuer(), NATIVE_CONFIDENTIAL);
    let client = first.client(NATIVE_CONFIDENTIAL);
    let old = sign_in_and_exchange(&first, &client, LOOPBACK_REDIRECT);
    let old = old.id_token().expect("an ID token").secret().to_owned();
    first.check(keys.verify(&verifier, &old), "the first server's token");
    drop(first);

    // The same issuer, restarted with a new key (and kid).
    let second = InteropServer::start_with(ServerOptions {
        port: Some(port),
        ..ServerOptions::default()
    });
    let new = sign_in_and_exchange(
        &second,
        &second.client(NATIVE_CONFIDENTIAL),
        LOOPBACK_REDIRECT,
    );
    let new = new.id_token().expect("an ID token").secret().to_owned();
    let kid = |token: &str| {
        decode_unverified(token)
            .unwrap()
            .key_id()
            .map(str::to_owned)
    };
    assert_ne!(kid(&old), kid(&new), "a new key");
    second.check(
        keys.verify(&verifier, &new),
        "the rotated key's token, after one fetch",
    );
    let refused = keys.verify(&verifier, &old).unwrap_err();
    assert!(
        matches!(&refused, VerifyFailure::Refused(IdTokenError::UnknownKey { kid: Some(k) }) if Some(k) == kid(&old).as_ref()),
        "{refused}"
    );
}
