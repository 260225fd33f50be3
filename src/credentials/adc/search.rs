//! The search of Application Default Credentials, in google-auth's order,
//! as steps: the core decides, the IO layer reads files and pings.

use std::path::{Path, PathBuf};

use zeroize::Zeroize;

use super::default::{AdcSource, DefaultCredentials};
use super::env::AdcEnvironment;
use super::error::AdcError;
use super::file::read_credentials;
use crate::credentials::any::AnyCredentials;
use crate::credentials::metadata::{
    MetadataCredentials, MetadataGet, MetadataPing, MetadataServer,
};

/// What the search needs done next.
#[derive(Debug)]
#[non_exhaustive]
pub enum AdcStep {
    /// Read this file (at most [`ADC_FILE_LIMIT`](super::ADC_FILE_LIMIT) + 1
    /// bytes) and hand the outcome to [`Adc::file_read`]: a credentials
    /// file, or [`GCE_PRODUCT_NAME_FILE`](super::GCE_PRODUCT_NAME_FILE) when
    /// the ping went unanswered.
    ReadFile(PathBuf),
    /// Drive this ping and hand its output to [`Adc::pinged`].
    Ping(MetadataPing),
    /// Drive this request for the project id and hand its output (or
    /// `None` if it failed) to [`Adc::project_fetched`].
    FetchProject(MetadataGet<String>),
    /// The search is over.
    Found(DefaultCredentials),
}

/// What reading a file gave.
#[derive(Debug)]
#[non_exhaustive]
pub enum FileRead {
    /// Its bytes (wiped once read).
    Bytes(Vec<u8>),
    /// Nothing is there.
    NotFound,
    /// It is there but cannot be read (the reason, without secrets).
    Failed(String),
}

/// Application Default Credentials: the search for credentials wherever the
/// program runs, in google-auth's order:
///
/// 1. the file `GOOGLE_APPLICATION_CREDENTIALS` names (a missing file is
///    an error, not a reason to look further);
/// 2. the file gcloud writes (`$CLOUDSDK_CONFIG`, else
///    `~/.config/gcloud`, or `%APPDATA%\gcloud` on Windows, then
///    `application_default_credentials.json`);
/// 3. the metadata server, if its ping answers or, on Linux and the other
///    Unix systems, the DMI product name says `Google` (a VM whose server
///    is slow to start); `NO_GCE_CHECK=true` skips it.
///
/// Files of type `authorized_user` and `service_account` are read; the
/// scopes apply to service accounts and the metadata server. The quota
/// project is the one given here, else `GOOGLE_CLOUD_QUOTA_PROJECT`, else
/// the file's `quota_project_id`. Sans-IO: [`step`](Self::step) says what
/// to do; `io::ureq::default_credentials` and its async twin do it.
#[derive(Debug)]
pub struct Adc {
    env: AdcEnvironment,
    scopes: Vec<String>,
    quota_project: Option<String>,
    phase: Phase,
    looked: Vec<String>,
}

#[derive(Debug)]
enum Phase {
    Explicit,
    Gcloud,
    /// Waiting for the file at `path`, the explicit one or gcloud's.
    Reading {
        path: PathBuf,
        explicit: bool,
    },
    Metadata,
    Pinging(MetadataServer),
    /// The ping went unanswered; waiting for the DMI product name.
    Residency {
        server: MetadataServer,
        path: PathBuf,
    },
    Project(DefaultCredentials),
    Done,
}

impl Adc {
    /// The search in `env`.
    pub fn new(env: AdcEnvironment) -> Self {
        Self {
            env,
            scopes: Vec::new(),
            quota_project: None,
            phase: Phase::Explicit,
            looked: Vec::new(),
        }
    }

    /// The scopes for service accounts and the metadata server.
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The quota project, over `GOOGLE_CLOUD_QUOTA_PROJECT` and the file's.
    pub fn with_quota_project(mut self, project: impl Into<String>) -> Self {
        self.quota_project = Some(project.into());
        self
    }

