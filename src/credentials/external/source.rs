//! `credential_source`: where an external account's subject token comes
//! from, read into a typed [`CredentialSource`].

use std::path::PathBuf;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};
use url::Url;

use super::FILE;
use crate::error::config::FileError;
use crate::wire::endpoint::parse_endpoint;
use crate::wire::json::opt_str;

/// Where the subject token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// A file, read again at each refresh (by a
    /// [`SubjectTokenSupplier`](super::SubjectTokenSupplier): the core reads
    /// no files).
    File {
        /// The file's path.
        path: PathBuf,
        /// What its content is.
        format: SubjectTokenFormat,
    },
    /// A URL, fetched with `GET` and these headers at each refresh.
    Url {
        /// The URL: https, or http on a loopback host.
        url: Url,
        /// The headers sent (their values are marked sensitive).
        headers: HeaderMap,
        /// What the answer's body is.
        format: SubjectTokenFormat,
    },
    /// A command whose output is the token (run by the io layer's
    /// `ExecutableSubjectTokens`).
    Executable(ExecutableSource),
    /// AWS: a signed `GetCallerIdentity` request.
    Aws(AwsSource),
    /// X.509 federation over mTLS (not supported yet).
    Certificate(CertificateSource),
}

impl CredentialSource {
    /// The source's kind as the file names it: `file`, `url`,
    /// `executable`, `aws` or `certificate`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::File { .. } => "file",
            Self::Url { .. } => "url",
            Self::Executable(_) => "executable",
            Self::Aws(_) => "aws",
            Self::Certificate(_) => "certificate",
        }
    }
}

/// What a file's content or a URL's answer is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SubjectTokenFormat {
    /// The whole content is the token, as it is (`{"type": "text"}`, the
    /// default).
    #[default]
    Text,
    /// A JSON object holding the token in this field (`{"type": "json",
    /// "subject_token_field_name": ...}`).
    Json {
        /// The field's name.
        field: String,
    },
}

/// `{"executable": {...}}`: a command printing the token (google-auth's
/// pluggable source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutableSource {
    /// The command line.
    pub command: String,
    /// How long it may run (`timeout_millis`: 5 s to 120 s, default 30 s).
    pub timeout: Duration,
    /// Where it caches its answer (`output_file`).
    pub output_file: Option<PathBuf>,
    /// How long it may run when interactive (`interactive_timeout_millis`:
    /// 30 s to 30 min).
    pub interactive_timeout: Option<Duration>,
}

/// The AWS source's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSource {
    /// `region_url`: the instance metadata's availability zone.
    pub region_url: Option<Url>,
    /// `url`: the instance metadata's security credentials.
    pub url: Option<Url>,
    /// `regional_cred_verification_url`, `{region}` still in it.
    pub regional_cred_verification_url: String,
    /// `imdsv2_session_token_url`: where an IMDSv2 session token is asked for.
    pub imdsv2_session_token_url: Option<Url>,
}

/// `{"certificate": {...}}`: X.509 workload identity federation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSource {
    /// Where the certificate configuration is: `None` for the default
    /// location (`use_default_certificate_config`).
    pub certificate_config_location: Option<PathBuf>,
    /// `trust_chain_path`: intermediate certificates sent after the leaf.
    pub trust_chain_path: Option<PathBuf>,
}

const EXECUTABLE_TIMEOUT: Duration = Duration::from_secs(30);
const EXECUTABLE_TIMEOUTS: (u64, u64) = (5_000, 120_000);
const INTERACTIVE_TIMEOUTS: (u64, u64) = (30_000, 1_800_000);

