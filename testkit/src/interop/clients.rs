//! The provider's static client registrations, read from
//! `interop/clients.json` (the same file server.mjs registers).

use std::path::Path;

use std::sync::Arc;

use oauth2_sansio::jwt::RingSigner;
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::{ClientAssertionKey, ClientAuthMethod, ClientSecret};
use rand::rngs::SysRng;
use serde::Deserialize;

/// A confidential web client authenticating with HTTP Basic; its secret has
/// characters that must be form-urlencoded before base64.
pub const WEB_BASIC: &str = "web-basic";
/// A confidential web client authenticating with `client_secret_post`.
pub const WEB_POST: &str = "web-post";
/// A public native client (no secret, PKCE); loopback redirects on any port.
pub const NATIVE_PUBLIC: &str = "native-public";
/// A confidential native client (Google's "installed" kind, HTTP Basic).
pub const NATIVE_CONFIDENTIAL: &str = "native-confidential";

/// A confidential native client authenticating with `private_key_jwt`: its
/// registered `jwks` is the public half of [`CLIENT_KEY_PEM`].
pub const NATIVE_PRIVATE_KEY_JWT: &str = "native-private-key-jwt";
/// The private key of [`NATIVE_PRIVATE_KEY_JWT`] (a committed test key).
pub const CLIENT_KEY_PEM: &str =
    include_str!("../../../tests/fixtures/service_account/rsa3072_pkcs8.pem");
/// The `kid` it is registered under.
pub const CLIENT_KEY_ID: &str = "interop-client-key";

/// The redirect URI registered for both web clients (nothing listens
/// there: the [`UserAgent`](super::UserAgent) stops at it).
pub const WEB_REDIRECT_URI: &str = "https://web.example.test/callback";

/// One client registration, as the provider has it.
#[derive(Debug, Clone, Deserialize)]
pub struct Registration {
    pub client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    pub token_endpoint_auth_method: String,
    pub application_type: String,
    pub redirect_uris: Vec<String>,
    pub grant_types: Vec<String>,
    /// The public keys of a `private_key_jwt` client.
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
}

impl Registration {
    /// The registered secret (`None` for a public client).
    pub fn secret(&self) -> Option<ClientSecret> {
        self.client_secret.clone().map(ClientSecret::new)
    }

    /// The crate's name for the registered `token_endpoint_auth_method`.
    pub fn auth_method(&self) -> ClientAuthMethod {
        match self.token_endpoint_auth_method.as_str() {
            "client_secret_basic" => ClientAuthMethod::ClientSecretBasic,
            "client_secret_post" => ClientAuthMethod::ClientSecretPost,
            "none" => ClientAuthMethod::None,
            "private_key_jwt" => ClientAuthMethod::PrivateKeyJwt,
            other => panic!("clients.json: no crate equivalent of {other}"),
        }
    }

    /// The key of a `private_key_jwt` client: [`CLIENT_KEY_PEM`], its `jti`
    /// seed from the system RNG.
    pub fn assertion_key(&self) -> Option<ClientAssertionKey> {
        (self.auth_method() == ClientAuthMethod::PrivateKeyJwt).then(|| client_key(CLIENT_KEY_PEM))
    }

    /// Whether this is a native (installed-app) client.
    pub fn is_native(&self) -> bool {
        self.application_type == "native"
    }
}

#[derive(Deserialize)]
struct File {
    clients: Vec<Registration>,
}

/// Every registration in `clients.json`.
pub(crate) fn load(interop_dir: &Path) -> Vec<Registration> {
    let path = interop_dir.join("clients.json");
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file: File = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{} is not valid: {e}", path.display()));
    file.clients
}

/// A `private_key_jwt` key over `pem`, registered or not, under
/// [`CLIENT_KEY_ID`].
pub fn client_key(pem: &str) -> ClientAssertionKey {
    let signer = RingSigner::from_pem(pem, Some(CLIENT_KEY_ID.into())).expect("a valid test key");
    ClientAssertionKey::new(Arc::new(signer), &mut UnwrapErr(SysRng))
}
