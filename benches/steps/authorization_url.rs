//! The authorization URL: `state`, PKCE S256, three scopes and
//! `access_type=offline`, drawn from a ChaCha12 RNG on every side (ours and
//! the floor: rand's `StdRng`; `oauth2`: rand 0.8's `thread_rng`, byte by
//! byte, 32 bytes for `state` as ours).

use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier, Scope};
use oauth2_sansio::{AuthorizationUrl, Client, PendingAuthorization};
use rand::rngs::StdRng;
use rand::SeedableRng;
use url::Url;

use super::fixtures::floor_client;
use super::Side;
use crate::common::code_flow::*;
use crate::floor::{FloorClient, Pending};
use crate::{repeat, Allocations};

fn ours(client: &Client, rng: &mut StdRng) -> (AuthorizationUrl, PendingAuthorization) {
    client
        .authorization_request(REDIRECT_URI)
        .scopes(SCOPES)
        .build(now(), rng)
        .expect("valid request")
}

fn oauth2(client: &OAuth2Client, scopes: &[Scope]) -> (Url, CsrfToken, PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(|| CsrfToken::new_random_len(32))
        .add_scopes(scopes.iter().cloned())
        .set_pkce_challenge(challenge)
        .add_extra_param("access_type", "offline")
        .url();
    (url, state, verifier)
}

fn floor(client: &FloorClient, rng: &mut StdRng) -> (String, Pending) {
    client.authorization_url(REDIRECT_URI, &SCOPES, rng)
}

pub fn run(side: Side, count: usize) -> Allocations {
    const SEED: u64 = 7;
    let client = sansio_client();
    let mut rng = StdRng::seed_from_u64(SEED);
    let (url, pending) = ours(&client, &mut rng);
    match side {
        Side::Ours => repeat(count, || ours(&client, &mut rng)),
        Side::OAuth2 => {
            let oauth2_client = oauth2_client(oauth2::AuthType::BasicAuth);
            let scopes = oauth2_scopes();
            assert_eq!(
                masked_query(url.url()),
                masked_query(&oauth2(&oauth2_client, &scopes).0)
            );
            repeat(count, || oauth2(&oauth2_client, &scopes))
        }
        Side::Floor => {
            let floor_client = floor_client();
            let mut rng = StdRng::seed_from_u64(SEED);
            let (floor_url, floor_pending) = floor(&floor_client, &mut rng);
            assert_eq!(url.as_str(), floor_url);
            assert_eq!(pending.state().secret(), floor_pending.state.as_str());
            assert_eq!(
                verifier_of(&client, pending),
                floor_pending.verifier.as_str()
            );
            repeat(count, || floor(&floor_client, &mut rng))
        }
    }
}

/// The URL without its query, and its sorted query parameters, the random
/// ones (`state`, `code_challenge`) by length only.
fn masked_query(url: &Url) -> (&str, Vec<(String, String)>) {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(name, value)| match &*name {
            "state" | "code_challenge" => (name.into_owned(), format!("<{} chars>", value.len())),
            _ => (name.into_owned(), value.into_owned()),
        })
        .collect();
    pairs.sort();
    (&url[..url::Position::AfterPath], pairs)
}
