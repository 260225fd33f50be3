//! `login --issuer` and `verify-id-token --issuer`: the server's discovery document.

use oauth2_sansio::discovery::{AuthorizationServerMetadata, DiscoveryRequest, WellKnown};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::{ClientBuilder, ClientSecrets};

use crate::diagnose::token_request_failed;
use crate::exit::{Failure, LOCAL};

/// A builder for the file's client at `issuer`, every endpoint from the
/// issuer's OpenID Connect discovery document.
pub fn client_builder(issuer: &str, secrets: &ClientSecrets) -> Result<ClientBuilder, Failure> {
    Ok(secrets.client_builder_at(&metadata(issuer)?))
}

/// `issuer`'s OpenID Connect discovery document.
pub fn metadata(issuer: &str) -> Result<AuthorizationServerMetadata, Failure> {
    let discovery = DiscoveryRequest::new(issuer, WellKnown::OpenIdConfiguration)
        .build()
        .map_err(|e| Failure::new(LOCAL, format!("--issuer {issuer}: {e}")))?;
    UreqTransport::new().run(discovery).map_err(|e| {
        token_request_failed(
            &format!("reading the discovery document of {issuer} failed"),
            &e,
            "",
        )
    })
}
