//! Transcript tests of the client credentials grant (RFC 6749 §4.4): the
//! exact request for every client authentication method, freshness on the
//! fake clock through the shared rule, and asking again.

use std::time::Duration;

use oauth2_sansio::{
    AuthorizeError, Client, ClientAuthMethod, ClientCredentials, ClientSecret, ConfigError,
    Credentials, Error, ErrorCode, Freshness, InvalidResponse,
};
use testkit::one_request::*;

const TOKEN: &str = "https://as.example/token";
const ISSUED: &str =
    r#"{"access_token":"svc-at-1","token_type":"Bearer","expires_in":3600,"scope":"read"}"#;

fn client(method: ClientAuthMethod) -> Client {
    let builder = Client::builder("svc")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint(TOKEN)
        .auth_method(method);
    match method {
        ClientAuthMethod::None => builder,
        _ => builder.client_secret(ClientSecret::new("svc secret/+")),
    }
    .build()
    .unwrap()
}

fn granted(client: &Client) -> ClientCredentials {
    let grant = client
        .client_credentials()
        .scopes(["read", "write"])
        .build()
        .unwrap();
    run(grant, vec![Answer::ok(ISSUED)]).result.unwrap()
}

#[test]
fn every_client_authentication_method() {
    for (method, authorization, body) in [
        (
            ClientAuthMethod::ClientSecretBasic,
            Some(basic("svc", "svc secret/+")),
            "grant_type=client_credentials&scope=read+write",
        ),
        (
            ClientAuthMethod::ClientSecretPost,
            None,
            "grant_type=client_credentials&client_id=svc&client_secret=svc+secret%2F%2B&scope=read+write",
        ),
        (
            ClientAuthMethod::None,
            None,
            "grant_type=client_credentials&client_id=svc&scope=read+write",
        ),
    ] {
        let grant = client(method)
            .client_credentials()
            .scopes(["read", "write"])
            .build()
            .unwrap();
        let run = run(grant, vec![Answer::ok(ISSUED)]);
        assert_eq!(
            run.sent,
            [Sent::form(TOKEN, authorization.as_deref(), body)],
            "{method:?}"
        );
        let credentials = run.result.unwrap();
        assert_eq!(credentials.token().unwrap().token().secret(), "svc-at-1");
    }
}

#[test]
fn no_scope_and_extra_parameters() {
    let grant = client(ClientAuthMethod::ClientSecretBasic)
        .client_credentials()
        .param("audience", "https://api.example")
        .param("resource", "urn:x")
        .build()
        .unwrap();
    let run = run(grant, vec![Answer::ok(ISSUED)]);
    assert_eq!(
        run.sent[0].body,
        "grant_type=client_credentials&audience=https%3A%2F%2Fapi.example&resource=urn%3Ax"
    );
}

#[test]
fn the_request_is_checked() {
    let client = client(ClientAuthMethod::ClientSecretPost);
    for name in ["grant_type", "scope", "client_id", "client_secret"] {
        assert_eq!(
            client
                .client_credentials()
                .param(name, "x")
                .build()
                .map(|_| ()),
            Err(ConfigError::ReservedParameter { name: name.into() })
        );
    }
    assert!(matches!(
        client.client_credentials().scope("a b").build(),
        Err(ConfigError::InvalidScope { .. })
    ));
}

#[test]
fn expiry_counts_from_when_the_request_was_sent() {
    let credentials = granted(&client(ClientAuthMethod::ClientSecretBasic));
    // Sent at 0, answered at 1: the token lives until 0 + 3600.
    assert_eq!(credentials.token().unwrap().expiry(), Some(at(3600)));
    assert_eq!(credentials.scopes(), ["read", "write"]);
    assert_eq!(credentials.granted_scopes().unwrap(), ["read"]);
    // google-auth's threshold, by the one shared rule.
    assert_eq!(credentials.freshness(at(3600 - 226)), Freshness::Fresh);
    assert_eq!(credentials.freshness(at(3600 - 225)), Freshness::Stale);
    assert_eq!(credentials.freshness(at(3600)), Freshness::Invalid);
    let mut request = http::Request::new(());
    assert_eq!(
        credentials.authorize(&mut request, at(10)),
        Ok(Freshness::Fresh)
    );
    assert_eq!(request.headers()["authorization"], "Bearer svc-at-1");
    assert_eq!(
        credentials.authorize(&mut http::Request::new(()), at(3600)),
        Err(AuthorizeError::NeedsRefresh)
    );
}

