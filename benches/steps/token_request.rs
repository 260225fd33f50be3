//! The code exchange request alone, from a bare code. Ours goes through
//! `complete_pasted` (the shortest public path to the request: a code
//! check, no `state`) and consumes the pending authorization; `oauth2`
//! consumes the code and the PKCE verifier; the floor consumes its pending
//! authorization (zeroizing `state` and the verifier) and borrows the code:
//! each call gets what it consumes made before it, outside the count.

use oauth2::{AuthType, AuthorizationCode, HttpRequest, PkceCodeVerifier};
use oauth2_sansio::{Client, PendingAuthorization};

use super::fixtures::{floor_client, floor_pending};
use super::same::assert_identical_request;
use super::Side;
use crate::common::code_flow::*;
use crate::common::{assert_same_request, oauth2_request};
use crate::floor::{ClientAuth, FloorClient, Pending};
use crate::{repeat_with, Allocations};

fn ours(client: &Client, pending: PendingAuthorization) -> http::Request<Vec<u8>> {
    send_step(&mut sansio_exchange(pending, client))
}

fn oauth2(
    client: &OAuth2Client,
    code: AuthorizationCode,
    verifier: PkceCodeVerifier,
) -> HttpRequest {
    oauth2_request(|http| oauth2_exchange(client, code, verifier, &http))
}

fn floor(client: &FloorClient, pending: Pending, code: &str) -> http::Request<Vec<u8>> {
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
    let request = ours(&client, pending(&client));
    match side {
        Side::Ours => repeat_with(count, || pending(&client), |pending| ours(&client, pending)),
        Side::OAuth2 => {
            let oauth2_client = oauth2_client(AuthType::BasicAuth);
            let verifier = pending_verifier(&client);
            let new_inputs = || (oauth2_code(), PkceCodeVerifier::new(verifier.clone()));
            let (code, verifier) = new_inputs();
            assert_same_request(&request, &oauth2(&oauth2_client, code, verifier));
            repeat_with(count, new_inputs, |(code, verifier)| {
                oauth2(&oauth2_client, code, verifier)
            })
        }
        Side::Floor => {
            let floor_client = floor_client();
            let floor_pending = floor_pending(&client, pending(&client));
            let code = std::hint::black_box(CODE);
            assert_identical_request(&request, &floor(&floor_client, floor_pending.clone(), code));
            repeat_with(
                count,
                || floor_pending.clone(),
                |pending| floor(&floor_client, pending, code),
            )
        }
    }
}
