//! Verifies a Google ID token (from a service, Cloud Run or the metadata
//! server) given on stdin, for the audience given as the argument, and
//! prints its subject and email:
//!
//! ```sh
//! oauth2-sansio token --id-token --audience https://svc.example \
//!     | cargo run --example verify_id_token --features ureq -- https://svc.example
//! ```

use std::io::Read;

use oauth2_sansio::io::ureq::{KeySetClient, UreqTransport};
use oauth2_sansio::jwt::verify::{IdTokenVerifier, KeySetCache, GOOGLE_JWKS_URI};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let audience = std::env::args()
        .nth(1)
        .ok_or("usage: verify_id_token AUDIENCE < token")?;
    let mut token = String::new();
    std::io::stdin().read_to_string(&mut token)?;

    // One KeySetClient per issuer, shared by every request a service verifies.
    let keys = KeySetClient::new(UreqTransport::new(), KeySetCache::new(GOOGLE_JWKS_URI)?);
    let verified = keys.verify(&IdTokenVerifier::google(audience), token.trim())?;
    println!(
        "subject {} email {}",
        verified.subject().unwrap_or("-"),
        verified.email().unwrap_or("-")
    );
    Ok(())
}
