//! Application Default Credentials over the blocking transport: finds
//! credentials as Google's libraries do (the key file
//! `GOOGLE_APPLICATION_CREDENTIALS` names, gcloud's file, the metadata
//! server), gets a token, and with a URL calls it.
//!
//! ```text
//! cargo run --example adc_token --features ureq -- [URL]
//! ```
//!
//! It prints where the credentials came from, the project, and the token's
//! length and expiry, never the token. With `URL`, it sends `GET URL` with
//! the token and prints the status and the body's length.

use std::error::Error;
use std::time::SystemTime;

use oauth2_sansio::http;
use oauth2_sansio::io::ureq::{default_token_source, UreqTransport};

const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

fn main() -> Result<(), Box<dyn Error>> {
    let source = default_token_source([CLOUD_PLATFORM])?;
    let token = source.token()?;

    let found = token.credentials();
    println!("credentials: {}", found.source());
    println!("project: {}", found.project_id().unwrap_or("(unknown)"));
    let bearer = token.bearer();
    println!("token: {} characters", bearer.token().secret().len());
    if let Some(expiry) = bearer.expiry() {
        let left = expiry.duration_since(SystemTime::now()).unwrap_or_default();
        println!("expires in: {} s", left.as_secs());
    }

    if let Some(url) = std::env::args().nth(1) {
        let mut request = http::Request::get(url.as_str()).body(Vec::new())?;
        token.authorize(&mut request, SystemTime::now())?;
        let response = UreqTransport::new().send(request)?;
        println!(
            "GET {url}: {} ({} bytes)",
            response.status(),
            response.body().len()
        );
    }
    Ok(())
}
