//! The authorization request: the URL the user opens, and the pending state
//! kept until the callback.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::client::Client;
use crate::credentials::freshness::unix_seconds;
use crate::error::config::ConfigError;
use crate::flows::code::authorization_url::AuthorizationUrl;
use crate::flows::code::pkce::CHALLENGE_METHOD;
use crate::flows::params::is_scope_token;
use crate::macros::setters;
use crate::secret::entropy::Entropy;
use crate::secret::{CsrfState, PkceVerifier};

/// Google's `access_type` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessType {
    /// `offline`: the code exchange also returns a refresh token.
    Offline,
    /// `online`: access token only.
    Online,
}

impl AccessType {
    fn as_str(self) -> &'static str {
        match self {
            AccessType::Offline => "offline",
            AccessType::Online => "online",
        }
    }
}

/// Parameters the crate sets itself; extra parameters may not override them.
const RESERVED: [&str; 15] = [
    "nonce",
    "dpop_jkt",
    "request_uri",
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "access_type",
    "prompt",
    "login_hint",
    "include_granted_scopes",
    "code_verifier",
];

/// Builds an authorization URL; see [`Client::authorization_request`].
#[derive(Debug, Clone)]
#[must_use = "call build() to get the URL and the pending authorization"]
pub struct AuthorizationRequest<'c> {
    client: &'c Client,
    redirect_uri: String,
    scopes: Vec<String>,
    access_type: Option<AccessType>,
    prompt: Option<String>,
    include_granted_scopes: bool,
    login_hint: Option<String>,
    nonce: bool,
    dpop_jkt: Option<String>,
    extra: Vec<(String, String)>,
}

impl Client {
    /// Starts an authorization request that will redirect to `redirect_uri`.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use oauth2_sansio::{Client, ClientSecret};
    ///
    /// let client = Client::google("my-id", Some(ClientSecret::new("my-secret"))).build()?;
    /// let (url, pending) = client
    ///     .authorization_request("http://127.0.0.1:8080/")
    ///     .scopes(["openid", "email"])
    ///     .prompt("consent")
    ///     .build_with_entropy(SystemTime::UNIX_EPOCH, &[7; 64])?;
    /// assert!(url.as_str().starts_with("https://accounts.google.com/o/oauth2/auth?response_type=code"));
    /// assert!(url.as_str().contains("code_challenge_method=S256"));
    /// // Keep `pending` (it serializes) until the browser comes back.
    /// let saved = serde_json::to_string(&pending)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorization_request(
        &self,
        redirect_uri: impl Into<String>,
    ) -> AuthorizationRequest<'_> {
        AuthorizationRequest {
            client: self,
            redirect_uri: redirect_uri.into(),
            scopes: Vec::new(),
            access_type: Some(AccessType::Offline),
            prompt: None,
            include_granted_scopes: false,
            login_hint: None,
            nonce: false,
            dpop_jkt: None,
            extra: Vec::new(),
        }
    }
}

impl<'c> AuthorizationRequest<'c> {
    crate::flows::params::scope_setters!();

    setters! {
        /// Google's `access_type`; default `Some(Offline)` (as google-auth-oauthlib).
        /// `None` leaves the parameter out, for servers other than Google.
        pub fn access_type(access_type: Option<AccessType>) => access_type = access_type;

        /// `prompt` (`consent`, `select_account`, `none`, or several space-separated).
        pub fn prompt(prompt: impl Into<String>) => prompt = Some(prompt.into());

        /// Google's `include_granted_scopes=true` (incremental authorization).
        pub fn include_granted_scopes(include: bool) => include_granted_scopes = include;

        /// `login_hint`: the account to preselect.
        pub fn login_hint(hint: impl Into<String>) => login_hint = Some(hint.into());

        /// Sends an OpenID Connect `nonce` (default off): the ID token the
        /// exchange returns must carry it back, which
        /// [`PendingAuthorization::id_token_verifier`] checks. It is
        /// `base64url(SHA-256("oauth2-sansio nonce" || the verifier's 32
        /// random bytes))`: as unguessable as the verifier, and telling
        /// nothing of it.
        pub fn with_nonce(send: bool) => nonce = send;
    }

