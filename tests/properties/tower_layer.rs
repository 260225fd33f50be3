//! Property tests of the tower layer over generated API answers (statuses,
//! `WWW-Authenticate` challenges well formed or not, bodies replayable or
//! not) and refreshes that fail from a generated point: at most one
//! refresh for a 401 (besides fetching the token when the cache has none)
//! and one resend per request, a resend only for a replayable
//! body and only after a 401 that refuses the token (as RFC 6750 words
//! it, from an oracle written from the rules), and never a token in an
//! error.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use http::{Request, Response};
use oauth2_sansio::cache::SharedToken;
use oauth2_sansio::io::tower::{AuthLayer, Refresher, Replay};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use testkit::authorized_api::{CountingRefresher, FakeApi};
use testkit::token_cache::signed_in;
use tower_layer::Layer;
use tower_service::Service;

#[derive(Debug, Clone)]
enum Challenge {
    None,
    InvalidToken,
    BareBearer,
    InvalidRequest,
    DpopNonce,
    Any(String),
}

impl Challenge {
    fn header(&self) -> Option<String> {
        match self {
            Self::None => None,
            Self::InvalidToken => Some(r#"Bearer realm="x", error="invalid_token""#.into()),
            Self::BareBearer => Some(r#"Bearer realm="x""#.into()),
            Self::InvalidRequest => Some(r#"Bearer error="invalid_request""#.into()),
            Self::DpopNonce => Some(r#"DPoP error="use_dpop_nonce""#.into()),
            Self::Any(text) => Some(text.clone()),
        }
    }
}

#[derive(Debug, Clone)]
struct ApiAnswer {
    status: u16,
    challenge: Challenge,
}

impl ApiAnswer {
    /// The oracle: a 401 whose one Bearer challenge has no error or
    /// `invalid_token` refuses the token (`Any` is not judged).
    fn refuses_token(&self) -> Option<bool> {
        let refusing = match self.challenge {
            Challenge::InvalidToken | Challenge::BareBearer => true,
            Challenge::None | Challenge::InvalidRequest | Challenge::DpopNonce => false,
            Challenge::Any(_) => return None,
        };
        Some(self.status == 401 && refusing)
    }

    fn response(&self) -> Response<Vec<u8>> {
        let mut response = Response::builder().status(self.status);
        if let Some(header) = self.challenge.header() {
            response = response.header("www-authenticate", header);
        }
        response = response.header("dpop-nonce", "n-1");
        response.body(b"answer".to_vec()).unwrap()
    }
}

fn challenge() -> impl Strategy<Value = Challenge> {
    prop_oneof![
        Just(Challenge::None),
        Just(Challenge::InvalidToken),
        Just(Challenge::BareBearer),
        Just(Challenge::InvalidRequest),
        Just(Challenge::DpopNonce),
        "[ -~]{0,60}".prop_map(Challenge::Any),
        prop::sample::select(vec![
            "Bearer",
            "bearer",
            "DPoP",
            "Basic",
            ",",
            "=",
            "\"",
            "error",
            "invalid_token",
            " "
        ])
        .prop_map(str::to_owned)
        .prop_flat_map(|seed| proptest::collection::vec(Just(seed), 1..8))
        .prop_map(|parts| Challenge::Any(parts.join(" "))),
    ]
}

fn answer() -> impl Strategy<Value = ApiAnswer> {
    (
        prop::sample::select(vec![200u16, 204, 401, 401, 401, 403, 500]),
        challenge(),
    )
        .prop_map(|(status, challenge)| ApiAnswer { status, challenge })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        rng_seed: RngSeed::Fixed(0x7015_2026),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn at_most_one_refresh_and_one_resend_per_request(
        answers in proptest::collection::vec(answer(), 1..24),
        replayable in proptest::collection::vec(any::<bool>(), 1..12),
        fails_from in 2usize..12,
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(check(answers, replayable, fails_from))?;
    }
}

async fn check(
    answers: Vec<ApiAnswer>,
    replayable: Vec<bool>,
    fails_from: usize,
) -> Result<(), TestCaseError> {
    let queue = Arc::new(Mutex::new(VecDeque::from(answers)));
    let script = {
        let queue = Arc::clone(&queue);
        move |_: &testkit::authorized_api::Seen| {
            let next = queue.lock().unwrap().pop_front();
            next.map_or_else(|| Response::new(b"ok".to_vec()), |answer| answer.response())
        }
    };
    let api = FakeApi::new(script);
    let refresher = CountingRefresher::failing_from(fails_from);
    let shared = Arc::new(SharedToken::new(signed_in()));
    shared
        .token_async_with(SystemTime::now, |machine| refresher.refresh(machine))
        .await
        .unwrap();
    let mut service = AuthLayer::new(shared, refresher.clone()).layer(api.clone());

    for replay in replayable {
        let first = queue.lock().unwrap().front().cloned();
        let (sent_before, refreshed_before) = (api.seen().len(), refresher.count());
        // A token retired by an earlier 401 is fetched again first.
        let fetch = usize::from(service.shared().cached(SystemTime::now()).is_none());
        let request = Request::post("https://api.example/v1")
            .body(b"x".to_vec())
            .unwrap();
        let request = if replay {
            Replay::attach(request)
        } else {
            request
        };
        poll_fn(|cx| service.poll_ready(cx)).await.unwrap();
        let result = service.call(request).await;
        let sent = api.seen().len() - sent_before;
        let refreshed = refresher.count() - refreshed_before;

        prop_assert!(
            refreshed <= fetch + 1,
            "{refreshed} refreshes for one request"
        );
        prop_assert!(sent <= 2, "{sent} sends for one request");
        prop_assert!(sent < 2 || replay, "a body without Replay was sent twice");
        match &result {
            Ok(_) => {
                let refuses = first.as_ref().map_or(Some(false), ApiAnswer::refuses_token);
                if sent > 0 {
                    match refuses {
                        Some(true) => prop_assert_eq!(sent, if replay { 2 } else { 1 }),
                        Some(false) => {
                            prop_assert_eq!(sent, 1);
                            prop_assert!(refreshed <= fetch);
                        }
                        None => {}
                    }
                }
            }
            Err(error) => {
                let shown = format!("{error} {error:?}");
                prop_assert!(!shown.contains("ya29."), "{}", shown);
                prop_assert!(!shown.contains("1//refresh"), "{}", shown);
            }
        }
    }
    Ok(())
}
