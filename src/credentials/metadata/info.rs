//! What else the metadata server tells: the project, the account's email,
//! the universe domain.

use super::get::{text, MetadataGet};
use super::server::MetadataServer;
use crate::error::Error;

/// The universe domain when the metadata server has none (HTTP 404).
pub const DEFAULT_UNIVERSE_DOMAIN: &str = "googleapis.com";

/// The bound on these small text answers.
const INFO_LIMIT: usize = 4 * 1024;

impl MetadataServer {
    /// A machine whose output is the project id (`project/project-id`).
    pub fn project_id(&self) -> MetadataGet<String> {
        MetadataGet::new(
            self.data_request("project/project-id", &[]),
            INFO_LIMIT,
            text,
        )
    }

    /// A machine whose output is the default service account's email
    /// (`instance/service-accounts/default/email`).
    pub fn account_email(&self) -> MetadataGet<String> {
        let request = self.data_request("instance/service-accounts/default/email", &[]);
        MetadataGet::new(request, INFO_LIMIT, text)
    }

    /// A machine whose output is the universe domain
    /// (`universe/universe-domain`; [`DEFAULT_UNIVERSE_DOMAIN`] when the
    /// server answers 404).
    pub fn universe_domain(&self) -> MetadataGet<String> {
        let request = self.data_request("universe/universe-domain", &[]);
        MetadataGet::new(request, INFO_LIMIT, universe)
    }
}

fn universe(status: u16, body: &[u8], limit: usize) -> Result<String, Error> {
    match status {
        404 => Ok(DEFAULT_UNIVERSE_DOMAIN.to_owned()),
        _ => text(status, body, limit),
    }
}
