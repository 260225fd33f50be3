//! google-auth's `authorized_user` JSON: the file `gcloud auth
//! application-default login` and `Credentials.to_json()` write.

use std::sync::Arc;
use std::sync::LazyLock;
use std::time::SystemTime;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use url::Url;

use crate::client::auth::ClientIdentity;
use crate::credentials::bearer::BearerToken;
use crate::credentials::external_user::{
    external_user_fields, read_external_user, EXTERNAL_ACCOUNT_AUTHORIZED_USER_TYPE,
};
use crate::credentials::file_fields::{FileFields, JsonFields};
use crate::credentials::user::{FileExtras, UserCredentials};
use crate::error::config::FileError;
use crate::google::GOOGLE_TOKEN_URI;
use crate::secret::{AccessToken, ClientSecret, RefreshToken};
use crate::wire::endpoint::parse_endpoint;
use crate::wire::endpoint::Endpoint;
use crate::wire::json::strict_object;
use crate::wire::time::{format_utc_seconds, parse_utc_time};

const FILE: &str = "authorized_user JSON";

/// The largest authorized_user file accepted: 64 KiB.
pub const AUTHORIZED_USER_LIMIT: usize = 64 * 1024;

/// The `type` of an authorized_user file.
pub const AUTHORIZED_USER_TYPE: &str = "authorized_user";

/// The string fields read without a map; the others (`scopes`, `dpop_key`,
/// the workforce form's) are read from one.
const FIELDS: [&str; 12] = [
    "type",
    "token_uri",
    "expiry",
    "client_id",
    "client_secret",
    "refresh_token",
    "token",
    "quota_project_id",
    "rapt_token",
    "universe_domain",
    "account",
    "token_type",
];

impl UserCredentials {
    /// Reads google-auth's `authorized_user` JSON (or, when its `type` says
    /// so, an `external_account_authorized_user` file: a workforce
    /// identity federation sign-in, refreshed at its `token_url` with HTTP
    /// Basic client authentication and no scope, revoked at its
    /// `revoke_url`; written back in the same form).
    ///
    /// `refresh_token` and `client_id` are required; `client_secret` is
    /// optional (public clients); `type`, when present, must be
    /// `authorized_user`; `scopes` may be a list or a space-separated
    /// string; `token_uri` is honoured (default Google's) and must be https
    /// or loopback http. A token without `expiry` is dropped, so the first
    /// use refreshes it (google-auth loads it as expired).
    ///
    /// ```
    /// use oauth2_sansio::UserCredentials;
    ///
    /// let creds = UserCredentials::from_authorized_user_json(br#"{
    ///   "type": "authorized_user", "client_id": "id", "client_secret": "s",
    ///   "refresh_token": "1//r", "token": "ya29.t", "expiry": "2026-11-25T23:40:54Z",
    ///   "scopes": "openid email"}"#)?;
    /// assert_eq!(creds.scopes(), ["openid", "email"]);
    /// let json = creds.to_authorized_user_json();
    /// assert!(json.contains(r#""expiry":"2026-11-25T23:40:54Z""#));
    /// # Ok::<(), oauth2_sansio::FileError>(())
    /// ```
    pub fn from_authorized_user_json(bytes: &[u8]) -> Result<Self, FileError> {
        let fields = JsonFields::read(bytes, AUTHORIZED_USER_LIMIT, &FIELDS, FILE)?;
        Self::read_authorized_user(fields)
    }

