//! The claims of the JWTs the crate signs ([RFC 7523 §3](https://www.rfc-editor.org/rfc/rfc7523#section-3)).

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::credentials::freshness::unix_seconds;
use crate::macros::setters;

/// The longest lifetime of a JWT the crate signs: one hour, Google's limit
/// for assertions and self-signed JWTs. `exp - iat` never exceeds it.
pub const MAX_JWT_LIFETIME: Duration = Duration::from_secs(3600);

/// The names [`Claims`] sets itself, refused by [`Claims::with_claim`].
const RESERVED: [&str; 6] = ["iss", "sub", "aud", "scope", "iat", "exp"];

/// The claims of a JWT to sign: `iss`, `aud`, `scope`, `sub` (only when
/// set), `iat`, `exp` (at most [`MAX_JWT_LIFETIME`] after `iat`) and any
/// extra claims.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use oauth2_sansio::jwt::Claims;
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600);
/// let claims = Claims::new("sa@project.iam.gserviceaccount.com", now)
///     .with_audience("https://oauth2.googleapis.com/token")
///     .with_scopes(["https://www.googleapis.com/auth/cloud-platform"]);
/// assert_eq!(claims.exp() - claims.iat(), 3600);
/// assert_eq!(
///     claims.to_json(),
///     r#"{"iat":1767225600,"exp":1767229200,"iss":"sa@project.iam.gserviceaccount.com","aud":"https://oauth2.googleapis.com/token","scope":"https://www.googleapis.com/auth/cloud-platform"}"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claims {
    iat: u64,
    exp: u64,
    iss: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl Claims {
    /// Claims issued by `issuer` at `now` (whole seconds; 0 before 1970),
    /// expiring [`MAX_JWT_LIFETIME`] later.
    pub fn new(issuer: impl Into<String>, now: SystemTime) -> Self {
        let iat = unix_seconds(now).unwrap_or(0);
        Self {
            iat,
            exp: iat.saturating_add(MAX_JWT_LIFETIME.as_secs()),
            iss: issuer.into(),
            aud: None,
            scope: None,
            sub: None,
            extra: Map::new(),
        }
    }

    /// Expires `lifetime` (whole seconds) after `iat`, but never later than
    /// [`MAX_JWT_LIFETIME`] after it.
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        let secs = lifetime.min(MAX_JWT_LIFETIME).as_secs();
        self.exp = self.iat.saturating_add(secs);
        self
    }

    setters! {
        /// Sets `aud`: the token endpoint for an assertion, `https://<host>/`
        /// for a self-signed JWT.
        pub fn with_audience(audience: impl Into<String>) => aud = Some(audience.into());

        /// Sets `sub`: the user to impersonate (domain-wide delegation), or
        /// the issuer itself for a self-signed JWT.
        pub fn with_subject(subject: impl Into<String>) => sub = Some(subject.into());
    }

    /// Sets `scope` to the scopes joined by spaces; no scopes leave it unset.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut joined = String::new();
        for scope in scopes {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(scope.as_ref());
        }
        self.scope = (!joined.is_empty()).then_some(joined);
        self
    }

    /// Adds a claim (`target_audience`, `jti`, ...). The claims this type
    /// sets itself (`iss`, `sub`, `aud`, `scope`, `iat`, `exp`) are refused,
    /// so an extra claim can never stretch `exp` or change the audience.
    pub fn with_claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, ReservedClaim> {
        insert_claim(&mut self.extra, name, value)?;
        Ok(self)
    }

    /// Adds claims whose names [`check_claim_name`] accepted (others are
    /// skipped).
    pub(crate) fn with_checked_claims(mut self, extra: &Map<String, Value>) -> Self {
        for (name, value) in extra {
            if check_claim_name(name).is_ok() {
                self.extra.insert(name.clone(), value.clone());
            }
        }
        self
    }

    /// `iss`.
    pub fn issuer(&self) -> &str {
        &self.iss
    }

    /// `aud`, if set.
    pub fn audience(&self) -> Option<&str> {
        self.aud.as_deref()
    }

    /// `scope`, if set.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// `sub`, if set.
    pub fn subject(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// `iat`, in Unix seconds.
    pub fn iat(&self) -> u64 {
        self.iat
    }

    /// `exp`, in Unix seconds.
    pub fn exp(&self) -> u64 {
        self.exp
    }

    /// The extra claims.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// The claims as compact JSON: `iat`, `exp`, `iss`, `aud`, `scope`,
    /// `sub` (google-auth's order), then the extra claims.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings, integers and JSON values always serialize")
    }

    /// Reads claims back from a JWT payload, checking what [`Claims::new`]
    /// guarantees. `Err` names the offending claim and says what is wrong.
    pub(crate) fn from_payload(
        payload: &Map<String, Value>,
    ) -> Result<Self, (&'static str, &'static str)> {
        let text = |name: &'static str| match payload.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err((name, "must be a string")),
        };
        let seconds = |name: &'static str| match payload.get(name) {
            Some(value) => value
                .as_u64()
                .ok_or((name, "must be a non-negative whole number")),
            None => Err((name, "is missing")),
        };
        let iss = text("iss")?.ok_or(("iss", "is missing"))?;
        let (iat, exp) = (seconds("iat")?, seconds("exp")?);
        if exp < iat || exp - iat > MAX_JWT_LIFETIME.as_secs() {
            return Err(("exp", "must be at most 3600 s after iat"));
        }
        let extra = payload
            .iter()
            .filter(|(name, _)| !RESERVED.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        Ok(Self {
            iat,
            exp,
            iss,
            aud: text("aud")?,
            scope: text("scope")?,
            sub: text("sub")?,
            extra,
        })
    }
}

