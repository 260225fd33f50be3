//! Transcript tests of refreshing user credentials against the in-memory
//! server: google-auth's exact request, what a refresh keeps and replaces,
//! freshness on the fake clock, and authorized_user files.

use oauth2_sansio::google::{GOOGLE_TOKEN_URI, QUOTA_PROJECT_HEADER};
use oauth2_sansio::{
    AccessType, AuthorizeError, ClientAuthMethod, Credentials, Error, ErrorCode, Freshness,
    Machine, OAuthError, RefreshToken, Step, UserCredentials,
};
use testkit::world::*;

const SCOPES: &[&str] = &["openid", "read"];
const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// The refresh request google-auth sends, plus `Accept`.
fn refresh_request(refresh_token: &str) -> Sent {
    Sent::post(
        TOKEN_URI,
        &[("accept", JSON), ("content-type", FORM)],
        &format!(
            "grant_type=refresh_token&client_id=installed-app&client_secret=installed-app-secret\
             &refresh_token={refresh_token}&scope=openid+read"
        ),
    )
}

fn refreshed(
    credentials: &UserCredentials,
    server: &mut FakeServer,
    clock: &mut FakeClock,
) -> Transcript {
    let mut refresh = credentials.refresh().expect("has a refresh token");
    Transcript::record(&mut refresh, server, clock)
}

/// The `n`th access token from the fake server, requested `n - 1` seconds
/// after the start (one round trip per request) and living 3599 s from
/// then, with `refresh_token` held.
fn tokens(n: u64, refresh_token: &str) -> Summary {
    Summary {
        access_token: Some(format!("at-{n}")),
        expiry: Some(FakeClock::at(n - 1 + 3599)),
        refresh_token: Some(refresh_token.to_owned()),
        id_token: Some(format!("idt-{n}")),
        granted_scopes: Some(SCOPES.iter().map(|s| (*s).to_owned()).collect()),
        missing_scopes: vec![],
    }
}

#[test]
fn refresh_sends_google_auth_request_with_credentials_in_the_body() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let refresh_token = server.issue_refresh_token(INSTALLED_ID, SCOPES);
    let credentials = UserCredentials::from_refresh_token(
        &installed_client(),
        RefreshToken::new(refresh_token),
        SCOPES.iter().map(|s| (*s).to_owned()).collect(),
    );

    let run = refreshed(&credentials, &mut server, &mut clock);

    assert_eq!(
        run.events,
        [
            Event::Send(refresh_request("rt-1")),
            Event::Done(tokens(1, "rt-1"))
        ]
    );
}

#[test]
fn a_refresh_can_ask_for_fewer_scopes_or_none_and_invalid_scope_says_how() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let refresh_token = server.issue_refresh_token(INSTALLED_ID, SCOPES);
    let credentials = UserCredentials::from_refresh_token(
        &installed_client(),
        RefreshToken::new(refresh_token),
        SCOPES.iter().map(|s| (*s).to_owned()).collect(),
    );
    let without = credentials.clone().with_scopes(Vec::<String>::new());
    let run = refreshed(&without, &mut server, &mut clock);
    let Event::Send(sent) = &run.events[0] else {
        panic!("{:?}", run.events)
    };
    let body = &sent.body;
    assert!(!body.contains("scope="), "{body}");
    let fewer = credentials.with_scopes(["openid"]);
    let run = refreshed(&fewer, &mut server, &mut clock);
    let Event::Send(sent) = &run.events[0] else {
        panic!("{:?}", run.events)
    };
    assert!(sent.body.ends_with("&scope=openid"), "{}", sent.body);

    let refused = Error::OAuth(OAuthError::new(
        ErrorCode::InvalidScope,
        None,
        None,
        Some(400),
    ));
    let shown = refused.to_string();
    assert!(
        shown.contains("refresh with the granted ones or none"),
        "{shown}"
    );
}

#[test]
fn refresh_with_basic_auth_moves_the_credentials_to_the_header() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let credentials = signed_in(&mut server, &mut clock, SCOPES)
        .with_refresh_auth(ClientAuthMethod::ClientSecretBasic);

    let run = refreshed(&credentials, &mut server, &mut clock);

    let basic = "Basic aW5zdGFsbGVkLWFwcDppbnN0YWxsZWQtYXBwLXNlY3JldA==";
    let body = "grant_type=refresh_token&refresh_token=rt-1&scope=openid+read";
    let sent = Sent::token_request(TOKEN_URI, Some(basic), body);
    assert_eq!(run.events[0], Event::Send(sent));
    assert!(matches!(run.events[1], Event::Done(_)));
}

#[test]
fn refresh_keeps_the_refresh_token_when_the_response_has_none() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let credentials = signed_in(&mut server, &mut clock, SCOPES);

    let run = refreshed(&credentials, &mut server, &mut clock);

    assert_eq!(
        run.events,
        [
            Event::Send(refresh_request("rt-1")),
            Event::Done(tokens(2, "rt-1"))
        ]
    );
}

