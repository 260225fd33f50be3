//! [`InstalledAppFlow`]: its settings and the run from binding the listener
//! to the credentials.

use std::fmt;
use std::io::Write;
use std::process::Child;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::browser::Browser;
use super::error::InstalledAppError;
use super::listener::{Listener, LoopbackHost};
use super::redirect::{loopback_url, redirect_path};
use super::serve::serve;
use crate::client::Client;
use crate::credentials::UserCredentials;
use crate::dpop::DpopKey;
#[cfg(feature = "ring")]
use crate::error::config::ConfigError;
use crate::error::TransportFailure;
use crate::flows::code::authorize::{AccessType, AuthorizationRequest};
use crate::flows::code::loopback::LoopbackCallback;
use crate::io::sleep_until;
#[cfg(feature = "ring")]
use crate::jwt::verify::VerifiedIdToken;
use crate::machine::drive::drive;
use crate::macros::setters;
use crate::secret::entropy::Entropy;

/// The verified ID token of a sign-in, when there was one to verify.
#[cfg(feature = "ring")]
type VerifiedClaims = Option<VerifiedIdToken>;
#[cfg(not(feature = "ring"))]
type VerifiedClaims = ();

/// What an OpenID Connect sign-in ([`InstalledAppFlow::run_openid`]) ends
/// with: the credentials and the ID token, verified.
#[cfg(feature = "ring")]
#[derive(Debug)]
pub struct OpenIdSignIn {
    credentials: UserCredentials,
    id_token: VerifiedIdToken,
}

#[cfg(feature = "ring")]
impl OpenIdSignIn {
    /// The user's credentials.
    pub fn credentials(&self) -> &UserCredentials {
        &self.credentials
    }

    /// The verified ID token: `sub`, `email`, ... typed.
    pub fn id_token(&self) -> &VerifiedIdToken {
        &self.id_token
    }

    /// Both, owned.
    pub fn into_parts(self) -> (UserCredentials, VerifiedIdToken) {
        (self.credentials, self.id_token)
    }
}

/// How long the flow waits for the browser to come back: 5 minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The start of the prompt line; the one-time start link
/// (`http://127.0.0.1:PORT/start/<random>`) follows it (google-auth-oauthlib's
/// wording).
pub const PROMPT: &str = "Please visit this URL to authorize this application: ";

/// The line printed after the prompt when the listener first refuses a
/// connection from another user of the machine (Linux).
const REFUSED: &str = "Refused a connection from another user of this machine; \
    if it was your browser, open the link in a browser running as the same user as this program.";

type Configure =
    Box<dyn for<'c> FnOnce(AuthorizationRequest<'c>) -> AuthorizationRequest<'c> + Send>;

/// The installed-app sign-in: a loopback listener, the browser, the code
/// exchange. google-auth-oauthlib's `InstalledAppFlow.run_local_server`,
/// with RFC 8252's defaults and without its known problems.
///
/// Defaults: `http://127.0.0.1:PORT/` with an OS-chosen port, the system
/// browser, the prompt on stderr, a 5-minute timeout, and a request for a
/// refresh token (see [`offline`](Self::offline)).
///
/// # Refresh tokens
///
/// By default the authorization request carries `prompt=consent` and
/// Google's `access_type=offline`: Google then returns a refresh token at
/// every sign-in (without `prompt=consent`, only at the first consent), and
/// an OpenID Connect server issues one for the `offline_access` scope,
/// which it honours only with `prompt=consent` (OpenID Connect Core §11).
/// Add `offline_access` to the scopes for such a server (oidc-provider,
/// Keycloak, Auth0, ...); the runner does not add it itself, since Google
/// refuses it. [`offline(false)`](Self::offline) asks for neither, and
/// [`configure_request`](Self::configure_request) can set another `prompt`.
#[must_use = "call run() to sign in"]
pub struct InstalledAppFlow {
    client: Client,
    scopes: Vec<String>,
    host: LoopbackHost,
    port: u16,
    path: String,
    trailing_slash: Option<bool>,
    browser: Browser,
    timeout: Duration,
    offline: bool,
    configure: Option<Configure>,
    prompt: Box<dyn Write + Send>,
    push: bool,
    dpop: Option<DpopKey>,
}

