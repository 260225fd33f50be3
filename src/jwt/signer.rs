//! Who signs a JWT. The [`Signer`] trait keeps the private key out of the
//! crate: it can live in an HSM, a cloud KMS, or behind IAM's `signBlob`.

use std::fmt;

use super::Algorithm;

/// Signs the JWTs the crate builds (service-account assertions, self-signed
/// JWTs, ID-token requests).
///
/// The crate only ever hands a signer the JWS signing input
/// (`base64url(header) "." base64url(claims)`) and never sees a private
/// key: implement it over a KMS `asymmetricSign`, IAM `signBlob` or an HSM
/// as readily as over a local key (`RingSigner`,
/// feature `ring`). It is object-safe, `Send` and `Sync`, so credentials hold
/// it as `Arc<dyn Signer>` and share one signer between threads.
///
/// ```
/// use oauth2_sansio::jwt::{Algorithm, SignError, Signer};
///
/// /// Signs through a remote service (here a stand-in).
/// struct Kms { key_version: String }
///
/// impl Signer for Kms {
///     fn algorithm(&self) -> Algorithm { Algorithm::Rs256 }
///     fn key_id(&self) -> Option<&str> { Some(&self.key_version) }
///     fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
///         // call the KMS with SHA-256(message) here
///         let _ = message;
///         Err(SignError::retryable("the KMS is unavailable"))
///     }
/// }
/// ```
pub trait Signer: Send + Sync {
    /// The algorithm of the signatures: the JWT header's `alg`.
    fn algorithm(&self) -> Algorithm;

    /// The key's id, the JWT header's `kid` (a service account's
    /// `private_key_id`), if it has one; none by default.
    fn key_id(&self) -> Option<&str> {
        None
    }

    /// Signs `message` and returns the raw signature (for
    /// [`Algorithm::Rs256`]: RSASSA-PKCS1-v1_5 over SHA-256, as long as the
    /// modulus).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// What a signer is, never its key: its algorithm and key id.
impl fmt::Debug for dyn Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("algorithm", &self.algorithm())
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// A [`Signer`] could not sign.
///
/// Its message comes from the signer and must not contain secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignError {
    message: String,
    retryable: bool,
}

impl SignError {
    /// A failure that signing again will not fix (a bad key, a refused
    /// permission).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
        }
    }

    /// A failure that may pass if signing is tried again later (a remote
    /// signer that is unreachable or overloaded).
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: true,
        }
    }

    /// The signer's description.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether signing again later may succeed.
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "signing the JWT failed: {}", self.message)?;
        if self.retryable {
            f.write_str("; try again later")?;
        }
        Ok(())
    }
}

impl std::error::Error for SignError {}
