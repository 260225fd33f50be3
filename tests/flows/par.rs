//! Pushed authorization requests against the in-memory server: what is
//! pushed and how, the URL that results, the sign-in completed through it,
//! a reused or expired `request_uri`, a server that requires pushing, a
//! code bound to a DPoP key, and the server's refusals.

use std::time::Duration;

use oauth2_sansio::dpop::DpopKey;
use oauth2_sansio::{
    AuthorizationUrl, CallbackError, Client, ClientSecret, ConfigError, Error, ErrorCode, Machine,
    PendingAuthorization, Step,
};
use testkit::world::{
    installed_client, Decision, FakeClock, FakeServer, Sent, Transcript, AUTH_URI, INSTALLED_ID,
    INSTALLED_SECRET, ISSUER, LOOPBACK_REDIRECT, PAR_URI, PUBLIC_ID, PUSH_LIFETIME, TOKEN_URI,
};

const ENTROPY: [u8; 64] = testkit::world::ENTROPY;

fn pushing(id: &str, secret: Option<&str>, required: bool) -> Client {
    let mut builder = Client::builder(id)
        .authorization_endpoint(AUTH_URI)
        .token_endpoint(TOKEN_URI)
        .issuer(ISSUER)
        .require_issuer_in_callback(true)
        .pushed_authorization_request_endpoint(PAR_URI)
        .require_pushed_authorization_requests(required);
    if let Some(secret) = secret {
        builder = builder.client_secret(ClientSecret::new(secret));
    }
    builder.build().unwrap()
}

/// Pushes `client`'s request for `openid email` and returns what was sent
/// and the outcome.
fn push(
    server: &mut FakeServer,
    clock: &FakeClock,
    client: &Client,
    key: Option<&DpopKey>,
) -> (
    Sent,
    Result<(AuthorizationUrl, PendingAuthorization), Error>,
) {
    let mut request = client
        .authorization_request(LOOPBACK_REDIRECT)
        .scopes(["openid", "email"])
        .with_nonce(true);
    if let Some(key) = key {
        request = request.bind_code_to(key);
    }
    let mut machine = request.push_with_entropy(clock.now(), &ENTROPY).unwrap();
    let Ok(Step::Send(sent)) = machine.poll(clock.now()) else {
        panic!("a push first")
    };
    let recorded = Sent::of(&sent);
    let answer = server.deliver(&sent, clock.now()).unwrap();
    let outcome = machine.handle_response(answer, clock.now()).and_then(|()| {
        match machine.poll(clock.now())? {
            Step::Done(output) => Ok(output),
            other => panic!("{other:?}"),
        }
    });
    (recorded, outcome)
}

fn form(sent: &Sent) -> Vec<(String, String)> {
    url::form_urlencoded::parse(sent.body.as_bytes())
        .into_owned()
        .collect()
}

#[test]
fn the_request_is_pushed_with_every_parameter_and_the_url_names_only_the_push() {
    let (mut server, clock) = (FakeServer::default(), FakeClock::new());
    let client = pushing(INSTALLED_ID, Some(INSTALLED_SECRET), false);
    let (sent, outcome) = push(&mut server, &clock, &client, None);
    let (url, pending) = outcome.unwrap();

    assert_eq!((sent.method.as_str(), sent.uri.as_str()), ("POST", PAR_URI));
    assert!(sent
        .headers
        .iter()
        .any(|(name, value)| name == "authorization" && value.starts_with("Basic ")));
    let challenge = url::form_urlencoded::parse(
        client
            .authorization_request(LOOPBACK_REDIRECT)
            .scopes(["openid", "email"])
            .build_with_entropy(clock.now(), &ENTROPY)
            .unwrap()
            .0
            .url()
            .query()
            .unwrap()
            .as_bytes(),
    )
    .find(|(name, _)| name == "code_challenge")
    .unwrap()
    .1
    .into_owned();
    let names: Vec<String> = form(&sent).into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method",
            "nonce",
            "access_type"
        ]
    );
    let pushed = form(&sent);
    assert!(
        pushed.contains(&("client_id".into(), INSTALLED_ID.into())),
        "always in the body"
    );
    assert!(pushed.contains(&("code_challenge".into(), challenge)));
    assert!(pushed.contains(&("nonce".into(), pending.nonce().unwrap().into())));

    let query: Vec<(String, String)> = url.url().query_pairs().into_owned().collect();
    assert_eq!(url.as_str().split('?').next(), Some(AUTH_URI));
    assert_eq!(
        query,
        [
            ("client_id".into(), INSTALLED_ID.into()),
            (
                "request_uri".into(),
                "urn:ietf:params:oauth:request_uri:push-1".into()
            )
        ]
    );
    assert_eq!(
        pending.pushed_request_expiry(),
        Some(clock.now() + PUSH_LIFETIME)
    );
}

