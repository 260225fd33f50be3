//! What every request builder shares: its scopes and extra parameters,
//! and the checks they pass before anything is sent.

use crate::error::config::ConfigError;

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
pub(crate) fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// `scope` and `scopes`, the same on every request builder (a struct with a
/// `scopes: Vec<String>` field); the scopes are sent space-separated in
/// `scope` and checked by the builder's `build`.
macro_rules! scope_setters {
    () => {
        /// Adds one scope.
        pub fn scope(mut self, scope: impl Into<String>) -> Self {
            self.scopes.push(scope.into());
            self
        }

        /// Adds several scopes.
        pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
            self.scopes.extend(scopes.into_iter().map(Into::into));
            self
        }
    };
}
pub(crate) use scope_setters;

/// `param(name, value)`, the same on every request builder: one more
/// parameter, pushed onto the builder's `Vec<(String, String)>` field
/// named last; the doc comment written first says which names `build`
/// refuses.
macro_rules! param_setter {
    ($(#[$doc:meta])* $field:ident) => {
        $(#[$doc])*
        pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.$field.push((name.into(), value.into()));
            self
        }
    };
}
pub(crate) use param_setter;

/// The parameters client authentication writes: never extra parameters.
const CLIENT_AUTH_PARAMS: [&str; 4] = [
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

/// Checks a request's scopes (RFC 6749 §3.3 scope tokens) and extra
/// parameters (none may be one of `reserved`, which the request sets
/// itself, nor a client authentication parameter).
pub(crate) fn check_scopes_and_params(
    scopes: &[String],
    params: &[(String, String)],
    reserved: &[&str],
) -> Result<(), ConfigError> {
    if let Some(scope) = scopes.iter().find(|s| !is_scope_token(s)) {
        return Err(ConfigError::InvalidScope {
            scope: crate::error::sanitize(scope),
        });
    }
    match params.iter().find(|(name, _)| {
        reserved.contains(&name.as_str()) || CLIENT_AUTH_PARAMS.contains(&name.as_str())
    }) {
        Some((name, _)) => Err(ConfigError::ReservedParameter { name: name.clone() }),
        None => Ok(()),
    }
}
