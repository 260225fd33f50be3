//! The open connections, bounded so that a flood from localhost cannot
//! crowd out the browser's.
//!
//! Every connection is read as soon as it is accepted, so a request that
//! has arrived is answered before anything else can happen to it. One that
//! has sent nothing yet is idle: when the idle ones fill their share, the
//! oldest makes room, but only once it has had [`IDLE_GRACE`] to speak and a
//! last read found nothing. A connection that has sent bytes is never
//! evicted: it keeps its place until it is answered, closed or expires.
//! When there is no room, new connections wait in the kernel's accept
//! queue, which keeps their bytes until they are accepted.

use std::collections::VecDeque;
use std::net::TcpStream;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use super::connection::{Connection, Progress};
use crate::flows::code::callback::CallbackError;
use crate::flows::code::exchange::CodeExchange;
use crate::loopback::LoopbackCallback;

/// How many connections that have sent nothing yet are kept.
pub(super) const MAX_IDLE: usize = 64;

/// How many requests in progress (part of a head received, or an answer
/// being written) are kept; a connection that would be one more is closed.
pub(super) const MAX_BUSY: usize = 64;

/// How long a new connection may stay silent before it can be evicted to
/// make room: far longer than a browser takes between connecting and
/// sending its request, even on a loaded machine.
pub(super) const IDLE_GRACE: Duration = Duration::from_millis(100);

/// How the flow ended: the genuine callback's result.
pub(super) type Finished = Result<CodeExchange, CallbackError>;

/// The connections being served.
#[derive(Debug, Default)]
pub(super) struct Pool {
    /// Oldest first.
    idle: VecDeque<Connection>,
    busy: Vec<Connection>,
}

impl Pool {
    /// How many connections may be accepted at `now`, one after the other:
    /// the idle places free, and one for each idle connection that has had
    /// its grace (the oldest first make room).
    pub(super) fn room(&self, now: Instant) -> usize {
        let graced = self
            .idle
            .iter()
            .take_while(|connection| connection.age(now) >= IDLE_GRACE)
            .count();
        MAX_IDLE.saturating_sub(self.idle.len()) + graced
    }

    /// Takes over an accepted stream and reads it at once; evicts the
    /// oldest idle connection if the new one needs its place. Call at most
    /// as many times as [`room`](Self::room) said.
    pub(super) fn admit(
        &mut self,
        stream: TcpStream,
        callback: &mut LoopbackCallback,
        now: Instant,
    ) -> ControlFlow<Finished> {
        let Ok(connection) = Connection::new(stream, now) else {
            return ControlFlow::Continue(());
        };
        if let Some(idle) = self.serve(connection, callback, now)? {
            self.idle.push_back(idle);
        }
        while self.idle.len() > MAX_IDLE {
            let Some(oldest) = self.idle.pop_front() else {
                break;
            };
            if oldest.age(now) < IDLE_GRACE {
                self.idle.push_front(oldest);
                break;
            }
            // Its bytes may have arrived since it was last read: a request
            // is served, only silence is evicted.
            drop(self.serve(oldest, callback, now)?);
        }
        ControlFlow::Continue(())
    }

    /// Serves every connection once; `Continue(true)` if any of them was
    /// answered, closed or moved from idle to busy.
    pub(super) fn poll(
        &mut self,
        callback: &mut LoopbackCallback,
        now: Instant,
    ) -> ControlFlow<Finished, bool> {
        let before = (self.idle.len(), self.busy.len());
        let busy = std::mem::take(&mut self.busy);
        let idle = std::mem::take(&mut self.idle);
        for connection in busy.into_iter().chain(idle) {
            if let Some(idle) = self.serve(connection, callback, now)? {
                self.idle.push_back(idle);
            }
        }
        ControlFlow::Continue(before != (self.idle.len(), self.busy.len()))
    }

    /// Polls `connection`: keeps it as busy if it is part-way through a
    /// request (closes it if [`MAX_BUSY`] are), hands it back if it is
    /// still idle, drops it if it is done.
    fn serve(
        &mut self,
        mut connection: Connection,
        callback: &mut LoopbackCallback,
        now: Instant,
    ) -> ControlFlow<Finished, Option<Connection>> {
        match connection.poll(callback, now) {
            Progress::Finished(result) => ControlFlow::Break(result),
            Progress::Waiting if connection.is_idle() => ControlFlow::Continue(Some(connection)),
            Progress::Waiting => {
                if self.busy.len() < MAX_BUSY {
                    self.busy.push(connection);
                }
                ControlFlow::Continue(None)
            }
            Progress::Closed => ControlFlow::Continue(None),
        }
    }

