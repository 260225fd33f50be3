//! A throwaway `redis-server` on a free 127.0.0.1 port (Debian's, installed
//! by scripts/interop-setup.sh): no persistence, stopped by its PID when
//! dropped. Tests stop and start it again to play an outage.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = "/usr/bin/redis-server";

/// A running (or stopped) Redis server on one port.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it answers `PING`.
    /// A port another test's server took between the probe and the start
    /// is detected (the answering server is not this child) and another
    /// port is tried.
    pub fn start() -> Self {
        assert!(
            std::path::Path::new(BINARY).exists(),
            "{BINARY} is missing: run `bash scripts/interop-setup.sh` (installs Debian's redis-server)"
        );
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|listener| listener.local_addr())
                .unwrap()
                .port();
            let mut server = Self { port, child: None };
            if server.try_start() {
                return server;
            }
        }
        panic!("redis-server could not get a port of its own in 5 attempts");
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Stops the server (SIGKILL to its PID) and waits for it to be gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes the server (SIGSTOP): connections are accepted by the
    /// kernel, and nothing is answered until [`resume`](Self::resume).
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets a frozen server go on (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Starts it again on the same port, empty.
    pub fn start_again(&mut self) {
        assert!(
            self.try_start(),
            "redis-server could not start again on port {}",
            self.port
        );
    }

    /// Starts the server on its port; `false` if what answers there is not
    /// this child (it could not bind the port).
    fn try_start(&mut self) -> bool {
        self.stop();
        let child = Command::new(BINARY)
            .args(["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"])
            .args(["--port", &self.port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let pid = child.id();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.command(&["PING"]).as_deref() != Some("+PONG") {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer PING within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let info = self.bulk(&["INFO", "server"]).unwrap_or_default();
        let ours = String::from_utf8_lossy(&info).contains(&format!("process_id:{pid}\r\n"));
        if !ours {
            self.stop();
        }
        ours
    }

    /// Sends one command and returns the first line of the answer (a bulk
    /// string's `$len` line is followed by its value, returned instead);
    /// `None` if the server cannot be reached.
    pub fn command(&self, args: &[&str]) -> Option<String> {
        self.command_bytes(&args.iter().map(|a| a.as_bytes()).collect::<Vec<_>>())
    }

    /// [`command`](Self::command) with binary arguments.
    pub fn command_bytes(&self, args: &[&[u8]]) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut request = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            request.extend(format!("${}\r\n", arg.len()).bytes());
            request.extend_from_slice(arg);
            request.extend(b"\r\n");
        }
        stream.write_all(&request).ok()?;
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end().to_owned();
        if line.starts_with('$') && line != "$-1" {
            let mut value = String::new();
            reader.read_line(&mut value).ok()?;
            return Some(value.trim_end().to_owned());
        }
        Some(line)
    }

    /// The raw value at `key` (`None` when there is none), read whole
    /// by its bulk length, so binary values come back intact.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.bulk(&["GET", key])
    }

    /// The bulk-string answer to a command, read by its length; `None`
    /// for a nil answer or an unreachable server.
    fn bulk(&self, args: &[&str]) -> Option<Vec<u8>> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut request = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            request.extend(format!("${}\r\n{arg}\r\n", arg.len()).bytes());
        }
        stream.write_all(&request).ok()?;
        let mut reader = BufReader::new(stream);
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let len: usize = header.trim_end().strip_prefix('$')?.parse().ok()?;
        let mut value = vec![0; len + 2];
        std::io::Read::read_exact(&mut reader, &mut value).ok()?;
        value.truncate(len);
        Some(value)
    }

    /// The keys the server holds.
    pub fn keys(&self) -> Vec<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream
            .write_all(b"*2\r\n$4\r\nKEYS\r\n$1\r\n*\r\n")
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let count: usize = line.trim_end()[1..].parse().unwrap();
        (0..count)
            .map(|_| {
                let (mut len, mut key) = (String::new(), String::new());
                reader.read_line(&mut len).unwrap();
                reader.read_line(&mut key).unwrap();
                key.trim_end().to_owned()
            })
            .collect()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
