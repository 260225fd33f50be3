//! `PendingAuthorization` deserialization: what a web app reads back from
//! its session store, then completes with a callback.
//!
//! Input: the stored JSON, as bytes.
//! Invariants: no panic, whatever the JSON holds; a value that reads
//! serializes back to JSON that reads as the same value; its accessors
//! answer; a client other than the one it names never completes it.
//! Completing it with the client it names and a callback that carries its
//! own state either succeeds, and the exchange then sends its request to
//! that client's token endpoint, or fails with a typed error free of
//! control, bidi and invisible characters; and the outcome, message
//! included, is the same when the state and the PKCE verifier are other
//! values of the same shape, so no error shows either.
#![no_main]

mod support;

use std::time::SystemTime;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::url::form_urlencoded;
use oauth2_sansio::{Client, Machine, PendingAuthorization, Step};
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(pending) = serde_json::from_slice::<PendingAuthorization>(data) else {
        return;
    };
    let stored = serde_json::to_value(&pending).expect("a value serializes");
    let again: PendingAuthorization =
        serde_json::from_value(stored.clone()).expect("what was written reads back");
    assert_eq!(again, pending);
    let _ = (
        pending.redirect_uri(),
        pending.scopes(),
        pending.issuer(),
        pending.created_at(),
    );

    let own = own_client(&stored);
    let stranger = Client::builder("stranger")
        .authorization_endpoint("https://stranger.example/auth")
        .token_endpoint("https://stranger.example/token")
        .build()
        .expect("a valid client");
    let named = own.as_ref().is_some_and(|client| {
        client.id() == stranger.id() && client.token_endpoint() == stranger.token_endpoint()
    });
    let callback = callback(pending.state().secret());
    if !named {
        assert!(
            pending.complete(&stranger, &callback).is_err(),
            "completed with a client it does not name"
        );
    }

    let Some(client) = own else {
        return;
    };
    let outcome = completed(&client, &stored);
    let mut other = stored.clone();
    for field in ["state", "code_verifier"] {
        if let Some(Value::String(secret)) = other.get_mut(field) {
            *secret = rotated(secret);
        }
    }
    assert_eq!(
        outcome,
        completed(&client, &other),
        "the outcome depends on the state's or the verifier's value"
    );
});

/// A redirect carrying `state` and a code.
fn callback(state: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("state", state)
        .append_pair("code", "code-1")
        .finish();
    format!("?{query}")
}

/// Completes the stored value with its own state: `Ok` if the exchange
/// sends its request to the client's token endpoint, else the error's
/// message and `Debug`.
fn completed(client: &Client, stored: &Value) -> Result<(), String> {
    let pending: PendingAuthorization =
        serde_json::from_value(stored.clone()).expect("a stored value reads");
    let callback = callback(pending.state().secret());
    match pending.complete(client, &callback) {
        Ok(mut exchange) => match exchange.poll(SystemTime::UNIX_EPOCH) {
            Ok(Step::Send(request)) => {
                assert_eq!(request.uri().to_string(), client.token_endpoint().as_str());
                Ok(())
            }
            other => panic!("a fresh exchange must send its request, got {other:?}"),
        },
        Err(e) => {
            support::assert_safe_error(&e, &[], &[]);
            Err(format!("{e} {e:?}"))
        }
    }
}

/// The client the stored value names, if its id and token endpoint make one.
fn own_client(stored: &Value) -> Option<Client> {
    Client::builder(stored["client_id"].as_str()?)
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint(stored["token_endpoint"].as_str()?)
        .build()
        .ok()
}

/// `text` with each ASCII letter and digit replaced by the next one of its
/// kind (z by a): another value every check treats alike.
fn rotated(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            'a'..='y' | 'A'..='Y' | '0'..='8' => char::from(c as u8 + 1),
            other => other,
        })
        .collect()
}
