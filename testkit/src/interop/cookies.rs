//! A cookie jar for one host that keeps one value per cookie name, which is
//! all oidc-provider's interaction cookies need.

use std::collections::BTreeMap;
use std::time::SystemTime;

use time::format_description::well_known::Rfc2822;
use time::OffsetDateTime;

/// Cookies by name. `Path`, `Domain` and the flags are ignored: the user
/// agent only ever talks to one server.
#[derive(Debug, Default, Clone)]
pub struct CookieJar {
    cookies: BTreeMap<String, String>,
}

impl CookieJar {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one `Set-Cookie` header received at `now`: stores the value,
    /// replacing any earlier one of that name, or removes the cookie when
    /// the header expires it (`Max-Age` <= 0 or an `Expires` in the past).
    pub fn store(&mut self, set_cookie: &str, now: SystemTime) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
            return;
        };
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        let expired = parts.any(|attribute| {
            let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
            let val = val.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "max-age" => val.parse::<i64>().is_ok_and(|seconds| seconds <= 0),
                "expires" => {
                    OffsetDateTime::parse(val, &Rfc2822).is_ok_and(|at| SystemTime::from(at) <= now)
                }
                _ => false,
            }
        });
        if expired {
            self.cookies.remove(name);
        } else {
            self.cookies
                .insert(name.to_owned(), value.trim().to_owned());
        }
    }

    /// The `Cookie` header carrying every stored cookie, if any.
    pub fn header(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        Some(pairs.join("; "))
    }

    /// The stored value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// The stored cookie names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.cookies.keys().map(String::as_str)
    }
}
