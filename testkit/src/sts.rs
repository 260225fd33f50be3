//! A loopback fake of workload identity federation for the binary's
//! tests: a subject token URL, Google's STS and IAM's
//! `generateAccessToken`, answered in that order by one
//! [`CannedServer`] on 127.0.0.1 (stopped when dropped), which records
//! what was sent.

use crate::canned_http::{canned, Answer, CannedServer};

/// The STS answer issuing `token` for an hour.
pub fn sts_answer(token: &str) -> String {
    serde_json::json!({
        "access_token": token,
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "token_type": "Bearer",
        "expires_in": 3600,
    })
    .to_string()
}

/// IAM's `generateAccessToken` answer issuing `token` until 2099.
pub fn iam_answer(token: &str) -> String {
    serde_json::json!({"accessToken": token, "expireTime": "2099-01-01T00:00:00Z"}).to_string()
}

/// Starts the fake: `subject` at `GET /subject` when given (a `url`
/// source), then STS issuing `sts_token`, then IAM issuing `iam_token`
/// when given (impersonation).
pub fn federation(subject: Option<&str>, sts_token: &str, iam_token: Option<&str>) -> CannedServer {
    let mut answers = Vec::new();
    if let Some(subject) = subject {
        answers.push(Answer::Bytes(canned(200, subject)));
    }
    answers.push(Answer::Bytes(canned(200, &sts_answer(sts_token))));
    if let Some(token) = iam_token {
        answers.push(Answer::Bytes(canned(200, &iam_answer(token))));
    }
    CannedServer::start(answers)
}