    /// Binds the authorization code to a DPoP key: sends its thumbprint as
    /// `dpop_jkt` ([RFC 9449 §10](https://www.rfc-editor.org/rfc/rfc9449#section-10)),
    /// so that only a code exchange proved with that key
    /// ([`Call::with_dpop`](crate::Call::with_dpop)) can redeem the code.
    pub fn bind_code_to(mut self, key: &crate::dpop::DpopKey) -> Self {
        self.dpop_jkt = Some(key.thumbprint().to_owned());
        self
    }

    crate::flows::params::param_setter! {
        /// Any other parameter. Parameters the crate sets itself (`state`,
        /// `redirect_uri`, `prompt`, ...) are refused by `build`; use their setters.
        extra
    }

    /// Builds the URL, drawing `state` and the PKCE verifier (32 bytes each)
    /// from `rng`: rand 0.10's `&mut rand::rng()`, or an RNG of another rand
    /// version through [`EntropyFn`](crate::EntropyFn) (see [`Entropy`]).
    pub fn build<R: Entropy + ?Sized>(
        self,
        now: SystemTime,
        rng: &mut R,
    ) -> Result<(AuthorizationUrl, PendingAuthorization), ConfigError> {
        let mut entropy = [0u8; 64];
        rng.fill_entropy(&mut entropy);
        let built = self.build_with_entropy(now, &entropy);
        zeroize::Zeroize::zeroize(&mut entropy);
        built
    }

    /// Builds the URL from 64 caller-supplied random bytes: the first 32 make
    /// `state`, the last 32 the PKCE verifier. The bytes must come from a
    /// CSPRNG.
    pub fn build_with_entropy(
        self,
        now: SystemTime,
        entropy: &[u8; 64],
    ) -> Result<(AuthorizationUrl, PendingAuthorization), ConfigError> {
        if self.client.require_pushed_authorization_requests {
            return Err(ConfigError::PushRequired);
        }
        let (prepared, pending) = self.prepare(now, entropy)?;
        let url = AuthorizationUrl::write(&prepared.client().authorization_endpoint, |query| {
            prepared.each_param(&pending, |name, value| query.append_pair(name, value));
        });
        Ok((url, prepared.into_pending(pending)))
    }

    /// Checks the request and draws its secrets: what the URL (or the
    /// pushed request) is made of, and the pending authorization.
    pub(crate) fn prepare(
        self,
        now: SystemTime,
        entropy: &[u8; 64],
    ) -> Result<(Prepared<'c>, PendingAuthorization), ConfigError> {
        if !self.client.pkce_s256_supported {
            return Err(ConfigError::PkceS256Unsupported);
        }
        if !is_absolute_without_fragment(&self.redirect_uri) {
            return Err(ConfigError::InvalidUrl {
                field: "redirect_uri",
            });
        }
        for scope in &self.scopes {
            if !is_scope_token(scope) {
                return Err(ConfigError::InvalidScope {
                    scope: crate::error::sanitize(scope),
                });
            }
        }
        if let Some((name, _)) = self
            .extra
            .iter()
            .find(|(name, _)| RESERVED.contains(&name.as_str()))
        {
            return Err(ConfigError::ReservedParameter { name: name.clone() });
        }

        let (state_bytes, verifier_bytes) = entropy.split_at(32);
        let state = CsrfState::new(URL_SAFE_NO_PAD.encode(state_bytes));
        let verifier =
            PkceVerifier::from_entropy(verifier_bytes.try_into().expect("split at 32 of 64"));
        let nonce = self.nonce.then(|| {
            let digest = Sha256::new()
                .chain_update(b"oauth2-sansio nonce")
                .chain_update(verifier_bytes)
                .finalize();
            URL_SAFE_NO_PAD.encode(digest)
        });
        let pending = PendingAuthorization {
            state,
            code_verifier: verifier,
            // Moved in by `Prepared::into_pending`, once the URL is written.
            redirect_uri: String::new(),
            client_id: self.client.identity.shared_id(),
            token_endpoint: self.client.token_endpoint.shared_text(),
            issuer: self.client.issuer.clone(),
            require_issuer: self.client.require_issuer,
            scopes: Vec::new(),
            created_at: unix_seconds(now).unwrap_or(0),
            nonce,
            pushed_until: None,
        };
        Ok((Prepared(self), pending))
    }
}

