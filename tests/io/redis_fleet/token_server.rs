//! A token endpoint on 127.0.0.1 that rotates refresh tokens (`rt-N` is
//! answered with `at-N+1` and `rt-N+1`, and is retired), refuses a retired
//! one with `invalid_grant`, and counts every request. It can leave the
//! first request unanswered, as a server does while a killed client's
//! refresh is in flight (the token is not rotated then), or answer each
//! request after a delay.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub requests: u32,
    pub invalid_grants: u32,
    /// The newest refresh token issued: `rt-latest`.
    pub latest: u32,
}

#[derive(Default)]
struct Shared {
    counts: Mutex<Counts>,
    stop: AtomicBool,
    hang_first: AtomicBool,
    delay_ms: AtomicU64,
}

pub struct TokenServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl TokenServer {
    /// Issues tokens that live `expires_in` seconds; leaves the first
    /// request unanswered if `hang_first`.
    pub fn start(expires_in: u64, hang_first: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        shared.hang_first.store(hang_first, Ordering::SeqCst);
        let thread = std::thread::spawn({
            let shared = Arc::clone(&shared);
            move || {
                for stream in listener.incoming() {
                    if shared.stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || answer(stream, &shared, expires_in));
                }
            }
        });
        Self {
            addr,
            shared,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// Answers each later request `delay` after it arrived.
    pub fn delay_answers(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap();
        self.shared.delay_ms.store(millis, Ordering::SeqCst);
    }

    pub fn counts(&self) -> Counts {
        *self.shared.counts.lock().unwrap()
    }

    /// Asserts that `requests` requests came, none refused.
    pub fn assert_requests(&self, requests: u32) {
        let counts = self.counts();
        assert_eq!(
            (counts.requests, counts.invalid_grants),
            (requests, 0),
            "{counts:?}"
        );
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(mut stream: TcpStream, shared: &Shared, expires_in: u64) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(body) = read_request(&mut stream) else {
        return;
    };
    let presented = form_value(&body, "refresh_token");
    if shared.hang_first.swap(false, Ordering::SeqCst) {
        shared.counts.lock().unwrap().requests += 1;
        // Unanswered and not rotated, until the client goes away.
        while !shared.stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
            if stream.peek(&mut [0; 1]).is_ok_and(|n| n == 0) {
                return;
            }
        }
        return;
    }
    let (status, json) = {
        let mut counts = shared.counts.lock().unwrap();
        counts.requests += 1;
        if presented.as_deref() == Some(format!("rt-{}", counts.latest).as_str()) {
            counts.latest += 1;
            let n = counts.latest;
            let json = format!(
                r#"{{"access_token":"at-{n}","token_type":"Bearer","expires_in":{expires_in},"refresh_token":"rt-{n}"}}"#
            );
            ("200 OK", json)
        } else {
            counts.invalid_grants += 1;
            ("400 Bad Request", r#"{"error":"invalid_grant"}"#.to_owned())
        }
    };
    std::thread::sleep(Duration::from_millis(
        shared.delay_ms.load(Ordering::SeqCst),
    ));
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
        json.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

/// The body of one request (by its content-length).
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        let n = stream.read(&mut buffer).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return Some(text[end + 4..end + 4 + length].to_owned());
            }
        }
    }
}

fn form_value(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}
