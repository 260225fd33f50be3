//! How a client authenticates, borrowed for one request.

use crate::client::Client;
use crate::wire::token_request::ClientAuth;

/// How `client` authenticates (at any of its endpoints).
pub(crate) fn client_auth(client: &Client) -> ClientAuth<'_> {
    ClientAuth {
        method: client.auth_method,
        client_id: &client.id,
        secret: client.secret.as_ref(),
        assertion: client.assertion.as_deref(),
    }
}
