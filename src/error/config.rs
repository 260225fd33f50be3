//! Errors in what the caller configured, and in configuration files.

use std::fmt;

/// Something the caller configured cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// An endpoint the flow needs was not set.
    MissingEndpoint {
        /// Which endpoint (`authorization_endpoint`, `token_endpoint`, ...).
        endpoint: &'static str,
    },
    /// A URL does not parse, is relative, or has a fragment.
    InvalidUrl {
        /// Which URL.
        field: &'static str,
    },
    /// An endpoint is not https and not on a loopback host.
    InsecureEndpoint {
        /// Which endpoint.
        endpoint: &'static str,
    },
    /// The client authentication method needs a client secret, and there is none.
    SecretRequired,
    /// The client authenticates with `private_key_jwt` and has no
    /// [`ClientAssertionKey`](crate::ClientAssertionKey).
    AssertionKeyRequired,
    /// A scope is empty or has characters RFC 6749 §3.3 does not allow.
    InvalidScope {
        /// The offending scope (control, invisible and bidi characters removed).
        scope: String,
    },
    /// An extra authorization parameter would override one the crate sets.
    ReservedParameter {
        /// The parameter's name.
        name: String,
    },
    /// The server does not accept PKCE with `S256` (its metadata's
    /// `code_challenge_methods_supported` lacks it), and the crate uses
    /// nothing else.
    PkceS256Unsupported,
    /// A Credential Access Boundary Google's STS would refuse.
    InvalidAccessBoundary {
        /// What is wrong.
        reason: &'static str,
    },
    /// A DPoP key's signer does not sign ES256, the one algorithm DPoP
    /// keys use here.
    DpopAlgorithm,
    /// The server takes authorization requests only when pushed
    /// (`require_pushed_authorization_requests`): use
    /// [`AuthorizationRequest::push`](crate::AuthorizationRequest::push).
    PushRequired,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingEndpoint { endpoint } => write!(f, "no {endpoint} is configured; set it on the client builder"),
            Self::InvalidUrl { field } => write!(f, "{field} is not an absolute URL without a fragment"),
            Self::InsecureEndpoint { endpoint } => write!(
                f,
                "{endpoint} must use https (http is allowed only on 127.0.0.1, [::1] or localhost); \
                 for tests, enable allow_insecure_endpoints"
            ),
            Self::SecretRequired => f.write_str(
                "this client authentication method needs a client secret; set one or use ClientAuthMethod::None",
            ),
            Self::AssertionKeyRequired => f.write_str(
                "private_key_jwt client authentication needs a ClientAssertionKey; give one with \
                 ClientBuilder::private_key_jwt (or UserCredentials::with_private_key_jwt)",
            ),
            Self::InvalidScope { scope } => write!(f, "scope {scope:?} is empty or has a space, quote or backslash"),
            Self::ReservedParameter { name } => write!(
                f,
                "the extra parameter {name:?} is set by the crate itself; use the builder's own setter"
            ),
            Self::PkceS256Unsupported => f.write_str(
                "the server does not list S256 in code_challenge_methods_supported, and PKCE with S256 \
                 is required; check the server's configuration",
            ),
            Self::InvalidAccessBoundary { reason } => write!(
                f,
                "the credential access boundary {reason}; see Google's \"Downscope with Credential \
                 Access Boundaries\" for the rules"
            ),
            Self::PushRequired => f.write_str(
                "the server requires pushed authorization requests (RFC 9126); push the request \
                 with AuthorizationRequest::push instead of building a URL",
            ),
            Self::DpopAlgorithm => f.write_str(
                "a DPoP key must sign ES256 (P-256); give DpopKey::from_signer an ES256 signer",
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

/// A configuration file (client_secrets.json, authorized_user JSON, ...)
/// cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    file: &'static str,
    problem: FileProblem,
}

/// What is wrong with a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileProblem {
    /// Larger than the parser's bound.
    TooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// Not JSON.
    NotJson {
        /// The line of the first fault (from 1).
        line: usize,
        /// Its column (from 1).
        column: usize,
    },
    /// JSON, but not an object.
    NotObject,
    /// A key appears twice in one object, at any depth.
    DuplicateKey {
        /// The key, with its path when it is in a nested object
        /// (`installed.client_id`); control, invisible and bidi characters
        /// removed. Never a value.
        key: String,
    },
    /// A required field is missing, null or empty.
    MissingField {
        /// Its name (`installed.client_id`, ...).
        field: String,
    },
    /// A field's value is unusable.
    InvalidField {
        /// Its name.
        field: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// client_secrets.json has neither an `installed` nor a `web` section.
    NoClientSection,
    /// client_secrets.json has both an `installed` and a `web` section.
    BothClientSections,
    /// The file's `type` is not the expected one.
    WrongType {
        /// The expected type.
        expected: &'static str,
        /// The type found (control, invisible and bidi characters removed).
        found: String,
    },
}

impl FileError {
    pub(crate) fn new(file: &'static str, problem: FileProblem) -> Self {
        Self { file, problem }
    }

    pub(crate) fn missing(file: &'static str, field: impl Into<String>) -> Self {
        Self::new(
            file,
            FileProblem::MissingField {
                field: field.into(),
            },
        )
    }

    pub(crate) fn invalid(
        file: &'static str,
        field: impl Into<String>,
        reason: &'static str,
    ) -> Self {
        Self::new(
            file,
            FileProblem::InvalidField {
                field: field.into(),
                reason,
            },
        )
    }

    /// Refuses a file whose `type` is present and is not `expected` (a
    /// missing `type` is accepted, as google-auth does).
    pub(crate) fn check_type(
        file: &'static str,
        found: Option<String>,
        expected: &'static str,
    ) -> Result<(), Self> {
        match found {
            Some(found) if found != expected => Err(Self::new(
                file,
                FileProblem::WrongType {
                    expected,
                    found: crate::error::sanitize(&found),
                },
            )),
            _ => Ok(()),
        }
    }

    pub(crate) fn from_json(file: &'static str, problem: crate::wire::json::JsonProblem) -> Self {
        use crate::wire::json::JsonProblem;
        Self::new(
            file,
            match problem {
                JsonProblem::TooLarge { limit } => FileProblem::TooLarge { limit },
                JsonProblem::NotJson { line, column } => FileProblem::NotJson { line, column },
                JsonProblem::NotObject => FileProblem::NotObject,
                JsonProblem::DuplicateKey(key) => FileProblem::DuplicateKey { key },
            },
        )
    }

    /// Which kind of file it was (`client_secrets.json`, `authorized_user JSON`).
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &FileProblem {
        &self.problem
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read the {}: ", self.file)?;
        match &self.problem {
            FileProblem::TooLarge { limit } => write!(f, "it is larger than {limit} bytes"),
            FileProblem::NotJson { line, column } => {
                write!(f, "it is not valid JSON (line {line}, column {column})")
            }
            FileProblem::NotObject => f.write_str("it is not a JSON object"),
            FileProblem::DuplicateKey { key } => write!(f, "the key {key:?} appears twice; keep one of them"),
            FileProblem::MissingField { field } => write!(f, "the field `{field}` is missing or empty"),
            FileProblem::InvalidField { field, reason } => write!(f, "the field `{field}` {reason}"),
            FileProblem::NoClientSection => f.write_str(
                "it has neither an `installed` nor a `web` section; download it again from the console",
            ),
            FileProblem::BothClientSections => f.write_str("it has both an `installed` and a `web` section"),
            FileProblem::WrongType { expected, found } => write!(f, "its type is {found:?}, expected {expected:?}"),
        }
    }
}

impl std::error::Error for FileError {}
