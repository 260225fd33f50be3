//! A canned HTTP/1.1 server on 127.0.0.1 for the transport and CLI tests: it
//! answers each connection with the next scripted answer and records every
//! request byte for byte.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Bounds every socket operation of the server, so no test can hang.
pub const SOCKET_TIMEOUT: Duration = Duration::from_secs(5);

/// What the server does with one connection, after reading its request.
pub enum Answer {
    /// Writes these bytes and closes.
    Bytes(Vec<u8>),
    /// Never answers; keeps the connection open until the server stops.
    Silence,
    /// A 200 without a length, then body bytes until the client goes away.
    EndlessBody,
}

/// A one-thread HTTP server answering each connection with the next
/// canned [`Answer`] (a 404 once they run out), recording every request.
/// Stops when dropped.
pub struct CannedServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// What the test and the server thread both see.
#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Received>>,
    stop: AtomicBool,
    endless_bytes_written: AtomicU64,
}

impl CannedServer {
    pub fn start(answers: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let thread = std::thread::spawn({
            let shared = shared.clone();
            move || serve(listener, answers, &shared)
        });
        Self {
            addr,
            shared,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Received> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// How many body bytes [`Answer::EndlessBody`] has written so far.
    pub fn endless_bytes_written(&self) -> u64 {
        self.shared.endless_bytes_written.load(Ordering::SeqCst)
    }
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; the server sees `stop` and exits.
        let _ = TcpStream::connect_timeout(&self.addr, SOCKET_TIMEOUT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: TcpListener, answers: Vec<Answer>, shared: &Shared) {
    let mut answers = answers.into_iter();
    let mut silent = Vec::new();
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(SOCKET_TIMEOUT));
        let _ = stream.set_write_timeout(Some(SOCKET_TIMEOUT));
        let Ok(raw) = read_request(&mut stream) else {
            continue;
        };
        shared.requests.lock().unwrap().push(Received::parse(&raw));
        match answers.next() {
            Some(Answer::Bytes(bytes)) => {
                let _ = stream.write_all(&bytes);
            }
            Some(Answer::Silence) => silent.push(stream),
            Some(Answer::EndlessBody) => write_endless_body(&mut stream, shared),
            None => {
                let _ = stream.write_all(&canned(404, ""));
            }
        }
    }
}

/// Reads the head and the `Content-Length` body of one request.
pub(crate) fn read_request(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        if let Some(end) = find(&data, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(Ok(0), |v| v.trim().parse())
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
            let total = end + 4 + length;
            while data.len() < total {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                data.extend_from_slice(&chunk[..n]);
            }
            data.truncate(total);
            return Ok(data);
        }
        if data.len() > 64 * 1024 {
            return Err(io::ErrorKind::InvalidData.into());
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        data.extend_from_slice(&chunk[..n]);
    }
}

/// Writes a close-delimited body until the client stops reading (or 1 GiB,
/// which a transport that reads everything would hit first).
fn write_endless_body(stream: &mut TcpStream, shared: &Shared) {
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    if stream.write_all(head).is_err() {
        return;
    }
    let chunk = [b' '; 16 * 1024];
    for _ in 0..(1 << 30) / chunk.len() {
        if shared.stop.load(Ordering::SeqCst) || stream.write_all(&chunk).is_err() {
            return;
        }
        shared
            .endless_bytes_written
            .fetch_add(chunk.len() as u64, Ordering::SeqCst);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Received {
    pub line: String,
    /// Lower-cased names, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub(crate) fn parse(raw: &[u8]) -> Self {
        let end = find(raw, b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&raw[..end]).unwrap();
        let mut lines = head.split("\r\n");
        let line = lines.next().unwrap().to_owned();
        let headers = lines
            .map(|l| {
                let (name, value) = l.split_once(':').unwrap();
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        Self {
            line,
            headers,
            body: raw[end + 4..].to_vec(),
        }
    }

    pub fn sorted_headers(&self) -> Vec<(String, String)> {
        let mut headers = self.headers.clone();
        headers.sort();
        headers
    }

    pub fn body(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

pub fn canned(status: u16, body: &str) -> Vec<u8> {
    canned_with(status, &[], body)
}

pub fn canned_with(status: u16, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} Canned\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}
