//! The command line, and the `--help` texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::exit;
use oauth2_sansio::io::installed::DEFAULT_TIMEOUT;

/// How to point the tool at a server (top-level and `login --help`).
const SERVERS: &str = "\
Signs in with OAuth 2.0 from the command line, like google-oauthlib-tool, and
prints access tokens, like `gcloud auth print-access-token`.

`login` reads a client_secrets.json naming the client and the server:

  Google: in the Google Cloud console (APIs & Services > Credentials), create
  an OAuth client ID of type \"Desktop app\" and download its JSON. Desktop
  clients accept any http://127.0.0.1:PORT/ redirect; nothing to register.

  Any other OAuth 2.0 server: register a client that may use the redirect URI
  http://127.0.0.1:PORT/ (fix the port with --port if the server compares it
  exactly) and write a client_secrets.json with that server's endpoints:
    {\"installed\": {\"client_id\": \"my-app\", \"client_secret\": \"...\",
                   \"auth_uri\": \"https://as.example/authorize\",
                   \"token_uri\": \"https://as.example/token\"}}
  Leave out client_secret for a public client (PKCE is always used). OpenID
  Connect servers issue a refresh token only for the offline_access scope.

Example:
  oauth2-sansio login --client-secrets client_secrets.json \\
      --scope openid --scope email --save credentials.json
  oauth2-sansio token --credentials credentials.json";

/// `oauth2-sansio`: sign in, then print access tokens.
#[derive(Debug, Parser)]
#[command(
    name = "oauth2-sansio",
    version,
    about = "Sign in with OAuth 2.0 and print access tokens",
    long_about = SERVERS,
    after_help = exit::HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with the browser; print or save authorized_user JSON
    #[command(long_about = LOGIN, after_help = exit::HELP)]
    Login(LoginArgs),
    /// Print a valid access token, refreshing and saving it when needed
    #[command(long_about = TOKEN, after_help = exit::HELP)]
    Token(TokenArgs),
    /// Revoke the refresh token of a credentials file, then remove the file
    #[command(long_about = crate::revoke::HELP, after_help = exit::HELP)]
    Revoke(crate::revoke::RevokeArgs),
    /// Verify an ID token from stdin and print its claims
    #[command(name = "verify-id-token", long_about = crate::verify::HELP, after_help = exit::HELP)]
    VerifyIdToken(crate::verify::VerifyArgs),
}

const LOGIN: &str = "\
Signs in with the browser (the installed-app flow: a listener on
http://127.0.0.1:PORT/, PKCE, state, prompt=consent and access_type=offline so
that a refresh token comes back), then writes the credentials as authorized_user
JSON: to --save PATH (owner-only, replaced atomically), to where Application
Default Credentials find it with --adc or --save alone, or to stdout.

The browser is the one the BROWSER environment variable names (a program, or a
list separated like PATH), else the system's; --no-browser opens nothing. It is
opened on a one-time link to the listener, http://127.0.0.1:PORT/start/...,
which leads to the server's sign-in page; the link is always printed on stderr
and works once, in a browser on this machine. On a machine shared with other
users, prefer --device: another user who opens the link first can make the
sign-in fail or, if quicker than the browser, sign it in to their account.

For Google, use a \"Desktop app\" client_secrets.json from the Cloud console;
for another server, a client_secrets.json with its auth_uri and token_uri (see
`oauth2-sansio --help`).

With --device (the device flow, RFC 8628, for a machine without a usable
browser): prints a URL and a code on stderr, to be entered in a browser on any
other device, and polls the server until the sign-in is done or the code
expires; the credentials are then written as above. Google needs a client of
type \"TVs and Limited Input devices\"; other servers need --device-endpoint.

With --issuer URL, the server's endpoints come from its discovery document
(URL/.well-known/openid-configuration), and --client-secrets needs only the
client id (and secret). --par then pushes the authorization request (RFC
9126), so the browser's URL carries only a reference to it; a server that
requires pushed requests gets them without --par. --dpop binds the tokens to a
new ES256 key (RFC 9449): the key is saved with the credentials (as
dpop_key), and `token` refreshes with it. Resource requests with a DPoP token
need a proof per request, which the library makes (DpopKey::authorize); the
tool does not make them.";