/// A checked authorization request, ready to be written out.
pub(crate) struct Prepared<'c>(AuthorizationRequest<'c>);

impl<'c> std::ops::Deref for Prepared<'c> {
    type Target = AuthorizationRequest<'c>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'c> Prepared<'c> {
    /// Each parameter of the request, in google-auth-oauthlib's order, with
    /// the secrets of `pending`.
    pub(crate) fn each_param(
        &self,
        pending: &PendingAuthorization,
        mut emit: impl FnMut(&str, &str),
    ) {
        emit("response_type", "code");
        emit("client_id", self.client.id());
        emit("redirect_uri", &self.redirect_uri);
        if !self.scopes.is_empty() {
            emit("scope", &self.scopes.join(" "));
        }
        emit("state", pending.state.secret());
        emit("code_challenge", &pending.code_verifier.s256_challenge());
        emit("code_challenge_method", CHALLENGE_METHOD);
        if let Some(nonce) = &pending.nonce {
            emit("nonce", nonce);
        }
        if let Some(jkt) = &self.dpop_jkt {
            emit("dpop_jkt", jkt);
        }
        if let Some(hint) = &self.login_hint {
            emit("login_hint", hint);
        }
        if let Some(prompt) = &self.prompt {
            emit("prompt", prompt);
        }
        if self.include_granted_scopes {
            emit("include_granted_scopes", "true");
        }
        for (name, value) in &self.extra {
            emit(name, value);
        }
        if let Some(access_type) = self.access_type {
            emit("access_type", access_type.as_str());
        }
    }

    pub(crate) fn client(&self) -> &'c Client {
        self.0.client
    }

    /// `pending` with the request's redirect URI and scopes moved in.
    pub(crate) fn into_pending(self, mut pending: PendingAuthorization) -> PendingAuthorization {
        pending.redirect_uri = self.0.redirect_uri;
        pending.scopes = self.0.scopes;
        pending
    }
}

/// `scheme:rest` with no fragment, no spaces and no control characters: all
/// a redirect URI must be before the server compares it with its
/// registration (cheaper than parsing it on every request).
fn is_absolute_without_fragment(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        && !rest.is_empty()
        && !uri.contains('#')
        && !has_space_or_control(uri)
}

