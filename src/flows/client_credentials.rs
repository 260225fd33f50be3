//! Starting the client credentials grant from a [`Client`]; the
//! credentials and the grant machine are in
//! [`credentials::client`](crate::credentials::client).

use crate::client::Client;
use crate::credentials::client::{ClientCredentials, ClientCredentialsGrant};
use crate::error::config::ConfigError;
use crate::flows::params::check_scopes_and_params;

/// Parameters the grant sets itself.
const RESERVED: [&str; 2] = ["grant_type", "scope"];

/// Builds a client credentials grant; see [`Client::client_credentials`].
#[derive(Debug, Clone)]
#[must_use = "call build() to get the machine"]
pub struct ClientCredentialsRequest<'c> {
    client: &'c Client,
    scopes: Vec<String>,
    params: Vec<(String, String)>,
}

impl Client {
    /// Starts a client credentials grant at the token endpoint.
    ///
    /// ```
    /// use oauth2_sansio::{drive, Client, ClientSecret, Credentials, Freshness};
    ///
    /// let client = Client::builder("svc")
    ///     .client_secret(ClientSecret::new("svc-secret"))
    ///     .authorization_endpoint("https://as.example/authorize")
    ///     .token_endpoint("https://as.example/token")
    ///     .build()?;
    /// let grant = client.client_credentials().scope("read").build()?;
    /// let now = std::time::SystemTime::now();
    /// let credentials = drive(
    ///     grant,
    ///     || now,
    ///     |request| {
    ///         assert_eq!(request.body(), b"grant_type=client_credentials&scope=read");
    ///         Ok(oauth2_sansio::http::Response::new(br#"{"access_token":"at","token_type":"Bearer","expires_in":3600}"#.to_vec()))
    ///     },
    ///     |_| {},
    /// )?;
    /// assert_eq!(credentials.freshness(now), Freshness::Fresh);
    /// let again = credentials.refresh(); // the same request, when it goes stale
    /// # let _ = again;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_credentials(&self) -> ClientCredentialsRequest<'_> {
        ClientCredentialsRequest {
            client: self,
            scopes: Vec::new(),
            params: Vec::new(),
        }
    }
}

impl ClientCredentialsRequest<'_> {
    crate::flows::params::scope_setters!();

    crate::flows::params::param_setter! {
        /// Any other form parameter (`audience`, `resource`, ...).
        /// `grant_type`, `scope` and the client authentication parameters
        /// (`client_id`, `client_secret`, `client_assertion`,
        /// `client_assertion_type`) are refused by `build`.
        params
    }

    /// Checks the scopes and parameters and makes the machine.
    pub fn build(self) -> Result<ClientCredentialsGrant, ConfigError> {
        Ok(self.credentials()?.grant())
    }

    /// Checks the scopes and parameters and makes the credentials, without
    /// a token yet: their [`refresh`](crate::Credentials::refresh) asks for
    /// one (what a [`TokenManager`](crate::cache::TokenManager) does).
    pub fn credentials(self) -> Result<ClientCredentials, ConfigError> {
        check_scopes_and_params(&self.scopes, &self.params, &RESERVED)?;
        Ok(ClientCredentials::new(
            self.client,
            self.scopes,
            self.params,
        ))
    }
}
