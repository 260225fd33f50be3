//! Client authentication with a signed JWT: `private_key_jwt`
//! ([RFC 7523 §2.2, §3](https://www.rfc-editor.org/rfc/rfc7523#section-2.2),
//! [OpenID Connect Core §9](https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication)).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::error::Error;
use crate::jwt::{encode, Claims, Signer, MAX_JWT_LIFETIME};
use crate::secret::entropy::Entropy;
use crate::secret::wipe::UnsentRequest;
use crate::secret::Assertion;

/// The `client_assertion_type` of a JWT client assertion.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long a client assertion is valid by default: 60 seconds after it is
/// signed, which is when the request is sent.
pub const DEFAULT_CLIENT_ASSERTION_LIFETIME: Duration = Duration::from_secs(60);

/// `client_assertion_type=<CLIENT_ASSERTION_TYPE, form-encoded>&client_assertion=`
const BODY_PREFIX: &[u8] =
    b"client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=";

/// The key a client proves its identity with at the authorization server
/// (`private_key_jwt`): every request to the token, revocation,
/// introspection or device authorization endpoint carries a JWT it signs,
/// with `iss` = `sub` = the client id, `aud` = the server's issuer (or
/// what [`AssertionAudience`] says), a fresh `jti`, `iat` = the time the
/// request is sent and a short `exp`.
///
/// The server knows the public key (registered as the client's `jwks` or
/// `jwks_uri`); the private key stays behind the [`Signer`], so it can live
/// in an HSM or a KMS. Give it to a client with
/// [`ClientBuilder::private_key_jwt`](crate::ClientBuilder::private_key_jwt).
///
/// `jti` must never repeat (servers refuse a replayed one) and must not be
/// guessable: each is the SHA-256 of a 32-byte seed drawn once from the
/// caller's RNG and a counter shared by every clone of the key.
///
/// ```
/// # #[cfg(feature = "ring")] {
/// use std::sync::Arc;
/// use oauth2_sansio::jwt::RingSigner;
/// use oauth2_sansio::{Client, ClientAssertionKey, ClientAuthMethod};
///
/// # let pem = include_str!("../../tests/fixtures/service_account/rsa2048_pkcs8.pem");
/// let signer = RingSigner::from_pem(pem, Some("client-key-1".into()))?;
/// let key = ClientAssertionKey::new(Arc::new(signer), &mut rand::rng());
/// let client = Client::builder("my-client")
///     .authorization_endpoint("https://as.example/authorize")
///     .token_endpoint("https://as.example/token")
///     .issuer("https://as.example")
///     .private_key_jwt(key)
///     .build()?;
/// assert_eq!(client.auth_method(), ClientAuthMethod::PrivateKeyJwt);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ClientAssertionKey {
    signer: Arc<dyn Signer>,
    lifetime: Duration,
    ids: Arc<JtiSource>,
}

/// Where `jti` values come from: SHA-256(seed || counter).
struct JtiSource {
    seed: Zeroizing<[u8; 32]>,
    next: AtomicU64,
}

impl ClientAssertionKey {
    /// A key signing with `signer`, its `jti` seed drawn from `rng` (any
    /// [`Entropy`]: rand 0.10's `&mut rand::rng()`, or another rand's RNG
    /// through [`EntropyFn`](crate::EntropyFn)).
    pub fn new<R: Entropy + ?Sized>(signer: Arc<dyn Signer>, rng: &mut R) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        rng.fill_entropy(seed.as_mut());
        Self::with_seed(signer, *seed)
    }

    /// [`new`](Self::new) with the 32 seed bytes given by the caller. The
    /// bytes must come from a CSPRNG and must not be reused for another key.
    pub fn with_seed(signer: Arc<dyn Signer>, seed: [u8; 32]) -> Self {
        Self {
            signer,
            lifetime: DEFAULT_CLIENT_ASSERTION_LIFETIME,
            ids: Arc::new(JtiSource {
                seed: Zeroizing::new(seed),
                next: AtomicU64::new(0),
            }),
        }
    }

    /// How long each assertion is valid after it is signed (default
    /// [`DEFAULT_CLIENT_ASSERTION_LIFETIME`]): whole seconds, at least one
    /// (an assertion that expires as it is issued is refused by every
    /// server) and at most [`MAX_JWT_LIFETIME`].
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        let seconds = lifetime.as_secs().clamp(1, MAX_JWT_LIFETIME.as_secs());
        self.lifetime = Duration::from_secs(seconds);
        self
    }

    /// The signer.
    pub fn signer(&self) -> &Arc<dyn Signer> {
        &self.signer
    }

    /// How long each assertion is valid after it is signed.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// The claims of the next assertion for `client_id`, addressed to
    /// `audience`, issued at `now`. Each call takes a new `jti`.
    pub fn claims(&self, client_id: &str, audience: &str, now: SystemTime) -> Claims {
        Claims::new(client_id, now)
            .with_lifetime(self.lifetime)
            .with_audience(audience)
            .with_subject(client_id)
            .with_claim("jti", self.next_jti())
            .expect("jti is not a reserved claim")
    }

    /// Signs the next assertion (see [`claims`](Self::claims)).
    pub fn sign(
        &self,
        client_id: &str,
        audience: &str,
        now: SystemTime,
    ) -> Result<Assertion, Error> {
        let claims = self.claims(client_id, audience, now);
        encode(self.signer.as_ref(), &claims).map_err(Error::Signing)
    }

    fn next_jti(&self) -> String {
        let n = self.ids.next.fetch_add(1, Ordering::Relaxed);
        let mut hash = Sha256::new();
        hash.update(self.ids.seed.as_ref());
        hash.update(n.to_be_bytes());
        URL_SAFE_NO_PAD.encode(hash.finalize())
    }
}

