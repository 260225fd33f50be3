//! `verify-id-token`: reads an ID token from stdin, verifies it with the
//! issuer's key set, prints its claims as JSON.

use std::io::Read;

use clap::Args;
use oauth2_sansio::io::ureq::{KeySetClient, UreqTransport, VerifyFailure};
use oauth2_sansio::jwt::verify::{IdTokenVerifier, KeySetCache, GOOGLE_JWKS_URI, IAP_JWKS_URI};
use oauth2_sansio::limits::MAX_UNVERIFIED_JWT_LEN;

use crate::exit::{Failure, LOCAL, SIGN_IN, TEMPORARY, USAGE};
use crate::output;

/// `verify-id-token --help`.
pub const HELP: &str = "\
Reads an ID token (a JWT) from standard input, verifies its signature with the
issuer's published keys (JWKS) and its claims (issuer, audience, expiry with a
30 s leeway), then prints the claims as one line of JSON. A token that does not
verify prints one line saying why, on stderr, and exits 4.

  --google          Google's ID tokens (accounts, service accounts, the
                    metadata server): RS256, issuer accounts.google.com,
                    keys at https://www.googleapis.com/oauth2/v3/certs
  --iap             Identity-Aware Proxy's x-goog-iap-jwt-assertion: ES256,
                    issuer https://cloud.google.com/iap
  --issuer URL      any OpenID provider (RS256): its keys from its discovery
                    document (URL/.well-known/openid-configuration), or from
                    --jwks-uri URL

Example:
  oauth2-sansio token --id-token --audience https://svc.example \\
      | oauth2-sansio verify-id-token --google --audience https://svc.example";

/// `verify-id-token`'s options.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The audience the token must be for (a client id, a service's URL, IAP's /projects/...)
    #[arg(long, value_name = "AUDIENCE")]
    pub audience: String,
    /// Google's ID tokens
    #[arg(long, conflicts_with_all = ["iap", "issuer"])]
    pub google: bool,
    /// Identity-Aware Proxy's assertions
    #[arg(long, conflicts_with = "issuer")]
    pub iap: bool,
    /// The issuer (exactly as in the token's iss); its keys from its discovery document unless --jwks-uri
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Where the issuer publishes its keys (default with --issuer: its discovery document's jwks_uri)
    #[arg(long, value_name = "URL")]
    pub jwks_uri: Option<String>,
    /// Require an email with email_verified true
    #[arg(long)]
    pub require_verified_email: bool,
}

/// Verifies the token on stdin.
pub fn verify_id_token(args: VerifyArgs) -> Result<(), Failure> {
    let (verifier, jwks_uri) = match (&args.issuer, args.google, args.iap) {
        (Some(issuer), _, _) => (
            IdTokenVerifier::new(issuer.as_str(), args.audience.as_str()),
            match &args.jwks_uri {
                Some(uri) => uri.clone(),
                None => discovered_jwks_uri(issuer)?,
            },
        ),
        (None, _, true) => (
            IdTokenVerifier::iap(args.audience.as_str()),
            IAP_JWKS_URI.to_owned(),
        ),
        (None, true, false) => (
            IdTokenVerifier::google(args.audience.as_str()),
            GOOGLE_JWKS_URI.to_owned(),
        ),
        (None, false, false) => {
            return Err(Failure::new(
                USAGE,
                "say whose token it is: --google, --iap, or --issuer URL",
            ))
        }
    };
    let verifier = verifier.require_email_verified(args.require_verified_email);
    let jwks_uri = args.jwks_uri.as_deref().unwrap_or(&jwks_uri);
    let cache =
        KeySetCache::new(jwks_uri).map_err(|e| Failure::new(USAGE, format!("--jwks-uri {e}")))?;
    let mut token = String::new();
    std::io::stdin()
        .take(MAX_UNVERIFIED_JWT_LEN as u64 + 2)
        .read_to_string(&mut token)
        .map_err(|e| Failure::new(LOCAL, format!("cannot read the token from stdin: {e}")))?;
    let token = token.trim();
    let keys = KeySetClient::new(UreqTransport::new(), cache);
    match keys.verify(&verifier, token) {
        Ok(verified) => {
            let claims = serde_json::Value::Object(verified.claims().clone());
            output::result(&claims.to_string())
        }
        Err(VerifyFailure::Refused(refused)) => Err(Failure::new(SIGN_IN, refused.to_string())),
        Err(failure) => Err(Failure::new(TEMPORARY, failure.to_string())),
    }
}

/// The `jwks_uri` of `issuer`'s discovery document.
fn discovered_jwks_uri(issuer: &str) -> Result<String, Failure> {
    let metadata = crate::discover::metadata(issuer)?;
    metadata
        .jwks_uri()
        .map(|uri| uri.as_str().to_owned())
        .ok_or_else(|| {
            Failure::new(
                LOCAL,
                format!("{issuer}'s discovery document has no jwks_uri; give --jwks-uri"),
            )
        })
}