impl InstalledAppFlow {
    /// A flow for `client`, with the defaults above.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            scopes: Vec::new(),
            host: LoopbackHost::default(),
            port: 0,
            path: "/".to_owned(),
            trailing_slash: None,
            browser: Browser::default(),
            timeout: DEFAULT_TIMEOUT,
            offline: true,
            configure: None,
            prompt: Box::new(std::io::stderr()),
            push: false,
            dpop: None,
        }
    }

    crate::flows::params::scope_setters!();

    setters! {
        /// The loopback host to listen on and name in the redirect URI
        /// (default [`LoopbackHost::Ipv4`], `127.0.0.1`).
        pub fn host(host: LoopbackHost) => host = host;

        /// The port: 0 (the default) lets the system choose a free one; a fixed
        /// port that is busy makes [`run`](Self::run) fail at once with
        /// [`InstalledAppError::Bind`].
        pub fn port(port: u16) => port = port;

        /// The redirect URI's path (default `/`): it must start with `/` and
        /// hold only letters, digits, `-`, `.`, `_`, `~` and `/`.
        pub fn path(path: impl Into<String>) => path = path.into();

        /// Whether the redirect URI's path ends with `/`, whatever
        /// [`path`](Self::path) says: `false` with the default path gives
        /// `http://127.0.0.1:PORT` (some registrations lack the slash, and the
        /// server compares redirect URIs exactly).
        pub fn trailing_slash(slash: bool) => trailing_slash = Some(slash);

        /// How to open the start link (default [`Browser::System`]). The link
        /// is printed in every case; the authorization URL never is, and never
        /// reaches the browser's command line.
        pub fn browser(browser: Browser) => browser = browser;

        /// How long to wait for the browser to come back (default
        /// [`DEFAULT_TIMEOUT`]).
        pub fn timeout(timeout: Duration) => timeout = timeout;

        /// Whether to ask for a refresh token (default `true`):
        /// `prompt=consent` and `access_type=offline` (see
        /// [Refresh tokens](Self#refresh-tokens)); `false` sends neither.
        pub fn offline(offline: bool) => offline = offline;

        /// Pushes the authorization request to the server first (RFC 9126,
        /// [`AuthorizationRequest::push`]), so the browser's URL carries only
        /// `client_id` and `request_uri`. Always done, whatever this says,
        /// when the client [requires it](Client::requires_pushed_authorization_requests).
        pub fn push(push: bool) => push = push;
    }

    /// Binds the sign-in to a DPoP key (RFC 9449): the authorization code
    /// to its thumbprint (`dpop_jkt`), the code exchange proved with it, and
    /// the credentials it yields to it (see [`Call::with_dpop`](crate::Call::with_dpop)).
    pub fn dpop(mut self, key: DpopKey) -> Self {
        self.dpop = Some(key);
        self
    }

    /// Adjusts the authorization request before it is built: `prompt`,
    /// `login_hint`, `access_type`, extra parameters, more scopes. It sees
    /// the request with [`offline`](Self::offline)'s parameters already
    /// set, and may change them.
    ///
    /// ```
    /// # use oauth2_sansio::{AccessType, Client};
    /// # use oauth2_sansio::io::installed::InstalledAppFlow;
    /// # let client = Client::google("id", None).build()?;
    /// let flow = InstalledAppFlow::new(client)
    ///     .scopes(["openid", "email"])
    ///     .configure_request(|request| request.prompt("consent").login_hint("me@example.com"));
    /// # Ok::<(), oauth2_sansio::ConfigError>(())
    /// ```
    pub fn configure_request<F>(mut self, configure: F) -> Self
    where
        F: for<'c> FnOnce(AuthorizationRequest<'c>) -> AuthorizationRequest<'c> + Send + 'static,
    {
        self.configure = Some(Box::new(configure));
        self
    }

    /// Where the prompt ([`PROMPT`] and the start link, then any browser
    /// failure, then the first refusal of another user's connection) is
    /// written (default stderr). Whoever reads the link before the browser
    /// opens it can take over the sign-in (on Linux, only as this user or
    /// root: see [the module docs](super)): keep the output private. The link works in a browser on this machine (or one that
    /// reaches the port through a tunnel such as `ssh -L`); elsewhere, use
    /// the device flow.
    pub fn prompt_to(mut self, out: impl Write + Send + 'static) -> Self {
        self.prompt = Box::new(out);
        self
    }

    /// Runs the sign-in:
    ///
    /// 1. listens on the loopback host (the port is released on every
    ///    exit, success or error);
    /// 2. builds the authorization URL (`state` and PKCE from `rng`, any
    ///    [`Entropy`](crate::Entropy): `&mut rand::rng()` with rand 0.10) with
    ///    the real port in the redirect URI, and a one-time start link to
    ///    it (its path and cookie from `rng` too); prints the prompt with
    ///    the start link and opens the browser on it (a browser that fails
    ///    to start is reported in the prompt output, not fatal);
    /// 3. closes unread, on Linux, every connection from another user's
    ///    process (see [the module docs](super)); answers every other
    ///    request until the genuine callback (with this sign-in's `state` and the start
    ///    link's cookie) or the timeout: the start link redirects to the
    ///    authorization URL once, `/favicon.ico` gets 404, a forged callback
    ///    400; a second visit of the start link ends the flow with
    ///    [`CallbackError::StartLinkReused`](crate::CallbackError::StartLinkReused).
    ///    Each connection has [`CONNECTION_TIMEOUT`](super::CONNECTION_TIMEOUT);
    /// 4. exchanges the code, sending requests with `send`;
    /// 5. when the client knows its issuer's key set
    ///    ([`ClientBuilder::jwks_uri`](crate::ClientBuilder::jwks_uri),
    ///    which discovery sets) and the scopes include `openid` (feature
    ///    `ring`): sends a `nonce` with the request, fetches the key set and
    ///    hands the credentials over only if the exchange's ID token
    ///    verifies (signature, issuer, this client as audience, the nonce);
    ///    else [`InstalledAppError::IdToken`]. [`run_openid`](Self::run_openid)
    ///    also gives the verified claims.
    pub fn run<R, S>(self, rng: &mut R, send: S) -> Result<UserCredentials, InstalledAppError>
    where
        R: Entropy + ?Sized,
        S: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure>,
    {
        self.sign_in(rng, send, false)
            .map(|(credentials, _)| credentials)
    }

    /// An OpenID Connect sign-in: [`run`](Self::run) with `openid` added to
    /// the scopes and a `nonce` always sent, ending with the credentials and
    /// the verified ID token's claims ([`OpenIdSignIn`]). The client must
    /// know its issuer's key set ([`ClientBuilder::jwks_uri`](crate::ClientBuilder::jwks_uri),
    /// set by discovery) and its issuer; otherwise it fails before anything
    /// is sent.
    #[cfg(feature = "ring")]
    pub fn run_openid<R, S>(self, rng: &mut R, send: S) -> Result<OpenIdSignIn, InstalledAppError>
    where
        R: Entropy + ?Sized,
        S: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure>,
    {
        if self.client.jwks_uri().is_none() {
            return Err(ConfigError::MissingEndpoint {
                endpoint: "jwks_uri",
            }
            .into());
        }
        if self.client.issuer().is_none() {
            return Err(ConfigError::MissingEndpoint { endpoint: "issuer" }.into());
        }
        match self.sign_in(rng, send, true)? {
            (credentials, Some(id_token)) => Ok(OpenIdSignIn {
                credentials,
                id_token,
            }),
            (_, None) => Err(InstalledAppError::IdToken(
                crate::jwt::verify::IdTokenError::Missing,
            )),
        }
    }

    /// The sign-in of [`run`](Self::run); with `openid`, an OpenID one (the
    /// scope added, the nonce sent whatever `configure_request` did).
    fn sign_in<R, S>(
        self,
        rng: &mut R,
        send: S,
        openid: bool,
    ) -> Result<(UserCredentials, VerifiedClaims), InstalledAppError>
    where
        R: Entropy + ?Sized,
        S: FnMut(http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, TransportFailure>,
    {
        let Self {
            client,
            scopes,
            host,
            port,
            path,
            trailing_slash,
            browser,
            timeout,
            offline,
            configure,
            mut prompt,
            push,
            dpop,
        } = self;
        let mut send = send;
        let path = redirect_path(&path, trailing_slash)?;
        let listener = Listener::bind(host, port)?;
        let redirect = loopback_url(host, listener.port(), &path);
        let asks_openid = openid || scopes.iter().any(|scope| scope == "openid");
        let mut request = client
            .authorization_request(redirect)
            .scopes(scopes)
            .with_nonce(asks_openid && client.jwks_uri().is_some());
        if openid {
            request = request.scope("openid");
        }
        let mut request = if offline {
            request
                .prompt("consent")
                .access_type(Some(AccessType::Offline))
        } else {
            request.access_type(None)
        };
        if let Some(configure) = configure {
            request = configure(request);
        }
        if openid {
            request = request.with_nonce(true);
        }
        if let Some(key) = &dpop {
            request = request.bind_code_to(key);
        }
        let (url, pending) = if push || client.requires_pushed_authorization_requests() {
            let pushing = request.push(SystemTime::now(), rng)?;
            drive(pushing, SystemTime::now, &mut send, sleep_until)
                .map_err(InstalledAppError::Push)?
        } else {
            request.build(SystemTime::now(), rng)?
        };
        #[cfg(feature = "ring")]
        let id_token_check = client.jwks_uri().cloned().zip(pending.id_token_verifier());
        let mut callback = LoopbackCallback::new(pending, client)?.with_start_link(&url, rng);
        let start_path = callback.start_path().expect("a start link was just added");
        let start = Zeroizing::new(loopback_url(host, listener.port(), start_path));
        let mut browser_process = show(&mut *prompt, &start, &browser, timeout)?;
        let mut refusal_told = false;
        let served = serve(&listener, &mut callback, timeout, || {
            watch_browser(&mut browser_process, &mut *prompt);
            if !refusal_told && listener.refused() > 0 {
                refusal_told = true;
                tell_refusal(&mut *prompt);
            }
        });
        drop(listener);
        if let Some(mut process) = browser_process {
            // A browser still running is left to run, and reaped when it
            // exits so that it does not linger as a zombie.
            std::thread::spawn(move || process.wait());
        }
        let exchange = served?.map_err(InstalledAppError::Callback)?;
        let exchange = match &dpop {
            Some(key) => exchange.with_dpop(key),
            None => exchange,
        };
        let credentials = drive(exchange, SystemTime::now, &mut send, sleep_until)
            .map_err(InstalledAppError::Exchange)?;
        #[cfg(feature = "ring")]
        let verified = match id_token_check {
            Some((jwks_uri, verifier)) => Some(super::id_token::verify(
                &credentials,
                &verifier,
                &jwks_uri,
                send,
            )?),
            None => None,
        };
        #[cfg(not(feature = "ring"))]
        let verified = {
            let _ = send;
        };
        Ok((credentials, verified))
    }

    /// [`run`](Self::run) with a default
    /// [`UreqTransport`](crate::io::ureq::UreqTransport) (feature `ureq`).
    #[cfg(feature = "ureq")]
    pub fn run_with_ureq<R>(self, rng: &mut R) -> Result<UserCredentials, InstalledAppError>
    where
        R: Entropy + ?Sized,
    {
        let transport = crate::io::ureq::UreqTransport::new();
        self.run(rng, |request| transport.send(request))
    }
}

