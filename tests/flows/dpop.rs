//! DPoP end to end against the in-memory server: the code exchange, the
//! nonce retry (first use, rotation mid-run, twice in a row), refresh with
//! the key, resource requests with the resource server's nonce, a Bearer
//! answer to a proved request, and the fake's refusal of a replayed proof.

use std::time::SystemTime;

use oauth2_sansio::dpop::{DpopKey, ResourceAnswer};
use oauth2_sansio::jwt::decode_unverified;
use oauth2_sansio::{
    AuthorizeError, Credentials, Error, ErrorCode, InvalidResponse, Machine, UserCredentials,
};
use serde_json::Value;
use testkit::world::{
    approved_exchange, installed_client, public_client, Event, FakeClock, FakeServer, Sent,
    Transcript, TOKEN_URI,
};

/// What a sent request proves: its proof's `htm`, `htu`, `nonce` and
/// `ath` (`None` without a `DPoP` header), and its `jti`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Proved {
    uri: String,
    grant: String,
    nonce: Option<String>,
    jti: String,
}

/// The proofs of a transcript's requests, checked for the claims every
/// proof must have.
fn proofs(transcript: &Transcript, key: &DpopKey) -> Vec<Proved> {
    transcript
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Send(sent) => Some(proved(sent, key)),
            _ => None,
        })
        .collect()
}

fn proved(sent: &Sent, key: &DpopKey) -> Proved {
    let proof = sent
        .headers
        .iter()
        .find(|(name, _)| name == "dpop")
        .map(|(_, value)| value.as_str())
        .expect("every request carries a proof");
    let jwt = decode_unverified(proof).unwrap();
    assert_eq!(jwt.header()["typ"], "dpop+jwt");
    assert_eq!(jwt.algorithm(), "ES256");
    assert_eq!(jwt.header()["jwk"], key.public_jwk());
    let claims = jwt.payload();
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["htu"], sent.uri.as_str());
    assert!(
        claims.get("ath").is_none(),
        "no access token at the token endpoint"
    );
    let grant = url::form_urlencoded::parse(sent.body.as_bytes())
        .find(|(name, _)| name == "grant_type")
        .map(|(_, value)| value.into_owned())
        .unwrap();
    Proved {
        uri: sent.uri.clone(),
        grant,
        nonce: claims
            .get("nonce")
            .and_then(Value::as_str)
            .map(str::to_owned),
        jti: claims["jti"].as_str().unwrap().to_owned(),
    }
}

fn errors(transcript: &Transcript) -> Vec<&Error> {
    transcript
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Error(error) => Some(error),
            _ => None,
        })
        .collect()
}

fn nonce_server(nonce: &str) -> FakeServer {
    let mut server = FakeServer::default();
    server.dpop_nonce = Some(nonce.to_owned());
    server
}

/// A DPoP sign-in of `installed-app` against `server`.
fn dpop_sign_in(
    server: &mut FakeServer,
    clock: &mut FakeClock,
    key: &DpopKey,
) -> (Transcript, UserCredentials) {
    let mut exchange =
        approved_exchange(server, &installed_client(), &["openid", "email"], clock).with_dpop(key);
    let transcript = Transcript::record(&mut exchange, server, clock);
    let credentials = transcript
        .output
        .clone()
        .expect("the DPoP sign-in succeeds");
    (transcript, credentials)
}

