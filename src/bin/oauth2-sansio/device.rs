//! `login --device`: the sign-in of the device authorization grant
//! (RFC 8628) instead of a browser on this machine. The URL and the code go
//! to stderr; the tool polls until the user has approved on any other
//! device, then `login` saves the credentials as usual.

use url::Url;

use crate::args::LoginArgs;
use crate::diagnose::code_of;
use crate::exit::{Failure, INTERNAL, SIGN_IN, USAGE};
use crate::output;
use oauth2_sansio::device::DeviceAuthorization;
use oauth2_sansio::google::{GOOGLE_DEVICE_AUTHORIZATION_URI, GOOGLE_TOKEN_URI};
use oauth2_sansio::io::ureq::UreqTransport;
use oauth2_sansio::parse_endpoint;
use oauth2_sansio::Client;
use oauth2_sansio::ConfigError;
use oauth2_sansio::UserCredentials;
use oauth2_sansio::{Error, ErrorCode};

/// Runs the device flow for `client` and the scopes of `args`.
/// `client` has the device authorization endpoint ([`endpoint`]).
pub fn sign_in(client: Client, args: &LoginArgs) -> Result<UserCredentials, Failure> {
    let call = client
        .device_authorization()
        .scopes(args.scopes.iter().cloned())
        .build()
        .map_err(|e| Failure::new(INTERNAL, format!("the device request cannot be built: {e}")))?;
    let transport = UreqTransport::new();
    let authorization = transport.run(call).map_err(|e| request_failed(&e))?;
    show(&authorization);
    transport
        .run(authorization.into_poll())
        .map_err(|e| polling_failed(&e))
}

/// `--device-endpoint` (https, or http on loopback), else Google's for a
/// client whose token endpoint is Google's.
pub fn endpoint(args: &LoginArgs, client: &Client) -> Result<Url, Failure> {
    let (value, name) =
        match &args.device_endpoint {
            Some(value) => (value.as_str(), "--device-endpoint"),
            None if client.token_endpoint().as_str() == GOOGLE_TOKEN_URI => (
                GOOGLE_DEVICE_AUTHORIZATION_URI,
                "device_authorization_endpoint",
            ),
            None => return Err(Failure::new(
                USAGE,
                "the client_secrets.json is not Google's, so the device authorization endpoint \
                 is unknown: give it with --device-endpoint URL",
            )),
        };
    parse_endpoint(value, name, false).map_err(|e| {
        let problem = match e {
            ConfigError::InsecureEndpoint { .. } => {
                "must use https (http only on 127.0.0.1, [::1] or localhost)"
            }
            _ => "must be an absolute URL without a fragment",
        };
        Failure::new(USAGE, format!("--device-endpoint {problem}"))
    })
}

/// Tells the user where to go and what to enter, on stderr.
fn show(authorization: &DeviceAuthorization) {
    output::note(&format!(
        "to sign in, visit {} and enter the code {}",
        authorization.verification_uri(),
        authorization.user_code()
    ));
    if let Some(complete) = authorization.verification_uri_complete() {
        output::note(&format!("(or open {complete}, which has the code in it)"));
    }
    let lifetime = authorization.response().expires_in().as_secs();
    output::note(&format!(
        "waiting for the sign-in; the code expires in {} minute(s)",
        lifetime.div_ceil(60)
    ));
}

/// Why the device authorization request failed.
fn request_failed(error: &Error) -> Failure {
    let hint = match error {
        Error::OAuth(e)
            if matches!(
                e.code(),
                ErrorCode::InvalidClient | ErrorCode::UnauthorizedClient
            ) =>
        {
            " (Google: the client must be of type \"TVs and Limited Input devices\")"
        }
        _ => "",
    };
    Failure::new(
        code_of(error),
        format!("requesting a device code failed: {error}{hint}"),
    )
}

