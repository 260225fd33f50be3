//! Google's `client_secrets.json`, as downloaded from the Cloud console.

use serde_json::{Map, Value};

use crate::client::{Client, ClientBuilder};
use crate::error::config::{FileError, FileProblem};
use crate::flows::discovery::AuthorizationServerMetadata;
use crate::google::GOOGLE_ISSUER;
use crate::secret::ClientSecret;
use crate::wire::json::{opt_str, opt_str_list, parse_object};

const FILE: &str = "client_secrets.json";

/// The largest client_secrets.json accepted: 64 KiB.
pub const CLIENT_SECRETS_LIMIT: usize = 64 * 1024;

/// Which kind of client the file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientKind {
    /// A desktop or command-line app (`installed`).
    Installed,
    /// A web server app (`web`).
    Web,
}

/// The contents of a `client_secrets.json`.
///
/// ```
/// use oauth2_sansio::{ClientKind, ClientSecrets};
///
/// let file = br#"{"installed":{"client_id":"abc.apps.googleusercontent.com",
///   "client_secret":"s3cret","redirect_uris":["http://localhost"],
///   "auth_uri":"https://accounts.google.com/o/oauth2/auth",
///   "token_uri":"https://oauth2.googleapis.com/token"}}"#;
/// let secrets = ClientSecrets::from_json(file)?;
/// assert_eq!(secrets.kind(), ClientKind::Installed);
/// let client = secrets.client_builder().build()?;
/// assert_eq!(client.id(), "abc.apps.googleusercontent.com");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientSecrets {
    kind: ClientKind,
    client_id: String,
    client_secret: Option<ClientSecret>,
    auth_uri: Option<String>,
    token_uri: Option<String>,
    redirect_uris: Vec<String>,
    project_id: Option<String>,
}

impl ClientSecrets {
    /// Parses the file's bytes. Exactly one of `installed` and `web` must be
    /// present; `client_id`, `auth_uri` and `token_uri` are required;
    /// `client_secret` is optional (public clients have none). Errors name
    /// the field.
    pub fn from_json(bytes: &[u8]) -> Result<Self, FileError> {
        let secrets = Self::from_json_for_discovery(bytes)?;
        let name = match secrets.kind {
            ClientKind::Installed => "installed",
            ClientKind::Web => "web",
        };
        for (key, value) in [
            ("auth_uri", &secrets.auth_uri),
            ("token_uri", &secrets.token_uri),
        ] {
            if value.is_none() {
                return Err(FileError::missing(FILE, format!("{name}.{key}")));
            }
        }
        Ok(secrets)
    }

    /// [`from_json`](Self::from_json) for a client of a server whose
    /// endpoints come from its metadata
    /// ([`AuthorizationServerMetadata::client_builder`](crate::discovery::AuthorizationServerMetadata::client_builder)):
    /// `auth_uri` and `token_uri` may be absent.
    pub fn from_json_for_discovery(bytes: &[u8]) -> Result<Self, FileError> {
        let root =
            parse_object(bytes, CLIENT_SECRETS_LIMIT).map_err(|p| FileError::from_json(FILE, p))?;
        let (kind, name, section) = match (root.get("installed"), root.get("web")) {
            (Some(_), Some(_)) => {
                return Err(FileError::new(FILE, FileProblem::BothClientSections))
            }
            (Some(s), None) => (ClientKind::Installed, "installed", s),
            (None, Some(s)) => (ClientKind::Web, "web", s),
            (None, None) => return Err(FileError::new(FILE, FileProblem::NoClientSection)),
        };
        let Value::Object(section) = section else {
            return Err(FileError::invalid(FILE, name, "must be a JSON object"));
        };
        let field = |key: &str| field(section, name, key);
        let required = |key: &str| {
            field(key)?.ok_or_else(|| FileError::missing(FILE, format!("{name}.{key}")))
        };
        let redirect_uris = opt_str_list(section, "redirect_uris")
            .map_err(|reason| FileError::invalid(FILE, format!("{name}.redirect_uris"), reason))?
            .unwrap_or_default();
        Ok(Self {
            kind,
            client_id: required("client_id")?,
            client_secret: field("client_secret")?.map(ClientSecret::new),
            auth_uri: field("auth_uri")?,
            token_uri: field("token_uri")?,
            redirect_uris,
            project_id: field("project_id")?,
        })
    }

    /// Which kind of client this is.
    pub fn kind(&self) -> ClientKind {
        self.kind
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret, if any.
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }

    /// `auth_uri` (always there when read by [`from_json`](Self::from_json)).
    pub fn auth_uri(&self) -> Option<&str> {
        self.auth_uri.as_deref()
    }

