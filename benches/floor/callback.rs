//! The callback: the redirect's query checked as the crate checks it.

use subtle::ConstantTimeEq;

use super::form::decode;
use super::{Pending, Refused, SecretCow};

/// The longest callback accepted, as the crate's.
const LIMIT: usize = 16 * 1024;

impl Pending {
    /// The authorization code of `redirect` (a URL or its query), once
    /// `code`, `state`, `iss` and `error` are each there at most once and
    /// clean, `iss` (when sent) is `issuer` and `state` matches in constant
    /// time.
    pub fn validate_callback<'a>(
        &self,
        issuer: &str,
        redirect: &'a str,
    ) -> Result<SecretCow<'a>, Refused> {
        if redirect.len() > LIMIT {
            return Err("too long");
        }
        let query = redirect
            .split_once('?')
            .map_or(redirect, |(_, query)| query);
        let query = query.split_once('#').map_or(query, |(query, _)| query);
        let [mut code, mut state, mut iss, mut error] = [None, None, None, None];
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match &*decode(name) {
                "code" => &mut code,
                "state" => &mut state,
                "iss" => &mut iss,
                "error" => &mut error,
                _ => continue,
            };
            if slot.is_some() {
                return Err("a parameter appears twice");
            }
            let value = SecretCow(decode(value));
            if value
                .as_str()
                .chars()
                .any(|c| c.is_control() || c == '\u{FFFD}')
            {
                return Err("a parameter has invalid characters");
            }
            *slot = Some(value);
        }
        if iss.is_some_and(|iss| !iss.as_str().is_empty() && iss.as_str() != issuer) {
            return Err("iss is another server");
        }
        let state = state.ok_or("no state")?;
        if !bool::from(state.as_str().as_bytes().ct_eq(self.state.as_bytes())) {
            return Err("state mismatch");
        }
        match (code, error) {
            (Some(code), None) if !code.as_str().is_empty() => Ok(code),
            (_, Some(_)) => Err("the server refused"),
            _ => Err("no code"),
        }
    }
}
