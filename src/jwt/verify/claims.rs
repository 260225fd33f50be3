//! The checks of an ID token's claims, after its signature verified.

use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::error::IdTokenError;
use crate::error::sanitize;

/// What the claims must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClaimRules {
    pub issuers: Vec<String>,
    pub audience: String,
    pub leeway: Duration,
    pub nonce: Option<String>,
    pub require_email_verified: bool,
    pub hosted_domain: Option<String>,
}

/// The claims checked against `rules` at `now`.
pub(super) fn check(
    claims: &Map<String, Value>,
    rules: &ClaimRules,
    now: SystemTime,
) -> Result<(), IdTokenError> {
    let text = |claim: &'static str| match claims.get(claim) {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err(IdTokenError::InvalidClaim { claim }),
    };
    let issuer = text("iss")?;
    if !rules.issuers.iter().any(|expected| expected == issuer) {
        return Err(IdTokenError::WrongIssuer {
            issuer: sanitize(issuer),
        });
    }
    check_audience(claims, &rules.audience)?;
    let time = |claim: &'static str| match claims.get(claim) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .map(|secs| Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)))
            .ok_or(IdTokenError::InvalidClaim { claim }),
    };
    let exp = time("exp")?.ok_or(IdTokenError::InvalidClaim { claim: "exp" })?;
    let iat = time("iat")?.ok_or(IdTokenError::InvalidClaim { claim: "iat" })?;
    if exp
        .checked_add(rules.leeway)
        .is_some_and(|latest| latest <= now)
    {
        return Err(IdTokenError::Expired);
    }
    let not_before = [Some(iat), time("nbf")?].into_iter().flatten();
    for start in not_before {
        if now
            .checked_add(rules.leeway)
            .is_some_and(|latest| start > latest)
        {
            return Err(IdTokenError::NotYetValid);
        }
    }
    if let Some(nonce) = &rules.nonce {
        // Not secret: it went out in the authorization URL.
        if claims.get("nonce").and_then(Value::as_str) != Some(nonce.as_str()) {
            return Err(IdTokenError::WrongNonce);
        }
    }
    if rules.require_email_verified {
        // Google has sent both `true` and `"true"`.
        let verified = matches!(claims.get("email_verified"), Some(Value::Bool(true)))
            || claims.get("email_verified").and_then(Value::as_str) == Some("true");
        if !verified || !matches!(claims.get("email"), Some(Value::String(_))) {
            return Err(IdTokenError::EmailNotVerified);
        }
    }
    if let Some(domain) = &rules.hosted_domain {
        if claims.get("hd").and_then(Value::as_str) != Some(domain.as_str()) {
            return Err(IdTokenError::WrongHostedDomain);
        }
    }
    Ok(())
}

/// `aud` is the audience or a list holding it; with several audiences,
/// `azp` must be the audience (OpenID Connect Core §3.1.3.7).
fn check_audience(claims: &Map<String, Value>, audience: &str) -> Result<(), IdTokenError> {
    match claims.get("aud") {
        Some(Value::String(aud)) if aud == audience => Ok(()),
        Some(Value::Array(auds)) => {
            if !auds.iter().any(|aud| aud.as_str() == Some(audience)) {
                return Err(IdTokenError::WrongAudience);
            }
            let azp = claims.get("azp").and_then(Value::as_str);
            if auds.len() > 1 && azp != Some(audience) {
                return Err(IdTokenError::WrongAuthorizedParty);
            }
            Ok(())
        }
        Some(Value::String(_)) => Err(IdTokenError::WrongAudience),
        _ => Err(IdTokenError::InvalidClaim { claim: "aud" }),
    }
}
