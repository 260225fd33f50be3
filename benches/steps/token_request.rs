//! The code exchange request alone, from a bare code. Ours goes through
//! `complete_pasted` (the shortest public path to the request: a code
//! check, no `state`) and clones the pending authorization it consumes;
//! `oauth2` makes the PKCE verifier it consumes; the floor borrows.

use oauth2::{AuthType, HttpRequest, PkceCodeVerifier};
use oauth2_sansio::{Client, PendingAuthorization};

use super::fixtures::{floor_client, floor_pending};
use super::same::assert_identical_request;
use super::Side;
use crate::common::code_flow::*;
use crate::common::{assert_same_request, oauth2_request};
use crate::floor::{ClientAuth, FloorClient, Pending};
use crate::{repeat, Allocations};

fn ours(client: &Client, pending: PendingAuthorization) -> http::Request<Vec<u8>> {
    send_step(&mut sansio_exchange(pending, client))
}

fn oauth2(client: &OAuth2Client, verifier: &str) -> HttpRequest {
    let verifier = PkceCodeVerifier::new(verifier.to_owned());
    oauth2_request(|http| oauth2_exchange(client, oauth2_code(), verifier, &http))
}

fn floor(client: &FloorClient, pending: &Pending, code: &str) -> http::Request<Vec<u8>> {
    client.token_request(
        "authorization_code",
        ClientAuth::Basic,
        &[
            ("code_verifier", &pending.verifier),
            ("code", code),
            ("redirect_uri", &pending.redirect_uri),
        ],
    )
}

pub fn run(side: Side, count: usize) -> Allocations {
    let client = sansio_client();
    let pending = pending(&client);
    let request = ours(&client, crate::common::code_flow::pending(&client));
    match side {
        Side::Ours => repeat(count, || {
            ours(&client, crate::common::code_flow::pending(&client))
        }),
        Side::OAuth2 => {
            let oauth2_client = oauth2_client(AuthType::BasicAuth);
            let verifier = pending_verifier(&client);
            assert_same_request(&request, &oauth2(&oauth2_client, &verifier));
            repeat(count, || oauth2(&oauth2_client, &verifier))
        }
        Side::Floor => {
            let floor_client = floor_client();
            let floor_pending = floor_pending(&client, pending);
            let code = std::hint::black_box(CODE);
            assert_identical_request(&request, &floor(&floor_client, &floor_pending, code));
            repeat(count, || floor(&floor_client, &floor_pending, code))
        }
    }
}
