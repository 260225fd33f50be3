//! Application Default Credentials over the blocking transport, and a
//! cached token source: two lines to a token.

use std::time::SystemTime;

use super::UreqTransport;
use crate::adc::{Adc, AdcError, AdcStep, DefaultCredentials};
use crate::cache::{CachedToken, SharedToken, TokenError};
use crate::io::adc::{process_environment, read_file};
use crate::io::subject_token::with_process_sources;
use crate::Credentials;

impl UreqTransport {
    /// Carries out `adc`'s search: files read from disk, the metadata
    /// server pinged (and asked for the project id) through this transport.
    pub fn find_default_credentials(&self, mut adc: Adc) -> Result<DefaultCredentials, AdcError> {
        let mut step = adc.step()?;
        loop {
            step = match step {
                AdcStep::ReadFile(path) => adc.file_read(read_file(&path))?,
                AdcStep::Ping(ping) => adc.pinged(self.run(ping).unwrap_or(false))?,
                AdcStep::FetchProject(fetch) => adc.project_fetched(self.run(fetch).ok())?,
                AdcStep::Found(found) => return Ok(found.map_credentials(with_process_sources)),
            };
        }
    }
}

/// Application Default Credentials for `scopes`, from this process's
/// environment, files and (on Google Cloud) metadata server.
pub fn default_credentials<I, S>(scopes: I) -> Result<DefaultCredentials, AdcError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    UreqTransport::new()
        .find_default_credentials(Adc::new(process_environment()).with_scopes(scopes))
}

/// A valid token whenever asked: the credentials cached, renewed before
/// they expire, one refresh for every thread that asks at once.
///
/// ```no_run
/// let source = oauth2_sansio::io::ureq::default_token_source(["https://www.googleapis.com/auth/cloud-platform"])?;
/// let token = source.token()?; // token.authorize(&mut request, now), or token.bearer()
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TokenSource<C: Credentials> {
    cache: SharedToken<C>,
    transport: UreqTransport,
}

impl<C: Credentials> TokenSource<C> {
    /// Tokens of `credentials`, renewed through `transport`.
    pub fn new(credentials: C, transport: UreqTransport) -> Self {
        Self {
            cache: SharedToken::new(credentials),
            transport,
        }
    }

    /// A token valid now, renewed first if needed (blocking).
    pub fn token(&self) -> Result<CachedToken<C>, TokenError> {
        self.cache
            .token_with(SystemTime::now, |refresh| self.transport.run(refresh))
    }

    /// The cache, for its latest credentials and failures.
    pub fn cache(&self) -> &SharedToken<C> {
        &self.cache
    }
}

/// A token source over [`default_credentials`] for `scopes`.
pub fn default_token_source<I, S>(scopes: I) -> Result<TokenSource<DefaultCredentials>, AdcError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    Ok(TokenSource::new(
        default_credentials(scopes)?,
        UreqTransport::new(),
    ))
}
