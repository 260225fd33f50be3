//! An in-memory authorization server, sans-IO like the crate it tests: the
//! authorization endpoint is a function from the authorization URL (and the
//! user's decision) to the redirect URL, the token endpoint a function from
//! a request (and the time) to a response. Tokens are counters (`at-1`,
//! `rt-1`, ...), so every run is the same.

mod client_assertion;
mod dpop;
mod misbehaviour;
mod par;
mod token_endpoint;

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, SystemTime};

use http::header::AUTHORIZATION;
use oauth2_sansio::{TransportFailure, TransportFailureKind};
use url::Url;

pub use misbehaviour::Misbehaviour;
pub use par::{PAR_URI, PUSH_LIFETIME};

/// The fake server's issuer identifier (sent as `iss` in every redirect).
pub const ISSUER: &str = "http://127.0.0.1:9000";
/// Its authorization endpoint.
pub const AUTH_URI: &str = "http://127.0.0.1:9000/auth";
/// Its token endpoint.
pub const TOKEN_URI: &str = "http://127.0.0.1:9000/token";

/// A registered client.
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: &'static str,
    /// `None`: a public client (PKCE only).
    pub secret: Option<&'static str>,
    /// Matched exactly.
    pub redirect_uris: &'static [&'static str],
    /// The DER `RSAPublicKey` of a `private_key_jwt` client.
    pub public_key: Option<&'static [u8]>,
}

/// What the user does on the consent screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Grants every requested scope.
    Approve,
    /// Grants only these of the requested scopes (unticks the others).
    ApproveScopes(&'static [&'static str]),
    /// Refuses.
    Deny,
}

/// One user consent: what the codes and tokens issued from it may do.
#[derive(Debug)]
struct Grant {
    client_id: String,
    scopes: Vec<String>,
    offline: bool,
    revoked: bool,
}

#[derive(Debug)]
struct IssuedCode {
    grant: usize,
    redirect_uri: String,
    challenge: String,
    used: bool,
    /// `dpop_jkt`: only a code exchange proved with this key redeems it.
    dpop_jkt: Option<String>,
}

#[derive(Debug)]
struct IssuedRefreshToken {
    grant: usize,
    /// False once rotated out.
    current: bool,
    /// The DPoP key a public client's refresh token is bound to.
    jkt: Option<String>,
}

#[derive(Debug)]
struct IssuedAccessToken {
    grant: usize,
    expiry: Option<SystemTime>,
    /// The DPoP key it is bound to (`token_type` `DPoP`).
    jkt: Option<String>,
}

#[derive(Debug, Default)]
struct Serials {
    code: u32,
    access: u32,
    refresh: u32,
    id: u32,
    pushed: u32,
}

/// The fake authorization server. Its public fields are its policy; change
/// them between requests as a test needs.
#[derive(Debug)]
pub struct FakeServer {
    /// `expires_in` of every access token (Google's is 3599).
    pub expires_in: u64,
    /// Issue a new refresh token on every refresh and retire the old one
    /// (reusing a retired one revokes the whole grant, as oidc-provider does).
    pub rotate_refresh_tokens: bool,
    /// Send a new `id_token` on refresh when `openid` was granted.
    pub id_token_on_refresh: bool,
    /// DPoP proofs must carry this nonce (sent as `DPoP-Nonce` with every
    /// answer and every `use_dpop_nonce` refusal); change it to rotate.
    pub dpop_nonce: Option<String>,
    /// The time the user opens an authorization URL, for the lifetime of
    /// pushed requests (the authorization endpoint takes no clock).
    pub now_for_pushes: SystemTime,
    clients: Vec<Registration>,
    grants: Vec<Grant>,
    codes: HashMap<String, IssuedCode>,
    refresh_tokens: HashMap<String, IssuedRefreshToken>,
    access_tokens: HashMap<String, IssuedAccessToken>,
    serials: Serials,
    misbehaviours: VecDeque<Misbehaviour>,
    token_requests: usize,
    /// Every client assertion `jti` accepted so far.
    used_jtis: HashSet<String>,
    /// Every DPoP proof `jti` seen so far.
    used_dpop_jtis: HashSet<String>,
    /// Pushed authorization requests, by `request_uri`.
    pushed: HashMap<String, par::Pushed>,
}

