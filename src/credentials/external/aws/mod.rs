//! The AWS source: the signed `GetCallerIdentity` request google-auth
//! sends STS as the subject token.

#[allow(dead_code)] // used by the AWS source, next
mod sigv4;
