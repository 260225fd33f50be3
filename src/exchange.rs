//! The authorization code exchange ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)).

use url::Url;

use crate::authorize::PendingAuthorization;
use crate::call::{call_machine, TokenCall};
use crate::client::Client;
use crate::credentials::UserCredentials;
use crate::secret::AuthorizationCode;
use crate::token::request::{token_request_to, ClientAuth};

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
    call: TokenCall,
    context: Option<UserCredentials>,
}

impl CodeExchange {
    pub(crate) fn new(
        pending: PendingAuthorization,
        client: &Client,
        code: AuthorizationCode,
    ) -> Self {
        let auth = ClientAuth {
            method: client.auth_method,
            client_id: &client.id,
            secret: client.secret.as_ref(),
        };
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
        let token_uri: Url = client.token_endpoint.clone();
        let context = UserCredentials::empty(
            token_uri,
            client.id.clone(),
            client.secret.clone(),
            pending.scopes,
        )
        .with_response_limit(client.response_limit);
        Self {
            call: TokenCall::new(request, client.response_limit),
            context: Some(context),
        }
    }
}

call_machine!(CodeExchange => UserCredentials, |move base, response, sent_at| Ok(base.updated(response, sent_at)));