impl Default for FakeServer {
    fn default() -> Self {
        Self::new(super::fixtures::registrations())
    }
}

impl FakeServer {
    /// A server that knows these clients.
    pub fn new(clients: Vec<Registration>) -> Self {
        Self {
            expires_in: 3599,
            rotate_refresh_tokens: false,
            id_token_on_refresh: true,
            dpop_nonce: None,
            now_for_pushes: SystemTime::UNIX_EPOCH,
            clients,
            grants: Vec::new(),
            codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            serials: Serials::default(),
            misbehaviours: VecDeque::new(),
            token_requests: 0,
            used_jtis: HashSet::new(),
            used_dpop_jtis: HashSet::new(),
            pushed: HashMap::new(),
        }
    }

    /// Queues a misbehaviour for the next request that reaches the token
    /// endpoint (one per request, in order).
    pub fn misbehave(&mut self, misbehaviour: Misbehaviour) {
        self.misbehaviours.push_back(misbehaviour);
    }

    /// How many requests the token endpoint has seen.
    pub fn token_requests(&self) -> usize {
        self.token_requests
    }

    /// The network and the server together: a queued
    /// [`Misbehaviour::Unreachable`] fails the request in transport,
    /// anything else reaches [`handle`](Self::handle).
    pub fn deliver(
        &mut self,
        request: &http::Request<Vec<u8>>,
        now: SystemTime,
    ) -> Result<http::Response<Vec<u8>>, TransportFailure> {
        if self.misbehaviours.front() == Some(&Misbehaviour::Unreachable) {
            self.misbehaviours.pop_front();
            return Err(TransportFailure::new(
                TransportFailureKind::Connect,
                "connection refused",
            ));
        }
        Ok(self.handle(request, now))
    }

    /// The user opens `authorization_url` and decides; returns the URL the
    /// browser is redirected to. A request naming an unknown client or an
    /// unregistered redirect URI panics: a real server shows an error page
    /// and never redirects, so no test should get there.
    pub fn authorize(&mut self, authorization_url: impl AsRef<str>, decision: Decision) -> String {
        let authorization_url =
            Url::parse(authorization_url.as_ref()).expect("an authorization URL is a URL");
        let mut endpoint = authorization_url.clone();
        endpoint.set_query(None);
        assert_eq!(
            endpoint.as_str(),
            AUTH_URI,
            "not this server's authorization endpoint"
        );
        let mut params = unique_pairs(authorization_url.query().unwrap_or(""))
            .expect("a parameter appears twice in the authorization request");
        let mut push_refused = false;
        if let Some(request_uri) = params.get("request_uri").cloned() {
            let pushed = self
                .pushed
                .get_mut(&request_uri)
                .expect("an unknown request_uri");
            assert_eq!(
                params.get("client_id"),
                pushed.params.get("client_id"),
                "pushed for another client"
            );
            push_refused = pushed.used || pushed.until <= self.now_for_pushes;
            pushed.used = true;
            params = pushed.params.clone();
        }
        let param = |name: &str| params.get(name).map(String::as_str);
        let client_id = param("client_id").expect("no client_id");
        let registration = self.registration(client_id).expect("unknown client_id");
        let redirect_uri = param("redirect_uri").expect("no redirect_uri");
        assert!(
            registration.redirect_uris.contains(&redirect_uri),
            "unregistered redirect_uri {redirect_uri}"
        );
        let redirect = |result: &[(&str, &str)]| {
            let mut url = Url::parse(redirect_uri).expect("registered URIs parse");
            {
                let mut query = url.query_pairs_mut();
                query.extend_pairs(result);
                if let Some(state) = param("state") {
                    query.append_pair("state", state);
                }
                query.append_pair("iss", ISSUER);
            }
            url.to_string()
        };
        let refuse = |error: &str, description: &str| {
            redirect(&[("error", error), ("error_description", description)])
        };

        if push_refused {
            return refuse(
                "invalid_request_uri",
                "request_uri is invalid, expired, or was already used",
            );
        }
        if param("response_type") != Some("code") {
            return refuse("unsupported_response_type", "only response_type=code");
        }
        let challenge = match (param("code_challenge"), param("code_challenge_method")) {
            (Some(challenge), Some("S256")) if challenge.len() == 43 => challenge.to_owned(),
            _ => return refuse("invalid_request", "PKCE with S256 is required"),
        };
        let requested: Vec<String> = param("scope")
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let scopes = match decision {
            Decision::Deny => return refuse("access_denied", "The user denied access"),
            Decision::Approve => requested,
            Decision::ApproveScopes(allowed) => requested
                .into_iter()
                .filter(|s| allowed.contains(&s.as_str()))
                .collect(),
        };
        let grant = self.add_grant(client_id, scopes, param("access_type") == Some("offline"));
        self.serials.code += 1;
        let code = format!("code-{}", self.serials.code);
        self.codes.insert(
            code.clone(),
            IssuedCode {
                grant,
                redirect_uri: redirect_uri.to_owned(),
                challenge,
                used: false,
                dpop_jkt: param("dpop_jkt").map(str::to_owned),
            },
        );
        redirect(&[("code", &code)])
    }