/// `login`'s options.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The client_secrets.json: client id, secret, and the server's auth_uri and token_uri
    #[arg(long, value_name = "FILE")]
    pub client_secrets: PathBuf,

    /// A scope to request; repeat for more (e.g. openid, email, https://www.googleapis.com/auth/cloud-platform)
    #[arg(long = "scope", value_name = "SCOPE", required = true)]
    pub scopes: Vec<String>,

    /// Open no browser: open the printed URL yourself, in a browser on this machine
    #[arg(long)]
    pub no_browser: bool,

    /// The redirect's port on 127.0.0.1 (0: any free port)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,

    /// Write the credentials to PATH (mode 0600, replaced atomically) instead of stdout; without PATH, where Application Default Credentials find them (as --adc)
    #[arg(long, value_name = "PATH", num_args = 0..=1)]
    pub save: Option<Option<PathBuf>>,

    /// Save the credentials where Application Default Credentials find them (gcloud's application_default_credentials.json), so that `token` needs no flags
    #[arg(long, conflicts_with = "save")]
    pub adc: bool,

    /// How long to wait for the browser to come back, in seconds
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = DEFAULT_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub timeout: u64,

    /// The account to suggest on the sign-in page (an email address)
    #[arg(long, value_name = "H")]
    pub login_hint: Option<String>,

    /// Sign in on another device instead (RFC 8628): print a URL and a code to enter there, then wait
    #[arg(long, conflicts_with_all = ["no_browser", "port", "timeout", "login_hint"])]
    pub device: bool,

    /// With --device: the device authorization endpoint (default: Google's, for a Google client_secrets.json)
    #[arg(long, value_name = "URL", requires = "device")]
    pub device_endpoint: Option<String>,

    /// Sign in at this OpenID Connect server, every endpoint from its discovery document (ISSUER/.well-known/openid-configuration); --client-secrets then gives only the client id and secret
    #[arg(long, value_name = "ISSUER")]
    pub issuer: Option<String>,

    /// With --issuer: push the authorization request to the server first (RFC 9126 PAR); done anyway when the server requires it
    #[arg(long, requires = "issuer", conflicts_with = "device")]
    pub par: bool,

    /// Bind the tokens to a new ES256 key (RFC 9449 DPoP), saved with the credentials; `token` and `revoke` use it
    #[arg(long, conflicts_with = "device")]
    pub dpop: bool,
}

const TOKEN: &str = "\
Prints an access token on stdout, followed by a newline, and nothing else.

Without --credentials, the credentials are Application Default Credentials,
found as Google's libraries find them: the file GOOGLE_APPLICATION_CREDENTIALS
names, else the file `gcloud auth application-default login` (or `login --adc`)
wrote, else the metadata server when running on Google Cloud. With
--credentials PATH, that file: authorized_user JSON (what `login --save`
writes) or a service-account key.

For an authorized_user file given with --credentials, a token that has
expired, or expires within 225 seconds, is refreshed at the file's token_uri
first and the file is replaced atomically with the new credentials; if the
refresh fails, the file is left exactly as it was.

--id-token --audience AUD prints an ID token for AUD instead (service accounts
and the metadata server). --format json prints one JSON object: the token
(access_token or id_token), token_type, expiry (RFC 3339 UTC, or null) and
source (GOOGLE_APPLICATION_CREDENTIALS, gcloud, metadata or file).";

/// `token`'s options.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// A credentials file (authorized_user JSON, as `login --save` writes it, or a service-account key); default: Application Default Credentials
    #[arg(long, value_name = "PATH")]
    pub credentials: Option<PathBuf>,

    /// A scope for service accounts and the metadata server; repeat for more
    #[arg(long = "scope", value_name = "SCOPE", default_value = CLOUD_PLATFORM)]
    pub scopes: Vec<String>,

    /// Print an ID token for --audience instead of an access token
    #[arg(long, requires = "audience")]
    pub id_token: bool,

    /// The audience of the ID token (the receiving service's URL or client id)
    #[arg(long, value_name = "AUD", requires = "id_token")]
    pub audience: Option<String>,

    /// How to print the token
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The scope `token` asks for by default.
pub const CLOUD_PLATFORM: &str = oauth2_sansio::google::CLOUD_PLATFORM_SCOPE;

/// How `token` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The token alone
    Text,
    /// One JSON object with the token, its type, expiry and source
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use oauth2_sansio::DEFAULT_REFRESH_THRESHOLD;

    #[test]
    fn token_help_states_the_refresh_threshold() {
        let seconds = format!("within {} seconds", DEFAULT_REFRESH_THRESHOLD.as_secs());
        let one_line = TOKEN.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(one_line.contains(&seconds), "{TOKEN}");
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn login_defaults() {
        let argv = "oauth2-sansio login --client-secrets c.json --scope openid --scope email";
        let cli = Cli::try_parse_from(argv.split(' ')).unwrap();
        let Command::Login(login) = cli.command else {
            panic!("login parsed as {:?}", cli.command);
        };
        assert_eq!(login.scopes, ["openid", "email"]);
        assert_eq!(login.port, 0);
        assert_eq!(login.timeout, 300);
        assert!(!login.no_browser);
        assert!(login.save.is_none());
    }

    #[test]
    fn save_takes_a_path_or_nothing() {
        let parse = |argv: &str| {
            let cli = Cli::try_parse_from(argv.split(' ')).unwrap();
            let Command::Login(login) = cli.command else {
                panic!("login parsed as {:?}", cli.command);
            };
            login.save
        };
        let base = "oauth2-sansio login --client-secrets c.json --scope openid";
        assert_eq!(
            parse(&format!("{base} --save")),
            Some(None),
            "the default place"
        );
        assert_eq!(
            parse(&format!("{base} --save creds.json")),
            Some(Some(PathBuf::from("creds.json")))
        );
        assert!(Cli::try_parse_from(format!("{base} --save --adc").split(' ')).is_err());
    }

    #[test]
    fn usage_errors() {
        for args in [
            "login --client-secrets c.json",
            "token --audience a",
            "token --credentials c --timeout 0",
            "login --client-secrets c --scope s --timeout 0",
            "login --client-secrets c --scope s --port 70000",
        ] {
            let argv = std::iter::once("oauth2-sansio").chain(args.split(' '));
            let error = Cli::try_parse_from(argv).unwrap_err();
            assert_eq!(error.exit_code(), i32::from(exit::USAGE), "{args}");
        }
    }
}
