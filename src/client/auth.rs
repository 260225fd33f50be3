//! Who a client is and how it proves it: one value, held behind an `Arc` by
//! the [`Client`](crate::Client), the credentials it yields and every
//! machine that authenticates it.
//!
//! # The rule for the method of each request
//!
//! A method set explicitly ([`ClientBuilder::auth_method`](crate::ClientBuilder::auth_method),
//! [`ClientBuilder::private_key_jwt`](crate::ClientBuilder::private_key_jwt),
//! [`UserCredentials::with_refresh_auth`](crate::UserCredentials::with_refresh_auth))
//! is used for every request. Otherwise, as Google's libraries do:
//!
//! | the client has | refresh (`grant_type=refresh_token`) | every other request |
//! | --- | --- | --- |
//! | a secret | `client_secret_post` (google-auth) | `client_secret_basic` (google-auth-oauthlib) |
//! | no secret | `none` | `none` |

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use crate::client::assertion::{Audience, ClientAssertion, ClientAssertionKey};
use crate::client::ClientAuthMethod;
use crate::error::config::ConfigError;
use crate::error::Error;
use crate::machine::call::{Call, Parser};
use crate::secret::wipe::UnsentRequest;
use crate::secret::ClientSecret;
use crate::wire::form_post::{basic_credentials, ClientInForm};
use http::HeaderValue;

/// What a request is for, as far as the default method cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A refresh token grant.
    Refresh,
    /// Anything else: a code exchange, a revocation, a device poll, ...
    Other,
}

/// The client's id, its secret or key, and how it authenticates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClientIdentity {
    /// Shared with the pending authorizations made for the client.
    id: Arc<str>,
    secret: Option<ClientSecret>,
    /// The `Authorization: Basic` value of `id` and `secret`, made at the
    /// first request that uses it: every later one shares its buffer,
    /// zeroized when the last is dropped.
    basic: BasicHeader,
    /// Set explicitly; `None` follows the rule in the module docs.
    method: Option<ClientAuthMethod>,
    assertion: Option<ClientAssertion>,
}

/// The Basic header of an identity, once made: it follows from the id and
/// the secret, so two identities with those equal are equal whether or not
/// either has made it yet.
#[derive(Clone, Default)]
struct BasicHeader(OnceLock<HeaderValue>);

impl PartialEq for BasicHeader {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for BasicHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "made"
        } else {
            "not yet made"
        })
    }
}

impl ClientIdentity {
    /// A client authenticating with `secret`, or as a public client without
    /// one, by the default rule.
    pub(crate) fn new(id: String, secret: Option<ClientSecret>) -> Self {
        Self {
            id: id.into(),
            secret,
            basic: BasicHeader::default(),
            method: None,
            assertion: None,
        }
    }

    /// The same client, always authenticating with `method`; see
    /// [`check`](Self::check).
    pub(crate) fn with_method(mut self, method: ClientAuthMethod) -> Self {
        self.method = Some(method);
        self
    }

