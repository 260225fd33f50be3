//! The authorization code exchange ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)).

use crate::client::assertion::authenticated_call;
use crate::client::auth::client_auth;
use crate::client::Client;
use crate::credentials::UserCredentials;
use crate::flows::code::authorize::PendingAuthorization;
use crate::machine::call::call_machine;
use crate::machine::lazy_call::LazyCall;
use crate::secret::AuthorizationCode;
use crate::wire::token_request::token_request_to;
use crate::wire::token_response::TokenResponse;

/// Exchanges an authorization code for [`UserCredentials`]. Made by
/// [`PendingAuthorization::complete`].
///
/// Sends what google-auth-oauthlib sends: a POST to the token endpoint with
/// `Accept: application/json`, the client authenticated as configured
/// (HTTP Basic by default), and the body
/// `grant_type=authorization_code&code_verifier=…&code=…&redirect_uri=…`.
#[derive(Debug)]
#[must_use = "a machine does nothing until driven"]
pub struct CodeExchange {
    call: LazyCall<TokenResponse>,
    context: Option<UserCredentials>,
}

impl CodeExchange {
    pub(crate) fn new(
        pending: PendingAuthorization,
        client: &Client,
        code: AuthorizationCode,
    ) -> Self {
        let auth = client_auth(client);
        let request = token_request_to(
            client.token_uri.clone(),
            auth,
            "authorization_code",
            &[
                ("code_verifier", pending.code_verifier.secret()),
                ("code", code.secret()),
                ("redirect_uri", &pending.redirect_uri),
            ],
        );
        Self {
            call: authenticated_call(request, auth, client.response_limit, TokenResponse::parse),
            context: Some(UserCredentials::for_client(client, pending.scopes)),
        }
    }
}

call_machine!(CodeExchange => UserCredentials, |move base, response, sent_at| Ok(base.updated(response, sent_at)));
