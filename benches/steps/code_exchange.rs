//! The whole code exchange from a bare code: the request built, the answer
//! (a canned 200 with the 1.7 KB Google token response) parsed, the result.
//! Ours ends with `UserCredentials` (and zeroizes the answer's body);
//! `oauth2` with its token response (its `request()`: status, content type,
//! serde_path_to_error); the floor with the parsed fields (and zeroizes the
//! body). What a call consumes is made before it, outside the count: the
//! answer on every side, ours' pending authorization, `oauth2`'s code and
//! PKCE verifier.

use std::cell::Cell;

use oauth2::{AuthType, AuthorizationCode, HttpRequest, HttpResponse, PkceCodeVerifier};
use oauth2_sansio::{Client, Machine, PendingAuthorization, Step, UserCredentials};
use zeroize::Zeroize;

use super::fixtures::{floor_client, floor_pending, GoogleTokenResponse};
use super::same::TokenView;
use super::Side;
use crate::common::code_flow::*;
use crate::common::NotSent;
use crate::floor::{parse_token_response, ClientAuth, FloorClient, Pending, TokenFields};
use crate::{repeat_with, Allocations};

fn ours(client: &Client, pending: PendingAuthorization, response: HttpResponse) -> UserCredentials {
    let mut exchange = sansio_exchange(pending, client);
    drop(send_step(&mut exchange));
    exchange
        .handle_response(response, now())
        .expect("valid response");
    match exchange.poll(now()).expect("poll") {
        Step::Done(credentials) => credentials,
        _ => panic!("expected Step::Done"),
    }
}

fn oauth2(
    client: &OAuth2ClientOf<GoogleTokenResponse>,
    code: AuthorizationCode,
    verifier: PkceCodeVerifier,
    response: HttpResponse,
) -> GoogleTokenResponse {
    let response = Cell::new(Some(response));
    let respond = |request: HttpRequest| -> Result<HttpResponse, NotSent> {
        drop(request);
        Ok(response.take().expect("one request"))
    };
    oauth2_exchange(client, code, verifier, &respond).expect("valid response")
}

fn floor(
    client: &FloorClient,
    pending: Pending,
    code: &str,
    response: HttpResponse,
) -> TokenFields {
    drop(client.token_request(
        "authorization_code",
        ClientAuth::Basic,
        &[
            ("code_verifier", &pending.verifier),
            ("code", code),
            ("redirect_uri", &pending.redirect_uri),
        ],
    ));
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let fields = parse_token_response(status, &body, oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT);
    body.zeroize();
    fields.expect("valid response")
}

pub fn run(side: Side, count: usize) -> Allocations {
    let client = sansio_client();
    let body = google_token_response();
    let response = || canned_response(&body);
    let parsed = TokenView::of_credentials(&ours(&client, pending(&client), response()), now());
    match side {
        Side::Ours => repeat_with(
            count,
            || (pending(&client), response()),
            |(pending, response)| ours(&client, pending, response),
        ),
        Side::OAuth2 => {
            let oauth2_client = oauth2_client_of(AuthType::BasicAuth);
            let verifier = pending_verifier(&client);
            let new_inputs = || {
                let verifier = PkceCodeVerifier::new(verifier.clone());
                (oauth2_code(), verifier, response())
            };
            let (code, verifier, answer) = new_inputs();
            assert_eq!(
                parsed,
                TokenView::of_oauth2(&oauth2(&oauth2_client, code, verifier, answer))
            );
            repeat_with(count, new_inputs, |(code, verifier, response)| {
                oauth2(&oauth2_client, code, verifier, response)
            })
        }
        Side::Floor => {
            let floor_client = floor_client();
            let floor_pending = floor_pending(&client, pending(&client));
            let code = std::hint::black_box(CODE);
            assert_eq!(
                parsed,
                TokenView::of_floor(&floor(
                    &floor_client,
                    floor_pending.clone(),
                    code,
                    response()
                ))
            );
            repeat_with(
                count,
                || (floor_pending.clone(), response()),
                |(pending, response)| floor(&floor_client, pending, code, response),
            )
        }
    }
}
