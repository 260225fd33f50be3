//! The token a revocation or introspection is about.

use crate::secret::{AccessToken, RefreshToken};

/// A token to revoke or introspect, with the `token_type_hint` it is sent
/// with ([RFC 7009 §2.1](https://www.rfc-editor.org/rfc/rfc7009#section-2.1),
/// [RFC 7662 §2.1](https://www.rfc-editor.org/rfc/rfc7662#section-2.1)).
///
/// Made with `From`: `(&access_token).into()`, `(&refresh_token).into()`.
/// Its `Debug` shows the kind, never the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenRef<'a> {
    /// An access token, hint `access_token`.
    Access(&'a AccessToken),
    /// A refresh token, hint `refresh_token`.
    Refresh(&'a RefreshToken),
}

impl TokenRef<'_> {
    /// The token itself.
    pub(crate) fn secret(&self) -> &str {
        match self {
            TokenRef::Access(token) => token.secret(),
            TokenRef::Refresh(token) => token.secret(),
        }
    }

    /// The `token_type_hint` value.
    pub fn hint(&self) -> &'static str {
        match self {
            TokenRef::Access(_) => "access_token",
            TokenRef::Refresh(_) => "refresh_token",
        }
    }

    /// The form parameters naming the token: `token` and `token_type_hint`.
    pub(crate) fn params(&self) -> [(&str, &str); 2] {
        [("token", self.secret()), ("token_type_hint", self.hint())]
    }
}

impl<'a> From<&'a AccessToken> for TokenRef<'a> {
    fn from(token: &'a AccessToken) -> Self {
        TokenRef::Access(token)
    }
}

impl<'a> From<&'a RefreshToken> for TokenRef<'a> {
    fn from(token: &'a RefreshToken) -> Self {
        TokenRef::Refresh(token)
    }
}