/// Why polling for the tokens ended without them.
fn polling_failed(error: &Error) -> Failure {
    match error {
        Error::OAuth(e) if *e.code() == ErrorCode::AccessDenied => {
            Failure::new(SIGN_IN, format!("the sign-in was refused: {e}"))
        }
        Error::OAuth(e) if *e.code() == ErrorCode::ExpiredToken => Failure::new(
            SIGN_IN,
            "the code expired before the sign-in was completed; run `oauth2-sansio login --device` again",
        ),
        other => Failure::new(
            code_of(other),
            format!("waiting for the device sign-in failed: {other}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command};
    use crate::exit::{SERVER, TEMPORARY};
    use clap::Parser;
    use oauth2_sansio::{OAuthError, TransportFailure, TransportFailureKind};

    fn login(args: &str) -> Result<LoginArgs, clap::Error> {
        let argv = std::iter::once("oauth2-sansio").chain(args.split(' '));
        match Cli::try_parse_from(argv)?.command {
            Command::Login(login) => Ok(login),
            other => panic!("{other:?}"),
        }
    }

    fn oauth(code: &str) -> Error {
        Error::OAuth(OAuthError::new(
            ErrorCode::parse(code),
            None,
            None,
            Some(400),
        ))
    }

    #[test]
    fn device_options_parse_and_exclude_the_browser_ones() {
        let args = login("login --client-secrets c.json --scope openid --device").unwrap();
        assert!(args.device);
        assert!(args.device_endpoint.is_none());
        let args =
            login("login --client-secrets c.json --scope s --device --device-endpoint https://as.example/device")
                .unwrap();
        assert_eq!(
            args.device_endpoint.as_deref(),
            Some("https://as.example/device")
        );
        for conflicting in [
            "--no-browser",
            "--port 8080",
            "--login-hint a@b.example",
            "--timeout 9",
        ] {
            let line = format!("login --client-secrets c --scope s --device {conflicting}");
            assert_eq!(
                login(&line).unwrap_err().exit_code(),
                i32::from(USAGE),
                "{line}"
            );
        }
        let without_device =
            "login --client-secrets c --scope s --device-endpoint https://as.example/d";
        assert_eq!(
            login(without_device).unwrap_err().exit_code(),
            i32::from(USAGE)
        );
    }

    #[test]
    fn the_endpoint_is_googles_for_google_clients_and_must_be_given_otherwise() {
        let args = login("login --client-secrets c --scope s --device").unwrap();
        let google = Client::google("id", None).build().unwrap();
        assert_eq!(
            endpoint(&args, &google).unwrap().as_str(),
            GOOGLE_DEVICE_AUTHORIZATION_URI
        );
        let other = Client::builder("id")
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .build()
            .unwrap();
        assert_eq!(endpoint(&args, &other).unwrap_err().code(), USAGE);
        for (url, ok) in [
            ("https://as.example/device", true),
            ("http://127.0.0.1:9/device?interop_interval=1", true),
            ("http://as.example/device", false),
            ("device", false),
        ] {
            let args = login(&format!(
                "login --client-secrets c --scope s --device --device-endpoint {url}"
            ))
            .unwrap();
            assert_eq!(endpoint(&args, &other).is_ok(), ok, "{url}");
        }
    }

    #[test]
    fn failures_map_to_exit_codes() {
        assert_eq!(polling_failed(&oauth("access_denied")).code(), SIGN_IN);
        assert_eq!(polling_failed(&oauth("expired_token")).code(), SIGN_IN);
        assert_eq!(polling_failed(&oauth("invalid_grant")).code(), SERVER);
        assert_eq!(
            polling_failed(&Error::HttpStatus { status: 503 }).code(),
            TEMPORARY
        );
        let refused = request_failed(&oauth("unauthorized_client"));
        assert_eq!(refused.code(), SERVER);
        assert!(
            refused
                .to_string()
                .contains("TVs and Limited Input devices"),
            "{refused}"
        );
        let offline = Error::Transport(TransportFailure::new(
            TransportFailureKind::Connect,
            "as.example:443",
        ));
        assert_eq!(request_failed(&offline).code(), TEMPORARY);
    }
}
