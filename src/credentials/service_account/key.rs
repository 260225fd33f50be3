//! Google's service-account key file: the JSON the Cloud console and
//! `gcloud iam service-accounts keys create` download.

use url::Url;

use crate::error::config::FileError;
use crate::secret::PrivateKeyPem;
use crate::wire::endpoint::parse_endpoint;
use crate::wire::json::{opt_str, parse_object, take_str};

const FILE: &str = "service account key JSON";

/// The largest service-account key file accepted: 64 KiB.
pub const SERVICE_ACCOUNT_KEY_LIMIT: usize = 64 * 1024;

/// The `type` of a service-account key file.
pub const SERVICE_ACCOUNT_TYPE: &str = "service_account";

/// A service-account key file, read but not yet turned into a signer.
///
/// `client_email`, `token_uri` and `private_key` are required;
/// `private_key_id` (the JWT `kid`), `project_id`, `client_id` and
/// `universe_domain` are kept when present; other fields are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountKey {
    pub(crate) client_email: String,
    pub(crate) private_key: PrivateKeyPem,
    pub(crate) private_key_id: Option<String>,
    pub(crate) token_uri: Url,
    pub(crate) project_id: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) universe_domain: Option<String>,
}

impl ServiceAccountKey {
    /// Reads a key file, at most [`SERVICE_ACCOUNT_KEY_LIMIT`] bytes. `type`,
    /// when present, must be `service_account`; `token_uri` must be https
    /// (or http on a loopback host). Errors name the field. The private key
    /// is only checked to be a non-empty string here; making the signer
    /// reads it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, FileError> {
        let mut map = parse_object(bytes, SERVICE_ACCOUNT_KEY_LIMIT)
            .map_err(|p| FileError::from_json(FILE, p))?;
        let private_key = take_str(&mut map, "private_key")
            .map_err(|reason| FileError::invalid(FILE, "private_key", reason))?
            .map(PrivateKeyPem::new);
        let text = |field: &'static str| -> Result<Option<String>, FileError> {
            opt_str(&map, field)
                .map(|v| v.map(str::to_owned))
                .map_err(|reason| FileError::invalid(FILE, field, reason))
        };
        let required =
            |field: &'static str| text(field)?.ok_or_else(|| FileError::missing(FILE, field));

        FileError::check_type(FILE, text("type")?, SERVICE_ACCOUNT_TYPE)?;
        let client_email = required("client_email")?;
        let token_uri =
            parse_endpoint(&required("token_uri")?, "token_uri", false).map_err(|_| {
                FileError::invalid(
                    FILE,
                    "token_uri",
                    "must be an https URL (or http on a loopback host)",
                )
            })?;
        Ok(Self {
            client_email,
            private_key: private_key.ok_or_else(|| FileError::missing(FILE, "private_key"))?,
            private_key_id: text("private_key_id")?,
            token_uri,
            project_id: text("project_id")?,
            client_id: text("client_id")?,
            universe_domain: text("universe_domain")?,
        })
    }

    /// `client_email`: the service account, the JWT `iss`.
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// `private_key`: the PEM text.
    pub fn private_key(&self) -> &PrivateKeyPem {
        &self.private_key
    }

    /// `private_key_id`: the JWT header's `kid`, if present.
    pub fn private_key_id(&self) -> Option<&str> {
        self.private_key_id.as_deref()
    }

    /// `token_uri`: where assertions are exchanged for tokens.
    pub fn token_uri(&self) -> &Url {
        &self.token_uri
    }

    /// `project_id`, if present.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// `client_id` (the account's numeric id), if present.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// `universe_domain`, if present (`googleapis.com` for Google Cloud).
    pub fn universe_domain(&self) -> Option<&str> {
        self.universe_domain.as_deref()
    }

    /// An RS256 signer over the key, with `private_key_id` as its key id.
    #[cfg(feature = "ring")]
    pub fn signer(&self) -> Result<crate::jwt::RingSigner, crate::jwt::KeyError> {
        crate::jwt::RingSigner::from_pem(self.private_key.secret(), self.private_key_id.clone())
    }

    /// [`signer`](Self::signer), with its error as a [`FileError`] naming
    /// `private_key`.
    #[cfg(feature = "ring")]
    pub(crate) fn file_signer(&self) -> Result<crate::jwt::RingSigner, FileError> {
        self.signer()
            .map_err(|e| FileError::invalid(FILE, "private_key", e.reason()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::config::FileProblem;

    const PEM: &str = "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n";

    fn key(fields: &str) -> Result<ServiceAccountKey, FileError> {
        ServiceAccountKey::from_json(format!("{{{fields}}}").as_bytes())
    }

    fn problem(fields: &str) -> FileProblem {
        key(fields).unwrap_err().problem().clone()
    }

    #[test]
    fn reads_the_fields() {
        let key = key(&format!(
            r#""type":"service_account","client_email":"sa@p.iam.gserviceaccount.com","private_key":"{PEM}","private_key_id":"kid1","token_uri":"https://oauth2.googleapis.com/token","project_id":"p","client_id":"123","universe_domain":"googleapis.com","auth_uri":"https://accounts.google.com/o/oauth2/auth""#
        ))
        .unwrap();
        assert_eq!(key.client_email(), "sa@p.iam.gserviceaccount.com");
        assert!(key
            .private_key()
            .secret()
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert_eq!(key.private_key_id(), Some("kid1"));
        assert_eq!(
            key.token_uri().as_str(),
            "https://oauth2.googleapis.com/token"
        );
        assert_eq!(key.project_id(), Some("p"));
        assert_eq!(key.client_id(), Some("123"));
        assert_eq!(key.universe_domain(), Some("googleapis.com"));
        assert!(!format!("{key:?}").contains("BEGIN"));
    }

    #[test]
    fn required_fields_are_named() {
        let all =
            format!(r#""client_email":"e","private_key":"{PEM}","token_uri":"https://t.example/""#);
        for field in ["client_email", "private_key", "token_uri"] {
            let fields: Vec<&str> = all
                .split(',')
                .filter(|f| !f.starts_with(&format!("\"{field}\"")))
                .collect();
            assert_eq!(
                problem(&fields.join(",")),
                FileProblem::MissingField {
                    field: field.into()
                }
            );
        }
        assert!(key(&all).is_ok());
        assert_eq!(
            problem(&format!("{all},\"client_email\":null")),
            FileProblem::DuplicateKey {
                key: "client_email".into()
            }
        );
    }

    #[test]
    fn wrong_type_bad_values_and_insecure_token_uri() {
        let base = format!(r#""client_email":"e","private_key":"{PEM}""#);
        assert!(matches!(
            problem(&format!(
                r#"{base},"token_uri":"https://t.example/","type":"authorized_user""#
            )),
            FileProblem::WrongType { .. }
        ));
        assert!(matches!(
            problem(&format!(r#"{base},"token_uri":"http://evil.example/token""#)),
            FileProblem::InvalidField { field, .. } if field == "token_uri"
        ));
        assert!(key(&format!(r#"{base},"token_uri":"http://127.0.0.1:9/token""#)).is_ok());
        assert!(matches!(
            problem(r#""client_email":"e","private_key":7,"token_uri":"https://t.example/""#),
            FileProblem::InvalidField { field, .. } if field == "private_key"
        ));
        let huge = format!(r#""pad":"{}""#, "a".repeat(SERVICE_ACCOUNT_KEY_LIMIT));
        assert!(matches!(problem(&huge), FileProblem::TooLarge { .. }));
    }
}
