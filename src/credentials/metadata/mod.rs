//! The metadata server of Compute Engine, GKE, Cloud Run and App Engine: a
//! token wherever the program runs on Google Cloud, with no key file.
//!
//! - [`MetadataServer`]: where it is (`GCE_METADATA_HOST`,
//!   `GCE_METADATA_IP` and friends, as google-auth reads them) and its
//!   [`ping`](MetadataServer::ping), the detection of whether one answers.
//! - [`MetadataCredentials`] (access tokens) and
//!   [`MetadataIdTokenCredentials`] (ID tokens for an audience): kinds of
//!   [`Credentials`](crate::Credentials).
//! - [`MetadataServer::project_id`], [`account_email`](MetadataServer::account_email),
//!   [`universe_domain`](MetadataServer::universe_domain).
//!
//! Every request is a [`MetadataGet`]: `Metadata-Flavor: Google` both
//! ways, retried as google-auth retries, never redirected, bounded.

mod credentials;
mod get;
mod id_token;
mod info;
mod ping;
mod server;

pub use credentials::{MetadataCredentials, MetadataRefresh};
pub use get::{MetadataGet, FIRST_RETRY_DELAY, METADATA_ATTEMPTS};
pub use id_token::{MetadataIdTokenCredentials, MetadataIdTokenRefresh};
pub use info::DEFAULT_UNIVERSE_DOMAIN;
pub use ping::MetadataPing;
pub use server::{
    MetadataServer, DEFAULT_METADATA_HOST, DEFAULT_METADATA_IP, DEFAULT_PING_ATTEMPTS,
    DEFAULT_TIMEOUT, GOOGLE_FLAVOR, METADATA_FLAVOR,
};
