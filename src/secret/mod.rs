//! Secret strings: redacted when printed, zeroized when dropped.
//!
//! Every value that grants access (client secret, authorization code, PKCE
//! verifier, tokens, `state`) is one of the newtypes below. They print as
//! `[redacted]` in `Debug` and `Display`, overwrite their memory on drop, and
//! are read only through an explicit `secret()` call, so a secret never lands
//! in a log line or an error message by accident.
//!
//! They serialize with serde as the plain string, because the places that
//! serialize them (a [`PendingAuthorization`](crate::PendingAuthorization)
//! kept in a server session, an `authorized_user` file) must store the value
//! itself. Keep those stores private.

pub(crate) mod entropy;
pub mod wipe;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{ZeroizeOnDrop, Zeroizing};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Its memory is overwritten when it is dropped (it is
        /// [`ZeroizeOnDrop`]).
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Zeroizing<String>);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(Zeroizing::new(value.into()))
            }

            /// The secret itself. Every call site is a place a secret leaves
            /// the type's protection: send it, never log it.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        /// Its only field is a [`Zeroizing`], which wipes the string on drop.
        impl ZeroizeOnDrop for $name {}

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::new)
            }
        }
    };
}

secret_type! {
    /// A confidential client's secret ([RFC 6749 §2.3.1](https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1)).
    ClientSecret
}
secret_type! {
    /// An authorization code from the redirect ([RFC 6749 §4.1.2](https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2)).
    AuthorizationCode
}
secret_type! {
    /// A PKCE code verifier ([RFC 7636 §4.1](https://www.rfc-editor.org/rfc/rfc7636#section-4.1)).
    PkceVerifier
}
secret_type! {
    /// The anti-CSRF `state` value of one authorization request
    /// ([RFC 6749 §10.12](https://www.rfc-editor.org/rfc/rfc6749#section-10.12)).
    CsrfState
}
secret_type! {
    /// An access token ([RFC 6749 §1.4](https://www.rfc-editor.org/rfc/rfc6749#section-1.4)).
    AccessToken
}
secret_type! {
    /// A refresh token ([RFC 6749 §1.5](https://www.rfc-editor.org/rfc/rfc6749#section-1.5)).
    RefreshToken
}
secret_type! {
    /// An OpenID Connect ID token (a JWT), kept as the server sent it.
    IdToken
}
secret_type! {
    /// A PEM-encoded private key, such as a service-account key file's
    /// `private_key`.
    PrivateKeyPem
}
secret_type! {
    /// A signed JWT that proves who the client is: a service-account
    /// assertion ([RFC 7523](https://www.rfc-editor.org/rfc/rfc7523)) or a
    /// self-signed JWT used as a bearer token.
    Assertion
}
secret_type! {
    /// A device code ([RFC 8628 §3.2](https://www.rfc-editor.org/rfc/rfc8628#section-3.2)):
    /// whoever holds it collects the tokens once the user approves. Never
    /// shown; the user sees only the user code.
    DeviceCode
}
secret_type! {
    /// A security token given to or issued by a token exchange
    /// ([RFC 8693](https://www.rfc-editor.org/rfc/rfc8693)): a subject or
    /// actor token (a JWT, an ID token, a SAML assertion, ...) or the token
    /// the server issues in return.
    SecurityToken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = RefreshToken::new("1//very-secret");
        assert_eq!(format!("{s:?}"), "RefreshToken([redacted])");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(s.secret(), "1//very-secret");
    }

    /// Compiles only for a type that wipes its memory when dropped.
    fn wiped_on_drop<T: ZeroizeOnDrop>(_: &T) {}

    #[test]
    fn every_secret_keeps_its_value_in_a_zeroizing_string() {
        let storage: &Zeroizing<String> = &ClientSecret::new("s").0;
        wiped_on_drop(storage);
        wiped_on_drop(&AuthorizationCode::new("s").0);
        wiped_on_drop(&PkceVerifier::new("s").0);
        wiped_on_drop(&CsrfState::new("s").0);
        wiped_on_drop(&AccessToken::new("s").0);
        wiped_on_drop(&RefreshToken::new("s").0);
        wiped_on_drop(&IdToken::new("s").0);
        wiped_on_drop(&PrivateKeyPem::new("s").0);
        wiped_on_drop(&Assertion::new("s").0);
        wiped_on_drop(&DeviceCode::new("s").0);
        wiped_on_drop(&SecurityToken::new("s").0);
    }

    #[test]
    fn serde_is_the_plain_string() {
        let s = AccessToken::new("ya29.x");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"ya29.x\"");
        let back: AccessToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