#[test]
fn a_nonce_on_first_use_is_answered_by_one_retry_with_a_new_proof() {
    let (mut server, mut clock) = (nonce_server("n-1"), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let (transcript, credentials) = dpop_sign_in(&mut server, &mut clock, &key);

    let sent = proofs(&transcript, &key);
    let expected = |nonce: Option<&str>| Proved {
        uri: TOKEN_URI.into(),
        grant: "authorization_code".into(),
        nonce: nonce.map(str::to_owned),
        jti: String::new(),
    };
    let without_jti: Vec<Proved> = sent
        .iter()
        .map(|p| Proved {
            jti: String::new(),
            ..p.clone()
        })
        .collect();
    assert_eq!(without_jti, [expected(None), expected(Some("n-1"))]);
    assert_ne!(sent[0].jti, sent[1].jti, "never the same proof twice");
    assert!(matches!(transcript.events.last(), Some(Event::Done(_))));
    assert_eq!(server.token_requests(), 2);

    assert_eq!(credentials.dpop_key(), Some(&key));
    assert_eq!(credentials.dpop_binding(), Some(&key));
}

#[test]
fn the_bound_credentials_refresh_with_the_key_and_follow_a_rotated_nonce() {
    let (mut server, mut clock) = (nonce_server("n-1"), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let (_, credentials) = dpop_sign_in(&mut server, &mut clock, &key);

    // The nonce the key already holds is sent at once: one request.
    let mut refresh = credentials.refresh().unwrap();
    let transcript = Transcript::record(&mut refresh, &mut server, &mut clock);
    let sent = proofs(&transcript, &key);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].grant, "refresh_token");
    assert_eq!(sent[0].nonce.as_deref(), Some("n-1"));
    let refreshed = transcript.output.unwrap();
    assert_eq!(refreshed.dpop_key(), Some(&key));

    // The server rotates its nonce mid-run: one refusal, one retry.
    server.dpop_nonce = Some("n-2".into());
    let mut refresh = refreshed.refresh().unwrap();
    let transcript = Transcript::record(&mut refresh, &mut server, &mut clock);
    let nonces: Vec<_> = proofs(&transcript, &key)
        .into_iter()
        .map(|p| p.nonce)
        .collect();
    assert_eq!(nonces, [Some("n-1".into()), Some("n-2".into())]);
    assert!(transcript.output.is_some());
}

#[test]
fn a_second_nonce_demand_in_a_row_is_the_servers_answer() {
    let (mut server, clock) = (nonce_server("n-1"), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let mut exchange =
        approved_exchange(&mut server, &installed_client(), &["openid"], &clock).with_dpop(&key);
    let mut rounds = 0;
    let error = loop {
        rounds += 1;
        // A nonce that changes before every request is never current.
        server.dpop_nonce = Some(format!("n-{rounds}"));
        match exchange.poll(clock.now()) {
            Ok(oauth2_sansio::Step::Send(request)) => {
                let response = server.handle(&request, clock.now());
                if let Err(error) = exchange.handle_response(response, clock.now()) {
                    break error;
                }
            }
            Ok(step) => panic!("unexpected {step:?}"),
            Err(error) => break error,
        }
    };
    assert_eq!(rounds, 2, "two sends, the second answered by the error");
    assert!(
        matches!(&error, Error::OAuth(e) if *e.code() == ErrorCode::UseDpopNonce),
        "{error:?}"
    );
    assert!(error.to_string().contains("twice in a row"), "{error}");
}

#[test]
fn without_a_server_nonce_one_request_does() {
    let (mut server, mut clock) = (FakeServer::default(), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let (transcript, credentials) = dpop_sign_in(&mut server, &mut clock, &key);
    let sent = proofs(&transcript, &key);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].nonce, None);
    assert_eq!(credentials.dpop_key(), Some(&key));
}

#[test]
fn a_bearer_answer_to_a_proved_request_is_refused_unless_allowed() {
    let key = DpopKey::generate().unwrap();
    // A server that ignores the proof and answers Bearer: any server
    // without DPoP. The fake binds tokens only when it checks a proof, so
    // strip the proof on the way.
    let strip = |request: &http::Request<Vec<u8>>| {
        let mut plain = http::Request::new(request.body().clone());
        *plain.method_mut() = request.method().clone();
        *plain.uri_mut() = request.uri().clone();
        *plain.headers_mut() = request.headers().clone();
        plain.headers_mut().remove("dpop");
        plain
    };
    for allow in [false, true] {
        let (mut server, clock) = (FakeServer::default(), FakeClock::new());
        let exchange = approved_exchange(&mut server, &installed_client(), &["openid"], &clock);
        let mut exchange = exchange.with_dpop(&key);
        if allow {
            exchange = exchange.allow_bearer_downgrade();
        }
        let oauth2_sansio::Step::Send(request) = exchange.poll(clock.now()).unwrap() else {
            panic!("a request first")
        };
        assert!(request.headers().contains_key("dpop"));
        let response = server.handle(&strip(&request), clock.now());
        let outcome = exchange
            .handle_response(response, clock.now())
            .and_then(|()| exchange.poll(clock.now()));
        if allow {
            let Ok(oauth2_sansio::Step::Done(credentials)) = outcome else {
                panic!("{outcome:?}")
            };
            assert_eq!(
                credentials.dpop_key(),
                None,
                "a Bearer token goes as Bearer"
            );
            let mut api = http::Request::new(Vec::<u8>::new());
            *api.uri_mut() = "http://127.0.0.1:9000/me".parse().unwrap();
            credentials.authorize(&mut api, clock.now()).unwrap();
            assert!(api.headers()["authorization"]
                .to_str()
                .unwrap()
                .starts_with("Bearer "));
            assert!(!api.headers().contains_key("dpop"));
        } else {
            assert!(
                matches!(
                    outcome,
                    Err(Error::InvalidResponse(InvalidResponse::UnsupportedTokenType { ref token_type }))
                        if token_type == "Bearer"
                ),
                "{outcome:?}"
            );
        }
    }
}