/// Whether `text` has whitespace or a control character, Unicode's or
/// ASCII's; ASCII text (every redirect URI in practice) is read as bytes.
fn has_space_or_control(text: &str) -> bool {
    if text.is_ascii() {
        return text.bytes().any(|b| b == b' ' || b.is_ascii_control());
    }
    text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// What must be remembered between sending the user to the authorization
/// URL and receiving the callback: the `state`, the PKCE verifier, the
/// redirect URI, and which client and server the request was for.
///
/// It serializes with serde so that a web server can keep it in the user's
/// session; it contains secrets, so keep it server-side (or encrypted).
/// `Debug` redacts them.
///
/// It is single-use by construction: it is not `Clone`, and
/// [`complete`](Self::complete) consumes it, so one value cannot complete
/// two callbacks. A stored copy can, though: a web server must remove it
/// from the session when it takes it out to complete it (take, don't read),
/// or a replayed callback could be completed against the same copy again.
///
/// ```compile_fail,E0599
/// # fn f(pending: oauth2_sansio::PendingAuthorization) {
/// let copy = pending.clone(); // not Clone
/// # }
/// ```
///
/// ```compile_fail,E0382
/// # fn f(pending: oauth2_sansio::PendingAuthorization, client: &oauth2_sansio::Client) {
/// let first = pending.complete(client, "?state=s&code=c");
/// let second = pending.complete(client, "?state=s&code=c"); // moved by the first
/// # }
/// ```
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAuthorization {
    #[serde(deserialize_with = "non_empty_state")]
    pub(crate) state: CsrfState,
    #[serde(deserialize_with = "well_formed_verifier")]
    pub(crate) code_verifier: PkceVerifier,
    #[serde(deserialize_with = "absolute_redirect_uri")]
    pub(crate) redirect_uri: String,
    #[serde(deserialize_with = "non_empty_client_id")]
    pub(crate) client_id: Arc<str>,
    pub(crate) token_endpoint: Arc<str>,
    pub(crate) issuer: Option<Arc<str>>,
    pub(crate) require_issuer: bool,
    pub(crate) scopes: Vec<String>,
    #[serde(deserialize_with = "representable_unix_seconds")]
    pub(crate) created_at: u64,
    /// Stored values from before nonces read as without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) nonce: Option<String>,
    /// For a pushed request: when its `request_uri` expires (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pushed_until: Option<u64>,
}

/// The rules a stored value is read by, those a built one follows, so a
/// tampered session store cannot make the exchange send what `build` never
/// would: `name: Type = valid, "refusal";` makes `fn name`, a
/// `deserialize_with` that refuses a value `valid` rejects.
macro_rules! stored_rules {
    ($($name:ident: $ty:ty = $valid:expr, $refusal:literal;)*) => {
        $(
            fn $name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<$ty, D::Error> {
                let value = <$ty>::deserialize(deserializer)?;
                let valid: fn(&$ty) -> bool = $valid;
                if valid(&value) {
                    Ok(value)
                } else {
                    Err(serde::de::Error::custom($refusal))
                }
            }
        )*
    };
}

stored_rules! {
    non_empty_state: CsrfState = |state| !state.secret().is_empty(), "state is empty";
    well_formed_verifier: PkceVerifier = PkceVerifier::is_well_formed,
        "code_verifier is not an RFC 7636 verifier (43 to 128 of A-Z a-z 0-9 - . _ ~)";
    absolute_redirect_uri: String = |uri| is_absolute_without_fragment(uri),
        "redirect_uri is not an absolute URI without a fragment";
    non_empty_client_id: Arc<str> = |id| !id.is_empty(), "client_id is empty";
}

/// Whole seconds since the Unix epoch that this platform's `SystemTime` can
/// hold, so that [`PendingAuthorization::created_at`] cannot overflow on a
/// stored value that was tampered with.
fn representable_unix_seconds<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<u64, D::Error> {
    let secs = u64::deserialize(deserializer)?;
    SystemTime::UNIX_EPOCH
        .checked_add(Duration::from_secs(secs))
        .map(|_| secs)
        .ok_or_else(|| serde::de::Error::custom("created_at is not a representable time"))
}

impl PendingAuthorization {
    /// The `state` sent with the request (a web server may use it to find
    /// the pending authorization; comparison is done by the crate).
    pub fn state(&self) -> &CsrfState {
        &self.state
    }

    /// The redirect URI the request named.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The scopes requested.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The issuer the request was sent to, when known.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The `nonce` sent, when the request asked for one
    /// ([`AuthorizationRequest::with_nonce`]).
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// How to verify the ID token the exchange will return: issued by the
    /// issuer the request went to (Google's in either spelling), for this
    /// client, carrying the nonce sent. `None` without a known issuer or a
    /// nonce. Take it before [`complete`](Self::complete) consumes `self`.
    #[cfg(feature = "ring")]
    pub fn id_token_verifier(&self) -> Option<crate::jwt::verify::IdTokenVerifier> {
        use crate::jwt::verify::{IdTokenVerifier, GOOGLE_ISSUERS};
        let issuer = self.issuer.as_deref()?;
        let nonce = self.nonce.as_deref()?;
        let verifier = if GOOGLE_ISSUERS.contains(&issuer) {
            IdTokenVerifier::google(&*self.client_id)
        } else {
            IdTokenVerifier::new(issuer, &*self.client_id)
        };
        Some(verifier.with_nonce(nonce))
    }

    /// For a pushed request ([`AuthorizationRequest::push`]): when its
    /// `request_uri` expires. The user must open the URL before then; a
    /// server that sees it later redirects with `invalid_request_uri`.
    pub fn pushed_request_expiry(&self) -> Option<SystemTime> {
        self.pushed_until
            .map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// When the request was built.
    pub fn created_at(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(self.created_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::secret::ClientSecret;

    fn client() -> Client {
        Client::builder("installed-app")
            .client_secret(ClientSecret::new("installed-app-secret"))
            .authorization_endpoint("http://127.0.0.1:9000/auth")
            .token_endpoint("http://127.0.0.1:9000/token")
            .build()
            .unwrap()
    }

    /// The pending authorization `request` makes from `entropy`.
    fn pending(request: AuthorizationRequest<'_>, entropy: u8) -> PendingAuthorization {
        let (_, pending) = request
            .build_with_entropy(SystemTime::UNIX_EPOCH, &[entropy; 64])
            .unwrap();
        pending
    }

    #[test]
    fn ascii_text_is_checked_as_unicode_would_be() {
        for byte in 0..=0x7fu8 {
            let text = format!("a{}b", char::from(byte));
            let by_chars = text.chars().any(|c| c.is_whitespace() || c.is_control());
            assert_eq!(has_space_or_control(&text), by_chars, "{byte:#04x}");
        }
        assert!(has_space_or_control("http://x/\u{a0}"));
        assert!(has_space_or_control("http://x/\u{85}"));
        assert!(!has_space_or_control("http://x/é"));
    }

    #[test]
    fn url_matches_google_auth_oauthlib_parameter_order() {
        let client = client();
        let (url, pending) = client
            .authorization_request("http://127.0.0.1:53682/")
            .scopes(["openid", "read"])
            .login_hint("gclient")
            .prompt("consent")
            .build_with_entropy(SystemTime::UNIX_EPOCH, &[0; 64])
            .unwrap();
        let challenge = pending.code_verifier.s256_challenge();
        assert_eq!(
            url.as_str(),
            format!(
                "http://127.0.0.1:9000/auth?response_type=code&client_id=installed-app\
                 &redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2F&scope=openid+read&state={}\
                 &code_challenge={challenge}&code_challenge_method=S256&login_hint=gclient\
                 &prompt=consent&access_type=offline",
                pending.state.secret()
            )
        );
    }

    #[test]
    fn state_and_verifier_carry_256_bits_each() {
        let client = client();
        let mut entropy = [0u8; 64];
        entropy[31] = 1;
        let (_, a) = client
            .authorization_request("http://127.0.0.1/")
            .build_with_entropy(SystemTime::UNIX_EPOCH, &entropy)
            .unwrap();
        let (_, b) = client
            .authorization_request("http://127.0.0.1/")
            .build_with_entropy(SystemTime::UNIX_EPOCH, &[0; 64])
            .unwrap();
        assert_eq!(a.state.secret().len(), 43);
        assert_ne!(a.state, b.state);
        assert_eq!(a.code_verifier, b.code_verifier);
        assert!(a.code_verifier.is_well_formed());
    }

    #[test]
    fn reserved_and_invalid_inputs_are_refused() {
        let client = client();
        let build = |r: AuthorizationRequest<'_>| {
            r.build_with_entropy(SystemTime::UNIX_EPOCH, &[0; 64])
                .map(|_| ())
        };
        assert_eq!(
            build(
                client
                    .authorization_request("http://127.0.0.1/")
                    .param("state", "x")
            ),
            Err(ConfigError::ReservedParameter {
                name: "state".into()
            })
        );
        assert!(matches!(
            build(
                client
                    .authorization_request("http://127.0.0.1/")
                    .scope("a b")
            ),
            Err(ConfigError::InvalidScope { .. })
        ));
        assert!(matches!(
            build(client.authorization_request("not a url")),
            Err(ConfigError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn debug_redacts_state_and_verifier() {
        let pending = pending(client().authorization_request("http://127.0.0.1/"), 9);
        let debug = format!("{pending:?}");
        assert!(!debug.contains(pending.state.secret()));
        assert!(!debug.contains(pending.code_verifier.secret()));
    }

    #[test]
    fn pending_round_trips_through_serde() {
        let client = client();
        let pending = pending(
            client
                .authorization_request("http://127.0.0.1/")
                .scope("openid"),
            3,
        );
        let json = serde_json::to_string(&pending).unwrap();
        let back: PendingAuthorization = serde_json::from_str(&json).unwrap();
        assert_eq!(back, pending);
    }

    #[test]
    fn a_stored_creation_time_beyond_system_time_is_refused() {
        let pending = pending(client().authorization_request("http://127.0.0.1/"), 3);
        let json = serde_json::to_string(&pending).unwrap();
        let tampered = json.replace(r#""created_at":0"#, r#""created_at":18446744073709551615"#);
        assert_ne!(tampered, json);
        let error = serde_json::from_str::<PendingAuthorization>(&tampered).unwrap_err();
        assert!(error.to_string().contains("created_at"), "{error}");
    }

    #[test]
    fn a_nonce_is_sent_and_kept_only_when_asked_for() {
        let client = client();
        let request = || {
            client
                .authorization_request("http://127.0.0.1/")
                .scope("openid")
        };
        let (url, plain) = request()
            .build_with_entropy(SystemTime::UNIX_EPOCH, &[5; 64])
            .unwrap();
        assert!(plain.nonce().is_none());
        assert!(!url.url().query_pairs().any(|(k, _)| k == "nonce"));
        assert!(!serde_json::to_string(&plain).unwrap().contains("nonce"));

        let (url, pending) = request()
            .with_nonce(true)
            .build_with_entropy(SystemTime::UNIX_EPOCH, &[5; 64])
            .unwrap();
        let sent: Vec<_> = url
            .url()
            .query_pairs()
            .filter(|(k, _)| k == "nonce")
            .collect();
        assert_eq!(sent.len(), 1);
        assert_eq!(Some(sent[0].1.as_ref()), pending.nonce());
        let nonce = pending.nonce().unwrap();
        assert_eq!(nonce.len(), 43, "256 bits, base64url");
        assert!(!nonce.contains(pending.code_verifier.secret()));
        let (_, other) = request()
            .with_nonce(true)
            .build_with_entropy(SystemTime::UNIX_EPOCH, &[6; 64])
            .unwrap();
        assert_ne!(other.nonce(), pending.nonce(), "from the entropy");
        let back: PendingAuthorization =
            serde_json::from_str(&serde_json::to_string(&pending).unwrap()).unwrap();
        assert_eq!(back, pending);
        assert!(matches!(
            request()
                .param("nonce", "mine")
                .build_with_entropy(SystemTime::UNIX_EPOCH, &[5; 64]),
            Err(ConfigError::ReservedParameter { .. })
        ));
    }

    #[test]
    fn a_stored_value_is_read_by_the_rules_a_built_one_follows() {
        let pending = pending(client().authorization_request("http://127.0.0.1/cb"), 3);
        let json: serde_json::Value = serde_json::to_value(&pending).unwrap();
        let verifier = pending.code_verifier.secret().to_owned();
        for (field, value, named) in [
            ("code_verifier", "", "code_verifier"),
            ("code_verifier", "short", "code_verifier"),
            ("code_verifier", &*format!("{verifier} "), "code_verifier"),
            ("code_verifier", &*"a".repeat(129), "code_verifier"),
            ("redirect_uri", "", "redirect_uri"),
            ("redirect_uri", "/relative", "redirect_uri"),
            ("redirect_uri", "http://127.0.0.1/cb#frag", "redirect_uri"),
            ("state", "", "state"),
            ("client_id", "", "client_id"),
        ] {
            let mut tampered = json.clone();
            tampered[field] = serde_json::Value::from(value);
            let error = serde_json::from_value::<PendingAuthorization>(tampered).unwrap_err();
            let shown = error.to_string();
            assert!(shown.contains(named), "{field}={value:?}: {shown}");
            assert!(!shown.contains(&verifier[..8]), "{shown}");
        }
        let back: PendingAuthorization = serde_json::from_value(json).unwrap();
        assert_eq!(back, pending);
    }
}
