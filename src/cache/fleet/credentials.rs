//! Which credentials a fleet can share, and how: what is shared of them
//! ([`SharedState`]) and what names them ([`FleetKey`]).

use super::key::FleetKey;
use super::state::SharedState;
use crate::credentials::kind::Credentials;
use crate::credentials::{ClientCredentials, UserCredentials};

/// Credentials whose token many processes can share through a fleet store.
///
/// Each instance keeps its own credentials (client secret, signing key,
/// DPoP key); the store holds only what a refresh changes.
pub trait FleetCredentials: Credentials + Clone {
    /// What the fleet shares of these credentials; `None` without a token.
    fn shared_state(&self) -> Option<SharedState>;

    /// These credentials with the token of `state`, and its refresh token
    /// if it has one.
    fn with_shared_state(&self, state: &SharedState) -> Self;

    /// The key of these credentials for `subject` (the account they act
    /// for): their token endpoint, client, scopes, parameters and DPoP key.
    fn fleet_key(&self, subject: &str) -> FleetKey;

    /// Whether the tokens are bound to a DPoP key, which every instance
    /// sharing them must then hold.
    fn is_dpop_bound(&self) -> bool;
}

impl FleetCredentials for UserCredentials {
    fn shared_state(&self) -> Option<SharedState> {
        let state = SharedState::new(self.token.clone()?)
            .with_dpop(self.token_is_dpop)
            .with_refresh_token(self.refresh_token.clone());
        Some(state)
    }

    fn with_shared_state(&self, state: &SharedState) -> Self {
        let mut credentials = self.clone();
        credentials.token = Some(state.token().clone());
        credentials.token_is_dpop = state.is_dpop() && credentials.dpop.is_some();
        if let Some(refresh_token) = state.refresh_token() {
            credentials.refresh_token = Some(refresh_token.clone());
        }
        credentials
    }

    fn fleet_key(&self, subject: &str) -> FleetKey {
        let key =
            FleetKey::new(self.token_uri.as_str(), self.client_id(), subject).scopes(&self.scopes);
        match &self.dpop {
            Some(dpop) => key.dpop_thumbprint(dpop.thumbprint()),
            None => key,
        }
    }

    fn is_dpop_bound(&self) -> bool {
        self.dpop.is_some()
    }
}

impl FleetCredentials for ClientCredentials {
    fn shared_state(&self) -> Option<SharedState> {
        Some(SharedState::new(self.token.clone()?).with_dpop(self.token_is_dpop))
    }

    fn with_shared_state(&self, state: &SharedState) -> Self {
        let mut credentials = self.clone();
        credentials.token = Some(state.token().clone());
        credentials.token_is_dpop = state.is_dpop() && credentials.dpop.is_some();
        credentials
    }

    /// The extra parameters (audience, resource) count as the audience.
    fn fleet_key(&self, subject: &str) -> FleetKey {
        let mut params = self.params.clone();
        params.sort();
        let params = serde_json::to_string(&params).expect("strings serialize");
        let key = FleetKey::new(&self.token_uri.to_string(), self.client.id(), subject)
            .scopes(self.scopes())
            .audience(&params);
        match &self.dpop {
            Some(dpop) => key.dpop_thumbprint(dpop.thumbprint()),
            None => key,
        }
    }

    fn is_dpop_bound(&self) -> bool {
        self.dpop.is_some()
    }
}
