//! The `impersonated_service_account` file (`gcloud auth
//! application-default login --impersonate-service-account`).

use serde_json::{Map, Value};
use zeroize::Zeroize;

use super::credentials::ImpersonatedCredentials;
use super::iam::impersonation_url;
use crate::credentials::any::AnyCredentials;
use crate::credentials::authorized_user::{AUTHORIZED_USER_LIMIT, AUTHORIZED_USER_TYPE};
use crate::credentials::metadata::DEFAULT_UNIVERSE_DOMAIN;
use crate::credentials::user::UserCredentials;
use crate::error::config::{FileError, FileProblem};
use crate::wire::json::{opt_str, opt_str_list, parse_object};

/// The `type` of an impersonated service account file.
pub const IMPERSONATED_TYPE: &str = "impersonated_service_account";

const FILE: &str = "impersonated_service_account JSON";

/// The largest file accepted (it holds a source's file): 64 KiB.
const LIMIT: usize = AUTHORIZED_USER_LIMIT;

const SOURCE: &str = "source_credentials";

impl ImpersonatedCredentials {
    /// Reads an `impersonated_service_account` file: the target is the
    /// principal `service_account_impersonation_url` names, and that URL
    /// is called as written (a regional endpoint works) provided it is
    /// Google's (`https://*.googleapis.com`, or `*.UNIVERSE` with
    /// `universe_domain`) or on a loopback host: a file must not send the
    /// source's token elsewhere. `source_credentials` is an
    /// `authorized_user` or `service_account` object (the latter with the
    /// `ring` feature); `delegates`, `scopes` (default `cloud-platform`)
    /// and `quota_project_id` are honoured.
    ///
    /// ```
    /// use oauth2_sansio::impersonated::ImpersonatedCredentials;
    ///
    /// let credentials = ImpersonatedCredentials::from_json(br#"{
    ///   "type": "impersonated_service_account",
    ///   "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken",
    ///   "source_credentials": {"type": "authorized_user", "client_id": "id", "client_secret": "s", "refresh_token": "1//r"},
    ///   "delegates": ["d@p.iam.gserviceaccount.com"]}"#)?;
    /// assert_eq!(credentials.target_principal(), "target@p.iam.gserviceaccount.com");
    /// assert_eq!(credentials.delegates(), ["d@p.iam.gserviceaccount.com"]);
    /// # Ok::<(), oauth2_sansio::FileError>(())
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Self, FileError> {
        let mut map = parse_object(bytes, LIMIT).map_err(|p| FileError::from_json(FILE, p))?;
        let text = |map: &Map<String, Value>, field: &'static str| {
            opt_str(map, field)
                .map(|v| v.map(str::to_owned))
                .map_err(|reason| FileError::invalid(FILE, field, reason))
        };
        let list = |map: &Map<String, Value>, field: &'static str| {
            opt_str_list(map, field).map_err(|reason| FileError::invalid(FILE, field, reason))
        };
        FileError::check_type(FILE, text(&map, "type")?, IMPERSONATED_TYPE)?;
        let universe = text(&map, "universe_domain")?;
        let url = text(&map, "service_account_impersonation_url")?
            .ok_or_else(|| FileError::missing(FILE, "service_account_impersonation_url"))?;
        let trusted = universe.as_deref().unwrap_or(DEFAULT_UNIVERSE_DOMAIN);
        let (endpoint, principal) = impersonation_url(&url, Some(trusted)).map_err(|_| {
            FileError::invalid(
                FILE,
                "service_account_impersonation_url",
                "must be an https URL on googleapis.com (or the universe domain), or a \
                 loopback URL, ending in /serviceAccounts/EMAIL:generateAccessToken",
            )
        })?;
        let delegates = list(&map, "delegates")?.unwrap_or_default();
        let scopes = list(&map, "scopes")?;
        let quota_project = text(&map, "quota_project_id")?;
        let source = match map.remove(SOURCE) {
            Some(Value::Object(source)) => source_credentials(source)?,
            None | Some(Value::Null) => return Err(FileError::missing(FILE, SOURCE)),
            Some(_) => return Err(FileError::invalid(FILE, SOURCE, "must be an object")),
        };
        let mut credentials = ImpersonatedCredentials::new(source, principal)
            .with_delegates(delegates)
            .with_quota_project(quota_project);
        credentials.endpoint = endpoint;
        Ok(match scopes {
            Some(scopes) if !scopes.is_empty() => credentials.with_scopes(scopes),
            _ => credentials,
        })
    }
}

/// The source credentials of the file, read by their own type's rules.
fn source_credentials(source: Map<String, Value>) -> Result<AnyCredentials, FileError> {
    let kind = match opt_str(&source, "type") {
        Ok(Some(kind)) => kind.to_owned(),
        Ok(None) => return Err(FileError::missing(FILE, "source_credentials.type")),
        Err(reason) => return Err(FileError::invalid(FILE, "source_credentials.type", reason)),
    };
    let mut bytes = serde_json::to_vec(&Value::Object(source))
        .map_err(|_| FileError::invalid(FILE, SOURCE, "must be a JSON object"))?;
    let read = match kind.as_str() {
        AUTHORIZED_USER_TYPE => {
            UserCredentials::from_authorized_user_json(&bytes).map(AnyCredentials::User)
        }
        "service_account" => service_account(&bytes),
        _ => Err(FileError::invalid(
            FILE,
            "source_credentials.type",
            "must be authorized_user or service_account",
        )),
    };
    bytes.zeroize();
    read.map_err(nested)
}

/// An error of the source's own reader, named inside this file.
fn nested(error: FileError) -> FileError {
    if error.file() == FILE {
        return error;
    }
    match error.problem() {
        FileProblem::MissingField { field } => {
            FileError::missing(FILE, format!("{SOURCE}.{field}"))
        }
        FileProblem::InvalidField { field, reason } => {
            FileError::invalid(FILE, format!("{SOURCE}.{field}"), reason)
        }
        _ => FileError::invalid(FILE, SOURCE, "is not a valid credentials object"),
    }
}

#[cfg(feature = "ring")]
fn service_account(bytes: &[u8]) -> Result<AnyCredentials, FileError> {
    crate::credentials::service_account::ServiceAccountCredentials::from_json(bytes)
        .map(AnyCredentials::ServiceAccount)
}

#[cfg(not(feature = "ring"))]
fn service_account(_bytes: &[u8]) -> Result<AnyCredentials, FileError> {
    Err(FileError::invalid(
        FILE,
        "source_credentials.type",
        "is service_account, which needs the crate's `ring` feature to sign",
    ))
}