#[test]
fn a_sign_in_completes_through_the_pushed_request() {
    let (mut server, mut clock) = (FakeServer::default(), FakeClock::new());
    let client = pushing(PUBLIC_ID, None, true);
    let (sent, outcome) = push(&mut server, &clock, &client, None);
    let client_ids = form(&sent)
        .into_iter()
        .filter(|(name, _)| name == "client_id")
        .count();
    assert_eq!(client_ids, 1, "a public client's id once, in the body");
    let (url, pending) = outcome.unwrap();
    let redirect = server.authorize(&url, Decision::Approve);
    let mut exchange = pending.complete(&client, &redirect).unwrap();
    let credentials = Transcript::record(&mut exchange, &mut server, &mut clock)
        .output
        .expect("the code exchange succeeds");
    assert_eq!(
        credentials.granted_scopes(),
        Some(&["openid".to_owned(), "email".to_owned()][..])
    );
}

#[test]
fn a_reused_or_expired_request_uri_is_refused_with_a_clear_error() {
    for expired in [false, true] {
        let (mut server, clock) = (FakeServer::default(), FakeClock::new());
        let client = pushing(INSTALLED_ID, Some(INSTALLED_SECRET), false);
        let (_, outcome) = push(&mut server, &clock, &client, None);
        let (url, pending) = outcome.unwrap();
        if expired {
            server.now_for_pushes = pending.pushed_request_expiry().unwrap();
        } else {
            server.authorize(&url, Decision::Approve);
        }
        let redirect = server.authorize(&url, Decision::Approve);
        let refused = pending.complete(&client, &redirect).unwrap_err();
        let CallbackError::Authorization(error) = &refused else {
            panic!("{refused:?}")
        };
        assert_eq!(*error.code(), ErrorCode::InvalidRequestUri);
        assert!(
            refused.to_string().contains("push a new request"),
            "{refused}"
        );
    }
}

#[test]
fn a_server_that_requires_pushing_refuses_a_plain_url() {
    let client = pushing(INSTALLED_ID, Some(INSTALLED_SECRET), true);
    let built = client
        .authorization_request(LOOPBACK_REDIRECT)
        .build_with_entropy(FakeClock::new().now(), &ENTROPY);
    assert_eq!(built.map(|_| ()), Err(ConfigError::PushRequired));
    let without_endpoint = installed_client()
        .authorization_request(LOOPBACK_REDIRECT)
        .push_with_entropy(FakeClock::new().now(), &ENTROPY);
    assert!(matches!(
        without_endpoint,
        Err(ConfigError::MissingEndpoint {
            endpoint: "pushed_authorization_request_endpoint"
        })
    ));
}

#[test]
fn a_code_bound_to_a_dpop_key_is_redeemed_only_with_that_key() {
    for same_key in [true, false] {
        let (mut server, mut clock) = (FakeServer::default(), FakeClock::new());
        let client = pushing(INSTALLED_ID, Some(INSTALLED_SECRET), false);
        let key = DpopKey::generate().unwrap();
        let (sent, outcome) = push(&mut server, &clock, &client, Some(&key));
        assert!(form(&sent).contains(&("dpop_jkt".into(), key.thumbprint().into())));
        let (url, pending) = outcome.unwrap();
        let redirect = server.authorize(&url, Decision::Approve);
        let prover = if same_key {
            key
        } else {
            DpopKey::generate().unwrap()
        };
        let mut exchange = pending
            .complete(&client, &redirect)
            .unwrap()
            .with_dpop(&prover);
        let transcript = Transcript::record(&mut exchange, &mut server, &mut clock);
        assert_eq!(transcript.output.is_some(), same_key, "{transcript:?}");
    }
}

#[test]
fn the_servers_refusal_of_a_push_is_typed() {
    let (mut server, clock) = (FakeServer::default(), FakeClock::new());
    let client = pushing(INSTALLED_ID, Some("wrong secret"), false);
    let (_, outcome) = push(&mut server, &clock, &client, None);
    assert!(
        matches!(&outcome, Err(Error::OAuth(e)) if *e.code() == ErrorCode::InvalidClient),
        "{outcome:?}"
    );
    let client = pushing(INSTALLED_ID, Some(INSTALLED_SECRET), false);
    let mut machine = client
        .authorization_request("http://127.0.0.1:1/unregistered")
        .push_with_entropy(clock.now(), &ENTROPY)
        .unwrap();
    let Ok(Step::Send(sent)) = machine.poll(clock.now()) else {
        panic!()
    };
    let answer = server
        .deliver(&sent, clock.now() + Duration::from_secs(1))
        .unwrap();
    let refused = machine.handle_response(answer, clock.now()).unwrap_err();
    assert!(
        matches!(&refused, Error::OAuth(e) if *e.code() == ErrorCode::InvalidRequest),
        "{refused:?}"
    );
}