/// Refuses the claims [`Claims`] sets itself.
pub(crate) fn check_claim_name(name: &str) -> Result<(), ReservedClaim> {
    match RESERVED.iter().find(|reserved| **reserved == name) {
        Some(reserved) => Err(ReservedClaim { name: reserved }),
        None => Ok(()),
    }
}

/// Adds `name: value` to `claims` unless `name` is one [`Claims`] sets
/// itself.
pub(crate) fn insert_claim(
    claims: &mut Map<String, Value>,
    name: impl Into<String>,
    value: impl Into<Value>,
) -> Result<(), ReservedClaim> {
    let name = name.into();
    check_claim_name(&name)?;
    claims.insert(name, value.into());
    Ok(())
}

/// [`Claims::with_claim`] was given a claim [`Claims`] sets itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReservedClaim {
    name: &'static str,
}

impl ReservedClaim {
    /// The claim's name.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Display for ReservedClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the claim `{}` is set by the crate itself; use the matching setter",
            self.name
        )
    }
}

impl std::error::Error for ReservedClaim {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    #[test]
    fn lifetime_is_capped_at_one_hour() {
        let claims = Claims::new("i", at(1000)).with_lifetime(Duration::from_secs(7200));
        assert_eq!((claims.iat(), claims.exp()), (1000, 4600));
        let short = Claims::new("i", at(1000)).with_lifetime(Duration::from_millis(60_900));
        assert_eq!(short.exp(), 1060);
    }

    #[test]
    fn reserved_claims_are_refused() {
        for name in RESERVED {
            let err = Claims::new("i", at(0)).with_claim(name, 1).unwrap_err();
            assert_eq!(err.name(), name);
        }
        let claims = Claims::new("i", at(0))
            .with_claim("target_audience", "https://api.example/")
            .unwrap();
        assert_eq!(claims.extra()["target_audience"], "https://api.example/");
    }

    #[test]
    fn empty_scopes_leave_scope_unset() {
        let claims = Claims::new("i", at(0)).with_scopes(Vec::<String>::new());
        assert_eq!(claims.scope(), None);
        assert!(!claims.to_json().contains("scope"));
        let claims = Claims::new("i", at(0)).with_scopes(["a", "b"]);
        assert_eq!(claims.scope(), Some("a b"));
    }

    #[test]
    fn payload_round_trip_and_checks() {
        let claims = Claims::new("i", at(5))
            .with_audience("a")
            .with_subject("s")
            .with_claim("x", serde_json::json!([1, "two"]))
            .unwrap();
        let payload: Map<String, Value> = serde_json::from_str(&claims.to_json()).unwrap();
        assert_eq!(Claims::from_payload(&payload).unwrap(), claims);

        let mut long = payload.clone();
        long.insert("exp".into(), 3606.into());
        assert_eq!(Claims::from_payload(&long).unwrap_err().0, "exp");
        let mut no_iss = payload;
        no_iss.remove("iss");
        assert_eq!(
            Claims::from_payload(&no_iss).unwrap_err(),
            ("iss", "is missing")
        );
    }

    #[test]
    fn before_1970_counts_as_zero() {
        let claims = Claims::new("i", SystemTime::UNIX_EPOCH - Duration::from_secs(10));
        assert_eq!((claims.iat(), claims.exp()), (0, 3600));
    }
}
