//! What the fake metadata server answers, as the real one does: the same
//! routes, `403` to a request without `Metadata-Flavor: Google`, and that
//! header on every answer. Both the in-memory and the loopback server
//! answer through [`FakeMetadata::answer`].

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

/// The project the fake names.
pub const PROJECT: &str = "mds-project";
/// The default service account's email.
pub const EMAIL: &str = "vm-sa@mds-project.iam.gserviceaccount.com";
/// The lifetime of its access tokens (`expires_in`).
pub const TOKEN_LIFETIME: u64 = 3599;
/// The lifetime of its ID tokens (`exp - iat`).
pub const ID_TOKEN_LIFETIME: u64 = 3600;
/// The universe domain it names unless told to answer 404.
pub const UNIVERSE: &str = "googleapis.com";

const DATA_ROOT: &str = "/computeMetadata/v1/";
const JSON: &str = "application/json";
const TEXT: &str = "application/text";

/// One answer: status, body and whether it carries `Metadata-Flavor:
/// Google`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub flavor: bool,
}

impl Reply {
    /// A flavored answer, as the metadata server gives.
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
            flavor: true,
        }
    }

    /// The same answer without `Metadata-Flavor: Google`.
    pub fn without_flavor(mut self) -> Self {
        self.flavor = false;
        self
    }

    /// As an [`http::Response`].
    pub fn to_response(&self) -> http::Response<Vec<u8>> {
        let mut response = http::Response::builder()
            .status(self.status)
            .header("content-type", self.content_type);
        if self.flavor {
            response = response.header("metadata-flavor", "Google");
        }
        response.body(self.body.clone()).expect("a valid response")
    }

    /// As HTTP/1.1 bytes, closing the connection.
    pub fn to_wire(&self) -> Vec<u8> {
        let flavor = if self.flavor {
            "Metadata-Flavor: Google\r\n"
        } else {
            ""
        };
        let mut bytes = format!(
            "HTTP/1.1 {} Fake\r\n{flavor}Content-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.status,
            self.content_type,
            self.body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// The fake metadata server's routes and settings. Access tokens are
/// `ya29.mds-1`, `ya29.mds-2`, ... in the order issued.
#[derive(Debug, Clone)]
pub struct FakeMetadata {
    /// `None`: `universe/universe-domain` answers 404, as on servers that
    /// predate universes.
    pub universe_domain: Option<String>,
    /// Whether answers carry `Metadata-Flavor: Google`.
    pub flavor: bool,
    /// How many data requests (not pings) are answered 503 before the
    /// server recovers.
    pub unavailable: u32,
    /// How long each answer takes.
    pub delay: Duration,
    tokens_issued: u32,
}

impl Default for FakeMetadata {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeMetadata {
    /// A metadata server that answers every route at once.
    pub fn new() -> Self {
        Self {
            universe_domain: Some(UNIVERSE.to_owned()),
            flavor: true,
            unavailable: 0,
            delay: Duration::ZERO,
            tokens_issued: 0,
        }
    }

    /// Answers `universe/universe-domain` with 404.
    pub fn without_universe_domain(mut self) -> Self {
        self.universe_domain = None;
        self
    }

    /// Leaves `Metadata-Flavor: Google` out of every answer.
    pub fn without_flavor(mut self) -> Self {
        self.flavor = false;
        self
    }

    /// Answers the first `n` data requests with 503.
    pub fn unavailable(mut self, n: u32) -> Self {
        self.unavailable = n;
        self
    }

    /// Takes `delay` over each answer.
    pub fn slow(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// How many access tokens were issued.
    pub fn tokens_issued(&self) -> u32 {
        self.tokens_issued
    }

    /// The answer to `method target` (the request line's target: path and
    /// query), received at `now`, with or without the flavor header.
    pub fn answer(&mut self, method: &str, target: &str, flavored: bool, now: SystemTime) -> Reply {
        let reply = self.route(method, target, flavored, now);
        if self.flavor {
            reply
        } else {
            reply.without_flavor()
        }
    }

    fn route(&mut self, method: &str, target: &str, flavored: bool, now: SystemTime) -> Reply {
        if method != "GET" {
            return Reply::new(405, TEXT, "method not allowed");
        }
        if !flavored {
            return Reply::new(403, TEXT, "Missing Metadata-Flavor:Google header.");
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let param = |name: &str| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        if path == "/" {
            return Reply::new(200, TEXT, "computeMetadata/\n");
        }
        let Some(path) = path.strip_prefix(DATA_ROOT) else {
            return not_found();
        };
        if self.unavailable > 0 {
            self.unavailable -= 1;
            return Reply::new(503, TEXT, "service unavailable");
        }
        match path {
            "project/project-id" => Reply::new(200, TEXT, PROJECT),
            "instance/service-accounts/default/email" => Reply::new(200, TEXT, EMAIL),
            "instance/service-accounts/default/"
                if param("recursive").as_deref() == Some("true") =>
            {
                let info = json!({"aliases": ["default"], "email": EMAIL, "scopes": scopes(param("scopes"))});
                Reply::new(200, JSON, info.to_string())
            }
            "instance/service-accounts/default/token" => {
                self.tokens_issued += 1;
                let token = json!({
                    "access_token": format!("ya29.mds-{}", self.tokens_issued),
                    "expires_in": TOKEN_LIFETIME,
                    "token_type": "Bearer",
                });
                Reply::new(200, JSON, token.to_string())
            }
            "instance/service-accounts/default/identity" => match param("audience") {
                Some(audience) if !audience.is_empty() => {
                    let full = param("format").as_deref() == Some("full");
                    Reply::new(200, TEXT, id_token(&audience, full, now))
                }
                _ => Reply::new(400, TEXT, "non-empty audience parameter required"),
            },
            "universe/universe-domain" => match &self.universe_domain {
                Some(domain) => Reply::new(200, TEXT, domain.clone()),
                None => not_found(),
            },
            _ => not_found(),
        }
    }
}

fn not_found() -> Reply {
    Reply::new(404, "text/html; charset=UTF-8", "<h1>Not Found</h1>")
}

/// The scopes a VM was given: those asked for, else cloud-platform.
fn scopes(asked: Option<String>) -> Vec<String> {
    match asked {
        Some(scopes) => scopes.split(',').map(str::to_owned).collect(),
        None => vec!["https://www.googleapis.com/auth/cloud-platform".to_owned()],
    }
}

/// The `exp` of an ID token issued at `now`.
pub fn id_token_expiry(now: SystemTime) -> SystemTime {
    let issued = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    SystemTime::UNIX_EPOCH + Duration::from_secs(issued + ID_TOKEN_LIFETIME)
}

/// An ID token shaped like Google's for `audience`, issued at `now`
/// (whole seconds), with the account's email when `full`. Its signature
/// is a placeholder: the crate reads `exp` without verifying, as the
/// receiving service is the one to verify.
pub fn id_token(audience: &str, full: bool, now: SystemTime) -> String {
    let iat = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let mut claims = json!({
        "aud": audience,
        "azp": "100000000000000000042",
        "exp": iat + ID_TOKEN_LIFETIME,
        "iat": iat,
        "iss": "https://accounts.google.com",
        "sub": "100000000000000000042",
    });
    if full {
        claims["email"] = json!(EMAIL);
        claims["email_verified"] = json!(true);
    }
    let header = json!({"alg": "RS256", "kid": "fake-mds", "typ": "JWT"});
    let encode = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}.{}.{}",
        encode(header.to_string().as_bytes()),
        encode(claims.to_string().as_bytes()),
        encode(b"not a signature")
    )
}
