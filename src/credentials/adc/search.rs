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
    /// bytes) and hand the outcome to [`Adc::file_read`].
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
/// 3. the metadata server, if its ping answers (`NO_GCE_CHECK=true` skips
///    it).
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
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
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
                    None => {
                        self.looked
                            .push("GOOGLE_APPLICATION_CREDENTIALS (not set)".to_owned());
                        self.phase = Phase::Gcloud;
                    }
                },
                Phase::Gcloud => match self.env.gcloud_file() {
                    Some(path) => return Ok(self.read(path, false)),
                    None => {
                        self.looked
                            .push("gcloud's file (no home directory to find it in)".to_owned());
                        self.phase = Phase::Metadata;
                    }
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
            other => {
                self.phase = other;
                return self.step();
            }
        };
        match read {
            FileRead::Bytes(mut bytes) => {
                let read = read_credentials(&path, &bytes, &self.scopes);
                bytes.zeroize();
                let (credentials, facts) = read?;
                let quota = self.quota(facts.quota_project.as_deref());
                let credentials = credentials.with_quota_project(quota);
                let project = self
                    .env
                    .project_id()
                    .map(str::to_owned)
                    .or(facts.project_id);
                Ok(AdcStep::Found(DefaultCredentials::new(
                    credentials,
                    source,
                    project,
                )))
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
        if !found {
            self.looked.push(format!(
                "the metadata server at {} (no answer)",
                server.ping_root()
            ));
            return Err(self.not_found());
        }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::credentials::kind::Credentials;

    const USER: &str = r#"{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r","quota_project_id":"file-quota"}"#;

    /// What the IO layer would find, and what the search asked of it.
    struct World {
        vars: Vec<(&'static str, &'static str)>,
        files: BTreeMap<PathBuf, &'static str>,
        metadata: bool,
        asked: Vec<String>,
    }

    impl World {
        fn new(vars: &[(&'static str, &'static str)]) -> Self {
            Self {
                vars: vars.to_vec(),
                files: BTreeMap::new(),
                metadata: false,
                asked: Vec::new(),
            }
        }

        fn file(mut self, path: &str, contents: &'static str) -> Self {
            self.files.insert(PathBuf::from(path), contents);
            self
        }

        fn search(&mut self, adc: impl FnOnce(Adc) -> Adc) -> Result<DefaultCredentials, AdcError> {
            let vars = self.vars.clone();
            let env = AdcEnvironment::new(
                |name| {
                    vars.iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| (*v).to_owned())
                },
                Some(PathBuf::from("/home/u")),
                false,
            );
            let mut search = adc(Adc::new(env));
            let mut step = search.step()?;
            loop {
                step = match step {
                    AdcStep::ReadFile(path) => {
                        self.asked.push(format!("read {}", path.display()));
                        let read = match self.files.get(&path) {
                            Some(contents) => FileRead::Bytes(contents.as_bytes().to_vec()),
                            None => FileRead::NotFound,
                        };
                        search.file_read(read)?
                    }
                    AdcStep::Ping(_) => {
                        self.asked.push("ping".to_owned());
                        search.pinged(self.metadata)?
                    }
                    AdcStep::FetchProject(_) => {
                        self.asked.push("project".to_owned());
                        search.project_fetched(Some("mds-project".to_owned()))?
                    }
                    AdcStep::Found(found) => return Ok(found),
                };
            }
        }
    }

    const GCLOUD: &str = "/home/u/.config/gcloud/application_default_credentials.json";

    #[test]
    fn every_combination_of_the_three_sources_follows_google_auths_order() {
        for explicit in ["unset", "missing", "present"] {
            for gcloud in [false, true] {
                for metadata in [false, true] {
                    let mut vars = vec![];
                    if explicit != "unset" {
                        vars.push(("GOOGLE_APPLICATION_CREDENTIALS", "/keys/sa.json"));
                    }
                    let mut world = World::new(&vars);
                    if explicit == "present" {
                        world = world.file("/keys/sa.json", USER);
                    }
                    if gcloud {
                        world = world.file(GCLOUD, USER);
                    }
                    world.metadata = metadata;
                    let result = world.search(|adc| adc);
                    let case = format!("{explicit} {gcloud} {metadata}: {:?}", world.asked);
                    match (explicit, gcloud, metadata) {
                        ("present", _, _) => {
                            let found = result.expect(&case);
                            assert!(
                                matches!(found.source(), AdcSource::EnvironmentVariable(_)),
                                "{case}"
                            );
                            assert_eq!(world.asked, ["read /keys/sa.json"], "{case}");
                        }
                        ("missing", _, _) => {
                            assert!(
                                matches!(result, Err(AdcError::ExplicitFile { .. })),
                                "{case}"
                            );
                            assert_eq!(
                                world.asked,
                                ["read /keys/sa.json"],
                                "not a fall-through: {case}"
                            );
                        }
                        (_, true, _) => {
                            let found = result.expect(&case);
                            assert!(matches!(found.source(), AdcSource::Gcloud(_)), "{case}");
                            assert_eq!(world.asked, [format!("read {GCLOUD}")], "{case}");
                        }
                        (_, false, true) => {
                            let found = result.expect(&case);
                            assert_eq!(found.source(), &AdcSource::Metadata, "{case}");
                            assert_eq!(found.project_id(), Some("mds-project"), "{case}");
                            assert_eq!(
                                world.asked,
                                [format!("read {GCLOUD}"), "ping".into(), "project".into()],
                                "{case}"
                            );
                        }
                        (_, false, false) => {
                            let Err(AdcError::NotFound { looked }) = result else {
                                panic!("{case}")
                            };
                            assert_eq!(looked.len(), 3, "every place is named: {looked:?}");
                            let message = AdcError::NotFound { looked }.to_string();
                            for place in
                                ["GOOGLE_APPLICATION_CREDENTIALS", GCLOUD, "metadata server"]
                            {
                                assert!(message.contains(place), "{message}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn no_gce_check_skips_the_metadata_server() {
        let mut world = World::new(&[("NO_GCE_CHECK", "true")]);
        world.metadata = true;
        let error = world.search(|adc| adc).unwrap_err();
        assert!(error.to_string().contains("NO_GCE_CHECK"), "{error}");
        assert_eq!(world.asked, [format!("read {GCLOUD}")]);
    }

    #[test]
    fn the_quota_project_given_beats_the_environment_which_beats_the_file() {
        let quota = |vars: &[(&'static str, &'static str)], given: Option<&str>| {
            let mut world = World::new(vars).file(GCLOUD, USER);
            let found = world
                .search(|adc| match given {
                    Some(given) => adc.with_quota_project(given),
                    None => adc,
                })
                .unwrap();
            found.quota_project().map(str::to_owned)
        };
        assert_eq!(quota(&[], None).as_deref(), Some("file-quota"));
        let env = [("GOOGLE_CLOUD_QUOTA_PROJECT", "env-quota")];
        assert_eq!(quota(&env, None).as_deref(), Some("env-quota"));
        assert_eq!(quota(&env, Some("given")).as_deref(), Some("given"));
    }

    #[test]
    fn the_project_comes_from_the_environment_first() {
        let mut world = World::new(&[("GOOGLE_CLOUD_PROJECT", "env-project")]);
        world.metadata = true;
        let found = world.search(|adc| adc).unwrap();
        assert_eq!(found.project_id(), Some("env-project"));
        assert!(
            !world.asked.contains(&"project".to_owned()),
            "{:?}",
            world.asked
        );
    }

    #[test]
    fn types_not_supported_yet_are_named() {
        for kind in [
            "external_account",
            "impersonated_service_account",
            "external_account_authorized_user",
            "x\u{202e}y",
        ] {
            let contents: &'static str =
                Box::leak(format!(r#"{{"type":"{kind}"}}"#).into_boxed_str());
            let mut world = World::new(&[]).file(GCLOUD, contents);
            let error = world.search(|adc| adc).unwrap_err();
            let AdcError::UnsupportedType { kind: named, .. } = &error else {
                panic!("{error:?}")
            };
            assert!(!named.contains('\u{202e}'), "{named:?}");
            assert!(error.to_string().contains("not supported yet"), "{error}");
        }
    }

    #[test]
    fn a_file_without_a_type_is_invalid_and_names_the_file() {
        let mut world = World::new(&[]).file(GCLOUD, r#"{"client_id":"c"}"#);
        let error = world.search(|adc| adc).unwrap_err();
        assert!(matches!(error, AdcError::Invalid { .. }), "{error:?}");
        assert!(error.to_string().contains(GCLOUD), "{error}");
    }

    #[test]
    fn scopes_reach_the_metadata_server() {
        let mut world = World::new(&[]);
        world.metadata = true;
        let found = world.search(|adc| adc.with_scopes(["s1", "s2"])).unwrap();
        let AnyCredentials::Metadata(credentials) = found.credentials() else {
            panic!("metadata")
        };
        assert_eq!(credentials.scopes(), ["s1", "s2"]);
    }
}
