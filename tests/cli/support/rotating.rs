//! A token endpoint on 127.0.0.1 that rotates refresh tokens the way
//! oidc-provider does with `rotateRefreshToken`: each refresh answers a
//! new refresh token and retires the old one, and presenting a retired one
//! revokes the whole grant. It records when each rotation was committed,
//! and can run a hook (make a directory read-only, say) before it answers.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The refresh token the grant starts with (the one in `credentials_json`).
pub const FIRST_REFRESH_TOKEN: &str = "1//old-refresh";

/// What a request to the server did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The refresh token was current: rotated to `issued`.
    Rotated { issued: String, at: Instant },
    /// A retired refresh token: the grant is revoked.
    Replayed,
    /// The grant was already revoked, or the token is unknown.
    Refused,
}

struct State {
    current: Option<String>,
    issued: u32,
    outcomes: Vec<Outcome>,
    before_answer: Option<Box<dyn FnMut() + Send>>,
}

/// The server; stops when dropped.
pub struct RotatingServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RotatingServer {
    /// Answers access tokens that live `expires_in` seconds.
    pub fn start(expires_in: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            current: Some(FIRST_REFRESH_TOKEN.to_owned()),
            issued: 0,
            outcomes: Vec::new(),
            before_answer: None,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let (state, stop) = (state.clone(), stop.clone());
            move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        answer(stream, &state, expires_in);
                    }
                }
            }
        });
        Self {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn token_uri(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// Runs `hook` once the next refresh is accepted, before answering.
    pub fn before_next_answer(&self, hook: impl FnMut() + Send + 'static) {
        self.state.lock().unwrap().before_answer = Some(Box::new(hook));
    }

    /// Every request's outcome, in order.
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.state.lock().unwrap().outcomes.clone()
    }

    /// The refresh token the server would accept now; `None` once the
    /// grant is revoked.
    pub fn current(&self) -> Option<String> {
        self.state.lock().unwrap().current.clone()
    }
}

impl Drop for RotatingServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(mut stream: TcpStream, state: &Mutex<State>, expires_in: u64) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(presented) = read_refresh_token(&mut stream) else {
        return;
    };
    let (response, hook) = {
        let mut state = state.lock().unwrap();
        if state.current.as_deref() == Some(presented.as_str()) {
            state.issued += 1;
            let issued = format!("1//rt-{}", state.issued);
            state.current = Some(issued.clone());
            state.outcomes.push(Outcome::Rotated {
                issued: issued.clone(),
                at: Instant::now(),
            });
            let body = format!(
                r#"{{"access_token":"ya29.at-{}","token_type":"Bearer","expires_in":{expires_in},"refresh_token":"{issued}"}}"#,
                state.issued
            );
            (response(200, &body), state.before_answer.take())
        } else {
            let outcome = if presented.starts_with("1//") && state.current.is_some() {
                state.current = None;
                Outcome::Replayed
            } else {
                Outcome::Refused
            };
            state.outcomes.push(outcome);
            let body =
                r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#;
            (response(400, body), None)
        }
    };
    if let Some(mut hook) = hook {
        hook();
    }
    let _ = stream.write_all(&response);
}

/// The `refresh_token` (or, for a code exchange, the `code`) of the form
/// body of one request.
fn read_refresh_token(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length: usize = head
            .to_ascii_lowercase()
            .lines()
            .find_map(|line| {
                line.strip_prefix("content-length:")
                    .map(|v| v.trim().to_owned())
            })?
            .parse()
            .ok()?;
        if body.len() >= length {
            return oauth2_sansio::url::form_urlencoded::parse(body.as_bytes())
                .find(|(name, _)| name == "refresh_token" || name == "code")
                .map(|(_, value)| value.into_owned());
        }
    }
}

fn response(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
