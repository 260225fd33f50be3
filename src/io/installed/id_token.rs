//! The ID token of an `openid` sign-in, verified against the issuer's key
//! set before the flow hands the credentials over (feature `ring`).

use std::time::SystemTime;

use super::error::InstalledAppError;
use crate::credentials::UserCredentials;
use crate::error::TransportFailure;
use crate::io::sleep_until;
use crate::jwt::verify::{
    CacheVerdict, IdTokenError, IdTokenVerifier, KeySetCache, VerifiedIdToken,
};
use crate::machine::drive::drive;

/// Verifies the ID token of `credentials` with `verifier` (issuer,
/// audience, nonce) and the keys at `jwks_uri`, fetched with `send`.
pub(super) fn verify<S>(
    credentials: &UserCredentials,
    verifier: &IdTokenVerifier,
    jwks_uri: &url::Url,
    send: S,
) -> Result<VerifiedIdToken, InstalledAppError>
where
    S: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure>,
{
    let token = credentials
        .id_token()
        .ok_or(InstalledAppError::IdToken(IdTokenError::Missing))?;
    let mut keys = KeySetCache::new(jwks_uri.as_str())?;
    let fetched = drive(
        keys.fetch(SystemTime::now()),
        SystemTime::now,
        send,
        sleep_until,
    )
    .map_err(InstalledAppError::Keys)?;
    keys.store(fetched);
    match keys.verify(verifier, token.secret(), SystemTime::now()) {
        CacheVerdict::Verified(verified) => Ok(verified),
        CacheVerdict::Refused(refused) => Err(InstalledAppError::IdToken(refused)),
        _ => Err(InstalledAppError::IdToken(IdTokenError::UnknownKey {
            kid: None,
        })),
    }
}