/// Reads `credential_source`.
pub(super) fn credential_source(map: &Map<String, Value>) -> Result<CredentialSource, FileError> {
    let text = |field: &'static str| -> Result<Option<String>, FileError> {
        opt_str(map, field)
            .map(|v| v.map(str::to_owned))
            .map_err(|reason| invalid(field, reason))
    };
    if let Some(executable) = map.get("executable") {
        return executable_source(object(executable, "executable")?)
            .map(CredentialSource::Executable);
    }
    if let Some(environment) = text("environment_id")? {
        if environment != "aws1" {
            let reason = match environment.strip_prefix("aws") {
                Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                    "names an AWS version other than 1 (only aws1 exists)"
                }
                _ => "is given, and only AWS sources (aws1) have one",
            };
            return Err(invalid("environment_id", reason));
        }
        return aws_source(map).map(CredentialSource::Aws);
    }
    let given =
        ["file", "url", "certificate"].map(|key| map.get(key).is_some_and(|v| !v.is_null()));
    match given {
        [true, false, false] => {
            let path = text("file")?.ok_or_else(|| missing("file"))?;
            Ok(CredentialSource::File {
                path: PathBuf::from(path),
                format: format(map)?,
            })
        }
        [false, true, false] => {
            let url = text("url")?.ok_or_else(|| missing("url"))?;
            Ok(CredentialSource::Url {
                url: parse_endpoint(&url, "credential_source.url", false)
                    .map_err(|_| invalid("url", INSECURE))?,
                headers: headers(map.get("headers"))?,
                format: format(map)?,
            })
        }
        [false, false, true] => certificate_source(object(&map["certificate"], "certificate")?)
            .map(CredentialSource::Certificate),
        [false, false, false] => Err(FileError::invalid(
            FILE,
            "credential_source",
            "names no source: give one of file, url, certificate, executable, or an AWS environment_id",
        )),
        _ => Err(FileError::invalid(
            FILE,
            "credential_source",
            "names more than one of file, url and certificate; keep exactly one",
        )),
    }
}

const INSECURE: &str = "must be an absolute https URL (http only on 127.0.0.1, [::1] or localhost)";

fn invalid(field: &'static str, reason: &'static str) -> FileError {
    FileError::invalid(FILE, format!("credential_source.{field}"), reason)
}

fn missing(field: &'static str) -> FileError {
    FileError::missing(FILE, format!("credential_source.{field}"))
}

fn object<'a>(value: &'a Value, field: &'static str) -> Result<&'a Map<String, Value>, FileError> {
    value
        .as_object()
        .ok_or_else(|| invalid(field, "must be an object"))
}

/// `format`: absent is text; json needs `subject_token_field_name`.
fn format(map: &Map<String, Value>) -> Result<SubjectTokenFormat, FileError> {
    let format = match map.get("format") {
        None | Some(Value::Null) => return Ok(SubjectTokenFormat::Text),
        Some(format) => object(format, "format")?,
    };
    let field = |name: &'static str| opt_str(format, name).map_err(|reason| invalid(name, reason));
    match field("type")? {
        None | Some("text") => Ok(SubjectTokenFormat::Text),
        Some("json") => {
            let name = field("subject_token_field_name")?
                .ok_or_else(|| missing("format.subject_token_field_name"))?;
            Ok(SubjectTokenFormat::Json {
                field: name.to_owned(),
            })
        }
        Some(_) => Err(invalid("format.type", "must be text or json")),
    }
}

/// `headers`: an object of header names to string values.
fn headers(value: Option<&Value>) -> Result<HeaderMap, FileError> {
    let mut headers = HeaderMap::new();
    let map = match value {
        None | Some(Value::Null) => return Ok(headers),
        Some(value) => object(value, "headers")?,
    };
    for (name, value) in map {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid("headers", "has a name that is not a valid HTTP header name"))?;
        let mut value = value
            .as_str()
            .and_then(|v| HeaderValue::from_str(v).ok())
            .ok_or_else(|| {
                invalid(
                    "headers",
                    "has a value that is not a valid HTTP header string",
                )
            })?;
        value.set_sensitive(true);
        headers.append(name, value);
    }
    Ok(headers)
}

