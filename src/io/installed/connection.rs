//! One browser connection, served without blocking: read the request head,
//! hand it to the [`LoopbackCallback`], write the answer, close.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::flows::code::callback::CallbackError;
use crate::flows::code::exchange::CodeExchange;
use crate::flows::code::loopback::{LoopbackCallback, LoopbackRequestParser, Outcome, Parsed};

/// How long one connection may take to send its request and receive the
/// answer: 10 s. A connection that sends nothing (a browser's speculative
/// pre-connection, a port scanner) is dropped after it.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// The bound on writing the final answer, once the flow has its result.
const FINAL_WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// What a connection did in one round.
#[derive(Debug)]
// Made once per round and matched at once; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(super) enum Progress {
    /// Waiting for bytes to arrive or for room to write.
    Waiting,
    /// Done with (answered, closed by the peer, failed or expired): drop it.
    Closed,
    /// The genuine callback arrived and its answer was written (as far as
    /// the browser would take it): the flow ends with this.
    Finished(Result<CodeExchange, CallbackError>),
}

#[derive(Debug)]
pub(super) struct Connection {
    stream: TcpStream,
    parser: LoopbackRequestParser,
    opened: Instant,
    /// Whether any byte has arrived.
    heard: bool,
    /// The answer being written, and how much of it is out.
    answer: Option<(Vec<u8>, usize)>,
}

impl Connection {
    /// Takes over an accepted stream at `now`.
    pub(super) fn new(stream: TcpStream, now: Instant) -> io::Result<Self> {
        stream.set_nonblocking(true)?;
        Ok(Self {
            stream,
            parser: LoopbackRequestParser::new(),
            opened: now,
            heard: false,
            answer: None,
        })
    }

    /// Nothing has arrived on it yet.
    pub(super) fn is_idle(&self) -> bool {
        !self.heard
    }

    /// How long it has been open at `now`.
    pub(super) fn age(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.opened)
    }

    /// Reads what has arrived, answers a complete request, writes what the
    /// socket takes.
    pub(super) fn poll(&mut self, callback: &mut LoopbackCallback, now: Instant) -> Progress {
        if self.age(now) >= CONNECTION_TIMEOUT {
            return Progress::Closed;
        }
        if self.answer.is_some() {
            return self.write_answer();
        }
        let mut buf = [0u8; 2048];
        loop {
            let read = match self.stream.read(&mut buf) {
                Ok(0) => return Progress::Closed,
                Ok(n) => {
                    self.heard = true;
                    n
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Progress::Waiting,
                Err(_) => return Progress::Closed,
            };
            let response = match self.parser.feed(&buf[..read]) {
                Parsed::NeedMore => continue,
                Parsed::Rejected(rejection) => rejection.response(),
                Parsed::Request(request) => {
                    let answer = callback.handle(&request);
                    match answer.outcome {
                        Outcome::KeepWaiting => answer.response,
                        Outcome::Finished(result) => {
                            self.write_final(&answer.response);
                            return Progress::Finished(result);
                        }
                    }
                }
            };
            self.answer = Some((response, 0));
            return self.write_answer();
        }
    }

    fn write_answer(&mut self) -> Progress {
        let Some((bytes, written)) = &mut self.answer else {
            return Progress::Closed;
        };
        while *written < bytes.len() {
            match self.stream.write(&bytes[*written..]) {
                Ok(0) => return Progress::Closed,
                Ok(n) => *written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Progress::Waiting,
                Err(_) => return Progress::Closed,
            }
        }
        let _ = self.stream.shutdown(Shutdown::Write);
        Progress::Closed
    }

    /// Writes the last answer with a short blocking bound: the flow's result
    /// does not depend on the browser reading it.
    fn write_final(&mut self, response: &[u8]) {
        let _ = self.stream.set_nonblocking(false);
        let _ = self.stream.set_write_timeout(Some(FINAL_WRITE_TIMEOUT));
        let _ = self.stream.write_all(response);
        let _ = self.stream.shutdown(Shutdown::Write);
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;
    use crate::testing::loopback_callback as callback;

    /// A connected pair: the browser's end and the listener's.
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let browser = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (served, _) = listener.accept().unwrap();
        (browser, served)
    }

    /// Lets the test wait for bytes in flight instead of racing them.
    fn make_blocking(connection: &mut Connection) {
        connection.stream.set_nonblocking(false).unwrap();
        connection
            .stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
    }

    #[test]
    fn a_silent_connection_waits_until_it_expires() {
        let (_browser, served) = pair();
        let start = Instant::now();
        let mut connection = Connection::new(served, start).unwrap();
        let mut callback = callback();
        assert!(matches!(
            connection.poll(&mut callback, start),
            Progress::Waiting
        ));
        let almost = start + CONNECTION_TIMEOUT - Duration::from_millis(1);
        assert!(matches!(
            connection.poll(&mut callback, almost),
            Progress::Waiting
        ));
        assert!(matches!(
            connection.poll(&mut callback, start + CONNECTION_TIMEOUT),
            Progress::Closed
        ));
        assert!(!callback.is_finished());
    }

    #[test]
    fn a_connection_closed_before_its_request_is_dropped() {
        let (browser, served) = pair();
        let now = Instant::now();
        let mut connection = Connection::new(served, now).unwrap();
        drop(browser);
        // The FIN may take a moment to arrive: wait for it.
        make_blocking(&mut connection);
        assert!(matches!(
            connection.poll(&mut callback(), now),
            Progress::Closed
        ));
    }

    #[test]
    fn a_rejected_request_gets_its_answer_and_is_closed() {
        let (mut browser, served) = pair();
        let now = Instant::now();
        let mut connection = Connection::new(served, now).unwrap();
        browser
            .write_all(b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n")
            .unwrap();
        make_blocking(&mut connection);
        assert!(matches!(
            connection.poll(&mut callback(), now),
            Progress::Closed
        ));
        let mut answer = String::new();
        browser.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 421 "), "{answer}");
    }
}