impl PartialEq for ClientAssertionKey {
    /// The same key: clones of one another (same signer, same `jti` source)
    /// with the same lifetime.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.ids, &other.ids)
            && Arc::ptr_eq(&self.signer, &other.signer)
            && self.lifetime == other.lifetime
    }
}

impl fmt::Debug for ClientAssertionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientAssertionKey")
            .field("signer", &self.signer)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// The `aud` of a client's assertions. Servers differ: RFC 7523's update
/// and OpenID Connect name the issuer (oidc-provider, Auth0, Keycloak
/// accept it), Microsoft Entra ID wants the token endpoint, Okta the URL of
/// the endpoint each request goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AssertionAudience {
    /// The client's [`issuer`](crate::ClientBuilder::issuer), or its token
    /// endpoint when it has none. The default.
    Issuer,
    /// The token endpoint URL, for every request.
    TokenEndpoint,
    /// The URL (without query) of the endpoint each request is sent to:
    /// the token endpoint for grants, the revocation endpoint for a
    /// revocation, and so on.
    Endpoint,
    /// This value, for every request.
    Custom(String),
}

/// [`AssertionAudience`] resolved for one client.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Audience {
    Fixed(String),
    Endpoint,
}

/// A key and the audience its assertions are for: what a client using
/// `private_key_jwt` needs to authenticate a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClientAssertion {
    pub key: ClientAssertionKey,
    pub audience: Audience,
}

impl ClientAssertion {
    /// `request` with a `client_assertion` for `client_id` signed at `now`
    /// added; if signing fails, the request is dropped, its body zeroized.
    pub fn sign_into(
        &self,
        request: UnsentRequest,
        client_id: &str,
        now: SystemTime,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        request.complete(|request| self.append_to(request, client_id, now))
    }

    /// Appends `client_assertion_type` and a `client_assertion` for
    /// `client_id` signed at `now` to the form body of `request`.
    fn append_to(
        &self,
        request: &mut http::Request<Vec<u8>>,
        client_id: &str,
        now: SystemTime,
    ) -> Result<(), Error> {
        let endpoint;
        let audience = match &self.audience {
            Audience::Fixed(audience) => audience.as_str(),
            Audience::Endpoint => {
                endpoint = without_query(request.uri());
                endpoint.as_str()
            }
        };
        let assertion = self.key.sign(client_id, audience, now)?;
        // A new buffer of the final size, the old one zeroized: growing the
        // body in place could leave a copy of its secrets behind.
        let form = request.body_mut();
        let mut body =
            Vec::with_capacity(form.len() + 1 + BODY_PREFIX.len() + assertion.secret().len());
        body.extend_from_slice(form);
        if !body.is_empty() {
            body.push(b'&');
        }
        body.extend_from_slice(BODY_PREFIX);
        // A compact JWS is base64url and dots: nothing to form-encode.
        body.extend_from_slice(assertion.secret().as_bytes());
        form.zeroize();
        *form = body;
        Ok(())
    }
}

