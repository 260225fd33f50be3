//! What Application Default Credentials found: credentials of any kind,
//! where they came from, and the project.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::credentials::any::{AnyCredentials, AnyRefresh};
use crate::credentials::bearer::BearerToken;
use crate::credentials::kind::Credentials;
use crate::error::{Error, TransportFailure};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, Step};

/// Where Application Default Credentials found the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdcSource {
    /// The file `GOOGLE_APPLICATION_CREDENTIALS` names.
    EnvironmentVariable(PathBuf),
    /// The file gcloud writes (`gcloud auth application-default login`).
    Gcloud(PathBuf),
    /// The metadata server.
    Metadata,
    /// A file the caller named (`oauth2-sansio token --credentials PATH`).
    File(PathBuf),
}

impl AdcSource {
    /// A short name: `GOOGLE_APPLICATION_CREDENTIALS`, `gcloud`,
    /// `metadata` or `file`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::EnvironmentVariable(_) => "GOOGLE_APPLICATION_CREDENTIALS",
            Self::Gcloud(_) => "gcloud",
            Self::Metadata => "metadata",
            Self::File(_) => "file",
        }
    }
}

impl fmt::Display for AdcSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EnvironmentVariable(path) | Self::Gcloud(path) | Self::File(path) => {
                write!(f, "{} ({})", self.name(), path.display())
            }
            Self::Metadata => f.write_str("metadata"),
        }
    }
}

/// The credentials Application Default Credentials found, whatever their
/// kind, with their source and the project (google-auth's `default()`
/// returns both). As [`Credentials`] they refresh like the kind they hold.
#[derive(Debug, Clone)]
pub struct DefaultCredentials {
    credentials: AnyCredentials,
    source: AdcSource,
    project_id: Option<String>,
}

impl DefaultCredentials {
    pub(crate) fn new(
        credentials: AnyCredentials,
        source: AdcSource,
        project_id: Option<String>,
    ) -> Self {
        Self {
            credentials,
            source,
            project_id,
        }
    }

    /// The credentials.
    pub fn credentials(&self) -> &AnyCredentials {
        &self.credentials
    }

    /// The same, with `change` made to the credentials (the io layer
    /// attaching what the core cannot do).
    #[cfg(any(feature = "ureq", feature = "reqwest", feature = "reqwest-012"))]
    pub(crate) fn map_credentials(
        mut self,
        change: impl FnOnce(AnyCredentials) -> AnyCredentials,
    ) -> Self {
        self.credentials = change(self.credentials);
        self
    }

    /// The credentials, to keep.
    pub fn into_credentials(self) -> AnyCredentials {
        self.credentials
    }

    /// Where they came from.
    pub fn source(&self) -> &AdcSource {
        &self.source
    }

    /// The project: `GOOGLE_CLOUD_PROJECT` (else `GCLOUD_PROJECT`), else
    /// the key file's `project_id`, else the metadata server's; `None` when
    /// none says.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }
}

impl Credentials for DefaultCredentials {
    type Refresh = DefaultRefresh;

    fn token(&self) -> Option<&BearerToken> {
        self.credentials.token()
    }

    fn quota_project(&self) -> Option<&str> {
        self.credentials.quota_project()
    }

    fn refresh_threshold(&self) -> Duration {
        self.credentials.refresh_threshold()
    }

    fn dpop_key(&self) -> Option<&crate::dpop::DpopKey> {
        self.credentials.dpop_key()
    }

    fn refresh(&self) -> Result<DefaultRefresh, Error> {
        Ok(DefaultRefresh {
            refresh: self.credentials.refresh()?,
            source: self.source.clone(),
            project_id: self.project_id.clone(),
        })
    }
}

/// Refreshes [`DefaultCredentials`]: the kind's own refresh, keeping the
/// source and project.
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
pub struct DefaultRefresh {
    refresh: AnyRefresh,
    source: AdcSource,
    project_id: Option<String>,
}

impl Machine for DefaultRefresh {
    type Output = DefaultCredentials;

    fn poll(&mut self, now: SystemTime) -> Result<Step<DefaultCredentials>, Error> {
        Ok(self.refresh.poll(now)?.map(|credentials| {
            DefaultCredentials::new(credentials, self.source.clone(), self.project_id.clone())
        }))
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        self.refresh.handle_response(response, now)
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.refresh.handle_transport_failure(failure, now)
    }
}
