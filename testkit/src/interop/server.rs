//! Starting and stopping the local oidc-provider (`interop/server.mjs`).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use oauth2_sansio::{Client, ClientBuilder};

use super::clients::{self, Registration};
use super::failure::Diagnostics;

/// How to start the server; `ServerOptions::default()` suits most tests.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// `expires_in` of issued access tokens (default: the server's 3600 s).
    pub access_token_ttl: Option<Duration>,
    /// How long to wait for `READY <port>` (default 30 s).
    pub ready_timeout: Duration,
    /// The server exits by itself after this long (default 300 s), even if
    /// the test process is stuck.
    pub max_lifetime: Duration,
    /// Listen on this port (default: one the OS chooses); a server started
    /// again on the port of a stopped one has the same issuer and a new
    /// signing key.
    pub port: Option<u16>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            access_token_ttl: None,
            ready_timeout: Duration::from_secs(30),
            max_lifetime: Duration::from_secs(300),
            port: None,
        }
    }
}

impl ServerOptions {
    /// Issued access tokens expire after `ttl` (whole seconds, at least 1).
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = Some(ttl);
        self
    }
}

/// A running oidc-provider on 127.0.0.1, one per test (fresh state, its own
/// event log); `Sync`, so a scenario may share it with a thread.
///
/// Dropping it kills the process by PID and waits for it; if the test is
/// panicking, the server's error events and stderr are printed first, so
/// every failed assertion shows them (the event log file is then kept).
pub struct InteropServer {
    child: Child,
    /// Held open: the server exits when it closes (INTEROP_EXIT_WITH_STDIN),
    /// so even a killed test run leaves no server behind.
    stdin: Option<ChildStdin>,
    readers: Vec<JoinHandle<()>>,
    port: u16,
    issuer: String,
    registrations: Vec<Registration>,
    diagnostics: Diagnostics,
    /// Set once the diagnostics were printed in a panic message.
    reported: AtomicBool,
}

static NEXT_LOG: AtomicUsize = AtomicUsize::new(0);

/// The longest stderr kept for diagnostics.
const STDERR_LIMIT: usize = 64 * 1024;

impl InteropServer {
    /// Starts a server with the default options; panics with a clear
    /// message (naming `bash scripts/interop-setup.sh` when something is not
    /// installed) if it cannot.
    pub fn start() -> Self {
        Self::start_with(ServerOptions::default())
    }