/// `scheme://authority/path` of `uri`.
fn without_query(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("https");
    let authority = uri.authority().map_or("", |a| a.as_str());
    format!("{scheme}://{authority}{}", uri.path())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::jwt::{decode_unverified, Algorithm, SignError};
    use crate::testing::at;

    struct Fixed;

    impl Signer for Fixed {
        fn algorithm(&self) -> Algorithm {
            Algorithm::Rs256
        }
        fn key_id(&self) -> Option<&str> {
            Some("k1")
        }
        fn sign(&self, _: &[u8]) -> Result<Vec<u8>, SignError> {
            Ok(b"sig".to_vec())
        }
    }

    fn key(seed: u8) -> ClientAssertionKey {
        ClientAssertionKey::with_seed(Arc::new(Fixed), [seed; 32])
    }

    #[test]
    fn claims_name_the_client_twice_and_expire_soon() {
        let claims = key(1).claims("client-1", "https://as.example", at(1000));
        assert_eq!(claims.issuer(), "client-1");
        assert_eq!(claims.subject(), Some("client-1"));
        assert_eq!(claims.audience(), Some("https://as.example"));
        assert_eq!((claims.iat(), claims.exp()), (1000, 1060));
        assert_eq!(claims.scope(), None);
        let jti = claims.extra()["jti"].as_str().unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(jti).unwrap().len(), 32);
        let long = key(1).with_lifetime(Duration::from_secs(86_400));
        assert_eq!(long.lifetime(), MAX_JWT_LIFETIME);
        let short = key(1).with_lifetime(Duration::from_millis(1500));
        assert_eq!(short.lifetime(), Duration::from_secs(1));
        assert_eq!(
            key(1).with_lifetime(Duration::ZERO).lifetime(),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn jti_never_repeats_across_clones_and_differs_between_seeds() {
        let first = key(1);
        let clone = first.clone();
        let mut seen = HashSet::new();
        for _ in 0..100 {
            assert!(seen.insert(first.next_jti()));
            assert!(seen.insert(clone.next_jti()));
        }
        assert!(!seen.contains(&key(2).next_jti()));
        // The same seed restarts the sequence: seeds must not be reused.
        assert!(seen.contains(&key(1).next_jti()));
    }

    #[test]
    fn appends_the_assertion_after_the_form() {
        let mut request = http::Request::new(b"grant_type=client_credentials".to_vec());
        let assertion = ClientAssertion {
            key: key(1),
            audience: Audience::Fixed("https://as.example".into()),
        };
        assertion.append_to(&mut request, "c", at(5)).unwrap();
        let body = std::str::from_utf8(request.body()).unwrap();
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(pairs[0], ("grant_type".into(), "client_credentials".into()));
        assert_eq!(
            pairs[1],
            ("client_assertion_type".into(), CLIENT_ASSERTION_TYPE.into())
        );
        assert_eq!(pairs[2].0, "client_assertion");
        let jwt = decode_unverified(&pairs[2].1).unwrap();
        assert_eq!(jwt.header()["kid"], "k1");
        assert_eq!(jwt.claims().unwrap().iat(), 5);
        assert_eq!(pairs.len(), 3);
    }

    #[test]
    fn the_endpoint_audience_is_the_request_url_without_its_query() {
        let mut request = http::Request::new(Vec::new());
        *request.uri_mut() = "https://as.example:8443/oauth2/v1/revoke?x=1"
            .parse()
            .unwrap();
        let assertion = ClientAssertion {
            key: key(1),
            audience: Audience::Endpoint,
        };
        assertion.append_to(&mut request, "c", at(5)).unwrap();
        let body = std::str::from_utf8(request.body()).unwrap();
        let jwt = body.rsplit_once('=').unwrap().1;
        let claims = decode_unverified(jwt).unwrap().claims().unwrap();
        assert_eq!(
            claims.audience(),
            Some("https://as.example:8443/oauth2/v1/revoke")
        );
    }

    #[test]
    fn debug_names_the_key_not_the_seed() {
        let shown = format!("{:?}", key(7));
        assert!(shown.contains("k1") && shown.contains("Rs256"), "{shown}");
        assert!(!shown.contains("seed"), "{shown}");
    }

    #[test]
    fn equal_only_to_its_clones() {
        let a = key(1);
        assert_eq!(a, a.clone());
        assert_ne!(a, key(1));
        assert_ne!(a, a.clone().with_lifetime(Duration::from_secs(5)));
    }
}
