//! Property tests of the metadata server's machines over generated
//! behaviour of the server: statuses, with or without the flavor header,
//! bodies good and bad, transport failures, slow answers. Each case is
//! checked against a model written from google-auth's rules (not from the
//! machines' code): how many requests, which waits and when, and the
//! output or the typed error the last answer calls for.

mod call_order;
mod data_gets;
mod oracle;
mod ping;

use std::time::Duration;

use oauth2_sansio::TransportFailureKind;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use testkit::metadata::{id_token, Reply, Scripted, Turn};
use testkit::world::FakeClock;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x0a11_0006),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The access token of [`Body::Token`].
const ACCESS_TOKEN: &str = "ya29.generated";
const EXPIRES_IN: u64 = 3599;
/// The audience of [`Body::Jwt`]'s token, issued at the fake clock's start.
const AUDIENCE: &str = "https://svc.example";

/// A body of a generated answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// A metadata token response.
    Token,
    /// A JWT with an `exp`.
    Jwt,
    /// Text with surrounding whitespace.
    Text,
    /// Bytes that are not UTF-8.
    NotUtf8,
    Empty,
    /// An OAuth error object.
    OAuthError,
    /// Text longer than the 4 KiB bound on small answers.
    Long,
}

impl Body {
    fn bytes(self) -> Vec<u8> {
        match self {
            Body::Token => format!(
                r#"{{"access_token":"{ACCESS_TOKEN}","expires_in":{EXPIRES_IN},"token_type":"Bearer"}}"#
            )
            .into_bytes(),
            Body::Jwt => id_token(AUDIENCE, true, FakeClock::at(0)).into_bytes(),
            Body::Text => b"  my-project \n".to_vec(),
            Body::NotUtf8 => b"\xff\xfe\xfd".to_vec(),
            Body::Empty => Vec::new(),
            Body::OAuthError => br#"{"error":"invalid_request","error_description":"d"}"#.to_vec(),
            Body::Long => vec![b'p'; 5000],
        }
    }
}

/// What the server does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Http {
        status: u16,
        flavor: bool,
        body: Body,
    },
    Fail(TransportFailureKind),
}

/// One generated answer and how slow it is.
#[derive(Debug, Clone)]
struct GeneratedTurn {
    answer: Answer,
    delay: Duration,
}

impl GeneratedTurn {
    fn to_turn(&self) -> Turn {
        let scripted = match &self.answer {
            Answer::Http {
                status,
                flavor,
                body,
            } => {
                let reply = Reply::new(*status, "application/text", body.bytes());
                Scripted::Reply(if *flavor {
                    reply
                } else {
                    reply.without_flavor()
                })
            }
            Answer::Fail(kind) => Scripted::Fail(*kind),
        };
        Turn {
            scripted,
            delay: self.delay,
        }
    }
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        3 => Just(Body::Token),
        3 => Just(Body::Jwt),
        3 => Just(Body::Text),
        1 => Just(Body::NotUtf8),
        1 => Just(Body::Empty),
        1 => Just(Body::OAuthError),
        1 => Just(Body::Long),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        6 => Just(200),
        4 => prop::sample::select(vec![500, 503, 504, 408, 429]),
        3 => prop::sample::select(vec![201, 204, 301, 302, 307, 400, 401, 403, 404, 502]),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    let kind = prop::sample::select(vec![
        TransportFailureKind::Connect,
        TransportFailureKind::Timeout,
        TransportFailureKind::BodyTooLarge,
        TransportFailureKind::Other,
    ]);
    prop_oneof![
        4 => (status(), prop::bool::weighted(0.8), body())
            .prop_map(|(status, flavor, body)| Answer::Http { status, flavor, body }),
        1 => kind.prop_map(Answer::Fail),
    ]
}

/// Up to a minute beyond the round trip, mostly none.
fn delay() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => Just(Duration::ZERO),
        1 => (1..60u64).prop_map(Duration::from_secs),
    ]
}

fn turn() -> impl Strategy<Value = GeneratedTurn> {
    (answer(), delay()).prop_map(|(answer, delay)| GeneratedTurn { answer, delay })
}

/// Five turns: more than any machine may use.
fn turns() -> impl Strategy<Value = Vec<GeneratedTurn>> {
    prop::collection::vec(turn(), 5)
}
