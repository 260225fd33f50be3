//! A Google token response (1.7 KB: access, refresh and ID tokens, scope)
//! parsed and checked. `oauth2` parses only inside `request()`; its side
//! is the same serde call on its response type (which `request()` also
//! wraps in serde_path_to_error, after checking status and content type:
//! see the code_exchange step for all of it).

use oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT;
use oauth2_sansio::TokenResponse;

use super::fixtures::GoogleTokenResponse;
use super::same::TokenView;
use super::Side;
use crate::common::code_flow::google_token_response;
use crate::floor::{parse_token_response, TokenFields};
use crate::{repeat, Allocations};

fn ours(body: &[u8]) -> TokenResponse {
    TokenResponse::parse(200, body, DEFAULT_RESPONSE_LIMIT).expect("valid response")
}

fn oauth2(body: &[u8]) -> GoogleTokenResponse {
    serde_json::from_slice(body).expect("valid response")
}

fn floor(body: &[u8]) -> TokenFields {
    parse_token_response(200, body, DEFAULT_RESPONSE_LIMIT).expect("valid response")
}

pub fn run(side: Side, count: usize) -> Allocations {
    let body = google_token_response();
    let body = std::hint::black_box(&body[..]);
    let parsed = TokenView::of_ours(&ours(body));
    match side {
        Side::Ours => repeat(count, || ours(body)),
        Side::OAuth2 => {
            assert_eq!(parsed, TokenView::of_oauth2(&oauth2(body)));
            repeat(count, || oauth2(body))
        }
        Side::Floor => {
            assert_eq!(parsed, TokenView::of_floor(&floor(body)));
            repeat(count, || floor(body))
        }
    }
}
