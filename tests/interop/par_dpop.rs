//! PAR and DPoP against oidc-provider configured with both (a nonce
//! required in every DPoP proof): a sign-in pushed to `/request` and bound
//! to a DPoP key, driven by headless Chromium; the DPoP-bound refresh;
//! userinfo with a proof (following the resource server's nonce); and the
//! same token refused when sent as a bearer token.

use std::time::SystemTime;

use oauth2_sansio::dpop::{DpopKey, ResourceAnswer};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::{drive, Credentials, UserCredentials};
use testkit::interop::{InteropServer, NATIVE_PUBLIC};

use crate::browser::run_in_chromium;

/// GET userinfo with `credentials`, authorized again once if the server
/// asks for its nonce; the final answer.
fn userinfo(server: &InteropServer, credentials: &UserCredentials) -> http::Response<Vec<u8>> {
    let transport = UreqTransport::new();
    let uri: http::Uri = server.userinfo_endpoint().parse().unwrap();
    let key = credentials.dpop_key().expect("DPoP-bound credentials");
    for _ in 0..2 {
        let mut request = http::Request::get(uri.clone()).body(Vec::new()).unwrap();
        server.check(
            credentials.authorize(&mut request, SystemTime::now()),
            "authorizing userinfo",
        );
        assert!(request.headers()["authorization"]
            .to_str()
            .unwrap()
            .starts_with("DPoP "));
        let response = server.check(transport.send(request), "the userinfo request");
        match key.read_resource_answer(&uri, &response) {
            ResourceAnswer::RetryWithNonce => continue,
            _ => return response,
        }
    }
    server.fail("userinfo asked for a nonce twice in a row")
}

#[test]
fn a_pushed_dpop_bound_sign_in_refreshes_and_calls_userinfo_with_proofs() {
    let server = InteropServer::start();
    let key = DpopKey::generate().unwrap();
    let bound = key.clone();
    let run = run_in_chromium(&server, NATIVE_PUBLIC, move |flow| {
        flow.push(true).dpop(bound)
    });
    assert_eq!(
        run.sent_to,
        [
            server.par_endpoint(),
            server.token_endpoint(),
            server.token_endpoint(),
            server.jwks_uri()
        ],
        "a push (binding the code with dpop_jkt), then the code exchange: refused for want of \
         the server's nonce, sent again once with it; then the keys to verify the ID token"
    );
    let credentials = server.check(run.result, "the pushed, DPoP-bound sign-in");
    let refusals: Vec<_> = server
        .events()
        .into_iter()
        .filter(|event| event["event"] == "pushed_authorization_request.error")
        .collect();
    assert!(refusals.is_empty(), "the push was refused: {refusals:?}");
    assert_eq!(credentials.dpop_key(), Some(&key), "a DPoP token");
    assert!(credentials.refresh_token().is_some());

    let answer = userinfo(&server, &credentials);
    assert_eq!(
        answer.status(),
        200,
        "{:?}",
        String::from_utf8_lossy(answer.body())
    );
    let claims: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
    assert_eq!(claims["sub"], "user1");

    // The same token as a bearer token: refused.
    let transport = UreqTransport::new();
    let token = credentials.token().unwrap().token().secret().to_owned();
    let as_bearer = http::Request::get(server.userinfo_endpoint())
        .header("authorization", format!("Bearer {token}"))
        .body(Vec::new())
        .unwrap();
    let refused = server.check(transport.send(as_bearer), "the bearer userinfo request");
    assert_eq!(refused.status(), 401);

    // The DPoP-bound refresh (a public client's refresh token is bound to
    // the key), nonce retry included when the server's nonce moved on.
    let refresh = credentials.refresh().unwrap();
    let refreshed = server.check(
        drive(
            refresh,
            SystemTime::now,
            |request| {
                assert!(request.headers().contains_key("dpop"));
                transport.send(request)
            },
            |_| panic!("a refresh never waits"),
        ),
        "the DPoP-bound refresh",
    );
    assert_eq!(refreshed.dpop_key(), Some(&key));
    assert_ne!(refreshed.token().unwrap().token().secret(), token);
    assert_eq!(userinfo(&server, &refreshed).status(), 200);

    // Another key cannot use the refresh token.
    let thief = refreshed.clone().with_dpop(DpopKey::generate().unwrap());
    let stolen = drive(
        thief.refresh().unwrap(),
        SystemTime::now,
        |request| transport.send(request),
        |_| panic!("a refresh never waits"),
    );
    assert!(
        stolen.is_err(),
        "a refresh token bound to another key was accepted"
    );
}
