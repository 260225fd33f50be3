//! A listener on 127.0.0.1 that reads the first bytes of each connection
//! and hangs up: enough to see that a TLS client reached it directly.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use testkit::canned_http::SOCKET_TIMEOUT;

/// Counts the TLS handshakes that reach it. Stops when dropped.
pub struct TlsSink {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    first_bytes: Mutex<Vec<Vec<u8>>>,
    stop: AtomicBool,
}

impl TlsSink {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let thread = std::thread::spawn({
            let shared = shared.clone();
            move || serve(listener, &shared)
        });
        Self {
            addr,
            shared,
            thread: Some(thread),
        }
    }

    /// How many connections opened with a TLS handshake record (a
    /// ClientHello: content type 22, version 3.x).
    pub fn client_hellos(&self) -> usize {
        let first_bytes = self.shared.first_bytes.lock().unwrap();
        first_bytes
            .iter()
            .filter(|bytes| bytes.starts_with(&[0x16, 0x03]))
            .count()
    }
}

impl Drop for TlsSink {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept; the thread sees `stop` and exits.
        let _ = TcpStream::connect_timeout(&self.addr, SOCKET_TIMEOUT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: TcpListener, shared: &Shared) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_read_timeout(Some(SOCKET_TIMEOUT));
        let mut first = [0; 16];
        let n = stream.read(&mut first).unwrap_or(0);
        shared.first_bytes.lock().unwrap().push(first[..n].to_vec());
    }
}
