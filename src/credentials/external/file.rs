//! The `external_account` credentials file (workload and workforce
//! identity federation), every field google-auth reads.

use std::time::Duration;

use serde_json::{Map, Value};

use super::credentials::{
    is_workforce_audience, ExternalAccountCredentials, ExternalConfig, Impersonation,
};
use super::source::credential_source;
use super::FILE;
use crate::credentials::authorized_user::AUTHORIZED_USER_LIMIT;
use crate::credentials::impersonated::impersonation_url;
use crate::credentials::metadata::DEFAULT_UNIVERSE_DOMAIN;
use crate::error::config::FileError;
use crate::secret::ClientSecret;
use crate::wire::endpoint::parse_endpoint;
use crate::wire::json::{opt_str, parse_object, take_str};

/// The `type` of an external account file.
pub const EXTERNAL_ACCOUNT_TYPE: &str = "external_account";

/// The largest file accepted: 64 KiB.
pub const EXTERNAL_ACCOUNT_LIMIT: usize = AUTHORIZED_USER_LIMIT;

/// `token_lifetime_seconds`' bounds (IAM's: 10 minutes to 12 hours).
const LIFETIMES: std::ops::RangeInclusive<u64> = 600..=43_200;

const INSECURE: &str = "must be an absolute https URL (http only on 127.0.0.1, [::1] or localhost)";

impl ExternalAccountCredentials {
    /// Reads an `external_account` file: `audience` and
    /// `subject_token_type` (required), `token_url` (default
    /// `https://sts.{universe_domain}/v1/token`), `credential_source`,
    /// `service_account_impersonation_url` (Google's hosts or loopback,
    /// as for impersonated files) with
    /// `service_account_impersonation.token_lifetime_seconds` (600 to
    /// 43200, default 3600), `client_id`/`client_secret`,
    /// `token_info_url`, `quota_project_id`, `workforce_pool_user_project`
    /// (only with a workforce pool audience) and `universe_domain`. URLs
    /// are https, or http on a loopback host (and AWS's instance metadata
    /// addresses for an AWS source). Scopes default to `cloud-platform`.
    ///
    /// ```
    /// use oauth2_sansio::external::{CredentialSource, ExternalAccountCredentials};
    ///
    /// let credentials = ExternalAccountCredentials::from_json(br#"{
    ///   "type": "external_account",
    ///   "audience": "//iam.googleapis.com/locations/global/workforcePools/pool/providers/oidc",
    ///   "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
    ///   "credential_source": {"file": "/var/run/token", "format": {"type": "json", "subject_token_field_name": "id_token"}},
    ///   "workforce_pool_user_project": "123456"}"#)?;
    /// assert!(credentials.is_workforce_pool());
    /// assert!(matches!(credentials.credential_source(), Some(CredentialSource::File { .. })));
    /// assert_eq!(credentials.token_url().as_str(), "https://sts.googleapis.com/v1/token");
    /// # Ok::<(), oauth2_sansio::FileError>(())
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Self, FileError> {
        let mut map = parse_object(bytes, EXTERNAL_ACCOUNT_LIMIT)
            .map_err(|p| FileError::from_json(FILE, p))?;
        let text = |map: &Map<String, Value>, field: &'static str| {
            opt_str(map, field)
                .map(|v| v.map(str::to_owned))
                .map_err(|reason| FileError::invalid(FILE, field, reason))
        };
        let required = |map: &Map<String, Value>, field: &'static str| {
            text(map, field)?.ok_or_else(|| FileError::missing(FILE, field))
        };
        FileError::check_type(FILE, text(&map, "type")?, EXTERNAL_ACCOUNT_TYPE)?;
        let universe_domain =
            text(&map, "universe_domain")?.unwrap_or_else(|| DEFAULT_UNIVERSE_DOMAIN.to_owned());
        let audience = required(&map, "audience")?;
        let subject_token_type = required(&map, "subject_token_type")?;
        let url = |map: &Map<String, Value>, field: &'static str| {
            text(map, field)?
                .map(|value| {
                    parse_endpoint(&value, field, false)
                        .map_err(|_| FileError::invalid(FILE, field, INSECURE))
                })
                .transpose()
        };
        let token_url = match url(&map, "token_url")? {
            Some(token_url) => token_url,
            None => {
                let default = format!("https://sts.{universe_domain}/v1/token");
                parse_endpoint(&default, "universe_domain", false).map_err(|_| {
                    FileError::invalid(FILE, "universe_domain", "is not a valid host name")
                })?
            }
        };
        let token_info_url = url(&map, "token_info_url")?;
        let source = match map.get("credential_source") {
            Some(Value::Object(source)) => credential_source(source)?,
            None | Some(Value::Null) => return Err(FileError::missing(FILE, "credential_source")),
            Some(_) => {
                return Err(FileError::invalid(
                    FILE,
                    "credential_source",
                    "must be an object",
                ))
            }
        };
        let workforce_pool_user_project = text(&map, "workforce_pool_user_project")?;
        if workforce_pool_user_project.is_some() && !is_workforce_audience(&audience) {
            return Err(FileError::invalid(
                FILE,
                "workforce_pool_user_project",
                "is only for a workforce pool audience \
                 (//iam.googleapis.com/locations/LOCATION/workforcePools/...); remove it",
            ));
        }
        let impersonation = impersonation(&map, &universe_domain)?;
        let client_id = text(&map, "client_id")?;
        let client_secret = take_str(&mut map, "client_secret")
            .map_err(|reason| FileError::invalid(FILE, "client_secret", reason))?
            .map(ClientSecret::new);
        let quota_project = text(&map, "quota_project_id")?;
        let config = ExternalConfig {
            audience,
            subject_token_type,
            token_url,
            source: Some(source),
            client_id,
            client_secret,
            workforce_pool_user_project,
            token_info_url,
            universe_domain,
        };
        Ok(Self::from_parts(config, impersonation).with_quota_project(quota_project))
    }
}

/// `service_account_impersonation_url` and its options.
fn impersonation(
    map: &Map<String, Value>,
    universe_domain: &str,
) -> Result<Option<Impersonation>, FileError> {
    const URL: &str = "service_account_impersonation_url";
    const LIFETIME: &str = "service_account_impersonation.token_lifetime_seconds";
    let options = match map.get("service_account_impersonation") {
        None | Some(Value::Null) => None,
        Some(Value::Object(options)) => Some(options),
        Some(_) => {
            return Err(FileError::invalid(
                FILE,
                "service_account_impersonation",
                "must be an object",
            ))
        }
    };
    let lifetime = match options.and_then(|o| o.get("token_lifetime_seconds")) {
        None | Some(Value::Null) => crate::credentials::impersonated::MAX_LIFETIME,
        Some(value) => match value.as_u64() {
            Some(seconds) if LIFETIMES.contains(&seconds) => Duration::from_secs(seconds),
            _ => {
                return Err(FileError::invalid(
                    FILE,
                    LIFETIME,
                    "must be a whole number of seconds from 600 to 43200",
                ))
            }
        },
    };
    let Some(url) = opt_str(map, URL).map_err(|reason| FileError::invalid(FILE, URL, reason))?
    else {
        return Ok(None);
    };
    let (url, principal) = impersonation_url(url, Some(universe_domain)).map_err(|_| {
        FileError::invalid(
            FILE,
            URL,
            "must be an https URL on googleapis.com (or the universe domain), or a \
             loopback URL, ending in /serviceAccounts/EMAIL:generateAccessToken",
        )
    })?;
    Ok(Some(Impersonation {
        url,
        principal,
        lifetime,
    }))
}