    /// Whether the method set explicitly has what it needs: a secret, or a
    /// key for `private_key_jwt`.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        match self.method {
            Some(ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost)
                if self.secret.is_none() =>
            {
                Err(ConfigError::SecretRequired)
            }
            Some(ClientAuthMethod::PrivateKeyJwt) if self.assertion.is_none() => {
                Err(ConfigError::AssertionKeyRequired)
            }
            _ => Ok(()),
        }
    }

    /// The same client, authenticating with `private_key_jwt`: assertions
    /// signed with `key` for `audience`.
    pub(crate) fn with_assertion(mut self, key: ClientAssertionKey, audience: Audience) -> Self {
        self.assertion = Some(ClientAssertion { key, audience });
        self.method = Some(ClientAuthMethod::PrivateKeyJwt);
        self
    }

    /// The client id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The client id, shared rather than copied.
    pub(crate) fn shared_id(&self) -> Arc<str> {
        Arc::clone(&self.id)
    }

    /// The client secret, if any.
    pub(crate) fn secret(&self) -> Option<&ClientSecret> {
        self.secret.as_ref()
    }

    /// The key and audience of `private_key_jwt`, if any.
    pub(crate) fn assertion(&self) -> Option<&ClientAssertion> {
        self.assertion.as_ref()
    }

    /// The method a request for `purpose` uses.
    pub(crate) fn method(&self, purpose: Purpose) -> ClientAuthMethod {
        match (self.method, &self.secret, purpose) {
            (Some(method), _, _) => method,
            (None, Some(_), Purpose::Refresh) => ClientAuthMethod::ClientSecretPost,
            (None, Some(_), Purpose::Other) => ClientAuthMethod::ClientSecretBasic,
            (None, None, _) => ClientAuthMethod::None,
        }
    }

    /// Where the client's credentials go in a form request for `purpose`
    /// (for `private_key_jwt`, the assertion is added when it is sent, by
    /// [`call`](Self::call)).
    pub(crate) fn in_form(&self, purpose: Purpose) -> ClientInForm<'_> {
        match (self.method(purpose), &self.secret) {
            (ClientAuthMethod::ClientSecretBasic, Some(secret)) => ClientInForm::Basic(
                self.basic
                    .0
                    .get_or_init(|| basic_credentials(&self.id, secret.secret())),
            ),
            (ClientAuthMethod::ClientSecretPost, Some(secret)) => ClientInForm::Body {
                id: &self.id,
                secret: Some(secret.secret()),
            },
            _ => ClientInForm::Body {
                id: &self.id,
                secret: None,
            },
        }
    }

    /// The call that sends `request`, built for `purpose` with
    /// [`in_form`](Self::in_form): as it is for a secret or a public
    /// client; for `private_key_jwt`, with a client assertion signed at the
    /// call's first poll, so that its `iat` and short `exp` count from when
    /// it is sent. Without the key it fails that poll with
    /// [`ConfigError::AssertionKeyRequired`].
    pub(crate) fn call<T>(
        self: &Arc<Self>,
        purpose: Purpose,
        request: http::Request<Vec<u8>>,
        limit: usize,
        parse: Parser<T>,
    ) -> Call<T> {
        if self.method(purpose) != ClientAuthMethod::PrivateKeyJwt {
            return Call::with_parser(request, limit, parse);
        }
        if self.assertion.is_none() {
            return Call::failed(Error::Config(ConfigError::AssertionKeyRequired));
        }
        let client = Arc::clone(self);
        let unsent = UnsentRequest::new(request);
        Call::built_when_sent(
            Box::new(move |now: SystemTime| {
                client.sign_into(UnsentRequest::new(unsent.duplicate()), now)
            }),
            limit,
            parse,
        )
    }

    /// `request` with a client assertion signed at `now` added.
    fn sign_into(
        &self,
        request: UnsentRequest,
        now: SystemTime,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let assertion = self
            .assertion
            .as_ref()
            .ok_or(Error::Config(ConfigError::AssertionKeyRequired))?;
        assertion.sign_into(request, &self.id, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(secret: Option<&str>) -> ClientIdentity {
        ClientIdentity::new("id".into(), secret.map(ClientSecret::new))
    }

    #[test]
    fn the_basic_header_is_made_once_and_does_not_change_equality() {
        let used = identity(Some("s p"));
        let fresh = identity(Some("s p"));
        let ClientInForm::Basic(first) = used.in_form(Purpose::Other) else {
            panic!("a secret goes in a Basic header by default");
        };
        let ClientInForm::Basic(second) = used.in_form(Purpose::Other) else {
            unreachable!()
        };
        assert!(std::ptr::eq(first, second), "made once");
        assert_eq!(first, "Basic aWQ6cytw");
        assert!(first.is_sensitive());
        assert_eq!(used, fresh);
        assert_ne!(used, identity(Some("other")));
    }

    #[test]
    fn the_default_rule_is_googles() {
        let confidential = identity(Some("s"));
        assert_eq!(
            confidential.method(Purpose::Other),
            ClientAuthMethod::ClientSecretBasic
        );
        assert_eq!(
            confidential.method(Purpose::Refresh),
            ClientAuthMethod::ClientSecretPost
        );
        let public = identity(None);
        assert_eq!(public.method(Purpose::Other), ClientAuthMethod::None);
        assert_eq!(public.method(Purpose::Refresh), ClientAuthMethod::None);
    }

    #[test]
    fn an_explicit_method_is_used_for_every_request() {
        let basic = identity(Some("s")).with_method(ClientAuthMethod::ClientSecretBasic);
        assert_eq!(
            basic.method(Purpose::Refresh),
            ClientAuthMethod::ClientSecretBasic
        );
        let none = identity(Some("s")).with_method(ClientAuthMethod::None);
        assert_eq!(none.method(Purpose::Other), ClientAuthMethod::None);
        assert!(matches!(
            none.in_form(Purpose::Other),
            ClientInForm::Body { secret: None, .. }
        ));
    }

    #[test]
    fn a_method_needs_what_it_uses() {
        for method in [
            ClientAuthMethod::ClientSecretBasic,
            ClientAuthMethod::ClientSecretPost,
        ] {
            assert_eq!(
                identity(None).with_method(method).check(),
                Err(ConfigError::SecretRequired)
            );
        }
        assert_eq!(
            identity(Some("s"))
                .with_method(ClientAuthMethod::PrivateKeyJwt)
                .check(),
            Err(ConfigError::AssertionKeyRequired)
        );
        assert_eq!(identity(None).check(), Ok(()));
    }
}