    /// The credentials in a file the caller named (`path`, whose bytes are
    /// `bytes`), of any type the search reads, with its scopes, quota
    /// project and project rules; the source is [`AdcSource::File`].
    pub fn credentials_in(
        &self,
        path: &Path,
        bytes: &[u8],
    ) -> Result<DefaultCredentials, AdcError> {
        self.found_in(path, bytes, AdcSource::File(path.to_owned()))
    }

    fn found_in(
        &self,
        path: &Path,
        bytes: &[u8],
        source: AdcSource,
    ) -> Result<DefaultCredentials, AdcError> {
        let (credentials, facts) = read_credentials(path, bytes, &self.scopes)?;
        let quota = self.quota(facts.quota_project.as_deref());
        let credentials = credentials.with_quota_project(quota);
        let project = self
            .env
            .project_id()
            .map(str::to_owned)
            .or(facts.project_id);
        Ok(DefaultCredentials::new(credentials, source, project))
    }

    /// What to do next.
    pub fn step(&mut self) -> Result<AdcStep, AdcError> {
        loop {
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Explicit => match self.env.explicit_file() {
                    Some(path) => return Ok(self.read(path, true)),
                    None => self.passed("GOOGLE_APPLICATION_CREDENTIALS (not set)", Phase::Gcloud),
                },
                Phase::Gcloud => match self.env.gcloud_file() {
                    Some(path) => return Ok(self.read(path, false)),
                    None => self.passed(
                        "gcloud's file (no home directory to find it in)",
                        Phase::Metadata,
                    ),
                },
                Phase::Metadata => {
                    if self.env.skips_metadata() {
                        self.looked
                            .push("the metadata server (not tried: NO_GCE_CHECK=true)".to_owned());
                        return Err(self.not_found());
                    }
                    let server = self.env.metadata_server().map_err(AdcError::Config)?;
                    let ping = server.ping();
                    self.phase = Phase::Pinging(server);
                    return Ok(AdcStep::Ping(ping));
                }
                Phase::Project(found) => {
                    let server = found_server(&found);
                    self.phase = Phase::Project(found);
                    return Ok(AdcStep::FetchProject(server.project_id()));
                }
                // Asked again before the step was done: the same step.
                Phase::Reading { path, explicit } => return Ok(self.read(path, explicit)),
                Phase::Pinging(server) => {
                    let ping = server.ping();
                    self.phase = Phase::Pinging(server);
                    return Ok(AdcStep::Ping(ping));
                }
                Phase::Residency { server, path } => {
                    self.phase = Phase::Residency {
                        server,
                        path: path.clone(),
                    };
                    return Ok(AdcStep::ReadFile(path));
                }
                Phase::Done => return Err(self.not_found()),
            }
        }
    }

    /// Reads the file at `path` next (the explicit one or gcloud's).
    fn read(&mut self, path: PathBuf, explicit: bool) -> AdcStep {
        self.phase = Phase::Reading {
            path: path.clone(),
            explicit,
        };
        AdcStep::ReadFile(path)
    }

    /// The outcome of the last [`AdcStep::ReadFile`].
    pub fn file_read(&mut self, read: FileRead) -> Result<AdcStep, AdcError> {
        let (path, source) = match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Reading {
                path,
                explicit: true,
            } => (path.clone(), AdcSource::EnvironmentVariable(path)),
            Phase::Reading { path, .. } => (path.clone(), AdcSource::Gcloud(path)),
            Phase::Residency { server, path } => return self.residency_read(server, &path, read),
            other => {
                self.phase = other;
                return self.step();
            }
        };
        match read {
            FileRead::Bytes(mut bytes) => {
                let found = self.found_in(&path, &bytes, source);
                bytes.zeroize();
                found.map(AdcStep::Found)
            }
            FileRead::NotFound if matches!(source, AdcSource::EnvironmentVariable(_)) => {
                Err(AdcError::ExplicitFile {
                    path,
                    problem: "no such file".to_owned(),
                })
            }
            FileRead::NotFound => {
                self.looked
                    .push(format!("{} (does not exist)", path.display()));
                self.phase = Phase::Metadata;
                self.step()
            }
            FileRead::Failed(problem) if matches!(source, AdcSource::EnvironmentVariable(_)) => {
                Err(AdcError::ExplicitFile { path, problem })
            }
            FileRead::Failed(problem) => Err(AdcError::Unreadable { path, problem }),
        }
    }

    /// The output of the last [`AdcStep::Ping`].
    pub fn pinged(&mut self, found: bool) -> Result<AdcStep, AdcError> {
        let Phase::Pinging(server) = std::mem::replace(&mut self.phase, Phase::Done) else {
            return self.step();
        };
        if found {
            return self.on_metadata(server);
        }
        match self.env.product_name_file() {
            Some(path) => {
                self.phase = Phase::Residency {
                    server,
                    path: path.clone(),
                };
                Ok(AdcStep::ReadFile(path))
            }
            None => {
                self.looked.push(format!(
                    "the metadata server at {} (did not answer as one)",
                    server.ping_root()
                ));
                Err(self.not_found())
            }
        }
    }

    /// The DMI product name was read (or not): `Google…` means a Compute
    /// Engine VM, as google-auth decides.
    fn residency_read(
        &mut self,
        server: MetadataServer,
        path: &Path,
        read: FileRead,
    ) -> Result<AdcStep, AdcError> {
        let path = path.display();
        let product = match &read {
            FileRead::Bytes(bytes)
                if String::from_utf8_lossy(bytes).trim().starts_with("Google") =>
            {
                return self.on_metadata(server);
            }
            FileRead::Bytes(_) => format!("{path} names another product"),
            FileRead::NotFound => format!("there is no {path}"),
            FileRead::Failed(_) => format!("{path} cannot be read"),
        };
        self.looked.push(format!(
            "the metadata server at {} (did not answer as one, and {product})",
            server.ping_root(),
        ));
        Err(self.not_found())
    }

    /// The program runs where `server` answers: its credentials, and the
    /// project id next unless the environment names it.
    fn on_metadata(&mut self, server: MetadataServer) -> Result<AdcStep, AdcError> {
        let quota = self.quota(None);
        let credentials = MetadataCredentials::new(server)
            .with_scopes(self.scopes.iter().cloned())
            .with_quota_project(quota);
        let found = DefaultCredentials::new(
            AnyCredentials::Metadata(credentials),
            AdcSource::Metadata,
            self.env.project_id().map(str::to_owned),
        );
        if found.project_id().is_some() {
            return Ok(AdcStep::Found(found));
        }
        self.phase = Phase::Project(found);
        self.step()
    }

    /// The output of the last [`AdcStep::FetchProject`] (`None` if it
    /// failed: the credentials work without it).
    pub fn project_fetched(&mut self, project: Option<String>) -> Result<AdcStep, AdcError> {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Project(found) => Ok(AdcStep::Found(DefaultCredentials::new(
                found.credentials().clone(),
                found.source().clone(),
                project.filter(|p| !p.is_empty()),
            ))),
            other => {
                self.phase = other;
                self.step()
            }
        }
    }

    /// The quota project: the one given, else the environment's, else
    /// `file`'s.
    fn quota(&self, file: Option<&str>) -> Option<String> {
        self.quota_project
            .as_deref()
            .or(self.env.quota_project())
            .or(file)
            .map(str::to_owned)
    }

    /// Notes a place that held nothing and moves on to `next`.
    fn passed(&mut self, place: &str, next: Phase) {
        self.looked.push(place.to_owned());
        self.phase = next;
    }

    fn not_found(&mut self) -> AdcError {
        self.phase = Phase::Done;
        AdcError::NotFound {
            looked: self.looked.clone(),
        }
    }
}

/// The metadata server of credentials found there.
fn found_server(found: &DefaultCredentials) -> MetadataServer {
    match found.credentials() {
        AnyCredentials::Metadata(credentials) => credentials.server().clone(),
        _ => MetadataServer::default(),
    }
}