impl fmt::Debug for InstalledAppFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstalledAppFlow")
            .field("client", &self.client)
            .field("scopes", &self.scopes)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("path", &self.path)
            .field("trailing_slash", &self.trailing_slash)
            .field("browser", &self.browser)
            .field("timeout", &self.timeout)
            .field("offline", &self.offline)
            .field("configure_request", &self.configure.is_some())
            .field("push", &self.push)
            .field("dpop", &self.dpop)
            .finish_non_exhaustive()
    }
}

/// Reaps the browser process once it has exited; if it failed before the
/// callback came (a browser that cannot start its window, say), says so
/// after the prompt, since the sign-in now waits for the user alone.
fn watch_browser(process: &mut Option<Child>, out: &mut dyn Write) {
    let Some(child) = process else { return };
    match child.try_wait() {
        Ok(None) => {}
        Ok(Some(status)) => {
            if !status.success() {
                let _ = writeln!(
                    out,
                    "The browser exited ({status}); open the URL above yourself."
                );
                let _ = out.flush();
            }
            *process = None;
        }
        Err(_) => *process = None,
    }
}

/// Says, once, that a connection from another user was refused: the
/// user's own browser, if it runs as another user than the program, would
/// be refused too.
fn tell_refusal(out: &mut dyn Write) {
    let _ = writeln!(out, "{REFUSED}");
    let _ = out.flush();
}

/// The line after the prompt, so that a terminal left waiting says so.
fn waiting_line(timeout: Duration) -> String {
    let secs = timeout.as_secs();
    let limit = if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    };
    format!("Waiting for the sign-in to finish in the browser (up to {limit}; Ctrl-C stops)...")
}

/// Prints the prompt and opens the browser; a browser failure, then the
/// waiting line, are written after the prompt.
fn show(
    out: &mut dyn Write,
    url: &str,
    browser: &Browser,
    timeout: Duration,
) -> Result<Option<Child>, InstalledAppError> {
    let io = |source| InstalledAppError::Io {
        during: "writing the sign-in prompt",
        source,
    };
    writeln!(out, "{PROMPT}{url}").map_err(io)?;
    out.flush().map_err(io)?;
    let process = match browser.open(url) {
        Ok(process) => process,
        Err(e) => {
            writeln!(
                out,
                "Could not open a browser ({e}); open the URL above yourself."
            )
            .map_err(io)?;
            None
        }
    };
    writeln!(out, "{}", waiting_line(timeout)).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(process)
}