    /// The reader of [`from_authorized_user_json`](Self::from_authorized_user_json),
    /// once the JSON is an object.
    fn read_authorized_user(mut source: impl FileFields) -> Result<Self, FileError> {
        let kind = source.text(FILE, "type")?;
        if kind.as_deref() == Some(EXTERNAL_ACCOUNT_AUTHORIZED_USER_TYPE) {
            return read_external_user(source.into_map(FILE)?);
        }
        FileError::check_type(FILE, kind, AUTHORIZED_USER_TYPE)?;
        // Fields are taken out once each, so each secret exists once, in
        // its zeroizing type.
        let mut text = |field: &'static str| source.text(FILE, field);
        let token_uri = token_uri(text("token_uri")?)?;
        let expiry = text("expiry")?.map(|e| parse_expiry(&e)).transpose()?;
        let client_id = text("client_id")?.ok_or_else(|| FileError::missing(FILE, "client_id"))?;
        let client_secret = text("client_secret")?.map(ClientSecret::new);
        let refresh_token =
            text("refresh_token")?.ok_or_else(|| FileError::missing(FILE, "refresh_token"))?;
        let token = text("token")?;
        let quota_project = text("quota_project_id")?;
        let file_extras = FileExtras {
            rapt_token: text("rapt_token")?.map(RefreshToken::new),
            universe_domain: text("universe_domain")?,
            account: text("account")?,
            workforce: None,
        };
        let token_is_dpop = match text("token_type")? {
            None => false,
            Some(kind) if kind.eq_ignore_ascii_case("bearer") => false,
            Some(kind) if kind.eq_ignore_ascii_case("dpop") => true,
            Some(_) => {
                return Err(FileError::invalid(
                    FILE,
                    "token_type",
                    "must be Bearer or DPoP",
                ))
            }
        };
        let dpop = source.value("dpop_key").map(dpop_key).transpose()?;
        if token_is_dpop && dpop.is_none() {
            return Err(FileError::missing(FILE, "dpop_key"));
        }
        let scopes = source.list(FILE, "scopes")?.unwrap_or_default();

        let client = Arc::new(ClientIdentity::new(client_id, client_secret));
        let mut creds = UserCredentials::empty(Endpoint::new(token_uri), client, scopes);
        creds.refresh_token = Some(RefreshToken::new(refresh_token));
        creds.token = match (token, expiry) {
            (Some(token), Some(expiry)) => {
                Some(BearerToken::new(AccessToken::new(token), Some(expiry)))
            }
            _ => None,
        };
        creds.quota_project = quota_project;
        creds.file_extras = file_extras;
        creds.token_is_dpop = token_is_dpop && creds.token.is_some();
        creds.dpop = dpop;
        Ok(creds)
    }

    /// Writes google-auth's `authorized_user` JSON (with `"type"`, as gcloud
    /// writes it), which `from_authorized_user_json` and google-auth read
    /// back. It contains the refresh token and client secret: store it with
    /// owner-only permissions.
    ///
    /// DPoP-bound credentials also write their key as a private JWK in
    /// `dpop_key` (and `"token_type":"DPoP"` for a bound access token), so
    /// that refreshes and requests keep working across runs; a key over a
    /// signer the crate does not hold is not written, and must be given
    /// again with [`with_dpop`](Self::with_dpop) after reading. google-auth
    /// ignores both members.
    pub fn to_authorized_user_json(&self) -> String {
        serde_json::to_string(self).expect("strings and lists always serialize")
    }

    /// The file's fields, borrowed; the workforce form is written by
    /// `external_user_fields`.
    fn authorized_user_file<'a>(
        &'a self,
        expiry: Option<&'a str>,
        dpop_jwk: Option<&'a Value>,
    ) -> AuthorizedUserFile<'a> {
        AuthorizedUserFile {
            kind: AUTHORIZED_USER_TYPE,
            token: self.token.as_ref().map(|t| t.token().secret()),
            refresh_token: self.refresh_token.as_ref().map(RefreshToken::secret),
            token_uri: self.token_uri.as_str(),
            client_id: self.client_id(),
            client_secret: self.client_secret().map(ClientSecret::secret),
            scopes: &self.scopes,
            quota_project_id: self.quota_project.as_deref(),
            rapt_token: self
                .file_extras
                .rapt_token
                .as_ref()
                .map(RefreshToken::secret),
            universe_domain: self.file_extras.universe_domain.as_deref(),
            account: self.file_extras.account.as_deref(),
            expiry,
            dpop: DpopMembers {
                token_type: self.token_is_dpop.then_some("DPoP"),
                dpop_key: dpop_jwk,
            },
        }
    }
}

/// The `authorized_user` JSON, as
/// [`to_authorized_user_json`](UserCredentials::to_authorized_user_json)
/// writes it (the `external_account_authorized_user` form for a workforce
/// sign-in): secrets included, so store the output with owner-only
/// permissions. `Debug` stays redacted.
impl Serialize for UserCredentials {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let expiry = self
            .token
            .as_ref()
            .and_then(BearerToken::expiry)
            .and_then(format_utc_seconds);
        match &self.file_extras.workforce {
            Some(workforce) => {
                external_user_fields(self, workforce, expiry.as_deref()).serialize(serializer)
            }
            None => {
                let mut dpop_jwk = self
                    .dpop
                    .as_ref()
                    .and_then(crate::dpop::DpopKey::private_jwk)
                    .and_then(|jwk| serde_json::from_str::<Value>(&jwk).ok());
                let written = self
                    .authorized_user_file(expiry.as_deref(), dpop_jwk.as_ref())
                    .serialize(serializer);
                if let Some(jwk) = &mut dpop_jwk {
                    crate::secret::wipe::wipe_json(jwk);
                }
                written
            }
        }
    }
}

