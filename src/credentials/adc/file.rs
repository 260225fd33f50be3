//! A credentials file of any type ADC knows: which kind it is, and the
//! credentials it holds.

use std::path::Path;

use super::error::AdcError;
use crate::credentials::any::AnyCredentials;
use crate::credentials::authorized_user::AUTHORIZED_USER_LIMIT;
use crate::credentials::external::{ExternalAccountCredentials, EXTERNAL_ACCOUNT_TYPE};
use crate::credentials::external_user::EXTERNAL_ACCOUNT_AUTHORIZED_USER_TYPE;
use crate::credentials::impersonated::{ImpersonatedCredentials, IMPERSONATED_TYPE};
use crate::credentials::service_account::SERVICE_ACCOUNT_KEY_LIMIT;
use crate::credentials::user::UserCredentials;
use crate::error::config::FileError;
use crate::error::safe_text::sanitize;
use crate::wire::json::{opt_str, parse_object};

/// The largest credentials file ADC reads.
pub const ADC_FILE_LIMIT: usize = if AUTHORIZED_USER_LIMIT > SERVICE_ACCOUNT_KEY_LIMIT {
    AUTHORIZED_USER_LIMIT
} else {
    SERVICE_ACCOUNT_KEY_LIMIT
};

/// What ADC needs to know of a file besides its credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileFacts {
    pub quota_project: Option<String>,
    pub project_id: Option<String>,
}

/// The credentials in the file at `path`, whose bytes are `bytes`, with
/// `scopes` for the kinds that take them (not user credentials: the sign-in
/// fixed theirs, as google-auth has it).
pub(crate) fn read_credentials(
    path: &Path,
    bytes: &[u8],
    scopes: &[String],
) -> Result<(AnyCredentials, FileFacts), AdcError> {
    let invalid = |source: FileError| AdcError::Invalid {
        path: path.to_owned(),
        source,
    };
    let map = parse_object(bytes, ADC_FILE_LIMIT)
        .map_err(|problem| invalid(FileError::from_json(FILE, problem)))?;
    let field = |name: &'static str| {
        opt_str(&map, name)
            .map(|v| v.map(str::to_owned))
            .map_err(|reason| invalid(FileError::invalid(FILE, name, reason)))
    };
    let kind = field("type")?.ok_or_else(|| invalid(FileError::missing(FILE, "type")))?;
    let facts = FileFacts {
        quota_project: field("quota_project_id")?,
        project_id: field("project_id")?,
    };
    let credentials = match kind.as_str() {
        "authorized_user" | EXTERNAL_ACCOUNT_AUTHORIZED_USER_TYPE => AnyCredentials::User(
            UserCredentials::from_authorized_user_json(bytes).map_err(invalid)?,
        ),
        "service_account" => service_account(path, bytes, scopes)?,
        IMPERSONATED_TYPE => {
            let credentials = ImpersonatedCredentials::from_json(bytes).map_err(invalid)?;
            AnyCredentials::Impersonated(match scopes {
                [] => credentials,
                scopes => credentials.with_scopes(scopes.iter().cloned()),
            })
        }
        EXTERNAL_ACCOUNT_TYPE => {
            let credentials = ExternalAccountCredentials::from_json(bytes).map_err(invalid)?;
            AnyCredentials::External(match scopes {
                [] => credentials,
                scopes => credentials.with_scopes(scopes.iter().cloned()),
            })
        }
        _ => {
            return Err(AdcError::UnsupportedType {
                path: path.to_owned(),
                kind: sanitize(&kind),
            })
        }
    };
    Ok((credentials, facts))
}

const FILE: &str = "credentials file";

#[cfg(feature = "ring")]
fn service_account(
    path: &Path,
    bytes: &[u8],
    scopes: &[String],
) -> Result<AnyCredentials, AdcError> {
    let credentials = crate::credentials::service_account::ServiceAccountCredentials::from_json(
        bytes,
    )
    .map_err(|source| AdcError::Invalid {
        path: path.to_owned(),
        source,
    })?;
    Ok(AnyCredentials::ServiceAccount(
        credentials.with_scopes(scopes.iter().cloned()),
    ))
}

#[cfg(not(feature = "ring"))]
fn service_account(
    path: &Path,
    _bytes: &[u8],
    _scopes: &[String],
) -> Result<AnyCredentials, AdcError> {
    Err(AdcError::NoSigner {
        path: path.to_owned(),
    })
}