    /// A refresh token for `client_id`, as if issued by an earlier sign-in
    /// (what an authorized_user file holds).
    pub fn issue_refresh_token(&mut self, client_id: &str, scopes: &[&str]) -> String {
        let scopes = scopes.iter().map(|s| (*s).to_owned()).collect();
        let grant = self.add_grant(client_id, scopes, true);
        self.new_refresh_token(grant)
    }

    /// A protected resource: 200 if `request` carries a bearer token this
    /// server issued, unrevoked and unexpired at `now`, and not DPoP-bound;
    /// 401 otherwise. (DPoP-bound tokens: [`api`](Self::api).)
    pub fn api_status<B>(&self, request: &http::Request<B>, now: SystemTime) -> u16 {
        let token = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let valid = token.is_some_and(|t| {
            self.token_is_usable(t, now)
                && self.access_tokens.get(t).is_some_and(|t| t.jkt.is_none())
        });
        if valid {
            200
        } else {
            401
        }
    }

    /// Whether `token` is an access token this server issued, unrevoked
    /// and unexpired at `now`.
    fn token_is_usable(&self, token: &str, now: SystemTime) -> bool {
        self.access_tokens.get(token).is_some_and(|t| {
            !self.grants[t.grant].revoked && t.expiry.is_none_or(|expiry| now < expiry)
        })
    }

    fn registration(&self, client_id: &str) -> Option<&Registration> {
        self.clients.iter().find(|c| c.id == client_id)
    }

    fn add_grant(&mut self, client_id: &str, scopes: Vec<String>, offline: bool) -> usize {
        self.grants.push(Grant {
            client_id: client_id.to_owned(),
            scopes,
            offline,
            revoked: false,
        });
        self.grants.len() - 1
    }

    fn new_refresh_token(&mut self, grant: usize) -> String {
        self.new_bound_refresh_token(grant, None)
    }

    fn new_bound_refresh_token(&mut self, grant: usize, jkt: Option<String>) -> String {
        self.serials.refresh += 1;
        let token = format!("rt-{}", self.serials.refresh);
        self.refresh_tokens.insert(
            token.clone(),
            IssuedRefreshToken {
                grant,
                current: true,
                jkt,
            },
        );
        token
    }

    fn new_access_token(&mut self, grant: usize, jkt: Option<String>, now: SystemTime) -> String {
        self.serials.access += 1;
        let token = format!("at-{}", self.serials.access);
        let expiry = now.checked_add(Duration::from_secs(self.expires_in));
        self.access_tokens
            .insert(token.clone(), IssuedAccessToken { grant, expiry, jkt });
        token
    }

    fn new_id_token(&mut self) -> String {
        self.serials.id += 1;
        format!("idt-{}", self.serials.id)
    }
}

/// Form or query pairs, or `None` if a name appears twice.
fn unique_pairs(query: &str) -> Option<HashMap<String, String>> {
    let mut pairs = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if pairs
            .insert(name.into_owned(), value.into_owned())
            .is_some()
        {
            return None;
        }
    }
    Some(pairs)
}
