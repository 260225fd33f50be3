//! [`SubjectTokenSupplier`]: who hands the core a subject token it cannot
//! fetch itself (a file's, or one a program holds in memory).

use std::fmt;

use serde_json::Value;

use super::error::SubjectTokenError;
use super::source::SubjectTokenFormat;
use crate::secret::SecurityToken;
use crate::wire::json::{parse_object, take_str};

/// The largest subject token read, and the largest body it is taken from
/// (a SAML assertion is the biggest kind: tens of KiB).
pub const SUBJECT_TOKEN_LIMIT: usize = 256 * 1024;

/// Supplies the subject token of an external account's token exchange,
/// asked at each refresh (google-auth's programmatic
/// `SubjectTokenSupplier`).
///
/// The core never reads files or runs commands: a `file` source is read by
/// a supplier (the io module's `FileSubjectTokens`, which ADC attaches
/// itself), and a program that already holds a token (GitHub Actions' OIDC
/// token fetched by its own code, say) plugs it in with
/// [`ExternalAccountCredentials::with_supplier`](super::ExternalAccountCredentials::with_supplier).
/// The refresh machine calls it at its first poll, synchronously, so it
/// should return quickly.
///
/// ```
/// use oauth2_sansio::external::{SubjectTokenContext, SubjectTokenError, SubjectTokenSupplier};
/// use oauth2_sansio::SecurityToken;
///
/// /// A token the program fetched itself.
/// #[derive(Debug)]
/// struct InMemory(String);
///
/// impl SubjectTokenSupplier for InMemory {
///     fn subject_token(&self, context: &SubjectTokenContext<'_>) -> Result<SecurityToken, SubjectTokenError> {
///         assert!(context.audience().starts_with("//iam.googleapis.com/"));
///         Ok(SecurityToken::new(self.0.clone()))
///     }
/// }
/// ```
pub trait SubjectTokenSupplier: fmt::Debug + Send + Sync {
    /// A subject token for `context`'s audience and token type.
    fn subject_token(
        &self,
        context: &SubjectTokenContext<'_>,
    ) -> Result<SecurityToken, SubjectTokenError>;
}

/// What a supplier is told: the external account's audience and subject
/// token type.
#[derive(Debug, Clone, Copy)]
pub struct SubjectTokenContext<'a> {
    pub(super) audience: &'a str,
    pub(super) subject_token_type: &'a str,
}

impl<'a> SubjectTokenContext<'a> {
    /// The workload or workforce pool provider (`//iam.googleapis.com/...`).
    pub fn audience(&self) -> &'a str {
        self.audience
    }

    /// The subject token's type (`urn:ietf:params:oauth:token-type:jwt`, ...).
    pub fn subject_token_type(&self) -> &'a str {
        self.subject_token_type
    }
}

/// The subject token in `content` (a file's or a URL answer's bytes), as
/// `format` says: the whole text, or a JSON object's string field. At most
/// [`SUBJECT_TOKEN_LIMIT`] bytes; an empty token is refused.
///
/// ```
/// use oauth2_sansio::external::{subject_token_from, SubjectTokenFormat};
///
/// let token = subject_token_from(b"eyJ.a.b", &SubjectTokenFormat::Text)?;
/// assert_eq!(token.secret(), "eyJ.a.b");
/// # Ok::<(), oauth2_sansio::external::SubjectTokenError>(())
/// ```
pub fn subject_token_from(
    content: &[u8],
    format: &SubjectTokenFormat,
) -> Result<SecurityToken, SubjectTokenError> {
    let invalid = |reason| SubjectTokenError::Invalid { reason };
    if content.len() > SUBJECT_TOKEN_LIMIT {
        return Err(invalid("is larger than 256 KiB"));
    }
    let token = match format {
        SubjectTokenFormat::Text => std::str::from_utf8(content)
            .map_err(|_| invalid("is not UTF-8 text"))?
            .to_owned(),
        SubjectTokenFormat::Json { field } => {
            let mut map = parse_object(content, SUBJECT_TOKEN_LIMIT)
                .map_err(|_| invalid("source is not a JSON object (the format says json)"))?;
            let token = take_str(&mut map, field);
            wipe_strings(map);
            token
                .map_err(|_| invalid("field named by subject_token_field_name is not a string"))?
                .ok_or(invalid(
                    "field named by subject_token_field_name is missing or empty",
                ))?
        }
    };
    if token.is_empty() {
        return Err(invalid("is empty"));
    }
    Ok(SecurityToken::new(token))
}

/// Overwrites every string left in a parsed object (other fields may be
/// secrets too).
fn wipe_strings(map: serde_json::Map<String, Value>) {
    for (_, value) in map {
        if let Value::String(mut text) = value {
            zeroize::Zeroize::zeroize(&mut text);
        }
    }
}
