//! The refresh request, google-auth's: the client's credentials in the
//! body, the refresh token, the scopes. Ours starts from the credentials a
//! code exchange left (access token, 1.2 KB ID token, granted scopes) and
//! makes a machine that keeps a copy of them for the answer; `oauth2` is
//! set to `AuthType::RequestBody` to send the same request.

use oauth2::{AuthType, HttpRequest, RefreshToken, Scope};
use oauth2_sansio::Credentials;
use oauth2_sansio::UserCredentials;
use zeroize::Zeroizing;

use super::fixtures::floor_client;
use super::same::assert_identical_request;
use super::Side;
use crate::common::code_flow::*;
use crate::common::{assert_same_request, oauth2_request};
use crate::floor::{ClientAuth, FloorClient};
use crate::{repeat, Allocations};

fn ours(credentials: &UserCredentials) -> http::Request<Vec<u8>> {
    send_step(&mut credentials.refresh().expect("refreshable"))
}

fn oauth2(client: &OAuth2Client, refresh_token: &RefreshToken, scopes: &[Scope]) -> HttpRequest {
    oauth2_request(|http| {
        client
            .exchange_refresh_token(refresh_token)
            .add_scopes(scopes.iter().cloned())
            .request(&http)
    })
}

fn floor(client: &FloorClient, refresh_token: &str, scopes: &[String]) -> http::Request<Vec<u8>> {
    let scope = scopes.join(" ");
    client.token_request(
        "refresh_token",
        ClientAuth::Body,
        &[("refresh_token", refresh_token), ("scope", &scope)],
    )
}

pub fn run(side: Side, count: usize) -> Allocations {
    let client = sansio_client();
    let credentials = exchanged_credentials(&client, &google_token_response());
    let request = ours(&credentials);
    let refresh_token = credentials.refresh_token().expect("has one").secret();
    match side {
        Side::Ours => repeat(count, || ours(&credentials)),
        Side::OAuth2 => {
            let oauth2_client = oauth2_client(AuthType::RequestBody);
            let refresh_token = RefreshToken::new(refresh_token.to_owned());
            let scopes = oauth2_scopes();
            assert_same_request(&request, &oauth2(&oauth2_client, &refresh_token, &scopes));
            repeat(count, || oauth2(&oauth2_client, &refresh_token, &scopes))
        }
        Side::Floor => {
            let floor_client = floor_client();
            let refresh_token = Zeroizing::new(refresh_token.to_owned());
            let scopes = credentials.scopes().to_vec();
            assert_identical_request(&request, &floor(&floor_client, &refresh_token, &scopes));
            repeat(count, || floor(&floor_client, &refresh_token, &scopes))
        }
    }
}