#[test]
fn refresh_asks_again_exactly_and_keeps_the_threshold() {
    let client = client(ClientAuthMethod::ClientSecretPost);
    let first_grant = client
        .client_credentials()
        .scopes(["read", "write"])
        .param("audience", "api")
        .build()
        .unwrap();
    let first = run(first_grant, vec![Answer::ok(ISSUED)]);
    let credentials = first
        .result
        .unwrap()
        .with_refresh_threshold(Duration::from_secs(60));
    let second = run(
        credentials.refresh().unwrap(),
        vec![Answer::ok(
            r#"{"access_token":"svc-at-2","token_type":"bearer","expires_in":100,"refresh_token":"ignored"}"#,
        )],
    );
    assert_eq!(second.sent, first.sent);
    let renewed = second.result.unwrap();
    assert_eq!(renewed.token().unwrap().token().secret(), "svc-at-2");
    assert_eq!(renewed.freshness(at(39)), Freshness::Fresh);
    assert_eq!(renewed.freshness(at(40)), Freshness::Stale);
    // RFC 6749 §4.4.3: a refresh token is not kept, not even as an extra.
    assert!(renewed.extra().is_empty());
    assert!(!format!("{renewed:?}").contains("ignored"));
}

#[test]
fn a_token_without_expires_in_counts_as_fresh() {
    let grant = client(ClientAuthMethod::ClientSecretBasic)
        .client_credentials()
        .build()
        .unwrap();
    let credentials = run(
        grant,
        vec![Answer::ok(r#"{"access_token":"a","token_type":"Bearer"}"#)],
    )
    .result
    .unwrap();
    assert_eq!(credentials.token().unwrap().expiry(), None);
    assert_eq!(credentials.freshness(at(u32::MAX.into())), Freshness::Fresh);
}

#[test]
fn token_response_rules_apply() {
    let result = |answer: Answer| {
        let grant = client(ClientAuthMethod::ClientSecretBasic)
            .client_credentials()
            .build()
            .unwrap();
        run(grant, vec![answer]).result
    };
    assert!(matches!(
        result(Answer::status(401, r#"{"error":"invalid_client"}"#)),
        Err(Error::OAuth(e)) if *e.code() == ErrorCode::InvalidClient
    ));
    assert!(matches!(
        result(Answer::status(400, r#"{"error":"unauthorized_client"}"#)),
        Err(Error::OAuth(e)) if *e.code() == ErrorCode::UnauthorizedClient
    ));
    assert_eq!(
        result(Answer::ok(r#"{"access_token":"a","token_type":"N_A"}"#)).unwrap_err(),
        Error::InvalidResponse(InvalidResponse::UnsupportedTokenType {
            token_type: "N_A".into()
        })
    );
    assert_eq!(
        result(Answer::status(307, "")).unwrap_err(),
        Error::Redirect { status: 307 }
    );
    assert!(matches!(result(Answer::Fail), Err(Error::Transport(_))));
}

#[test]
fn debug_never_shows_secrets() {
    let client = client(ClientAuthMethod::ClientSecretPost);
    let credentials = granted(&client);
    let shown = format!("{credentials:?} {:?}", credentials.refresh());
    for secret in ["svc secret", "svc-at-1"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

#[cfg(feature = "ring")]
#[test]
fn a_dpop_bound_grant_meets_the_nonce_demand_and_asks_again_with_the_latest_nonce() {
    use oauth2_sansio::dpop::DpopKey;
    use oauth2_sansio::jwt::decode_unverified;

    const DPOP_ISSUED: &str =
        r#"{"access_token":"svc-dpop","token_type":"DPoP","expires_in":3600,"scope":"read"}"#;
    let key = DpopKey::generate().unwrap();
    let grant = client(ClientAuthMethod::ClientSecretBasic)
        .client_credentials()
        .scopes(["read"])
        .build()
        .unwrap()
        .with_dpop(&key);
    let first = run(
        grant,
        vec![
            Answer::with_dpop_nonce(400, r#"{"error":"use_dpop_nonce"}"#, "n-1"),
            Answer::with_dpop_nonce(200, DPOP_ISSUED, "n-2"),
        ],
    );
    let nonce = |sent: &Sent| {
        let proof = &sent
            .headers
            .iter()
            .find(|(n, _)| n == "dpop")
            .expect("a proof")
            .1;
        let claims = decode_unverified(proof).unwrap().payload().clone();
        assert_eq!(claims["htu"], TOKEN);
        claims
            .get("nonce")
            .and_then(|n| n.as_str())
            .map(str::to_owned)
    };
    let nonces: Vec<_> = first.sent.iter().map(nonce).collect();
    assert_eq!(nonces, [None, Some("n-1".to_owned())]);
    let credentials = first.result.unwrap();
    assert_eq!(credentials.dpop_key(), Some(&key));

    // Asking again: the nonce of the last answer, at once.
    let again = run(
        credentials.refresh().unwrap(),
        vec![Answer::ok(DPOP_ISSUED)],
    );
    let nonces: Vec<_> = again.sent.iter().map(nonce).collect();
    assert_eq!(nonces, [Some("n-2".to_owned())]);
    let mut api = http::Request::get("https://rs.example/items")
        .body(())
        .unwrap();
    again.result.unwrap().authorize(&mut api, at(10)).unwrap();
    assert_eq!(api.headers()["authorization"], "DPoP svc-dpop");
    assert!(api.headers().contains_key("dpop"));
}
