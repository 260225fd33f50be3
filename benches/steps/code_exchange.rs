//! The whole code exchange from a bare code: the request built, a canned
//! 200 answer (the 1.7 KB Google token response) made, parsed, the result.
//! Ours ends with `UserCredentials` (and zeroizes the answer's body);
//! `oauth2` with its token response (its `request()`: status, content type,
//! serde_path_to_error); the floor with the parsed fields (and zeroizes the
//! body).

use oauth2::{AuthType, HttpRequest, HttpResponse, PkceCodeVerifier};
use oauth2_sansio::{Client, Machine, PendingAuthorization, Step, UserCredentials};
use zeroize::Zeroize;

use super::fixtures::{floor_client, floor_pending, GoogleTokenResponse};
use super::same::TokenView;
use super::Side;
use crate::common::code_flow::*;
use crate::common::NotSent;
use crate::floor::{parse_token_response, ClientAuth, FloorClient, Pending, TokenFields};
use crate::{repeat, Allocations};

fn ours(client: &Client, pending: PendingAuthorization, body: &[u8]) -> UserCredentials {
    let mut exchange = sansio_exchange(pending, client);
    drop(send_step(&mut exchange));
    exchange
        .handle_response(canned_response(body), now())
        .expect("valid response");
    match exchange.poll(now()).expect("poll") {
        Step::Done(credentials) => credentials,
        _ => panic!("expected Step::Done"),
    }
}

fn oauth2(
    client: &OAuth2ClientOf<GoogleTokenResponse>,
    verifier: &str,
    body: &[u8],
) -> GoogleTokenResponse {
    let respond = |request: HttpRequest| -> Result<HttpResponse, NotSent> {
        drop(request);
        Ok(canned_response(body))
    };
    let verifier = PkceCodeVerifier::new(verifier.to_owned());
    oauth2_exchange(client, oauth2_code(), verifier, &respond).expect("valid response")
}

fn floor(client: &FloorClient, pending: &Pending, code: &str, body: &[u8]) -> TokenFields {
    drop(client.token_request(
        "authorization_code",
        ClientAuth::Basic,
        &[
            ("code_verifier", &pending.verifier),
            ("code", code),
            ("redirect_uri", &pending.redirect_uri),
        ],
    ));
    let response = canned_response(body);
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let fields = parse_token_response(status, &body, oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT);
    body.zeroize();
    fields.expect("valid response")
}

pub fn run(side: Side, count: usize) -> Allocations {
    let client = sansio_client();
    let pending = pending(&client);
    let body = google_token_response();
    let body = std::hint::black_box(&body[..]);
    let parsed = TokenView::of_credentials(
        &ours(&client, crate::common::code_flow::pending(&client), body),
        now(),
    );
    match side {
        Side::Ours => repeat(count, || {
            ours(&client, crate::common::code_flow::pending(&client), body)
        }),
        Side::OAuth2 => {
            let oauth2_client = oauth2_client_of(AuthType::BasicAuth);
            let verifier = pending_verifier(&client);
            assert_eq!(
                parsed,
                TokenView::of_oauth2(&oauth2(&oauth2_client, &verifier, body))
            );
            repeat(count, || oauth2(&oauth2_client, &verifier, body))
        }
        Side::Floor => {
            let floor_client = floor_client();
            let floor_pending = floor_pending(&client, pending);
            let code = std::hint::black_box(CODE);
            assert_eq!(
                parsed,
                TokenView::of_floor(&floor(&floor_client, &floor_pending, code, body))
            );
            repeat(count, || floor(&floor_client, &floor_pending, code, body))
        }
    }
}
