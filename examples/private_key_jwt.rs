//! A service's own access token from any OpenID Connect server, the client
//! authenticated with a private key instead of a secret (`private_key_jwt`,
//! RFC 7523 §2.2): discovery, then the client credentials grant.
//!
//! ```text
//! cargo run --example private_key_jwt --features ureq -- ISSUER CLIENT_ID KEY.pem [--kid KID] [scope ...]
//! ```
//!
//! 1. Reads the issuer's OpenID configuration and checks that its token
//!    endpoint takes `private_key_jwt`.
//! 2. Reads the RSA private key (PKCS#8 or PKCS#1 PEM, at least 2048 bits);
//!    the server must know its public half (the client's registered `jwks`
//!    or `jwks_uri`), under `KID` when given.
//! 3. Asks for a token with the client credentials grant: the request
//!    carries a JWT signed with the key when it is sent (`iss` = `sub` = the
//!    client id, `aud` = the issuer, 60 s of validity, a fresh `jti`).
//! 4. Prints the token's lifetime and granted scopes, never the token.
//!
//! The server must allow http only on loopback addresses (a local test
//! server); anywhere else it must be https.

use std::error::Error;
use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

use oauth2_sansio::discovery::{DiscoveryRequest, WellKnown};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::jwt::RingSigner;
use oauth2_sansio::rand_core::UnwrapErr;
use oauth2_sansio::{ClientAssertionKey, ClientAuthMethod, Credentials};
use rand::rngs::SysRng;

const USAGE: &str = "usage: private_key_jwt ISSUER CLIENT_ID KEY.pem [--kid KID] [scope ...]";

/// A PEM key file is a few kilobytes; anything far larger is not one.
const KEY_FILE_LIMIT: u64 = 64 * 1024;

fn main() -> ExitCode {
    match run(std::env::args_os().skip(1)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("private_key_jwt: {message}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    issuer: String,
    client_id: String,
    key_path: OsString,
    kid: Option<String>,
    scopes: Vec<String>,
}

fn parse_args(args: impl Iterator<Item = OsString>) -> Result<Args, String> {
    let mut args: Vec<String> = args
        .map(|a| {
            a.into_string()
                .map_err(|_| "arguments must be UTF-8".to_owned())
        })
        .collect::<Result<_, _>>()?;
    let kid = match args.iter().position(|a| a == "--kid") {
        Some(i) if i + 1 < args.len() => {
            let kid = args.remove(i + 1);
            args.remove(i);
            Some(kid)
        }
        Some(_) => return Err(format!("--kid needs a value\n{USAGE}")),
        None => None,
    };
    if args.len() < 3 || args.iter().any(|a| a.starts_with("--")) {
        return Err(USAGE.to_owned());
    }
    let mut args = args.into_iter();
    let (issuer, client_id, key_path) = (
        args.next().unwrap_or_default(),
        args.next().unwrap_or_default(),
        args.next().unwrap_or_default().into(),
    );
    Ok(Args {
        issuer,
        client_id,
        key_path,
        kid,
        scopes: args.collect(),
    })
}

fn run(args: impl Iterator<Item = OsString>) -> Result<(), Box<dyn Error>> {
    let args = parse_args(args)?;
    let transport = UreqTransport::new();

    let discovery = DiscoveryRequest::new(&args.issuer, WellKnown::OpenIdConfiguration).build()?;
    let metadata = transport.run(discovery)?;
    if !metadata.supports_token_endpoint_auth_method(ClientAuthMethod::PrivateKeyJwt) {
        return Err(format!(
            "{} does not list private_key_jwt in token_endpoint_auth_methods_supported",
            args.issuer
        )
        .into());
    }

    let pem = read_key(&args.key_path)?;
    let signer = RingSigner::from_pem(&pem, args.kid)?;
    let key = ClientAssertionKey::new(Arc::new(signer), &mut UnwrapErr(SysRng));
    let client = metadata
        .client_builder(args.client_id)
        .private_key_jwt(key)
        .build()?;

    let grant = client.client_credentials().scopes(args.scopes).build()?;
    let credentials = transport.run(grant)?;
    let lifetime = credentials
        .token()
        .unwrap()
        .expiry()
        .and_then(|expiry| expiry.duration_since(SystemTime::now()).ok());
    match lifetime {
        Some(lifetime) => println!("got an access token valid for {} s", lifetime.as_secs()),
        None => println!("got an access token (the server gave no lifetime)"),
    }
    if let Some(scopes) = credentials.granted_scopes() {
        println!("granted scopes: {}", scopes.join(" "));
    }
    Ok(())
}

fn read_key(path: &OsString) -> Result<String, Box<dyn Error>> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.to_string_lossy()))?;
    let mut pem = String::new();
    file.take(KEY_FILE_LIMIT + 1).read_to_string(&mut pem)?;
    if pem.len() as u64 > KEY_FILE_LIMIT {
        return Err(format!("{} is too large for a PEM key", path.to_string_lossy()).into());
    }
    Ok(pem)
}
