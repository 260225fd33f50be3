//! Downscoped credentials (google-auth's `downscoped`): a source's token
//! exchanged at Google's STS for one limited by a Credential Access
//! Boundary, to hand to a less trusted process.

mod boundary;
mod credentials;

pub use boundary::{
    AccessBoundaryRule, AvailabilityCondition, CredentialAccessBoundary, MAX_ACCESS_BOUNDARY_RULES,
};
pub use credentials::{DownscopedCredentials, DownscopedRefresh};
