//! Reading a fresh token from a cache: ours is `SharedToken::cached`; the
//! `oauth2` side is gcp_auth's `RwLock<HashMap>` keyed by scopes (`oauth2`
//! has no cache); the floor an ArcSwap-like load, one `RwLock<Arc<_>>`.
//! Each returns a shared token after an expiry check.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use oauth2_sansio::cache::{CachedToken, SharedToken};
use oauth2_sansio::Credentials;
use oauth2_sansio::UserCredentials;
use zeroize::Zeroizing;

use super::Side;
use crate::common::code_flow::*;
use crate::common::gcp_auth_cache::{GcpAuthLike, Token};
use crate::floor::{self, TokenCache};
use crate::{repeat, Allocations};

fn ours(cache: &SharedToken<UserCredentials>, now: SystemTime) -> CachedToken<UserCredentials> {
    cache.cached(now).expect("fresh")
}

fn oauth2(cache: &GcpAuthLike, now: SystemTime) -> Arc<Token> {
    cache.token(&SCOPES, now).expect("fresh")
}

fn floor(cache: &TokenCache, now: SystemTime) -> Arc<floor::CachedToken> {
    cache.read(now).expect("fresh")
}

pub fn run(side: Side, count: usize) -> Allocations {
    let credentials = exchanged_credentials(&sansio_client(), &google_token_response());
    let bearer = credentials.token().expect("a token").clone();
    let access_token = bearer.token().secret();
    let expiry = bearer.expiry().expect("an expiry");
    let cache = SharedToken::new(credentials.clone());
    let now = std::hint::black_box(now() + Duration::from_secs(60));
    let token = ours(&cache, now);
    assert_eq!(token.bearer().token().secret(), access_token);
    match side {
        Side::Ours => repeat(count, || ours(&cache, now)),
        Side::OAuth2 => {
            let cache = GcpAuthLike::new(&SCOPES, access_token, expiry);
            let token = oauth2(&cache, now);
            assert_eq!(
                (token.access_token.as_str(), token.expires_at),
                (access_token, expiry)
            );
            repeat(count, || oauth2(&cache, now))
        }
        Side::Floor => {
            let cache = TokenCache::new(floor::CachedToken {
                access_token: Zeroizing::new(access_token.to_owned()),
                fresh_until: expiry - oauth2_sansio::DEFAULT_REFRESH_THRESHOLD,
            });
            let token = floor(&cache, now);
            assert_eq!(token.access_token.as_str(), access_token);
            repeat(count, || floor(&cache, now))
        }
    }
}