    /// Starts a server with `options`; see [`start`](Self::start).
    pub fn start_with(options: ServerOptions) -> Self {
        let dir = interop_dir();
        let node = find_on_path("node").unwrap_or_else(|| {
            panic!("node is not on PATH: the interop tests need Node.js >= 20.18; run `bash scripts/interop-setup.sh`")
        });
        if !dir
            .join("node_modules/oidc-provider/package.json")
            .is_file()
        {
            panic!(
                "{} has no oidc-provider: run `bash scripts/interop-setup.sh` first",
                dir.join("node_modules").display()
            );
        }
        let registrations = clients::load(&dir);
        let event_log = fresh_event_log();

        let mut command = Command::new(node);
        command
            .arg(dir.join("server.mjs"))
            .arg("--event-log")
            .arg(&event_log)
            .current_dir(&dir)
            .env("INTEROP_EXIT_WITH_STDIN", "1")
            .env(
                "INTEROP_MAX_SECONDS",
                options.max_lifetime.as_secs().max(1).to_string(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(ttl) = options.access_token_ttl {
            command.env("INTEROP_ACCESS_TOKEN_TTL", ttl.as_secs().max(1).to_string());
        }
        if let Some(port) = options.port {
            command.env("INTEROP_PORT", port.to_string());
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node interop/server.mjs: {e}"));

        let stderr = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr_pipe = child.stderr.take().expect("stderr is piped");
        let readers = vec![
            std::thread::spawn(move || announce_ready(stdout, &ready_tx)),
            std::thread::spawn({
                let stderr = stderr.clone();
                move || collect(stderr_pipe, &stderr)
            }),
        ];
        let mut server = Self {
            stdin: child.stdin.take(),
            child,
            readers,
            port: 0,
            issuer: String::new(),
            registrations,
            diagnostics: Diagnostics::new(event_log, stderr),
            reported: AtomicBool::new(false),
        };
        // Any panic from here on drops `server`, which stops the process.
        server.port = match ready_rx.recv_timeout(options.ready_timeout) {
            Ok(port) => port,
            Err(RecvTimeoutError::Timeout) => server.abort(&format!(
                "the interop server printed no `READY <port>` within {:?}",
                options.ready_timeout
            )),
            Err(RecvTimeoutError::Disconnected) => {
                server.abort("the interop server exited before it was ready")
            }
        };
        server.issuer = format!("http://127.0.0.1:{}", server.port);
        server
    }

    /// `http://127.0.0.1:<port>`, the provider's issuer identifier.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The OS-chosen port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The node process's PID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `issuer` + `path` (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    pub fn discovery_url(&self) -> String {
        self.url("/.well-known/openid-configuration")
    }

    pub fn authorization_endpoint(&self) -> String {
        self.url("/auth")
    }

    pub fn token_endpoint(&self) -> String {
        self.url("/token")
    }

    pub fn revocation_endpoint(&self) -> String {
        self.url("/token/revocation")
    }

    pub fn introspection_endpoint(&self) -> String {
        self.url("/token/introspection")
    }

    pub fn device_authorization_endpoint(&self) -> String {
        self.url("/device/auth")
    }

    pub fn userinfo_endpoint(&self) -> String {
        self.url("/me")
    }

    /// The pushed authorization request endpoint (RFC 9126).
    pub fn par_endpoint(&self) -> String {
        self.url("/request")
    }

    pub fn jwks_uri(&self) -> String {
        self.url("/jwks")
    }

    /// The registration of `client_id` (one of the `clients` constants);
    /// panics if there is none.
    pub fn registration(&self, client_id: &str) -> &Registration {
        self.registrations
            .iter()
            .find(|r| r.client_id == client_id)
            .unwrap_or_else(|| panic!("interop/clients.json has no client {client_id:?}"))
    }

    /// A builder for `client_id` as registered: this server's endpoints and
    /// issuer, `iss` required in the callback, the registered secret or key
    /// and token endpoint authentication.
    pub fn client_builder(&self, client_id: &str) -> ClientBuilder {
        let registration = self.registration(client_id);
        let mut builder = Client::builder(client_id)
            .authorization_endpoint(self.authorization_endpoint())
            .token_endpoint(self.token_endpoint())
            .pushed_authorization_request_endpoint(self.par_endpoint())
            .jwks_uri(self.jwks_uri())
            .issuer(self.issuer())
            .require_issuer_in_callback(true)
            .auth_method(registration.auth_method());
        if let Some(secret) = registration.secret() {
            builder = builder.client_secret(secret);
        }
        if let Some(key) = registration.assertion_key() {
            builder = builder.private_key_jwt(key);
        }
        builder
    }

    /// [`client_builder`](Self::client_builder), built.
    pub fn client(&self, client_id: &str) -> Client {
        self.client_builder(client_id)
            .build()
            .unwrap_or_else(|e| self.fail(format!("client {client_id}: {e}")))
    }

    /// A Google-style `client_secrets.json` for `client_id` pointing at this
    /// server (`installed` for native clients, `web` otherwise).
    pub fn client_secrets_json(&self, client_id: &str) -> String {
        let registration = self.registration(client_id);
        let mut section = serde_json::json!({
            "client_id": registration.client_id,
            "auth_uri": self.authorization_endpoint(),
            "token_uri": self.token_endpoint(),
            "redirect_uris": registration.redirect_uris,
        });
        if let Some(secret) = registration.secret() {
            section["client_secret"] = secret.secret().into();
        }
        let kind = if registration.is_native() {
            "installed"
        } else {
            "web"
        };
        serde_json::json!({ kind: section }).to_string()
    }

    /// The provider's error events so far, one JSON object each.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.diagnostics.events()
    }

    /// Whether an event named `event` with `error` equal to `error` was
    /// logged.
    pub fn logged(&self, event: &str, error: &str) -> bool {
        self.events()
            .iter()
            .any(|e| e["event"] == event && e["error"] == error)
    }

    /// The event log and the server's stderr, as a printable report.
    pub fn diagnostics(&self) -> String {
        self.diagnostics.report()
    }

    /// Panics with `message` followed by the server's diagnostics.
    pub fn fail(&self, message: impl std::fmt::Display) -> ! {
        self.reported.store(true, Ordering::Relaxed);
        panic!("{message}\n{}", self.diagnostics())
    }

    /// The value of `result`, or a panic naming `what` with the error and
    /// the server's diagnostics.
    pub fn check<T, E: std::fmt::Display>(&self, result: Result<T, E>, what: &str) -> T {
        result.unwrap_or_else(|e| self.fail(format!("{what} failed: {e}")))
    }

    /// Stops the process, then panics with `message` and everything it
    /// printed (used before the server is ready).
    fn abort(&mut self, message: &str) -> ! {
        let status = self.stop();
        self.reported.store(true, Ordering::Relaxed);
        panic!(
            "{message} (exit: {status}); run `bash scripts/interop-setup.sh` if it is not installed\n{}",
            self.diagnostics()
        )
    }

    /// Kills the process by PID, waits for it and for the pipe readers;
    /// returns how it ended.
    fn stop(&mut self) -> String {
        drop(self.stdin.take());
        // Fails only if the process has already exited, which is fine.
        let _ = self.child.kill();
        let status = match self.child.wait() {
            Ok(status) => status.to_string(),
            Err(e) => format!("wait failed: {e}"),
        };
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        status
    }
}

impl Drop for InteropServer {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            if !self.reported.load(Ordering::Relaxed) {
                eprintln!("{}", self.diagnostics());
            }
        } else {
            self.diagnostics.remove_log();
        }
    }
}

