//! The STS half of an external account's refresh: the subject token
//! exchanged for a Google access token, as google-auth sends it.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::credentials::ExternalAccountCredentials;
use crate::client::ClientAuthMethod;
use crate::error::Error;
use crate::flows::token_exchange::{token_types, TokenExchangeRequest, TokenExchangeResponse};
use crate::machine::call::Call;
use crate::secret::{ClientSecret, SecurityToken};

/// The token exchange of `subject` for `credentials`: `audience`, `scope`
/// (space-joined), `requested_token_type` access token, the subject token
/// and its type, in google-auth's order; `Authorization: Basic` when the
/// file has a `client_id`; `options` with the workforce pool user project
/// only without one. Ends with `credentials` holding the new token.
pub(super) fn exchange(
    credentials: ExternalAccountCredentials,
    subject: SecurityToken,
) -> Result<Call<TokenExchangeResponse, ExternalAccountCredentials>, Error> {
    let config = &credentials.config;
    let mut request = TokenExchangeRequest::new(
        config.token_url.as_str(),
        subject,
        config.subject_token_type.as_str(),
    )
    .audience(config.audience.as_str())
    .scopes(credentials.scopes.iter().cloned())
    .requested_token_type(token_types::ACCESS_TOKEN)
    .response_limit(credentials.response_limit);
    match (&config.client_id, &config.workforce_pool_user_project) {
        (Some(id), _) => {
            // google-auth sends `id:` when there is no secret.
            let secret = config
                .client_secret
                .clone()
                .unwrap_or_else(|| ClientSecret::new(""));
            request = request.client_authentication(
                ClientAuthMethod::ClientSecretBasic,
                id,
                Some(secret),
            );
        }
        (None, Some(project)) => request = request.param("options", user_project_options(project)),
        (None, None) => {}
    }
    Ok(request.build_call()?.with_context(credentials))
}

/// What Python's `urllib.parse.quote` leaves as it is: letters, digits,
/// `_.-~` and `/`.
pub(super) const PYTHON_QUOTE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~')
    .remove(b'/');

/// The `options` value for a workforce pool's user project, encoded once
/// before the form encodes it again: google-auth sends
/// `quote(json.dumps({"userProject": P}))`, so the wire carries
/// `%257B%2522userProject%2522...`. Google's STS accepts it (google-auth
/// and gcloud have sent it for years); google-cloud-rust and Go send the
/// JSON once-encoded, which it accepts too. The crate sends google-auth's
/// bytes: the same request as the reference library, checked against a
/// capture of it.
pub(super) fn user_project_options(project: &str) -> String {
    // json.dumps's default separators: ", " and ": ".
    let json = format!("{{\"userProject\": {}}}", serde_json::Value::from(project));
    utf8_percent_encode(&json, PYTHON_QUOTE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_encoded_as_google_auth_encodes_them() {
        assert_eq!(
            user_project_options("123456"),
            "%7B%22userProject%22%3A%20%22123456%22%7D"
        );
    }
}
