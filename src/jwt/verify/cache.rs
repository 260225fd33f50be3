//! The issuer's key set, fetched and kept as its `Cache-Control` says, and
//! fetched again (at most once per cool-down) when a token names a key it
//! does not hold: issuers rotate their keys.

use std::time::{Duration, SystemTime};

use http::header::{AGE, CACHE_CONTROL};
use http::HeaderMap;

use super::error::IdTokenError;
use super::jwks::{JwkSet, JwksError};
use super::verifier::{IdTokenVerifier, VerifiedIdToken};
use crate::error::config::ConfigError;
use crate::error::TransportFailure;
use crate::error::{Error, InvalidResponse};
use crate::machine::call::{Call, SentAt};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Answer, Machine, Step};
use crate::wire::answer::error_response;
use crate::wire::endpoint::{parse_endpoint, to_uri};

/// How long keys are kept, and how often an unknown `kid` may trigger a
/// fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Without `max-age`: 10 minutes.
    pub default_lifetime: Duration,
    /// The shortest lifetime, even with `no-cache` or `max-age=0`: 5
    /// minutes (a verifier must not fetch per token).
    pub min_lifetime: Duration,
    /// The longest: 24 hours (a key set is never trusted longer).
    pub max_lifetime: Duration,
    /// After a fetch, an unknown `kid` fetches again only this much later:
    /// 30 seconds (so forged `kid`s cannot make the verifier hammer the
    /// issuer).
    pub cooldown: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            default_lifetime: Duration::from_secs(600),
            min_lifetime: Duration::from_secs(300),
            max_lifetime: Duration::from_secs(24 * 3600),
            cooldown: Duration::from_secs(30),
        }
    }
}

impl CachePolicy {
    /// The lifetime `headers` give (`max-age` minus `Age`), clamped.
    pub fn lifetime(&self, headers: &HeaderMap) -> Duration {
        let directives = headers
            .get_all(CACHE_CONTROL)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim);
        let mut max_age = None;
        for directive in directives {
            let lower = directive.to_ascii_lowercase();
            if lower == "no-store" || lower == "no-cache" {
                max_age = Some(0);
            } else if let Some(secs) = lower.strip_prefix("max-age=") {
                if let Ok(secs) = secs.trim_matches('"').parse::<u64>() {
                    max_age = Some(max_age.map_or(secs, |known: u64| known.min(secs)));
                }
            }
        }
        let Some(max_age) = max_age else {
            return self.default_lifetime;
        };
        let age = headers
            .get(AGE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .unwrap_or(0);
        Duration::from_secs(max_age.saturating_sub(age)).clamp(self.min_lifetime, self.max_lifetime)
    }
}

/// A key set as fetched, with when it stops being trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedKeys {
    /// The keys.
    pub keys: JwkSet,
    /// When to fetch them again.
    pub expires_at: SystemTime,
}

/// One `GET` of a key set; its lifetime from the answer's headers, counted
/// from when the request was sent.
#[must_use = "a machine does nothing until driven"]
#[derive(Debug)]
pub struct JwksFetch {
    call: Call<JwkSet, SentAt>,
    lifetime: Duration,
    policy: CachePolicy,
}

impl Machine for JwksFetch {
    type Output = FetchedKeys;

    fn poll(&mut self, now: SystemTime) -> Result<Step<FetchedKeys>, Error> {
        Ok(match self.call.poll(now)?.pending() {
            Ok(step) => step,
            Err((keys, sent_at)) => Step::Done(FetchedKeys {
                keys,
                expires_at: sent_at + self.lifetime,
            }),
        })
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        self.lifetime = self.policy.lifetime(response.headers());
        Answer::Response(response).deliver(&mut self.call, now)
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        Answer::Failure(failure).deliver(&mut self.call, now)
    }
}

/// A key set answer: HTTP 200 and a [`JwkSet`].
fn parse_jwks(status: u16, body: &[u8], limit: usize) -> Result<JwkSet, Error> {
    if status != 200 {
        return Err(error_response(status, body, limit));
    }
    JwkSet::parse(body).map_err(|problem| {
        match problem {
            JwksError::TooLarge => InvalidResponse::BodyTooLarge { limit },
            JwksError::NotJsonObject => InvalidResponse::NotJsonObject { status },
            JwksError::NoKeys => InvalidResponse::MissingField { field: "keys" },
            JwksError::InvalidKey { reason, .. } => InvalidResponse::InvalidField {
                field: "keys",
                reason,
            },
        }
        .into()
    })
}