/// Reads the `authorized_user` JSON (either form) as
/// [`from_authorized_user_json`](UserCredentials::from_authorized_user_json)
/// does, from any serde format: a key twice in one object is refused, and
/// the error says which field is wrong, never its value.
///
/// ```
/// use oauth2_sansio::UserCredentials;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct Saved {
///     user: UserCredentials,
/// }
///
/// let saved: Saved = serde_json::from_str(
///     r#"{"user": {"type": "authorized_user", "client_id": "id", "refresh_token": "1//r"}}"#,
/// )?;
/// assert_eq!(saved.user.refresh_token().unwrap().secret(), "1//r");
/// assert!(serde_json::to_string(&saved)?.contains(r#""refresh_token":"1//r""#));
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<'de> Deserialize<'de> for UserCredentials {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = strict_object(deserializer)?;
        Self::read_authorized_user(map).map_err(de::Error::custom)
    }
}

#[derive(Serialize)]
struct AuthorizedUserFile<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    token_uri: &'a str,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    scopes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    quota_project_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rapt_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    universe_domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry: Option<&'a str>,
    #[serde(flatten)]
    dpop: DpopMembers<'a>,
}

/// What DPoP-bound credentials add to the file.
#[derive(Serialize)]
struct DpopMembers<'a> {
    /// `DPoP` for a bound access token.
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'a str>,
    /// The key, as a private JWK.
    #[serde(skip_serializing_if = "Option::is_none")]
    dpop_key: Option<&'a Value>,
}

/// The file's `dpop_key`: a P-256 private JWK.
fn dpop_key(jwk: Value) -> Result<crate::dpop::DpopKey, FileError> {
    let mut text = jwk.to_string();
    let mut jwk = jwk;
    crate::secret::wipe::wipe_json(&mut jwk);
    #[cfg(feature = "ring")]
    let key = crate::dpop::DpopKey::from_private_jwk(&text).map_err(|_| {
        FileError::invalid(
            FILE,
            "dpop_key",
            "is not a P-256 private JWK (kty, crv, x, y, d)",
        )
    });
    #[cfg(not(feature = "ring"))]
    let key = Err(FileError::invalid(
        FILE,
        "dpop_key",
        "needs the crate's ring feature",
    ));
    zeroize::Zeroize::zeroize(&mut text);
    key
}

/// The file's `token_uri` (Google's when absent), https or loopback http.
fn token_uri(text: Option<String>) -> Result<Url, FileError> {
    static GOOGLE: LazyLock<Url> =
        LazyLock::new(|| Url::parse(GOOGLE_TOKEN_URI).expect("a valid URL"));
    match text.as_deref() {
        None | Some(GOOGLE_TOKEN_URI) => Ok(GOOGLE.clone()),
        Some(uri) => parse_endpoint(uri, "token_uri", false).map_err(|_| {
            FileError::invalid(
                FILE,
                "token_uri",
                "must be an https URL (or http on a loopback host)",
            )
        }),
    }
}

/// The file's `expiry`: RFC 3339, as [`parse_utc_time`] reads it (so a
/// time that could not be written back is refused).
fn parse_expiry(text: &str) -> Result<SystemTime, FileError> {
    parse_expiry_of(FILE, text)
}

