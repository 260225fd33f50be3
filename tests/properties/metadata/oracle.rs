//! What google-auth's rules say a run over generated answers must do,
//! written from those rules: a data GET is sent again after a transport
//! failure or HTTP 500, 503, 504, 408 or 429, at most five times, waiting
//! 1, 2, 4, 8 s; any other answer ends it. The crate adds two refusals:
//! a redirect, and a 200 without `Metadata-Flavor: Google`.

use std::time::Duration;

use oauth2_sansio::{Error, InvalidResponse, TransportFailure};

use super::{Answer, Body, GeneratedTurn};

/// google-auth's `DEFAULT_RETRYABLE_STATUS_CODES`.
const RETRIED: [u16; 5] = [500, 503, 504, 408, 429];
const ATTEMPTS: usize = 5;
/// The bound on the project's and the universe's text.
const INFO_LIMIT: usize = 4 * 1024;

/// Which data GET a case drives.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Token,
    IdToken,
    ProjectId,
    Universe,
}

/// How the run must end.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The generated access token, expiring `expires_in` after the last request was
    /// sent.
    Token,
    /// The generated JWT, expiring at its `exp`.
    IdToken,
    Text(String),
    Error(Expected),
}

/// The error expected, as exactly as the rules say it.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    Exactly(Error),
    /// The server's OAuth error.
    OAuth,
    /// A body that is no JWT with an `exp`.
    NotAnIdToken,
}

impl Expected {
    pub fn matches(&self, error: &Error) -> bool {
        match self {
            Expected::Exactly(expected) => expected == error,
            Expected::OAuth => matches!(error, Error::OAuth(_)),
            Expected::NotAnIdToken => matches!(
                error,
                Error::InvalidResponse(InvalidResponse::InvalidField {
                    field: "id_token",
                    ..
                })
            ),
        }
    }
}

/// What a run must do.
#[derive(Debug)]
pub struct Model {
    pub requests: usize,
    /// Each wait, counted from the answer before it.
    pub waits: Vec<Duration>,
    pub outcome: Outcome,
}

/// The run of `subject` over `turns` (at least five).
pub fn model(subject: Subject, turns: &[GeneratedTurn]) -> Model {
    let mut waits = Vec::new();
    for (i, turn) in turns.iter().enumerate().take(ATTEMPTS) {
        let retried = match &turn.answer {
            Answer::Fail(_) => true,
            Answer::Http { status, .. } => RETRIED.contains(status),
        };
        if retried && i + 1 < ATTEMPTS {
            waits.push(Duration::from_secs(1 << i));
            continue;
        }
        let outcome = match &turn.answer {
            Answer::Fail(kind) => Outcome::Error(Expected::Exactly(Error::Transport(
                TransportFailure::new(*kind, "the fake network failed"),
            ))),
            Answer::Http {
                status,
                flavor,
                body,
            } => final_answer(subject, *status, *flavor, *body),
        };
        return Model {
            requests: i + 1,
            waits,
            outcome,
        };
    }
    unreachable!("five turns end every run")
}

fn exactly(error: impl Into<Error>) -> Outcome {
    Outcome::Error(Expected::Exactly(error.into()))
}

/// What a final (not retried) answer makes of the run.
fn final_answer(subject: Subject, status: u16, flavor: bool, body: Body) -> Outcome {
    if (300..400).contains(&status) {
        return exactly(Error::Redirect { status });
    }
    if status == 200 && !flavor {
        return exactly(InvalidResponse::MissingHeader {
            header: "Metadata-Flavor: Google",
        });
    }
    match subject {
        Subject::Token => token(status, body),
        Subject::IdToken if status != 200 => exactly(Error::HttpStatus { status }),
        Subject::IdToken => match body {
            Body::Jwt => Outcome::IdToken,
            Body::NotUtf8 => exactly(not_text()),
            _ => Outcome::Error(Expected::NotAnIdToken),
        },
        Subject::Universe if status == 404 => Outcome::Text("googleapis.com".to_owned()),
        Subject::ProjectId | Subject::Universe => text(status, body),
    }
}

/// A token response: a JSON object whose `error` is an OAuth error at any
/// status, whose token counts only on a 200.
fn token(status: u16, body: Body) -> Outcome {
    match body {
        Body::OAuthError => Outcome::Error(Expected::OAuth),
        Body::Token if status == 200 => Outcome::Token,
        _ if status != 200 => exactly(Error::HttpStatus { status }),
        _ => exactly(InvalidResponse::NotJsonObject { status }),
    }
}

/// Text: a 200's body, UTF-8, at most 4 KiB, whitespace trimmed.
fn text(status: u16, body: Body) -> Outcome {
    if status != 200 {
        return exactly(Error::HttpStatus { status });
    }
    let bytes = body.bytes();
    if bytes.len() > INFO_LIMIT {
        return exactly(InvalidResponse::BodyTooLarge { limit: INFO_LIMIT });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Outcome::Text(text.trim().to_owned()),
        Err(_) => exactly(not_text()),
    }
}

fn not_text() -> InvalidResponse {
    InvalidResponse::InvalidField {
        field: "body",
        reason: "is not UTF-8 text",
    }
}
