//! A [`Signer`] whose key stays with Google: IAM's `signBlob` over the
//! blocking transport.

use std::sync::Mutex;

use super::UreqTransport;
use crate::impersonated::ImpersonatedCredentials;
use crate::jwt::{Algorithm, SignError, Signer};

/// Signs JWTs as an impersonated service account through IAM's `signBlob`
/// (RS256 with one of the account's Google-managed keys), so self-signed
/// JWTs, `private_key_jwt` assertions and ID-token grants work without a
/// key file. Each signature is one request (after renewing the source when
/// its token is not fresh; the renewed source is kept for the next).
///
/// `key_id` is `None`: IAM names the key only in its answer, after the
/// header it would go in has been signed.
pub struct IamSigner {
    transport: UreqTransport,
    impersonated: Mutex<ImpersonatedCredentials>,
}

impl IamSigner {
    /// Signs as `impersonated`'s target through `transport`.
    pub fn new(transport: UreqTransport, impersonated: ImpersonatedCredentials) -> Self {
        Self {
            transport,
            impersonated: Mutex::new(impersonated),
        }
    }

    fn credentials(&self) -> ImpersonatedCredentials {
        match self.impersonated.lock() {
            Ok(held) => held.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl Signer for IamSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let credentials = self.credentials();
        match self.transport.run(credentials.sign_blob(message)) {
            Ok((signed, source)) => {
                if let Ok(mut held) = self.impersonated.lock() {
                    held.replace_source(source);
                }
                Ok(signed.signature)
            }
            Err(error) => {
                let message = format!(
                    "IAM signBlob as {}: {error}",
                    credentials.target_principal()
                );
                Err(if error.is_retryable() {
                    SignError::retryable(message)
                } else {
                    SignError::new(message)
                })
            }
        }
    }
}

impl std::fmt::Debug for IamSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamSigner")
            .field("target", &self.credentials().target_principal())
            .finish_non_exhaustive()
    }
}
