//! The metadata server on 127.0.0.1, for the transports, the CLI and
//! google-auth: a thread per connection, one request each, answered as
//! the fake's routes say; every request recorded. Stops when dropped.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::SystemTime;

use super::fake::FakeMetadata;
use crate::canned_http::{read_request, Received, SOCKET_TIMEOUT};

/// A fake metadata server listening on 127.0.0.1.
pub struct LoopbackMetadata {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    fake: Mutex<FakeMetadata>,
    requests: Mutex<Vec<Received>>,
    stopped: Mutex<bool>,
    /// Wakes the answers held back by a slow fake when the server stops.
    stopping: Condvar,
}

impl LoopbackMetadata {
    /// Starts `fake` on a free port of 127.0.0.1.
    pub fn start(fake: FakeMetadata) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            fake: Mutex::new(fake),
            requests: Mutex::new(Vec::new()),
            stopped: Mutex::new(false),
            stopping: Condvar::new(),
        });
        let thread = std::thread::spawn({
            let shared = shared.clone();
            move || accept(&listener, &shared)
        });
        Self {
            addr,
            shared,
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:PORT`, for `GCE_METADATA_HOST` and `GCE_METADATA_IP`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Received> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Every request as `METHOD TARGET flavor=VALUE` (`flavor=-` without
    /// the header): what google-auth and the crate are compared on.
    pub fn seen(&self) -> Vec<String> {
        self.requests().iter().map(seen).collect()
    }

    /// How many access tokens the fake issued.
    pub fn tokens_issued(&self) -> u32 {
        self.shared.fake.lock().unwrap().tokens_issued()
    }
}

/// `127.0.0.1:PORT` where nothing listens (a port bound, then released):
/// a metadata server that is not there.
pub fn unused_host() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().unwrap().to_string()
}

/// `METHOD TARGET flavor=VALUE` of one request.
pub fn seen(request: &Received) -> String {
    let mut line = request.line.split(' ');
    let (method, target) = (line.next().unwrap_or(""), line.next().unwrap_or(""));
    let flavor = request
        .headers
        .iter()
        .find(|(name, _)| name == "metadata-flavor")
        .map_or("-", |(_, value)| value.as_str());
    format!("{method} {target} flavor={flavor}")
}

impl Drop for LoopbackMetadata {
    fn drop(&mut self) {
        *self.shared.stopped.lock().unwrap() = true;
        self.shared.stopping.notify_all();
        // Wake the blocking accept; the thread sees `stopped` and exits.
        let _ = TcpStream::connect_timeout(&self.addr, SOCKET_TIMEOUT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut connections = Vec::new();
    for stream in listener.incoming() {
        if *shared.stopped.lock().unwrap() {
            break;
        }
        let Ok(stream) = stream else { continue };
        let shared = shared.clone();
        connections.push(std::thread::spawn(move || answer(stream, &shared)));
    }
    for connection in connections {
        let _ = connection.join();
    }
}

fn answer(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(SOCKET_TIMEOUT));
    let _ = stream.set_write_timeout(Some(SOCKET_TIMEOUT));
    let Ok(raw) = read_request(&mut stream) else {
        return;
    };
    let request = Received::parse(&raw);
    shared.requests.lock().unwrap().push(request.clone());
    let (reply, delay) = {
        let mut fake = shared.fake.lock().unwrap();
        let mut line = request.line.split(' ');
        let (method, target) = (line.next().unwrap_or(""), line.next().unwrap_or(""));
        let flavored = request
            .headers
            .iter()
            .any(|(name, value)| name == "metadata-flavor" && value == "Google");
        let reply = fake.answer(method, target, flavored, SystemTime::now());
        (reply, fake.delay)
    };
    if !delay.is_zero() {
        let stopped = shared.stopped.lock().unwrap();
        let (stopped, _) = shared
            .stopping
            .wait_timeout_while(stopped, delay, |stopped| !*stopped)
            .unwrap();
        if *stopped {
            return;
        }
    }
    let _ = stream.write_all(&reply.to_wire());
}
