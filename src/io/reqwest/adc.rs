//! Application Default Credentials over the async transport, and a cached
//! token source: two lines to a token.

use std::time::SystemTime;

use super::ReqwestTransport;
use crate::adc::{Adc, AdcError, AdcStep, DefaultCredentials};
use crate::cache::{CachedToken, SharedToken, TokenError};
use crate::io::adc::{process_environment, read_file};
use crate::io::subject_token::with_process_sources;
use crate::Credentials;

/// The wait of a machine, on tokio's timer (reqwest runs on tokio).
fn sleep_until(until: SystemTime) -> tokio::time::Sleep {
    tokio::time::sleep(until.duration_since(SystemTime::now()).unwrap_or_default())
}

impl ReqwestTransport {
    /// Carries out `adc`'s search: files read from disk (small and
    /// bounded), the metadata server pinged (and asked for the project id)
    /// through this transport.
    pub async fn find_default_credentials(
        &self,
        mut adc: Adc,
    ) -> Result<DefaultCredentials, AdcError> {
        let mut step = adc.step()?;
        loop {
            step = match step {
                AdcStep::ReadFile(path) => adc.file_read(read_file(&path))?,
                AdcStep::Ping(ping) => {
                    adc.pinged(self.run(ping, sleep_until).await.unwrap_or(false))?
                }
                AdcStep::FetchProject(fetch) => {
                    adc.project_fetched(self.run(fetch, sleep_until).await.ok())?
                }
                AdcStep::Found(found) => return Ok(found.map_credentials(with_process_sources)),
            };
        }
    }
}

/// Application Default Credentials for `scopes`, from this process's
/// environment, files and (on Google Cloud) metadata server.
pub async fn default_credentials<I, S>(scopes: I) -> Result<DefaultCredentials, AdcError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let adc = Adc::new(process_environment()).with_scopes(scopes);
    ReqwestTransport::new().find_default_credentials(adc).await
}

/// A valid token whenever asked: the credentials cached, renewed before
/// they expire, one refresh for every task that asks at once. The
/// [module docs](super) show it.
#[derive(Debug)]
pub struct TokenSource<C: Credentials> {
    cache: SharedToken<C>,
    transport: ReqwestTransport,
}

impl<C: Credentials> TokenSource<C> {
    /// Tokens of `credentials`, renewed through `transport`.
    pub fn new(credentials: C, transport: ReqwestTransport) -> Self {
        Self {
            cache: SharedToken::new(credentials),
            transport,
        }
    }

    /// A token valid now, renewed first if needed.
    pub async fn token(&self) -> Result<CachedToken<C>, TokenError> {
        self.cache
            .token_async_with(SystemTime::now, |refresh| {
                self.transport.run(refresh, sleep_until)
            })
            .await
    }

    /// The cache, for its latest credentials and failures.
    pub fn cache(&self) -> &SharedToken<C> {
        &self.cache
    }
}

/// A token source over [`default_credentials`] for `scopes`.
pub async fn default_token_source<I, S>(
    scopes: I,
) -> Result<TokenSource<DefaultCredentials>, AdcError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let credentials = default_credentials(scopes).await?;
    Ok(TokenSource::new(credentials, ReqwestTransport::new()))
}
