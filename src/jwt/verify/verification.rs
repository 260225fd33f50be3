//! One token's verification against a [`KeySetCache`], as steps a client
//! drives: verify with the keys held, or fetch them first (once per
//! cool-down), then answer. The blocking and async key-set clients of
//! `io` drive it the same way.

use std::fmt;
use std::time::SystemTime;

use super::cache::{CacheVerdict, FetchedKeys, JwksFetch, KeySetCache};
use super::error::IdTokenError;
use super::verifier::{IdTokenVerifier, VerifiedIdToken};
use crate::error::Error;

/// Why a token could not be verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyFailure {
    /// The token is refused.
    Refused(IdTokenError),
    /// No key set could be fetched (and none was held).
    Fetch(Error),
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(e) => write!(f, "{e}"),
            Self::Fetch(e) => write!(f, "the issuer's key set could not be fetched: {e}"),
        }
    }
}

impl std::error::Error for VerifyFailure {}

/// What to do next for a token.
#[derive(Debug)]
#[non_exhaustive]
// A step is moved once; boxing the fetch would allocate for nothing.
#[allow(clippy::large_enum_variant)]
pub enum VerifyStep {
    /// The answer.
    Done(Result<VerifiedIdToken, VerifyFailure>),
    /// Run this fetch and give its outcome to [`Verification::fetched`].
    Fetch(JwksFetch),
}

/// The verification of one token with one cache (hold the cache's lock
/// for as long as it lives, so that one fetch serves every waiter).
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::jwt::verify::{IdTokenVerifier, KeySetCache, Verification, VerifyFailure, VerifyStep};
///
/// let mut cache = KeySetCache::new("https://issuer.example/jwks")?;
/// let verifier = IdTokenVerifier::new("https://issuer.example", "client-1");
/// let mut verification = Verification::new(&mut cache, &verifier, "a.b.c");
/// let now = SystemTime::now();
/// let answer = loop {
///     match verification.next(now) {
///         VerifyStep::Done(answer) => break answer,
///         VerifyStep::Fetch(_fetch) => {
///             // Drive the fetch with a transport; here the network is down.
///             let failed = oauth2_sansio::TransportFailure::new(
///                 oauth2_sansio::TransportFailureKind::Connect,
///                 "connection refused",
///             );
///             verification.fetched(Err(failed.into()), now);
///         }
///         _ => unreachable!("no other step"),
///     }
/// };
/// assert!(matches!(answer, Err(VerifyFailure::Fetch(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Verification<'a> {
    cache: &'a mut KeySetCache,
    verifier: &'a IdTokenVerifier,
    token: &'a str,
    fetches: u8,
    failed: Option<Error>,
}

/// A fetch starts a cool-down, so a verification fetches once at most
/// (twice when the keys held had expired and the token is new).
const MAX_FETCHES: u8 = 2;

impl<'a> Verification<'a> {
    /// The verification of `token` with `verifier` and the keys `cache`
    /// holds or fetches.
    pub fn new(cache: &'a mut KeySetCache, verifier: &'a IdTokenVerifier, token: &'a str) -> Self {
        Self {
            cache,
            verifier,
            token,
            fetches: 0,
            failed: None,
        }
    }

    /// The next step at `now`.
    pub fn next(&mut self, now: SystemTime) -> VerifyStep {
        if let Some(error) = self.failed.take() {
            return VerifyStep::Done(Err(VerifyFailure::Fetch(error)));
        }
        match self.cache.verify(self.verifier, self.token, now) {
            CacheVerdict::Verified(verified) => VerifyStep::Done(Ok(verified)),
            CacheVerdict::Refused(refused) => {
                VerifyStep::Done(Err(VerifyFailure::Refused(refused)))
            }
            CacheVerdict::FetchKeys if self.fetches < MAX_FETCHES => {
                self.fetches += 1;
                VerifyStep::Fetch(self.cache.fetch(now))
            }
            // Fetched as often as allowed and the token's key is still
            // not there: the held keys' own answer.
            _ => VerifyStep::Done(match self.cache.keys(now) {
                Some(keys) => self
                    .verifier
                    .verify(self.token, keys, now)
                    .map_err(VerifyFailure::Refused),
                None => Err(VerifyFailure::Refused(IdTokenError::UnknownKey {
                    kid: None,
                })),
            }),
        }
    }

    /// What the fetch gave: keys to keep, or a failure, which ends the
    /// verification only when no keys are held (a failed refetch keeps the
    /// old keys until they expire).
    pub fn fetched(&mut self, outcome: Result<FetchedKeys, Error>, now: SystemTime) {
        match outcome {
            Ok(fetched) => self.cache.store(fetched),
            Err(error) if self.cache.keys(now).is_none() => self.failed = Some(error),
            Err(_) => {}
        }
    }
}