#[test]
fn rotated_refresh_token_replaces_the_old_one() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let credentials = signed_in(&mut server, &mut clock, SCOPES);
    server.rotate_refresh_tokens = true;

    let first = refreshed(&credentials, &mut server, &mut clock);
    let second = refreshed(first.output.as_ref().unwrap(), &mut server, &mut clock);

    assert_eq!(
        first.events,
        [
            Event::Send(refresh_request("rt-1")),
            Event::Done(tokens(2, "rt-2"))
        ]
    );
    assert_eq!(
        second.events,
        [
            Event::Send(refresh_request("rt-2")),
            Event::Done(tokens(3, "rt-3"))
        ]
    );
}

#[test]
fn reusing_a_rotated_out_refresh_token_is_invalid_grant() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let old = signed_in(&mut server, &mut clock, SCOPES);
    server.rotate_refresh_tokens = true;
    let rotated = refreshed(&old, &mut server, &mut clock);
    assert_eq!(
        rotated.output.unwrap().refresh_token().unwrap().secret(),
        "rt-2"
    );

    let reuse = refreshed(&old, &mut server, &mut clock);

    let invalid_grant = Error::OAuth(OAuthError::new(
        ErrorCode::InvalidGrant,
        Some("refresh token reused"),
        None,
        Some(400),
    ));
    assert!(!invalid_grant.is_retryable());
    assert_eq!(
        reuse.events,
        [
            Event::Send(refresh_request("rt-1")),
            Event::Error(invalid_grant)
        ]
    );
}

#[test]
fn refresh_keeps_the_id_token_when_the_response_has_none() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let credentials = signed_in(&mut server, &mut clock, SCOPES);
    server.id_token_on_refresh = false;

    let run = refreshed(&credentials, &mut server, &mut clock);

    let after = run.output.unwrap();
    assert_eq!(after.id_token().unwrap().secret(), "idt-1");
    assert_eq!(after.token().unwrap().token().secret(), "at-2");
}

#[test]
fn refresh_keeps_the_old_credentials_when_it_fails() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let credentials = signed_in(&mut server, &mut clock, SCOPES);
    let before = Summary::of(&credentials);
    server.misbehave(Misbehaviour::HtmlError(503));

    let run = refreshed(&credentials, &mut server, &mut clock);

    let unavailable = Error::HttpStatus { status: 503 };
    assert!(unavailable.is_retryable());
    assert_eq!(
        run.events,
        [
            Event::Send(refresh_request("rt-1")),
            Event::Error(unavailable)
        ]
    );
    assert_eq!(Summary::of(&credentials), before);
    let retry = refreshed(&credentials, &mut server, &mut clock);
    assert!(matches!(retry.events[1], Event::Done(_)));
}

#[test]
fn credentials_without_refresh_token_cannot_refresh() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let client = installed_client();
    let (url, pending) = start_with_access(
        &client,
        LOOPBACK_REDIRECT,
        SCOPES,
        AccessType::Online,
        clock.now(),
    );
    let redirect = server.authorize(&url, Decision::Approve);
    let mut exchange = pending.complete(&client, &redirect).unwrap();
    let online = Transcript::record(&mut exchange, &mut server, &mut clock)
        .output
        .unwrap();
    assert!(online.refresh_token().is_none());

    let refused = online.refresh().map(|_| ());

    assert_eq!(refused, Err(Error::NoRefreshToken));
    assert!(!Error::NoRefreshToken.is_retryable());
}

/// Signed in at 0 (the response arrives at 1) with a 3599 s token: it
/// expires at 3599, counted from the request, and turns stale 225 s before.
#[test]
fn freshness_crosses_the_225_second_threshold_on_the_fake_clock() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let credentials = signed_in(&mut server, &mut clock, SCOPES);
    let expiry = 3599;

    let mut seen = Vec::new();
    for at in [expiry - 226, expiry - 225, expiry - 1, expiry] {
        clock.advance_to(FakeClock::at(at));
        seen.push((at, credentials.freshness(clock.now())));
    }

    assert_eq!(
        seen,
        [
            (expiry - 226, Freshness::Fresh),
            (expiry - 225, Freshness::Stale),
            (expiry - 1, Freshness::Stale),
            (expiry, Freshness::Invalid),
        ]
    );
    let renewed = refreshed(&credentials, &mut server, &mut clock)
        .output
        .unwrap();
    assert_eq!(
        renewed.token().unwrap().expiry(),
        Some(FakeClock::at(expiry + 3599))
    );
    assert_eq!(renewed.freshness(clock.now()), Freshness::Fresh);
}