    /// `token_uri` (always there when read by [`from_json`](Self::from_json)).
    pub fn token_uri(&self) -> Option<&str> {
        self.token_uri.as_deref()
    }

    /// `redirect_uris`, possibly empty.
    pub fn redirect_uris(&self) -> &[String] {
        &self.redirect_uris
    }

    /// `project_id`, if present.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// A client builder with this file's id, secret and endpoints. When the
    /// endpoints are Google's, Google's issuer is set too. Endpoints are
    /// checked by [`ClientBuilder::build`].
    pub fn client_builder(&self) -> ClientBuilder {
        let mut builder = self.with_secret(Client::builder(self.client_id.clone()));
        if let Some(uri) = &self.auth_uri {
            builder = builder.authorization_endpoint(uri.clone());
        }
        if let Some(uri) = &self.token_uri {
            builder = builder.token_endpoint(uri.clone());
        }
        if self
            .auth_uri
            .as_deref()
            .is_some_and(|uri| uri.starts_with("https://accounts.google.com/"))
        {
            builder = builder.issuer(GOOGLE_ISSUER);
        }
        builder
    }

    /// A client builder for this file's client at the server `metadata`
    /// describes: every endpoint from the metadata (the file's are
    /// ignored), the id and secret from the file.
    pub fn client_builder_at(&self, metadata: &AuthorizationServerMetadata) -> ClientBuilder {
        self.with_secret(metadata.client_builder(self.client_id.clone()))
    }

    fn with_secret(&self, builder: ClientBuilder) -> ClientBuilder {
        match &self.client_secret {
            Some(secret) => builder.client_secret(secret.clone()),
            None => builder,
        }
    }
}

fn field(section: &Map<String, Value>, name: &str, key: &str) -> Result<Option<String>, FileError> {
    opt_str(section, key)
        .map(|v| v.map(str::to_owned))
        .map_err(|reason| FileError::invalid(FILE, format!("{name}.{key}"), reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(json: &str) -> FileProblem {
        ClientSecrets::from_json(json.as_bytes())
            .unwrap_err()
            .problem()
            .clone()
    }

    #[test]
    fn web_client_parses() {
        let s = ClientSecrets::from_json(
            br#"{"web":{"client_id":"w","client_secret":"x","auth_uri":"https://a/","token_uri":"https://t/","project_id":"p","javascript_origins":[]}}"#,
        )
        .unwrap();
        assert_eq!(s.kind(), ClientKind::Web);
        assert_eq!(s.project_id(), Some("p"));
        assert_eq!(s.client_secret().unwrap().secret(), "x");
    }

    #[test]
    fn public_client_has_no_secret() {
        let s = ClientSecrets::from_json(
            br#"{"installed":{"client_id":"i","auth_uri":"https://a/","token_uri":"https://t/"}}"#,
        )
        .unwrap();
        assert!(s.client_secret().is_none());
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(problem("{}"), FileProblem::NoClientSection);
        assert_eq!(
            problem(r#"{"web":{},"installed":{}}"#),
            FileProblem::BothClientSections
        );
        assert_eq!(
            problem(r#"{"web":[]}"#),
            FileProblem::InvalidField {
                field: "web".into(),
                reason: "must be a JSON object"
            }
        );
        assert_eq!(
            problem(r#"{"installed":{"auth_uri":"https://a/","token_uri":"https://t/"}}"#),
            FileProblem::MissingField {
                field: "installed.client_id".into()
            }
        );
        assert_eq!(
            problem(r#"{"installed":{"client_id":"i","auth_uri":"https://a/"}}"#),
            FileProblem::MissingField {
                field: "installed.token_uri".into()
            }
        );
        assert_eq!(
            problem(r#"{"installed":{"client_id":5}}"#),
            FileProblem::InvalidField {
                field: "installed.client_id".into(),
                reason: "must be a string"
            }
        );
        let message = ClientSecrets::from_json(br#"{"installed":{"client_id":"i"}}"#)
            .unwrap_err()
            .to_string();
        assert!(message.contains("installed.auth_uri"), "{message}");
    }

    #[test]
    fn http_token_uri_is_refused_when_building() {
        let s = ClientSecrets::from_json(
            br#"{"installed":{"client_id":"i","auth_uri":"https://a.example/","token_uri":"http://t.example/"}}"#,
        )
        .unwrap();
        assert!(s.client_builder().build().is_err());
    }

    #[test]
    fn huge_file_is_refused() {
        let big = format!(
            r#"{{"installed":{{"client_id":"{}"}}}}"#,
            "a".repeat(CLIENT_SECRETS_LIMIT)
        );
        assert_eq!(
            problem(&big),
            FileProblem::TooLarge {
                limit: CLIENT_SECRETS_LIMIT
            }
        );
    }
}