fn executable_source(map: &Map<String, Value>) -> Result<ExecutableSource, FileError> {
    let command = opt_str(map, "command")
        .map_err(|reason| invalid("executable.command", reason))?
        .ok_or_else(|| missing("executable.command"))?
        .to_owned();
    let millis =
        |field: &'static str, (low, high): (u64, u64)| -> Result<Option<Duration>, FileError> {
            match map.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(value) => match value.as_u64() {
                    Some(ms) if (low..=high).contains(&ms) => Ok(Some(Duration::from_millis(ms))),
                    _ => Err(FileError::invalid(
                        FILE,
                        format!("credential_source.executable.{field}"),
                        "must be a whole number of milliseconds within google-auth's bounds \
                     (timeout 5000 to 120000, interactive 30000 to 1800000)",
                    )),
                },
            }
        };
    let output_file = opt_str(map, "output_file")
        .map_err(|reason| invalid("executable.output_file", reason))?
        .map(PathBuf::from);
    Ok(ExecutableSource {
        command,
        timeout: millis("timeout_millis", EXECUTABLE_TIMEOUTS)?.unwrap_or(EXECUTABLE_TIMEOUT),
        output_file,
        interactive_timeout: millis("interactive_timeout_millis", INTERACTIVE_TIMEOUTS)?,
    })
}

fn aws_source(map: &Map<String, Value>) -> Result<AwsSource, FileError> {
    let url = |field: &'static str| -> Result<Option<Url>, FileError> {
        let Some(value) = opt_str(map, field).map_err(|reason| invalid(field, reason))? else {
            return Ok(None);
        };
        aws_url(value).map(Some).ok_or_else(|| {
            invalid(
                field,
                "must be an https URL, a loopback URL, or AWS's instance metadata \
                 (http://169.254.169.254 or http://[fd00:ec2::254])",
            )
        })
    };
    let verification = opt_str(map, "regional_cred_verification_url")
        .map_err(|reason| invalid("regional_cred_verification_url", reason))?
        .ok_or_else(|| missing("regional_cred_verification_url"))?;
    let sample = verification.replace("{region}", "us-east-1");
    parse_endpoint(&sample, "regional_cred_verification_url", false)
        .map_err(|_| invalid("regional_cred_verification_url", INSECURE))?;
    Ok(AwsSource {
        region_url: url("region_url")?,
        url: url("url")?,
        regional_cred_verification_url: verification.to_owned(),
        imdsv2_session_token_url: url("imdsv2_session_token_url")?,
    })
}

/// An endpoint by the crate's rule, or plain http to AWS's instance
/// metadata addresses (the one documented exception).
fn aws_url(value: &str) -> Option<Url> {
    if let Ok(url) = parse_endpoint(value, "credential_source", false) {
        return Some(url);
    }
    let url = parse_endpoint(value, "credential_source", true).ok()?;
    // The url crate writes addresses in their canonical form.
    let imds = matches!(url.host_str()?, "169.254.169.254" | "[fd00:ec2::254]");
    (imds && url.scheme() == "http").then_some(url)
}

fn certificate_source(map: &Map<String, Value>) -> Result<CertificateSource, FileError> {
    let path = |field: &'static str| {
        opt_str(map, field)
            .map(|v| v.map(PathBuf::from))
            .map_err(|reason| invalid(field, reason))
    };
    let use_default = match map.get("use_default_certificate_config") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(invalid(
                "certificate.use_default_certificate_config",
                "must be true or false",
            ))
        }
    };
    let location = path("certificate_config_location")?;
    if use_default == location.is_some() {
        return Err(invalid(
            "certificate",
            "needs exactly one of use_default_certificate_config: true and certificate_config_location",
        ));
    }
    Ok(CertificateSource {
        certificate_config_location: location,
        trust_chain_path: path("trust_chain_path")?,
    })
}

#[cfg(test)]
mod imds_tests {
    use super::aws_url;

    #[test]
    fn plain_http_only_to_the_instance_metadata_addresses() {
        for ok in [
            "http://169.254.169.254/latest/meta-data/iam/security-credentials",
            "http://[fd00:ec2::254]/latest/api/token",
            "http://[FD00:EC2:0::254]/latest/api/token",
            "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity",
        ] {
            assert!(aws_url(ok).is_some(), "{ok}");
        }
        for refused in [
            "http://169.254.169.253/latest",
            "http://169.254.169.254.evil.example/latest",
            "http://[fd00:ec2::255]/latest",
            "http://example.com/latest",
        ] {
            assert!(aws_url(refused).is_none(), "{refused}");
        }
    }
}
