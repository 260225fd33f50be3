//! The tower layer against an in-memory API: the headers it adds, one
//! refresh and one resend after a refused token, and when it does not
//! resend.

use std::future::poll_fn;
use std::sync::Arc;

use http::{Request, Response};
use oauth2_sansio::cache::SharedToken;
use oauth2_sansio::io::tower::{AuthLayer, AuthService, Replay};
use oauth2_sansio::io::AuthorizedError;
use oauth2_sansio::UserCredentials;
use testkit::authorized_api::{invalid_token, unauthorized, CountingRefresher, FakeApi};
use testkit::token_cache::signed_in;
use tower_layer::Layer;
use tower_service::Service;

type Api = AuthService<FakeApi, UserCredentials, CountingRefresher>;
type Answer = Result<Response<Vec<u8>>, AuthorizedError<std::convert::Infallible>>;

fn layered(credentials: UserCredentials, api: &FakeApi, refresher: &CountingRefresher) -> Api {
    AuthLayer::new(Arc::new(SharedToken::new(credentials)), refresher.clone()).layer(api.clone())
}

fn replayable(body: &str) -> Request<Vec<u8>> {
    Replay::attach(one_shot(body))
}

fn one_shot(body: &str) -> Request<Vec<u8>> {
    Request::post("https://www.googleapis.com/upload/v1")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

async fn call(service: &mut Api, request: Request<Vec<u8>>) -> Answer {
    poll_fn(|cx| service.poll_ready(cx)).await?;
    service.call(request).await
}

fn authorizations(api: &FakeApi) -> Vec<String> {
    api.seen()
        .into_iter()
        .map(|seen| seen.authorization.unwrap_or_default())
        .collect()
}

/// Refused while it carries the first token, answered after.
fn refuses_the_first_token(seen: &testkit::authorized_api::Seen) -> Response<Vec<u8>> {
    if seen.authorization.as_deref() == Some("Bearer ya29.1") {
        invalid_token()
    } else {
        Response::new(b"ok".to_vec())
    }
}

#[tokio::test]
async fn each_request_gets_the_token_and_the_quota_project() {
    let api = FakeApi::ok();
    let refresher = CountingRefresher::bearer();
    let credentials = signed_in().with_quota_project(Some("billed-project".into()));
    let mut service = layered(credentials, &api, &refresher);

    for _ in 0..3 {
        let answer = call(&mut service, one_shot("x")).await.unwrap();
        assert_eq!(answer.status(), 200);
    }
    assert_eq!(refresher.count(), 1, "one refresh, then the cached token");
    let seen = api.seen();
    assert_eq!(seen.len(), 3);
    for request in seen {
        assert_eq!(request.authorization.as_deref(), Some("Bearer ya29.1"));
        assert_eq!(request.quota_project.as_deref(), Some("billed-project"));
        assert_eq!(request.dpop, None);
    }
}

#[tokio::test]
async fn a_refused_token_is_refreshed_and_the_request_sent_once_more() {
    let api = FakeApi::new(refuses_the_first_token);
    let refresher = CountingRefresher::bearer();
    let mut service = layered(signed_in(), &api, &refresher);

    let answer = call(&mut service, replayable("payload")).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(refresher.count(), 2);
    assert_eq!(authorizations(&api), ["Bearer ya29.1", "Bearer ya29.2"]);
    assert!(api.seen().iter().all(|seen| seen.body == b"payload"));
}

#[tokio::test]
async fn a_second_401_goes_to_the_caller() {
    let api = FakeApi::new(|_| invalid_token());
    let refresher = CountingRefresher::bearer();
    let mut service = layered(signed_in(), &api, &refresher);

    let answer = call(&mut service, replayable("payload")).await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(refresher.count(), 2, "one refresh for the 401, not two");
    assert_eq!(authorizations(&api), ["Bearer ya29.1", "Bearer ya29.2"]);
}

#[tokio::test]
async fn a_request_without_replay_is_not_resent_but_the_next_one_has_a_new_token() {
    let api = FakeApi::new(refuses_the_first_token);
    let refresher = CountingRefresher::bearer();
    let mut service = layered(signed_in(), &api, &refresher);

    let answer = call(&mut service, one_shot("stream")).await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(authorizations(&api), ["Bearer ya29.1"]);

    let answer = call(&mut service, one_shot("stream")).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(authorizations(&api), ["Bearer ya29.1", "Bearer ya29.2"]);
}

#[tokio::test]
async fn a_401_that_does_not_refuse_the_token_is_not_resent() {
    for challenge in [
        r#"Bearer error="invalid_request""#,
        r#"Basic realm="api""#,
        r#"Bearer error="invalid_token", Bearer"#,
    ] {
        let api = FakeApi::new(move |_| unauthorized(challenge));
        let refresher = CountingRefresher::bearer();
        let mut service = layered(signed_in(), &api, &refresher);

        let answer = call(&mut service, replayable("x")).await.unwrap();
        assert_eq!(answer.status(), 401, "{challenge}");
        assert_eq!(refresher.count(), 1, "{challenge}");
        assert_eq!(api.seen().len(), 1, "{challenge}");
    }
    // No challenge at all: the server did not say a new token would help.
    let api = FakeApi::new(|_| Response::builder().status(401).body(vec![]).unwrap());
    let refresher = CountingRefresher::bearer();
    let mut service = layered(signed_in(), &api, &refresher);
    assert_eq!(
        call(&mut service, replayable("x")).await.unwrap().status(),
        401
    );
    assert_eq!(api.seen().len(), 1);
}

#[tokio::test]
async fn a_bearer_challenge_without_an_error_refuses_the_token() {
    let api = FakeApi::new(|seen| {
        if seen.authorization.as_deref() == Some("Bearer ya29.1") {
            unauthorized(r#"Bearer realm="api""#)
        } else {
            Response::new(b"ok".to_vec())
        }
    });
    let refresher = CountingRefresher::bearer();
    let mut service = layered(signed_in(), &api, &refresher);
    assert_eq!(
        call(&mut service, replayable("x")).await.unwrap().status(),
        200
    );
    assert_eq!(refresher.count(), 2);
}

#[tokio::test]
async fn twenty_tasks_without_a_token_share_one_refresh() {
    let api = FakeApi::ok();
    let refresher = CountingRefresher::bearer();
    let service = layered(signed_in(), &api, &refresher);

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let mut service = service.clone();
            tokio::spawn(async move { call(&mut service, one_shot("x")).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status(), 200);
    }
    assert_eq!(refresher.count(), 1);
    assert!(authorizations(&api).iter().all(|a| a == "Bearer ya29.1"));
}

#[tokio::test]
async fn concurrent_refusals_of_one_token_cause_one_refresh() {
    // Every request is answered only once all twenty were sent with the
    // first token: each one is refused with it.
    let api = FakeApi::new(refuses_the_first_token).answering_after(20);
    let refresher = CountingRefresher::bearer();
    let credentials = signed_in();
    let shared = Arc::new(SharedToken::new(credentials));
    shared
        .token_async_with(std::time::SystemTime::now, |machine| {
            oauth2_sansio::io::tower::Refresher::refresh(&refresher, machine)
        })
        .await
        .unwrap();
    let service = AuthLayer::new(Arc::clone(&shared), refresher.clone()).layer(api.clone());

    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let mut service = service.clone();
            tokio::spawn(async move { call(&mut service, replayable("x")).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status(), 200);
    }
    let refused = authorizations(&api)
        .iter()
        .filter(|a| *a == "Bearer ya29.1")
        .count();
    assert_eq!(refused, 20, "each task was sent with the first token");
    assert_eq!(refresher.count(), 2, "twenty 401s, one refresh");
    assert_eq!(api.seen().len(), 40);
}

#[tokio::test]
async fn a_failed_refresh_is_a_typed_error_that_shows_no_secret() {
    let api = FakeApi::ok();
    let refresher = CountingRefresher::failing();
    let mut service = layered(signed_in(), &api, &refresher);

    let error = call(&mut service, one_shot("x")).await.unwrap_err();
    let AuthorizedError::Token(token_error) = &error else {
        panic!("a token error was expected: {error:?}");
    };
    assert!(!token_error.is_retryable());
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("invalid_grant"), "{shown}");
    assert!(!shown.contains("1//refresh"), "{shown}");
    assert!(api.seen().is_empty(), "nothing sent without a token");
}

#[cfg(feature = "ring")]
#[tokio::test]
async fn a_dpop_nonce_demand_is_answered_with_a_new_proof_and_no_refresh() {
    use oauth2_sansio::dpop::DpopKey;

    let api = FakeApi::new(|seen| {
        let proof = seen.dpop.as_deref().expect("a DPoP proof");
        if proof_has_nonce(proof) {
            Response::new(b"ok".to_vec())
        } else {
            let mut answer = unauthorized(r#"DPoP error="use_dpop_nonce""#);
            answer
                .headers_mut()
                .insert("dpop-nonce", "n-42".parse().unwrap());
            answer
        }
    });
    let refresher = CountingRefresher::dpop();
    let credentials = signed_in().with_dpop(DpopKey::generate().unwrap());
    let mut service = layered(credentials, &api, &refresher);

    let answer = call(&mut service, replayable("x")).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(refresher.count(), 1, "a nonce needs no new token");
    assert_eq!(authorizations(&api), ["DPoP ya29.1", "DPoP ya29.1"]);

    // The key keeps the nonce: the next request carries it at once.
    assert_eq!(
        call(&mut service, replayable("x")).await.unwrap().status(),
        200
    );
    assert_eq!(api.seen().len(), 3);
}

#[cfg(feature = "ring")]
fn proof_has_nonce(proof: &str) -> bool {
    use base64::Engine;
    let claims = proof.split('.').nth(1).expect("a JWT");
    let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .expect("base64url");
    let claims: serde_json::Value = serde_json::from_slice(&claims).expect("JSON");
    claims["nonce"] == "n-42"
}

#[cfg(feature = "ring")]
#[tokio::test]
async fn a_dpop_bound_token_refused_as_invalid_is_refreshed_once() {
    use oauth2_sansio::dpop::DpopKey;

    let api = FakeApi::new(|seen| {
        if seen.authorization.as_deref() == Some("DPoP ya29.1") {
            unauthorized(r#"DPoP error="invalid_token", algs="ES256""#)
        } else {
            Response::new(b"ok".to_vec())
        }
    });
    let refresher = CountingRefresher::dpop();
    let credentials = signed_in().with_dpop(DpopKey::generate().unwrap());
    let mut service = layered(credentials, &api, &refresher);

    let answer = call(&mut service, replayable("x")).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(refresher.count(), 2);
    assert_eq!(authorizations(&api), ["DPoP ya29.1", "DPoP ya29.2"]);
    assert!(api.seen().iter().all(|seen| seen.dpop.is_some()));
}
