//! The one-time start link, `http://HOST:PORT/start/<random>`: what the
//! browser is opened on instead of the authorization URL, so that `state`
//! and the PKCE challenge never appear on a command line (any local user
//! can read a process's arguments in `/proc/<pid>/cmdline`).
//!
//! Its first visit redirects to the authorization URL and gives the browser
//! a random cookie; only a callback that brings the cookie back counts. A
//! second visit means someone else may hold the cookie: it ends the flow.

use std::fmt;

use crate::flows::code::authorization_url::AuthorizationUrl;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroizing;

use super::request::LoopbackRequest;
use super::response;

/// The start link's path before its random part.
const PREFIX: &str = "/start/";

/// The link, the cookie it sets, and whether it was used.
pub(super) struct StartLink {
    /// [`PREFIX`] and 256 random bits: whoever knows it can start the sign-in.
    path: Zeroizing<String>,
    /// The authorization URL (it holds `state`).
    location: Zeroizing<String>,
    /// One name per port, so that sign-ins running at once in one browser
    /// do not overwrite each other's cookie (cookies ignore the port).
    cookie_name: String,
    /// 256 random bits.
    cookie_value: Zeroizing<String>,
    visited: bool,
}

/// What a request to the start link gets.
pub(super) enum Visit {
    /// The first visit: redirect with the cookie.
    First(Vec<u8>),
    /// A prefetch or prerender: refused without using the link up.
    Speculative(Vec<u8>),
    /// The link was used before: the flow must stop.
    Again(Vec<u8>),
}

impl StartLink {
    /// A link for `authorization_url` on a listener at `port`, from 64
    /// random bytes (32 for the path, 32 for the cookie).
    pub(super) fn new(authorization_url: &AuthorizationUrl, port: u16, entropy: &[u8; 64]) -> Self {
        let (path_bytes, cookie_bytes) = entropy.split_at(32);
        Self {
            path: Zeroizing::new(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(path_bytes))),
            location: Zeroizing::new(authorization_url.as_str().to_owned()),
            cookie_name: format!("oauth2-sansio-{port}"),
            cookie_value: Zeroizing::new(URL_SAFE_NO_PAD.encode(cookie_bytes)),
            visited: false,
        }
    }

    /// The link's path: `/start/` and 43 characters.
    pub(super) fn path(&self) -> &str {
        &self.path
    }

    /// Whether `path` is the link's, compared in constant time.
    pub(super) fn is_at(&self, path: &str) -> bool {
        path.as_bytes().ct_eq(self.path.as_bytes()).into()
    }

    /// Answers a request for the link.
    pub(super) fn visit(&mut self, request: &LoopbackRequest) -> Visit {
        if request.is_speculative() {
            return Visit::Speculative(response::page(
                503,
                "This sign-in link opens only when you visit it.\n",
            ));
        }
        if self.visited {
            return Visit::Again(response::page(
                410,
                "This sign-in link was already used, maybe by another program on this machine. \
                 The sign-in has been stopped: start it again.\n",
            ));
        }
        self.visited = true;
        let location = Zeroizing::new(format!("Location: {}", &*self.location));
        let cookie = Zeroizing::new(format!(
            "Set-Cookie: {}={}; Path=/; HttpOnly; SameSite=Lax",
            self.cookie_name, &*self.cookie_value
        ));
        Visit::First(response::response(
            303,
            &[&location, &cookie],
            "Continuing to the sign-in page.\n",
        ))
    }

    /// Whether `request` carries the cookie the first visit set (compared
    /// in constant time with every value sent under its name).
    pub(super) fn admits(&self, request: &LoopbackRequest) -> bool {
        let expected = self.cookie_value.as_bytes();
        request
            .cookies(&self.cookie_name)
            .fold(Choice::from(0), |found, value| {
                found | value.as_bytes().ct_eq(expected)
            })
            .into()
    }

    /// The header line that removes the cookie from the browser once the
    /// flow has its result.
    pub(super) fn clear_cookie(&self) -> String {
        format!(
            "Set-Cookie: {}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
            self.cookie_name
        )
    }
}

impl fmt::Debug for StartLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartLink")
            .field("path", &"[redacted]")
            .field("cookie_name", &self.cookie_name)
            .field("visited", &self.visited)
            .finish_non_exhaustive()
    }
}
