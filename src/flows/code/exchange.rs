//! The authorization code exchange ([RFC 6749 §4.1.3](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3)).

use crate::client::auth::Purpose;
use crate::client::Client;
use crate::credentials::UserCredentials;
use crate::flows::code::authorize::PendingAuthorization;
use crate::machine::call::Call;
use crate::secret::AuthorizationCode;
use crate::wire::form_post::form_post;
use crate::wire::token_response::TokenResponse;

/// Exchanges an authorization code for [`UserCredentials`]. Made by
/// [`PendingAuthorization::complete`].
///
/// Sends what google-auth-oauthlib sends: a POST to the token endpoint with
/// `Accept: application/json`, the client authenticated as configured
/// (HTTP Basic by default), and the body
/// `grant_type=authorization_code&code_verifier=…&code=…&redirect_uri=…`.
pub type CodeExchange = Call<TokenResponse, UserCredentials>;

/// The code exchange for `pending`, answered to `client` with `code`.
pub(crate) fn code_exchange(
    pending: PendingAuthorization,
    client: &Client,
    code: AuthorizationCode,
) -> CodeExchange {
    let identity = &client.identity;
    let request = form_post(
        client.token_endpoint.uri(),
        Some("authorization_code"),
        identity.in_form(Purpose::Other),
        &[
            ("code_verifier", pending.code_verifier.secret()),
            ("code", code.secret()),
            ("redirect_uri", &pending.redirect_uri),
        ],
    );
    identity
        .call(
            Purpose::Other,
            request,
            client.response_limit,
            TokenResponse::parse,
        )
        .with_context(UserCredentials::for_client(client, pending.scopes))
}
