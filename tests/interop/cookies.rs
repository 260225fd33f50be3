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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(unix: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(unix)
    }

    #[test]
    fn keeps_one_value_per_name_and_sends_them_all() {
        let mut jar = CookieJar::new();
        jar.store("_interaction=a; path=/interaction/a; httponly", at(0));
        jar.store("_session=s; path=/", at(0));
        jar.store("_interaction=b; path=/interaction/b", at(0));
        assert_eq!(jar.get("_interaction"), Some("b"));
        assert_eq!(jar.header().as_deref(), Some("_interaction=b; _session=s"));
    }

    #[test]
    fn an_expiring_header_removes_the_cookie() {
        let mut jar = CookieJar::new();
        jar.store("a=1", at(0));
        jar.store("b=2", at(0));
        jar.store("c=3", at(0));
        jar.store("a=; expires=Thu, 01 Jan 1970 00:00:00 GMT", at(10));
        jar.store("b=2; Max-Age=0", at(10));
        jar.store("c=4; expires=Thu, 01 Jan 1970 00:01:00 GMT", at(10));
        assert_eq!(jar.names().collect::<Vec<_>>(), ["c"]);
        assert_eq!(jar.get("c"), Some("4"));
    }

    #[test]
    fn malformed_headers_are_ignored() {
        let mut jar = CookieJar::new();
        jar.store("no-equals-sign", at(0));
        jar.store("=value", at(0));
        assert_eq!(jar.header(), None);
    }
}
