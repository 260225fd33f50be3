//! google-auth's `external_account_authorized_user` JSON: a workforce
//! identity federation sign-in (`gcloud auth application-default login`
//! with a workforce pool), refreshed at Google's STS as a user's.

use std::sync::Arc;

use serde_json::{Map, Value};
use url::Url;

use crate::client::auth::ClientIdentity;
use crate::client::ClientAuthMethod;
use crate::credentials::authorized_user::parse_expiry_of;
use crate::credentials::bearer::BearerToken;
use crate::credentials::user::UserCredentials;
use crate::error::config::FileError;
use crate::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::wire::endpoint::parse_endpoint;
use crate::wire::endpoint::Endpoint;
use crate::wire::json::take_str;

/// The `type` of an external account authorized-user file.
pub const EXTERNAL_ACCOUNT_AUTHORIZED_USER_TYPE: &str = "external_account_authorized_user";

const FILE: &str = "external_account_authorized_user JSON";

/// What the file holds beyond a user's credentials, kept to write it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkforceFile {
    pub audience: String,
    pub token_info_url: Option<String>,
    pub revoke_url: Option<Url>,
}

/// Reads the file's fields (its `type` already checked): `audience`,
/// `refresh_token`, `token_url`, `client_id` and `client_secret` are
/// required (google-auth cannot refresh without them); refreshes
/// authenticate with HTTP Basic and send no scope, as google-auth's STS
/// client does.
pub(crate) fn read_external_user(
    mut map: Map<String, Value>,
) -> Result<UserCredentials, FileError> {
    let mut text = |field: &'static str| -> Result<Option<String>, FileError> {
        take_str(&mut map, field).map_err(|reason| FileError::invalid(FILE, field, reason))
    };
    let mut required = |field: &'static str| -> Result<String, FileError> {
        text(field)?.ok_or_else(|| FileError::missing(FILE, field))
    };
    let audience = required("audience")?;
    let refresh_token = RefreshToken::new(required("refresh_token")?);
    let token_url = endpoint(&required("token_url")?, "token_url")?;
    let client_id = required("client_id")?;
    let client_secret = ClientSecret::new(required("client_secret")?);
    let mut text = |field: &'static str| -> Result<Option<String>, FileError> {
        take_str(&mut map, field).map_err(|reason| FileError::invalid(FILE, field, reason))
    };
    let revoke_url = text("revoke_url")?
        .map(|url| endpoint(&url, "revoke_url"))
        .transpose()?;
    let token_info_url = text("token_info_url")?;
    let quota_project = text("quota_project_id")?;
    let universe_domain = text("universe_domain")?;
    let token = text("token")?;
    let expiry = text("expiry")?
        .map(|e| parse_expiry_of(FILE, &e))
        .transpose()?;

    let identity = ClientIdentity::new(client_id, Some(client_secret))
        .with_method(ClientAuthMethod::ClientSecretBasic);
    let mut credentials =
        UserCredentials::empty(Endpoint::new(token_url), Arc::new(identity), Vec::new());
    credentials.refresh_token = Some(refresh_token);
    credentials.token = match (token, expiry) {
        (Some(token), Some(expiry)) => {
            Some(BearerToken::new(AccessToken::new(token), Some(expiry)))
        }
        _ => None,
    };
    credentials.quota_project = quota_project;
    credentials.file_extras.universe_domain = universe_domain;
    credentials.file_extras.workforce = Some(Box::new(WorkforceFile {
        audience,
        token_info_url,
        revoke_url,
    }));
    Ok(credentials)
}

fn endpoint(url: &str, field: &'static str) -> Result<Url, FileError> {
    parse_endpoint(url, field, false).map_err(|_| {
        FileError::invalid(
            FILE,
            field,
            "must be an https URL (or http on a loopback host)",
        )
    })
}

/// The file again, in google-auth's field names (those without a value
/// left out), for credentials read from one.
pub(crate) fn external_user_fields(
    credentials: &UserCredentials,
    workforce: &WorkforceFile,
    expiry: Option<&str>,
) -> Map<String, Value> {
    let fields = [
        ("type", Some(EXTERNAL_ACCOUNT_AUTHORIZED_USER_TYPE)),
        ("audience", Some(workforce.audience.as_str())),
        (
            "refresh_token",
            credentials.refresh_token.as_ref().map(RefreshToken::secret),
        ),
        ("token_url", Some(credentials.token_uri.as_str())),
        ("token_info_url", workforce.token_info_url.as_deref()),
        ("client_id", Some(credentials.client_id())),
        (
            "client_secret",
            credentials.client_secret().map(ClientSecret::secret),
        ),
        (
            "token",
            credentials.token.as_ref().map(|t| t.token().secret()),
        ),
        ("expiry", expiry),
        ("revoke_url", workforce.revoke_url.as_ref().map(Url::as_str)),
        ("quota_project_id", credentials.quota_project.as_deref()),
        (
            "universe_domain",
            credentials.file_extras.universe_domain.as_deref(),
        ),
    ];
    fields
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_owned(), Value::from(value?))))
        .collect()
}