#[test]
fn resource_requests_carry_the_token_hash_and_follow_the_resource_servers_nonce() {
    let (mut server, mut clock) = (FakeServer::default(), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let (_, credentials) = dpop_sign_in(&mut server, &mut clock, &key);
    let uri: http::Uri = "http://127.0.0.1:9000/me?fields=all".parse().unwrap();
    let request = |credentials: &UserCredentials, now: SystemTime| {
        let mut request = http::Request::new(Vec::new());
        *request.uri_mut() = uri.clone();
        credentials.authorize(&mut request, now).unwrap();
        request
    };

    // Without a nonce policy the first request passes.
    let first = request(&credentials, clock.now());
    let token = credentials.token().unwrap().token().secret();
    assert_eq!(
        first.headers()["authorization"],
        format!("DPoP {token}").as_str()
    );
    let proof = decode_unverified(first.headers()["dpop"].to_str().unwrap()).unwrap();
    assert_eq!(proof.payload()["htm"], "GET");
    assert_eq!(proof.payload()["htu"], "http://127.0.0.1:9000/me");
    assert_eq!(
        proof.payload()["ath"],
        oauth2_sansio::dpop::access_token_hash(token).as_str()
    );
    assert_eq!(server.api(&first, clock.now()).status(), 200);

    // The resource server starts asking for a nonce.
    server.dpop_nonce = Some("rs-1".into());
    let second = request(&credentials, clock.now());
    let refused = server.api(&second, clock.now());
    assert_eq!(refused.status(), 401);
    assert_eq!(
        key.read_resource_answer(&uri, &refused),
        ResourceAnswer::RetryWithNonce
    );
    let again = request(&credentials, clock.now());
    let proof = decode_unverified(again.headers()["dpop"].to_str().unwrap()).unwrap();
    assert_eq!(proof.payload()["nonce"], "rs-1");
    let answer = server.api(&again, clock.now());
    assert_eq!(answer.status(), 200);
    assert_eq!(
        key.read_resource_answer(&uri, &answer),
        ResourceAnswer::Usable
    );

    // The same DPoP-bound token sent as a bearer token is refused.
    let mut as_bearer = again;
    as_bearer.headers_mut().remove("dpop");
    as_bearer
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let refused = server.api(&as_bearer, clock.now());
    assert_eq!(refused.status(), 401);
    let ResourceAnswer::Refused(challenge) = key.read_resource_answer(&uri, &refused) else {
        panic!("a DPoP challenge")
    };
    assert_eq!(challenge.error.as_deref(), Some("invalid_token"));

    // An expired token is not authorized at all.
    clock.advance(std::time::Duration::from_secs(3600));
    let mut late = http::Request::new(Vec::<u8>::new());
    *late.uri_mut() = uri.clone();
    assert_eq!(
        credentials.authorize(&mut late, clock.now()),
        Err(AuthorizeError::NeedsRefresh)
    );
}

#[test]
fn the_fake_refuses_a_replayed_proof() {
    let (mut server, clock) = (FakeServer::default(), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let mut exchange =
        approved_exchange(&mut server, &installed_client(), &["openid"], &clock).with_dpop(&key);
    let oauth2_sansio::Step::Send(request) = exchange.poll(clock.now()).unwrap() else {
        panic!("a request first")
    };
    assert_eq!(server.handle(&request, clock.now()).status(), 200);
    let replayed = server.handle(&request, clock.now());
    assert_eq!(replayed.status(), 400);
    let body: Value = serde_json::from_slice(replayed.body()).unwrap();
    assert_eq!(body["error"], "invalid_dpop_proof");
}

#[test]
fn a_public_clients_refresh_token_is_bound_to_the_key() {
    let (mut server, mut clock) = (FakeServer::default(), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let mut exchange =
        approved_exchange(&mut server, &public_client(), &["openid"], &clock).with_dpop(&key);
    let credentials = Transcript::record(&mut exchange, &mut server, &mut clock)
        .output
        .unwrap();
    // Another key cannot use the refresh token.
    let thief = credentials.clone().with_dpop(DpopKey::generate().unwrap());
    let mut refresh = thief.refresh().unwrap();
    let transcript = Transcript::record(&mut refresh, &mut server, &mut clock);
    assert!(
        matches!(errors(&transcript)[..], [Error::OAuth(ref e)] if *e.code() == ErrorCode::InvalidGrant),
        "{transcript:?}"
    );
    let mut refresh = credentials.refresh().unwrap();
    assert!(Transcript::record(&mut refresh, &mut server, &mut clock)
        .output
        .is_some());
}

#[test]
fn a_nonce_retry_of_a_private_key_jwt_client_signs_a_new_assertion() {
    use oauth2_sansio::jwt::RingSigner;
    use oauth2_sansio::{Client, ClientAssertionKey};
    use std::sync::Arc;
    use testkit::world::{AUTH_URI, ISSUER, JWT_CLIENT_KEY_PEM, JWT_ID};

    let signer = RingSigner::from_pem(JWT_CLIENT_KEY_PEM, Some("jwt-key-1".into())).unwrap();
    let client = Client::builder(JWT_ID)
        .authorization_endpoint(AUTH_URI)
        .token_endpoint(TOKEN_URI)
        .issuer(ISSUER)
        .require_issuer_in_callback(true)
        .private_key_jwt(ClientAssertionKey::with_seed(Arc::new(signer), [7; 32]))
        .build()
        .unwrap();
    let (mut server, mut clock) = (nonce_server("n-1"), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let mut exchange = approved_exchange(&mut server, &client, &["openid"], &clock).with_dpop(&key);
    let transcript = Transcript::record(&mut exchange, &mut server, &mut clock);
    assert!(transcript.output.is_some(), "{transcript:?}");
    let assertions: Vec<String> = transcript
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Send(sent) => url::form_urlencoded::parse(sent.body.as_bytes())
                .find(|(name, _)| name == "client_assertion")
                .map(|(_, value)| value.into_owned()),
            _ => None,
        })
        .collect();
    // The fake refuses a replayed assertion jti: the retry signed anew.
    assert_eq!(assertions.len(), 2);
    assert_ne!(assertions[0], assertions[1]);
}

#[test]
fn bound_credentials_keep_their_key_in_the_authorized_user_file() {
    let (mut server, mut clock) = (nonce_server("n-1"), FakeClock::new());
    let key = DpopKey::generate().unwrap();
    let (_, credentials) = dpop_sign_in(&mut server, &mut clock, &key);
    let json = credentials.to_authorized_user_json();
    let file: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(file["token_type"], "DPoP");
    assert_eq!(file["dpop_key"]["kty"], "EC");
    let d = file["dpop_key"]["d"].as_str().unwrap().to_owned();
    assert!(
        !format!("{credentials:?}").contains(&d),
        "Debug never shows the key"
    );

    let read = UserCredentials::from_authorized_user_json(json.as_bytes()).unwrap();
    assert_eq!(
        read.dpop_key().map(DpopKey::thumbprint),
        Some(key.thumbprint())
    );
    // A new run: the nonce is not known yet, so one retry; the refresh
    // is proved with the same key.
    let mut refresh = read.refresh().unwrap();
    let transcript = Transcript::record(&mut refresh, &mut server, &mut clock);
    assert_eq!(proofs(&transcript, read.dpop_binding().unwrap()).len(), 2);
    assert!(transcript.output.unwrap().dpop_key().is_some());

    let without_key = json.replace(r#""dpop_key""#, r#""other""#);
    let error = UserCredentials::from_authorized_user_json(without_key.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("dpop_key"), "{error}");
    let bad_key = json.replace(&d, "AAAA");
    let error = UserCredentials::from_authorized_user_json(bad_key.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("dpop_key"), "{error}");
    assert!(!error.to_string().contains(&d));
}
