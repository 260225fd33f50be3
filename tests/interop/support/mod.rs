//! What several interop files share.

use oauth2_sansio::UserCredentials;
use testkit::interop::{userinfo, InteropServer, SCOPES};

/// Credentials for `user1` with a refresh token, an ID token and the
/// scopes asked for, whose access token the userinfo endpoint accepts.
pub fn assert_signed_in(server: &InteropServer, credentials: &UserCredentials) {
    assert!(credentials.refresh_token().is_some(), "no refresh token");
    assert!(credentials.id_token().is_some(), "no ID token for openid");
    let granted = credentials
        .granted_scopes()
        .expect("the server returns scope");
    for scope in SCOPES {
        assert!(
            granted.iter().any(|g| g == scope),
            "{scope} not granted: {granted:?}"
        );
    }
    let claims = userinfo(server, credentials);
    assert_eq!(claims["sub"], "user1");
    assert_eq!(claims["email"], "user1@example.test");
}
