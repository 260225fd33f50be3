//! Where credentials live between runs: a small trait, so a caller can keep
//! them in a file, a keychain or a database. The crate's file implementation
//! is [`transport::file_store`](crate::io) (feature `file-store`).

use crate::credentials::UserCredentials;

/// Loads and saves one set of user credentials.
pub trait CredentialsStore {
    /// Why loading or saving failed.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The stored credentials, or `None` if nothing is stored yet.
    fn load(&self) -> Result<Option<UserCredentials>, Self::Error>;

    /// Replaces the stored credentials. Implementations must be atomic: after
    /// a failure or a crash, the previous credentials are still there, whole.
    fn save(&self, credentials: &UserCredentials) -> Result<(), Self::Error>;
}
