//! Google's endpoints and names, for clients of Google's servers
//! ([`Client::google`](crate::Client::google) presets them).

pub use crate::credentials::bearer::QUOTA_PROJECT_HEADER;

/// Google's authorization endpoint.
pub const GOOGLE_AUTH_URI: &str = "https://accounts.google.com/o/oauth2/auth";
/// Google's token endpoint.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// Google's issuer identifier (the `iss` of its authorization responses).
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// Google's revocation endpoint (RFC 7009).
pub const GOOGLE_REVOKE_URI: &str = "https://oauth2.googleapis.com/revoke";
/// Google's device authorization endpoint (RFC 8628).
pub const GOOGLE_DEVICE_AUTHORIZATION_URI: &str = "https://oauth2.googleapis.com/device/code";

/// Google's Security Token Service, the token exchange endpoint of
/// workload identity federation.
pub const GOOGLE_STS_URI: &str = "https://sts.googleapis.com/v1/token";

/// The scope of every Google Cloud API (`cloud-platform`).
pub const CLOUD_PLATFORM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