/// The repository's `interop/` directory.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit/ is inside the repository")
        .join("interop")
}

/// The first executable file named `program` in a `PATH` directory.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn fresh_event_log() -> PathBuf {
    // A library has no CARGO_TARGET_TMPDIR; the logs are removed after a
    // passing test, and named in the report of a failing one.
    let dir = std::env::temp_dir().join("oauth2-sansio-interop");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    let n = NEXT_LOG.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("events-{}-{n}.jsonl", std::process::id()));
    // A log left by an earlier run with the same PID must not be read as ours.
    let _ = std::fs::remove_file(&path);
    path
}

/// Reads the server's stdout: sends the port of the first `READY <port>`
/// line, then drains the rest so the server never blocks on a full pipe.
fn announce_ready(stdout: impl Read, ready: &mpsc::Sender<u16>) {
    let mut announced = false;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if announced {
            continue;
        }
        if let Some(port) = line
            .strip_prefix("READY ")
            .and_then(|p| p.trim().parse().ok())
        {
            announced = ready.send(port).is_ok();
        }
    }
}

/// Appends everything read from `pipe` to `into`, keeping the last
/// [`STDERR_LIMIT`] bytes.
fn collect(pipe: impl Read, into: &Mutex<String>) {
    for line in BufReader::new(pipe).lines() {
        let Ok(line) = line else { break };
        let mut text = into.lock().unwrap_or_else(|e| e.into_inner());
        text.push_str(&line);
        text.push('\n');
        if text.len() > STDERR_LIMIT {
            let cut = text.len() - STDERR_LIMIT;
            let cut = (cut..text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            text.drain(..cut);
        }
    }
}

// Scenarios may share the server with a thread (a browser or CLI runner).
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<InteropServer>();
};
