//! A browser stand-in: follows the authorization redirect chain with a
//! cookie jar until the server sends the browser to the client's redirect
//! URI, and hands back that URL.

use std::fmt;
use std::time::{Duration, SystemTime};

use oauth2_sansio::url::Url;
use ureq::Agent;

use super::cookies::CookieJar;

/// The most redirects followed in one chain (oidc-provider needs five).
pub const MAX_REDIRECTS: usize = 12;

/// The bound on each request, connection to last byte.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The most of a page's body read.
const PAGE_LIMIT: u64 = 64 * 1024;

/// The most of a page's text kept in [`Stopped::Page`].
const PAGE_TEXT_LIMIT: usize = 1000;

/// Why the chain ended somewhere other than the redirect URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The server answered with a page instead of a redirect: it refused to
    /// send the browser back (an unregistered redirect URI, an unknown
    /// client) or failed.
    Page {
        /// The path (no query) that answered.
        path: String,
        status: u16,
        /// The page's text, tags removed, whitespace collapsed, shortened.
        text: String,
    },
    /// A redirect to another origin than the authorization server's that
    /// is not the redirect URI; it is not followed.
    OffSite { location: String },
    /// A redirect without a usable `Location`.
    BadLocation { path: String, status: u16 },
    /// More than [`MAX_REDIRECTS`] redirects.
    TooManyRedirects,
    /// The request failed (connection, timeout).
    Transport { path: String, message: String },
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Page { path, status, text } => write!(
                f,
                "the authorization server answered HTTP {status} at {path} with a page instead of \
                 redirecting to the client: {text}"
            ),
            Self::OffSite { location } => write!(
                f,
                "the authorization server redirected to {location}, which is neither itself nor \
                 the client's redirect URI"
            ),
            Self::BadLocation { path, status } => {
                write!(f, "HTTP {status} at {path} has no usable Location")
            }
            Self::TooManyRedirects => write!(f, "more than {MAX_REDIRECTS} redirects"),
            Self::Transport { path, message } => write!(f, "GET {path} failed: {message}"),
        }
    }
}

impl std::error::Error for Stopped {}

/// One request of a chain, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The path requested (no query).
    pub path: String,
    pub status: u16,
}

/// A user agent with its own cookie jar: one per test, like a fresh
/// browser profile (an existing session would override `login_hint`).
pub struct UserAgent {
    agent: Agent,
    jar: CookieJar,
    hops: Vec<Hop>,
}

impl Default for UserAgent {
    fn default() -> Self {
        Self::new()
    }
}

impl UserAgent {
    /// A user agent with an empty cookie jar, redirects off (it follows
    /// them itself) and bounded requests.
    pub fn new() -> Self {
        let agent = Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build()
            .new_agent();
        Self {
            agent,
            jar: CookieJar::new(),
            hops: Vec::new(),
        }
    }

    /// Opens `authorization_url` and follows redirects within its origin
    /// until a `Location` starts with `redirect_uri`; returns that URL (the
    /// callback, not requested: nothing needs to listen there). Anything
    /// else ends the chain with [`Stopped`].
    pub fn authorize(
        &mut self,
        authorization_url: &Url,
        redirect_uri: &str,
    ) -> Result<Url, Stopped> {
        let origin = authorization_url.origin();
        let mut url = authorization_url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let (status, location, body) = self.get(&url)?;
            let path = url.path().to_owned();
            if !(300..400).contains(&status) {
                return Err(Stopped::Page {
                    path,
                    status,
                    text: page_text(&body),
                });
            }
            let location = location.ok_or_else(|| Stopped::BadLocation {
                path: path.clone(),
                status,
            })?;
            if location.starts_with(redirect_uri) {
                return Url::parse(&location).map_err(|_| Stopped::BadLocation { path, status });
            }
            let next = url
                .join(&location)
                .map_err(|_| Stopped::BadLocation { path, status })?;
            if next.origin() != origin {
                return Err(Stopped::OffSite {
                    location: without_query(&next),
                });
            }
            url = next;
        }
        Err(Stopped::TooManyRedirects)
    }

    /// The cookies received so far.
    pub fn jar(&self) -> &CookieJar {
        &self.jar
    }

    /// Every request made so far, in order.
    pub fn hops(&self) -> &[Hop] {
        &self.hops
    }

    /// The requests so far as `GET /path -> status, ...`.
    pub fn trace(&self) -> String {
        let hops: Vec<String> = self
            .hops
            .iter()
            .map(|hop| format!("GET {} -> {}", hop.path, hop.status))
            .collect();
        hops.join(", ")
    }

    /// One GET with the jar's cookies; stores the answer's cookies.
    /// Returns the status, the `Location` and the (bounded) body.
    fn get(&mut self, url: &Url) -> Result<(u16, Option<String>, String), Stopped> {
        let path = url.path().to_owned();
        let mut request = self.agent.get(url.as_str());
        if let Some(cookies) = self.jar.header() {
            request = request.header("Cookie", cookies);
        }
        let transport = |e: ureq::Error| Stopped::Transport {
            path: path.clone(),
            message: e.to_string(),
        };
        let mut response = request.call().map_err(transport)?;
        let now = SystemTime::now();
        for set_cookie in response.headers().get_all("set-cookie") {
            if let Ok(value) = set_cookie.to_str() {
                self.jar.store(value, now);
            }
        }
        let status = response.status().as_u16();
        self.hops.push(Hop {
            path: path.clone(),
            status,
        });
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .body_mut()
            .with_config()
            .limit(PAGE_LIMIT)
            .read_to_string()
            .map_err(transport)?;
        Ok((status, location, body))
    }
}

fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

/// The visible text of an HTML page: tags removed, the common entities
/// decoded, whitespace collapsed, at most [`PAGE_TEXT_LIMIT`] characters.
pub fn page_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len().min(PAGE_TEXT_LIMIT));
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(PAGE_TEXT_LIMIT)
        .collect()
}