/// An `expiry` field of `file`.
pub(crate) fn parse_expiry_of(file: &'static str, text: &str) -> Result<SystemTime, FileError> {
    const INVALID: &str =
        "must be an RFC 3339 date-time from 1970 to 9999 (UTC), such as 2026-11-25T23:40:54Z";
    // parse_utc_time reads only what format_utc_seconds can write back.
    parse_utc_time(text).ok_or_else(|| FileError::invalid(file, "expiry", INVALID))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::kind::Credentials;
    use crate::error::config::FileProblem;
    use crate::testing::at;

    #[test]
    fn expiry_text_forms() {
        assert_eq!(parse_expiry("1970-01-01T00:01:40Z").unwrap(), at(100));
        assert_eq!(
            parse_expiry("1970-01-01T00:01:40.999999Z").unwrap(),
            at(100)
        );
        assert_eq!(parse_expiry("1970-01-01T00:01:40").unwrap(), at(100));
        assert_eq!(parse_expiry("1970-01-01T01:01:40+01:00").unwrap(), at(100));
        assert!(parse_expiry("1969-12-31T23:59:59Z").is_err());
        assert!(parse_expiry("yesterday").is_err());
        assert!(parse_expiry("9999-12-31T23:59:59Z").is_ok());
        assert!(parse_expiry("9999-12-31T23:59:59-01:00").is_err());
        assert_eq!(
            format_utc_seconds(at(1_795_650_054)).unwrap(),
            "2026-11-25T23:40:54Z"
        );
    }

    #[test]
    fn missing_required_fields_are_named() {
        let err = UserCredentials::from_authorized_user_json(br#"{"client_id":"i"}"#).unwrap_err();
        assert_eq!(
            err.problem(),
            &FileProblem::MissingField {
                field: "refresh_token".into()
            }
        );
        let err =
            UserCredentials::from_authorized_user_json(br#"{"refresh_token":"r"}"#).unwrap_err();
        assert_eq!(
            err.problem(),
            &FileProblem::MissingField {
                field: "client_id".into()
            }
        );
    }

    #[test]
    fn wrong_type_and_insecure_token_uri_are_refused() {
        let err = UserCredentials::from_authorized_user_json(
            br#"{"type":"service_account","client_id":"i","refresh_token":"r"}"#,
        )
        .unwrap_err();
        assert!(matches!(err.problem(), FileProblem::WrongType { .. }));
        let err = UserCredentials::from_authorized_user_json(
            br#"{"client_id":"i","refresh_token":"r","token_uri":"http://evil.example/token"}"#,
        )
        .unwrap_err();
        assert!(
            matches!(err.problem(), FileProblem::InvalidField { field, .. } if field == "token_uri")
        );
    }

    #[test]
    fn token_without_expiry_is_dropped() {
        let creds = UserCredentials::from_authorized_user_json(
            br#"{"client_id":"i","refresh_token":"r","token":"t"}"#,
        )
        .unwrap();
        assert!(creds.token().is_none());
        assert_eq!(creds.freshness(at(0)), crate::Freshness::Invalid);
    }

    #[test]
    fn honours_token_uri_and_keeps_unused_fields() {
        let creds = UserCredentials::from_authorized_user_json(
            br#"{"client_id":"i","refresh_token":"r","token_uri":"http://127.0.0.1:9/t","rapt_token":"rapt","account":"a@b","universe_domain":"googleapis.com","quota_project_id":"q"}"#,
        )
        .unwrap();
        assert_eq!(creds.token_uri().as_str(), "http://127.0.0.1:9/t");
        let json = creds.to_authorized_user_json();
        for part in [
            r#""rapt_token":"rapt""#,
            r#""account":"a@b""#,
            r#""quota_project_id":"q""#,
            r#""universe_domain":"googleapis.com""#,
        ] {
            assert!(json.contains(part), "{json}");
        }
    }

    const SIGNED_IN: &str = r#"{"type":"authorized_user","token":"ya29.t","refresh_token":"1//r","token_uri":"https://oauth2.googleapis.com/token","client_id":"id","client_secret":"s3cret","scopes":["openid"],"expiry":"2026-11-25T23:40:54Z"}"#;

    #[test]
    fn serde_writes_and_reads_the_authorized_user_json_secrets_included() {
        let creds = UserCredentials::from_authorized_user_json(SIGNED_IN.as_bytes()).unwrap();
        let written = serde_json::to_string(&creds).unwrap();
        assert_eq!(written, SIGNED_IN);
        assert_eq!(written, creds.to_authorized_user_json());
        let again: UserCredentials = serde_json::from_str(&written).unwrap();
        assert_eq!(again, creds);
        assert_eq!(again.refresh_token().unwrap().secret(), "1//r");
        assert_eq!(again.client_secret().unwrap().secret(), "s3cret");
        assert_eq!(again.token().unwrap().secret(), "ya29.t");
        let shown = format!("{again:?}");
        for secret in ["1//r", "s3cret", "ya29.t"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn serde_refuses_what_the_reader_refuses_naming_the_field_never_a_value() {
        let duplicate = r#"{"client_id":"i","refresh_token":"r1","refresh_token":"r2"}"#;
        let err = serde_json::from_str::<UserCredentials>(duplicate).unwrap_err();
        assert!(
            err.to_string().contains("\"refresh_token\" appears twice"),
            "{err}"
        );
        assert!(!err.to_string().contains("r2"), "{err}");
        let missing = serde_json::from_str::<UserCredentials>(r#"{"client_id":"i"}"#).unwrap_err();
        assert!(
            missing.to_string().contains("`refresh_token` is missing"),
            "{missing}"
        );
        let insecure =
            r#"{"client_id":"i","refresh_token":"r","token_uri":"http://evil.example/t"}"#;
        let err = serde_json::from_str::<UserCredentials>(insecure).unwrap_err();
        assert!(err.to_string().contains("`token_uri`"), "{err}");
        assert!(serde_json::from_str::<UserCredentials>("[1]").is_err());
    }

    #[test]
    fn serde_reads_from_a_json_value_too() {
        let value: serde_json::Value = serde_json::from_str(SIGNED_IN).unwrap();
        let creds: UserCredentials = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&creds).unwrap(), value);
    }
}