    /// How many connections are open (idle, busy).
    #[cfg(test)]
    pub(super) fn counts(&self) -> (usize, usize) {
        (self.idle.len(), self.busy.len())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    use super::*;
    use crate::testing::loopback_callback as callback;

    /// Connected pairs: the clients' ends and the listener's.
    struct Clients {
        listener: TcpListener,
    }

    impl Clients {
        fn new() -> Self {
            Self {
                listener: TcpListener::bind("127.0.0.1:0").unwrap(),
            }
        }

        /// A client, and the accepted stream for the pool.
        fn connect(&self) -> (TcpStream, TcpStream) {
            let client = TcpStream::connect(self.listener.local_addr().unwrap()).unwrap();
            let (served, _) = self.listener.accept().unwrap();
            (client, served)
        }
    }

    /// Waits until `bytes` sent on `client` can be read from `served`, so
    /// that the pool's next read does not race them.
    fn send(client: &mut TcpStream, served: &TcpStream, bytes: &[u8]) {
        client.write_all(bytes).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut peek = [0u8; 1];
        while !matches!(served.peek(&mut peek), Ok(n) if n > 0) {
            assert!(Instant::now() < deadline, "the bytes never arrived");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Whether the listener closed `client` without answering (waits for
    /// the close to arrive).
    fn closed_unanswered(client: &mut TcpStream) -> bool {
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        match client.read(&mut [0u8; 1]) {
            Ok(0) => true,
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
            Ok(_) => false,
        }
    }

    /// Whether `client` is still open, with nothing to read.
    fn still_open(client: &mut TcpStream) -> bool {
        client.set_nonblocking(true).unwrap();
        let open = matches!(
            client.read(&mut [0u8; 1]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
        );
        client.set_nonblocking(false).unwrap();
        open
    }

    fn admit(pool: &mut Pool, served: TcpStream, callback: &mut LoopbackCallback, now: Instant) {
        assert!(pool.room(now) > 0);
        assert!(pool.admit(served, callback, now).is_continue());
    }

    #[test]
    fn silent_connections_make_room_only_after_their_grace() {
        let clients = Clients::new();
        let mut callback = callback();
        let mut pool = Pool::default();
        let start = Instant::now();
        let mut silent = Vec::new();
        for _ in 0..MAX_IDLE {
            let (client, served) = clients.connect();
            admit(&mut pool, served, &mut callback, start);
            silent.push(client);
        }
        assert_eq!(pool.counts(), (MAX_IDLE, 0));
        let young = start + IDLE_GRACE - Duration::from_millis(1);
        assert_eq!(
            pool.room(young),
            0,
            "no silent connection is evicted in its grace"
        );

        let later = start + IDLE_GRACE;
        assert_eq!(pool.room(later), MAX_IDLE, "each can make room in turn");
        let (_newest, served) = clients.connect();
        admit(&mut pool, served, &mut callback, later);
        assert_eq!(pool.counts(), (MAX_IDLE, 0));
        assert_eq!(pool.room(later), MAX_IDLE - 1, "the newest has its grace");
        assert!(closed_unanswered(&mut silent[0]), "the oldest made room");
        assert!(silent[1..].iter_mut().all(still_open));
    }

    #[test]
    fn requests_in_progress_are_never_evicted() {
        let clients = Clients::new();
        let mut callback = callback();
        let mut pool = Pool::default();
        let start = Instant::now();
        let mut partial = Vec::new();
        for _ in 0..MAX_BUSY {
            let (mut client, served) = clients.connect();
            send(&mut client, &served, b"GET /?state=");
            admit(&mut pool, served, &mut callback, start);
            partial.push(client);
        }
        assert_eq!(pool.counts(), (0, MAX_BUSY));
        // A flood of silent connections long after: they make room among
        // themselves, never at the expense of the requests in progress.
        let mut now = start;
        for _ in 0..3 {
            now += IDLE_GRACE;
            for _ in 0..MAX_IDLE {
                let (_client, served) = clients.connect();
                admit(&mut pool, served, &mut callback, now);
            }
        }
        assert_eq!(pool.counts(), (MAX_IDLE, MAX_BUSY));
        assert!(partial.iter_mut().all(still_open));
        // One request in progress more than the pool keeps is refused.
        let (mut extra, served) = clients.connect();
        send(&mut extra, &served, b"GET /?state=");
        admit(&mut pool, served, &mut callback, now + IDLE_GRACE);
        assert!(closed_unanswered(&mut extra));
        assert_eq!(pool.counts(), (MAX_IDLE, MAX_BUSY));
        // One of them completes its request and is answered.
        let (first, _) = partial.split_first_mut().unwrap();
        first
            .write_all(b"x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        first
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.counts().1 == MAX_BUSY {
            assert!(
                Instant::now() < deadline,
                "the completed request was not served"
            );
            assert!(pool.poll(&mut callback, now).is_continue());
        }
        let mut answer = String::new();
        first.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    }

    #[test]
    fn bytes_that_came_since_the_last_read_are_served_not_evicted() {
        let clients = Clients::new();
        let mut callback = callback();
        let mut pool = Pool::default();
        let start = Instant::now();
        let (mut oldest, served) = clients.connect();
        let peer = served.try_clone().unwrap();
        admit(&mut pool, served, &mut callback, start);
        for _ in 1..MAX_IDLE {
            let (_client, served) = clients.connect();
            admit(&mut pool, served, &mut callback, start);
        }
        send(
            &mut oldest,
            &peer,
            b"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        );
        let (_newest, served) = clients.connect();
        admit(&mut pool, served, &mut callback, start + IDLE_GRACE);
        let mut answer = String::new();
        oldest
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        oldest.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
    }

    #[test]
    fn a_request_that_has_arrived_is_answered_on_admission() {
        let clients = Clients::new();
        let mut callback = callback();
        let mut pool = Pool::default();
        let (mut client, served) = clients.connect();
        send(
            &mut client,
            &served,
            b"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        );
        admit(&mut pool, served, &mut callback, Instant::now());
        assert_eq!(pool.counts(), (0, 0));
        let mut answer = String::new();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        client.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
    }
}