#[test]
fn authorize_uses_a_stale_token_and_refuses_an_expired_one() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let credentials = signed_in(&mut server, &mut clock, SCOPES);

    clock.advance_to(FakeClock::at(3500));
    let mut stale_call = http::Request::new(());
    let stale = credentials.authorize(&mut stale_call, clock.now());
    clock.advance_to(FakeClock::at(3600));
    let mut late_call = http::Request::new(());
    let late = credentials.authorize(&mut late_call, clock.now());

    assert_eq!(stale, Ok(Freshness::Stale));
    assert_eq!(stale_call.headers()["authorization"], "Bearer at-1");
    assert_eq!(server.api_status(&stale_call, FakeClock::at(3500)), 200);
    assert_eq!(late, Err(AuthorizeError::NeedsRefresh));
    assert!(late_call.headers().is_empty());
    assert_eq!(
        server.api_status(&stale_call, clock.now()),
        401,
        "the server agrees the token has expired"
    );
}

#[test]
fn quota_project_is_sent_with_api_calls_and_survives_refresh() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let credentials = signed_in(&mut server, &mut clock, SCOPES)
        .with_quota_project(Some("billing-project".into()));

    let run = refreshed(&credentials, &mut server, &mut clock);
    let mut api_call = http::Request::new(());
    let renewed = run.output.unwrap();
    renewed.authorize(&mut api_call, clock.now()).unwrap();

    assert_eq!(
        run.events[0],
        Event::Send(refresh_request("rt-1")),
        "google-auth sends no quota project on refresh"
    );
    assert_eq!(api_call.headers()["authorization"], "Bearer at-2");
    assert_eq!(api_call.headers()[QUOTA_PROJECT_HEADER], "billing-project");
    assert_eq!(server.api_status(&api_call, clock.now()), 200);
}

fn authorized_user_json(refresh_token: &str, token_uri: Option<&str>) -> String {
    let token_uri = token_uri.map_or(String::new(), |uri| format!(r#""token_uri":"{uri}","#));
    format!(
        r#"{{"type":"authorized_user","client_id":"installed-app","client_secret":"installed-app-secret",
            "refresh_token":"{refresh_token}",{token_uri}"scopes":"openid read",
            "token":"old-token","expiry":"2025-12-31T23:00:00Z"}}"#
    )
}

#[test]
fn authorized_user_file_refreshes_at_its_token_uri_and_saves_the_result() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let refresh_token = server.issue_refresh_token(INSTALLED_ID, SCOPES);
    let file = authorized_user_json(&refresh_token, Some(TOKEN_URI));
    let credentials = UserCredentials::from_authorized_user_json(file.as_bytes()).unwrap();
    assert_eq!(credentials.freshness(clock.now()), Freshness::Invalid);

    let run = refreshed(&credentials, &mut server, &mut clock);

    assert_eq!(run.events[0], Event::Send(refresh_request("rt-1")));
    let saved = run.output.unwrap().to_authorized_user_json();
    assert!(
        saved.contains(r#""expiry":"2026-01-01T00:59:59Z""#),
        "{saved}"
    );
    let reloaded = UserCredentials::from_authorized_user_json(saved.as_bytes()).unwrap();
    assert_eq!(reloaded.token_uri().as_str(), TOKEN_URI);
    assert_eq!(reloaded.freshness(clock.now()), Freshness::Fresh);
    let mut api_call = http::Request::new(());
    reloaded.authorize(&mut api_call, clock.now()).unwrap();
    assert_eq!(server.api_status(&api_call, clock.now()), 200);
}

#[test]
fn authorized_user_file_without_token_uri_refreshes_at_google() {
    let file = authorized_user_json("rt-1", None);
    let credentials = UserCredentials::from_authorized_user_json(file.as_bytes()).unwrap();
    let mut refresh = credentials.refresh().unwrap();

    let step = refresh.poll(FakeClock::at(0));

    let Ok(Step::Send(request)) = step else {
        panic!("a refresh starts with a request");
    };
    assert_eq!(request.uri(), GOOGLE_TOKEN_URI);
}

#[test]
fn public_client_file_refreshes_with_its_id_only() {
    let mut server = FakeServer::default();
    let mut clock = FakeClock::new();
    let refresh_token = server.issue_refresh_token(PUBLIC_ID, &["read"]);
    let file = format!(
        r#"{{"client_id":"public-app","refresh_token":"{refresh_token}","token_uri":"{TOKEN_URI}","scopes":["read"]}}"#
    );
    let credentials = UserCredentials::from_authorized_user_json(file.as_bytes()).unwrap();

    let run = refreshed(&credentials, &mut server, &mut clock);

    let sent = Sent::token_request(
        TOKEN_URI,
        None,
        "grant_type=refresh_token&client_id=public-app&refresh_token=rt-1&scope=read",
    );
    let tokens = Summary {
        id_token: None,
        granted_scopes: Some(vec!["read".into()]),
        ..tokens(1, "rt-1")
    };
    assert_eq!(run.events, [Event::Send(sent), Event::Done(tokens)]);
}
