//! The checks that a side did the same work as ours: the same request, the
//! same token fields.

use std::time::SystemTime;

use oauth2_sansio::{Credentials, TokenResponse, UserCredentials};

use super::fixtures::GoogleTokenResponse;
use crate::floor::TokenFields;

/// The same request, byte for byte: method, URI, headers (and which are
/// marked sensitive), body.
pub fn assert_identical_request(ours: &http::Request<Vec<u8>>, other: &http::Request<Vec<u8>>) {
    assert_eq!(ours.method(), other.method());
    assert_eq!(ours.uri(), other.uri());
    assert_eq!(ours.headers(), other.headers());
    for (name, value) in ours.headers() {
        assert_eq!(
            value.is_sensitive(),
            other.headers()[name].is_sensitive(),
            "{name}"
        );
    }
    assert_eq!(
        String::from_utf8_lossy(ours.body()),
        String::from_utf8_lossy(other.body())
    );
}

/// The fields every side reads from a token response, to compare them.
#[derive(Debug, PartialEq)]
pub struct TokenView {
    access_token: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
    id_token: Option<String>,
    scopes: Option<Vec<String>>,
}

impl TokenView {
    pub fn of_ours(response: &TokenResponse) -> Self {
        assert!(response.extra().is_empty());
        Self {
            access_token: response.access_token().secret().to_owned(),
            expires_in: response.expires_in(),
            refresh_token: response.refresh_token().map(|t| t.secret().to_owned()),
            id_token: response.id_token().map(|t| t.secret().to_owned()),
            scopes: response.scopes().map(<[String]>::to_vec),
        }
    }

    /// Credentials made from a response received at `received`.
    pub fn of_credentials(credentials: &UserCredentials, received: SystemTime) -> Self {
        let token = credentials.token().expect("a token");
        Self {
            access_token: token.token().secret().to_owned(),
            expires_in: token
                .expiry()
                .map(|at| at.duration_since(received).expect("later").as_secs()),
            refresh_token: credentials.refresh_token().map(|t| t.secret().to_owned()),
            id_token: credentials.id_token().map(|t| t.secret().to_owned()),
            scopes: credentials.granted_scopes().map(<[String]>::to_vec),
        }
    }

    pub fn of_oauth2(response: &GoogleTokenResponse) -> Self {
        use oauth2::TokenResponse;
        assert_eq!(
            *response.token_type(),
            oauth2::basic::BasicTokenType::Bearer
        );
        Self {
            access_token: response.access_token().secret().to_owned(),
            expires_in: response.expires_in().map(|d| d.as_secs()),
            refresh_token: response.refresh_token().map(|t| t.secret().to_owned()),
            id_token: response.extra_fields().id_token.clone(),
            scopes: response
                .scopes()
                .map(|scopes| scopes.iter().map(|s| s.to_string()).collect()),
        }
    }

    pub fn of_floor(fields: &TokenFields) -> Self {
        assert!(fields.extra.is_empty());
        Self {
            access_token: fields.access_token.to_string(),
            expires_in: fields.expires_in,
            refresh_token: fields.refresh_token.as_ref().map(|t| t.to_string()),
            id_token: fields.id_token.as_ref().map(|t| t.to_string()),
            scopes: fields.scopes.clone(),
        }
    }
}
