//! The callback: Google's redirect validated, then the code exchange
//! request built. Ours consumes the pending authorization and `oauth2` its
//! PKCE verifier: each call gets one made before it, outside the count;
//! the floor consumes its own the same way. `oauth2` has no callback check: its side is
//! what its users write (benches/common/code_flow.rs), which checks no
//! `iss`, no duplicates and compares `state` in variable time.

use oauth2::{AuthType, CsrfToken, HttpRequest, PkceCodeVerifier};
use oauth2_sansio::{Client, PendingAuthorization};

use super::fixtures::{floor_client, floor_pending};
use super::same::assert_identical_request;
use super::Side;
use crate::common::code_flow::*;
use crate::common::{assert_same_request, oauth2_request};
use crate::floor::{ClientAuth, FloorClient, Pending};
use crate::{repeat_with, Allocations};

fn ours(client: &Client, pending: PendingAuthorization, callback: &str) -> http::Request<Vec<u8>> {
    let mut exchange = pending.complete(client, callback).expect("valid callback");
    send_step(&mut exchange)
}

fn oauth2(
    client: &OAuth2Client,
    csrf: &CsrfToken,
    verifier: PkceCodeVerifier,
    callback: &str,
) -> HttpRequest {
    let code = oauth2_validate_callback(callback, csrf).expect("valid callback");
    oauth2_request(|http| oauth2_exchange(client, code, verifier, &http))
}

fn floor(client: &FloorClient, pending: Pending, callback: &str) -> http::Request<Vec<u8>> {
    let code = pending
        .validate_callback(&client.issuer, callback)
        .expect("valid callback");
    client.token_request(
        "authorization_code",
        ClientAuth::Basic,
        &[
            ("code_verifier", &pending.verifier),
            ("code", code.as_str()),
            ("redirect_uri", &pending.redirect_uri),
        ],
    )
}

pub fn run(side: Side, count: usize) -> Allocations {
    let client = sansio_client();
    let fixture = pending(&client);
    let callback = callback_url(fixture.state().secret());
    let request = ours(&client, pending(&client), &callback);
    match side {
        Side::Ours => repeat_with(
            count,
            || pending(&client),
            |pending| ours(&client, pending, &callback),
        ),
        Side::OAuth2 => {
            let oauth2_client = oauth2_client(AuthType::BasicAuth);
            let csrf = CsrfToken::new(fixture.state().secret().to_owned());
            let verifier = pending_verifier(&client);
            let new_verifier = || PkceCodeVerifier::new(verifier.clone());
            assert_same_request(
                &request,
                &oauth2(&oauth2_client, &csrf, new_verifier(), &callback),
            );
            repeat_with(count, new_verifier, |verifier| {
                oauth2(&oauth2_client, &csrf, verifier, &callback)
            })
        }
        Side::Floor => {
            let floor_client = floor_client();
            let floor_pending = floor_pending(&client, fixture);
            assert_identical_request(
                &request,
                &floor(&floor_client, floor_pending.clone(), &callback),
            );
            repeat_with(
                count,
                || floor_pending.clone(),
                |pending| floor(&floor_client, pending, &callback),
            )
        }
    }
}
