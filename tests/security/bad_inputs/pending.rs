//! A stored `PendingAuthorization`, as a web app reads it back from its
//! session store (serde over JSON) and completes it with the callback that
//! carries its own state and a code. The crate sets no size bound here
//! (the store's is the caller's), so no input is over one; serde's derive
//! ignores unknown members, so a key twice inside one is not refused; and
//! an empty string is a string to it (an empty `code_verifier` or
//! `redirect_uri` is sent as it is, for the server to refuse).

use oauth2_sansio::{Client, Machine, PendingAuthorization, Step};

use super::derive::{json_cases, JsonRules};
use super::json::J;
use super::tally::{refused, Outcome, Tally};
use super::{now, CODE};

fn client() -> Client {
    Client::builder("client.apps.example")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .issuer("https://as.example")
        .build()
        .expect("a valid client")
}

pub fn tallies() -> Vec<Tally> {
    let client = client();
    let (_, pending) = client
        .authorization_request("https://app.example/callback")
        .scope("openid")
        .build_with_entropy(now(), &[0x5a; 64])
        .expect("a valid request");
    let state = pending.state().secret().to_owned();
    let stored = serde_json::to_value(&pending).expect("it serializes");
    let verifier = stored["code_verifier"]
        .as_str()
        .expect("a verifier")
        .to_owned();
    let callback = format!("https://app.example/callback?state={state}&code={CODE}");
    let rules = JsonRules {
        required: &[
            "state",
            "code_verifier",
            "redirect_uri",
            "client_id",
            "token_endpoint",
            "require_issuer",
            "scopes",
            "created_at",
        ],
        bound: None,
        strict_duplicates: false,
        empty_refused: false,
    };
    let mut tally = Tally::new("stored PendingAuthorization");
    tally.run(
        &[&state, &verifier, CODE],
        json_cases(&J::from(&stored), &rules, 1300),
        |bytes| {
            let pending: PendingAuthorization = match serde_json::from_slice(bytes) {
                Ok(pending) => pending,
                Err(e) => return refused(e),
            };
            match pending.complete(&client, &callback) {
                Ok(mut exchange) => match exchange.poll(now()) {
                    Ok(Step::Send(_)) => Outcome::Accepted,
                    Ok(_) => panic!("a fresh exchange sends"),
                    Err(e) => refused(e),
                },
                Err(e) => refused(e),
            }
        },
    );
    vec![tally]
}
