//! `oauth2-sansio revoke` as a subprocess against canned revocation
//! endpoints on 127.0.0.1: the request it sends, the file removed on
//! success (and when the token is already invalid), left untouched on
//! every other failure, and the exit codes.

use std::fs;
use std::net::TcpListener;

use crate::support::*;
use testkit::canned_http::{canned, Answer, CannedServer};

const SECRETS: [&str; 3] = ["cli-client-secret", "1//old-refresh", "ya29.old"];

fn revoke(path: &str, endpoint: Option<&str>) -> Finished {
    let mut args = vec!["revoke", "--credentials", path];
    if let Some(endpoint) = endpoint {
        args.extend(["--revocation-endpoint", endpoint]);
    }
    Running::run(&mut oauth2_sansio(&args))
}

/// A credentials file for a server on loopback (not Google's).
fn credentials(scratch: &Scratch) -> String {
    scratch.write(
        "credentials.json",
        &credentials_json(
            "http://127.0.0.1:9/token",
            "ya29.old",
            "2099-01-01T00:00:00Z",
        ),
    )
}

/// The run ended with `code`, nothing on stdout, no secret on stderr; the
/// last stderr line.
fn ended(finished: &Finished, code: i32) -> String {
    assert_eq!(finished.code(), code, "{finished:?}");
    assert_eq!(finished.stdout, "", "{finished:?}");
    for secret in SECRETS {
        assert!(
            !finished.stderr.iter().any(|l| l.contains(secret)),
            "{secret} in {:?}",
            finished.stderr
        );
    }
    let line = finished.stderr.last().expect("a message").clone();
    assert!(line.starts_with("oauth2-sansio: "), "{line}");
    line
}

#[test]
fn revokes_the_refresh_token_then_removes_the_file() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(200, ""))]);
    let scratch = Scratch::new();
    let path = credentials(&scratch);
    let finished = revoke(&path, Some(&server.url("/revoke")));
    let line = ended(&finished, 0);
    assert!(line.contains("revoked; removed"), "{line}");
    assert_eq!(
        scratch.entries(),
        [".credentials.json.lock"],
        "only the lock file stays"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    // The credentials authenticate as google-auth refreshes: in the body.
    assert_eq!(
        requests[0].body(),
        "client_id=cli-client&client_secret=cli-client-secret&token=1%2F%2Fold-refresh&token_type_hint=refresh_token"
    );
}

#[test]
fn an_already_invalid_token_still_removes_the_file() {
    let server = CannedServer::start(vec![Answer::Bytes(canned(
        400,
        r#"{"error":"invalid_token","error_description":"Token expired or revoked"}"#,
    ))]);
    let scratch = Scratch::new();
    let path = credentials(&scratch);
    let finished = revoke(&path, Some(&server.url("/revoke")));
    ended(&finished, 0);
    assert!(
        finished
            .stderr
            .iter()
            .any(|l| l.contains("already invalid")),
        "{:?}",
        finished.stderr
    );
    assert_eq!(scratch.entries(), [".credentials.json.lock"]);
}

#[test]
fn other_failures_leave_the_file_untouched() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for (answer, code, says) in [
        (
            Some(canned(401, r#"{"error":"invalid_client"}"#)),
            5,
            "invalid_client",
        ),
        (Some(canned(503, "<html>busy</html>")), 6, "HTTP 503"),
        (Some(canned(302, "")), 5, "redirect"),
        (None, 6, "could not connect"),
    ] {
        let server = CannedServer::start(answer.into_iter().map(Answer::Bytes).collect());
        let endpoint = match says {
            "could not connect" => format!("http://{closed}/revoke"),
            _ => server.url("/revoke"),
        };
        let scratch = Scratch::new();
        let path = credentials(&scratch);
        let before = fs::read(&path).unwrap();
        let line = ended(&revoke(&path, Some(&endpoint)), code);
        assert!(line.contains(says) && line.contains("unchanged"), "{line}");
        assert_eq!(fs::read(&path).unwrap(), before);
        assert_eq!(
            scratch.entries(),
            [".credentials.json.lock", "credentials.json"]
        );
    }
}

#[test]
fn the_endpoint_must_be_known_and_secure() {
    let scratch = Scratch::new();
    let path = credentials(&scratch);
    let line = ended(&revoke(&path, None), 2);
    assert!(line.contains("--revocation-endpoint"), "{line}");
    let line = ended(&revoke(&path, Some("http://as.example/revoke")), 2);
    assert!(line.contains("https"), "{line}");
    let line = ended(&revoke(&path, Some("/revoke")), 2);
    assert!(line.contains("absolute URL"), "{line}");
    assert_eq!(scratch.entries(), ["credentials.json"]);
}

#[test]
fn a_missing_or_broken_file_is_a_local_problem() {
    let scratch = Scratch::new();
    let missing = scratch.path("none.json");
    let line = ended(
        &revoke(missing.to_str().unwrap(), Some("https://as.example/revoke")),
        3,
    );
    assert!(line.contains("nothing to revoke"), "{line}");
    let broken = scratch.write("broken.json", "{\"type\":\"authorized_user\"");
    ended(&revoke(&broken, Some("https://as.example/revoke")), 3);
    assert_eq!(scratch.entries(), ["broken.json"]);
}

#[test]
fn help_says_the_file_is_removed() {
    let finished = Running::run(&mut oauth2_sansio(&["revoke", "--help"]));
    assert_eq!(finished.code(), 0);
    for expected in [
        "--credentials <PATH>",
        "--revocation-endpoint <URL>",
        "REMOVES the file",
        "https://oauth2.googleapis.com/revoke",
        "Exit codes:",
    ] {
        assert!(
            finished.stdout.contains(expected),
            "{expected} not in {}",
            finished.stdout
        );
    }
    let top = Running::run(&mut oauth2_sansio(&["--help"]));
    assert!(top.stdout.contains("revoke"), "{}", top.stdout);
}