/// What to do with a token, given the keys held.
#[derive(Debug)]
#[non_exhaustive]
pub enum CacheVerdict {
    /// The token verified.
    Verified(VerifiedIdToken),
    /// The token is refused.
    Refused(IdTokenError),
    /// No usable keys, or the token names a key not held and the cool-down
    /// has passed: run [`KeySetCache::fetch`], [`store`](KeySetCache::store)
    /// what it gives, and ask again.
    FetchKeys,
}

/// An issuer's key set between verifications: one per issuer, shared by
/// every verification (behind a lock, with one fetch at a time).
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::jwt::verify::{CacheVerdict, IdTokenVerifier, KeySetCache, GOOGLE_JWKS_URI};
/// use oauth2_sansio::drive;
///
/// let mut cache = KeySetCache::new(GOOGLE_JWKS_URI)?;
/// let verifier = IdTokenVerifier::google("client-id");
/// # let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiIxIn0.c2ln";
/// let now = SystemTime::now();
/// assert!(matches!(cache.verify(&verifier, token, now), CacheVerdict::FetchKeys));
/// let fetched = drive(cache.fetch(now), || now, |request| {
///     assert_eq!(request.uri(), GOOGLE_JWKS_URI);
///     Ok(oauth2_sansio::http::Response::builder()
///         .header("cache-control", "public, max-age=21155")
///         .body(br#"{"keys":[]}"#.to_vec())
///         .unwrap())
/// }, |_| {})?;
/// cache.store(fetched);
/// // Still no key "k1", and the cool-down has not passed: refused.
/// assert!(matches!(cache.verify(&verifier, token, now), CacheVerdict::Refused(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeySetCache {
    uri: url::Url,
    policy: CachePolicy,
    response_limit: usize,
    keys: Option<FetchedKeys>,
    last_fetch: Option<SystemTime>,
}

impl KeySetCache {
    /// The key set at `jwks_uri` (https, or http on a loopback host), not
    /// fetched yet.
    pub fn new(jwks_uri: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            uri: parse_endpoint(jwks_uri, "jwks_uri", false)?,
            policy: CachePolicy::default(),
            response_limit: super::jwks::MAX_JWKS_LEN,
            keys: None,
            last_fetch: None,
        })
    }

    /// Keeps and refetches keys by `policy` instead of the default.
    pub fn with_policy(mut self, policy: CachePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The keys, while they are trusted at `now`.
    pub fn keys(&self, now: SystemTime) -> Option<&JwkSet> {
        self.keys
            .as_ref()
            .filter(|fetched| fetched.expires_at > now)
            .map(|fetched| &fetched.keys)
    }

    /// Verifies `token` with the keys held, or says to fetch them.
    pub fn verify(&self, verifier: &IdTokenVerifier, token: &str, now: SystemTime) -> CacheVerdict {
        let Some(keys) = self.keys(now) else {
            return CacheVerdict::FetchKeys;
        };
        match verifier.verify(token, keys, now) {
            Ok(verified) => CacheVerdict::Verified(verified),
            Err(IdTokenError::UnknownKey { .. }) if self.may_fetch(now) => CacheVerdict::FetchKeys,
            Err(refused) => CacheVerdict::Refused(refused),
        }
    }

    /// Whether the cool-down since the last fetch has passed.
    pub fn may_fetch(&self, now: SystemTime) -> bool {
        self.last_fetch
            .is_none_or(|last| last + self.policy.cooldown <= now)
    }

    /// A fetch of the key set, started at `now` (the cool-down counts from
    /// it, whether it succeeds or not).
    pub fn fetch(&mut self, now: SystemTime) -> JwksFetch {
        self.last_fetch = Some(now);
        let request = http::Request::get(to_uri(&self.uri))
            .header(http::header::ACCEPT, "application/json")
            .body(Vec::new())
            .expect("a valid request");
        JwksFetch {
            call: Call::with_parser(request, self.response_limit, parse_jwks).with_context(SentAt),
            lifetime: self.policy.default_lifetime,
            policy: self.policy,
        }
    }

    /// Keeps what a fetch gave. (A failed fetch gives nothing: the keys
    /// held stay until they expire.)
    pub fn store(&mut self, fetched: FetchedKeys) {
        self.keys = Some(fetched);
    }
}
