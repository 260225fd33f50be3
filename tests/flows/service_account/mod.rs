//! Service accounts end to end, with keys generated for the tests: key
//! files and PEM handling, RS256 signing checked by ring's verifier, the
//! JWT-bearer grant against a fake token endpoint, self-signed JWTs and ID
//! tokens.

mod grant;
mod id_token;
mod keys;
mod self_signed;
