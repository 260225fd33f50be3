//! The loopback listener: bound to a loopback address only (never
//! `0.0.0.0`), on an OS-chosen port by default, non-blocking so one thread
//! can watch it together with its connections and a deadline.
//!
//! On Linux it serves only this user's connections (and root's): right
//! after accepting one, it looks up who holds the socket at the other end
//! in the kernel's table of TCP sockets ([`socket_table`]), and closes a
//! connection from another user unread.

use std::cell::Cell;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};

use super::error::InstalledAppError;
use super::socket_table::{self, Ends, Owner};

/// The loopback host the listener binds and the redirect URI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LoopbackHost {
    /// `127.0.0.1`, as RFC 8252 §7.3 recommends.
    #[default]
    Ipv4,
    /// `[::1]`: needs an IPv6 loopback on the machine.
    Ipv6,
    /// `localhost`, for servers that only accept that name (RFC 8252 §8.3
    /// advises against it). Listens on `127.0.0.1` and, when the machine
    /// has it, on `[::1]` with the same port, since browsers may resolve
    /// `localhost` to either.
    Localhost,
}

impl LoopbackHost {
    /// The host as the redirect URI writes it.
    pub fn uri_host(self) -> &'static str {
        match self {
            LoopbackHost::Ipv4 => "127.0.0.1",
            LoopbackHost::Ipv6 => "[::1]",
            LoopbackHost::Localhost => "localhost",
        }
    }
}

/// When `localhost` gets an OS-chosen IPv4 port that is taken on `[::1]`,
/// how many ports to try before giving up.
const LOCALHOST_PORT_ATTEMPTS: usize = 8;

/// The bound sockets; dropping it releases the port.
#[derive(Debug)]
pub(super) struct Listener {
    sockets: Vec<TcpListener>,
    port: u16,
    /// The socket [`accept`](Self::accept) tries first.
    next: Cell<usize>,
    /// This user, as the kernel lists the owner of the listening socket;
    /// `None` where no table lists it: every connection is served.
    user: Option<u32>,
    /// How many connections from other users were refused.
    refused: Cell<usize>,
}

/// What one [`Listener::accept`] took from the kernel's queues.
#[derive(Debug, Default)]
pub(super) struct Accepted {
    /// The connections to serve.
    pub(super) streams: Vec<TcpStream>,
    /// How many were taken, served or closed.
    pub(super) taken: usize,
}

impl Listener {
    /// Binds `host` on `port` (0: the OS chooses). A fixed port that is
    /// busy fails at once with [`InstalledAppError::Bind`].
    pub(super) fn bind(host: LoopbackHost, port: u16) -> Result<Self, InstalledAppError> {
        let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
        let sockets = match host {
            LoopbackHost::Ipv4 => vec![bind(v4)?],
            LoopbackHost::Ipv6 => vec![bind(v6)?],
            LoopbackHost::Localhost => bind_both(port)?,
        };
        let port = local_port(&sockets[0])?;
        for socket in &sockets {
            socket
                .set_nonblocking(true)
                .map_err(|source| InstalledAppError::Io {
                    during: "configuring the loopback listener",
                    source,
                })?;
        }
        let user = listening_user(&sockets[0]);
        Ok(Self {
            sockets,
            port,
            next: Cell::new(0),
            user,
            refused: Cell::new(0),
        })
    }

    /// The port the listener holds.
    pub(super) fn port(&self) -> u16 {
        self.port
    }

    /// The addresses the listener is bound to.
    #[cfg(test)]
    pub(super) fn local_addrs(&self) -> Vec<SocketAddr> {
        self.sockets
            .iter()
            .map(|socket| socket.local_addr().expect("a bound socket"))
            .collect()
    }

    /// How many connections from other users were refused so far.
    pub(super) fn refused(&self) -> usize {
        self.refused.get()
    }

    /// Takes up to `max` connections waiting to be accepted, without
    /// blocking, then closes those of other users unread (one reading of
    /// the kernel's tables for all of them).
    pub(super) fn accept(&self, max: usize) -> Accepted {
        let streams: Vec<TcpStream> = std::iter::from_fn(|| self.accept_one()).take(max).collect();
        let taken = streams.len();
        let streams = match self.user {
            Some(user) if taken > 0 => self.refuse_other_users(user, streams),
            _ => streams,
        };
        Accepted { streams, taken }
    }

    /// Takes one connection, from the sockets in turn (a flood on
    /// `127.0.0.1` does not starve `[::1]`). `None`: nobody is waiting, or
    /// accepting failed (a client that gave up, no file descriptors left)
    /// and the next round tries again.
    fn accept_one(&self) -> Option<TcpStream> {
        let count = self.sockets.len();
        for offset in 0..count {
            let index = (self.next.get() + offset) % count;
            loop {
                match self.sockets[index].accept() {
                    Ok((stream, _)) => {
                        self.next.set((index + 1) % count);
                        return Some(stream);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
        None
    }

    /// The `streams` whose other end `user` or root holds (see [`verdict`]);
    /// the others are dropped, which closes them unread.
    fn refuse_other_users(&self, user: u32, streams: Vec<TcpStream>) -> Vec<TcpStream> {
        // A connection reset already has no peer, and nothing to serve.
        let peers: Vec<(TcpStream, Ends)> = streams
            .into_iter()
            .filter_map(|stream| {
                let ends = Ends::new(stream.peer_addr().ok()?, stream.local_addr().ok()?);
                Some((stream, ends))
            })
            .collect();
        let wanted: Vec<Ends> = peers.iter().map(|(_, ends)| *ends).collect();
        let owners = socket_table::owners(&wanted).unwrap_or_default();
        peers
            .into_iter()
            .enumerate()
            .filter_map(
                |(i, (stream, _))| match verdict(user, owners.get(i).copied().flatten()) {
                    Verdict::Serve => Some(stream),
                    Verdict::OtherUser => {
                        self.refused.set(self.refused.get().saturating_add(1));
                        None
                    }
                    Verdict::Unknown => None,
                },
            )
            .collect()
    }
}

/// The owner of a root process's sockets, and of relays that run as root
/// (docker-proxy, WSL's port forwarding).
const ROOT: u32 = 0;

/// What becomes of a connection.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// This user's or root's: served.
    Serve,
    /// Another user's: closed unread.
    OtherUser,
    /// Nobody is known to be on the line: closed unread.
    Unknown,
}

/// The verdict on a connection by who holds the socket at its other end
/// (`None`: the tables do not list it, although they list the listener, or
/// cannot be read now). A socket no process holds any more is a client that
/// sent its request and closed: the kernel lists no owner for it.
fn verdict(user: u32, peer: Option<Owner>) -> Verdict {
    match peer {
        Some(Owner::User(uid)) if uid == user || uid == ROOT => Verdict::Serve,
        Some(Owner::User(_)) => Verdict::OtherUser,
        Some(Owner::Nobody) | None => Verdict::Unknown,
    }
}

/// This process's user, as the kernel lists the owner of `socket`: the
/// effective user that opened it, in the same numbering as its other
/// sockets. (The owner of `/proc/self` would be root for a process that is
/// not dumpable, e.g. one started by a setuid program.) `None` where the
/// tables do not list the listener: not Linux, no procfs, a system whose
/// tables are empty; the listener then serves every connection.
fn listening_user(socket: &TcpListener) -> Option<u32> {
    let local = socket.local_addr().ok()?;
    let unspecified = match local.ip() {
        IpAddr::V4(_) => IpAddr::from(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::from(Ipv6Addr::UNSPECIFIED),
    };
    let listener = Ends::new(local, SocketAddr::new(unspecified, 0));
    match socket_table::owners(&[listener]).ok()?.first() {
        Some(Some(Owner::User(user))) => Some(*user),
        _ => None,
    }
}

fn bind(addr: SocketAddr) -> Result<TcpListener, InstalledAppError> {
    TcpListener::bind(addr).map_err(|source| InstalledAppError::Bind { addr, source })
}

fn local_port(socket: &TcpListener) -> Result<u16, InstalledAppError> {
    socket
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|source| InstalledAppError::Io {
            during: "reading the loopback listener's port",
            source,
        })
}

/// `127.0.0.1` and `[::1]` on one port. A machine without an IPv6 loopback
/// gets IPv4 alone; a port taken on `[::1]` by another program is never
/// shared with it (the browser might reach that program instead).
fn bind_both(port: u16) -> Result<Vec<TcpListener>, InstalledAppError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let v4 = bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
        let addr = SocketAddr::from((Ipv6Addr::LOCALHOST, local_port(&v4)?));
        match TcpListener::bind(addr) {
            Ok(v6) => return Ok(vec![v4, v6]),
            Err(source) if source.kind() == io::ErrorKind::AddrInUse => {
                if port != 0 || attempts == LOCALHOST_PORT_ATTEMPTS {
                    return Err(InstalledAppError::Bind { addr, source });
                }
            }
            // No IPv6 loopback here: nobody can listen there either.
            Err(_) => return Ok(vec![v4]),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn bound_ips(host: LoopbackHost) -> Option<Vec<IpAddr>> {
        match Listener::bind(host, 0) {
            Ok(listener) => {
                let addrs = listener.local_addrs();
                assert!(addrs.iter().all(|addr| addr.port() == listener.port()));
                Some(addrs.iter().map(SocketAddr::ip).collect())
            }
            // No IPv6 loopback on this machine.
            Err(InstalledAppError::Bind { addr, source })
                if addr.is_ipv6() && source.kind() == io::ErrorKind::AddrNotAvailable =>
            {
                None
            }
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn binds_the_loopback_address_only_never_all_interfaces() {
        assert_eq!(
            bound_ips(LoopbackHost::Ipv4),
            Some(vec![IpAddr::from(Ipv4Addr::LOCALHOST)])
        );
        if let Some(ips) = bound_ips(LoopbackHost::Ipv6) {
            assert_eq!(ips, vec![IpAddr::from(Ipv6Addr::LOCALHOST)]);
        }
        let localhost = bound_ips(LoopbackHost::Localhost).unwrap();
        assert_eq!(localhost[0], IpAddr::from(Ipv4Addr::LOCALHOST));
        assert!(
            localhost[1..] == [IpAddr::from(Ipv6Addr::LOCALHOST)] || localhost.len() == 1,
            "{localhost:?}"
        );
        for ip in localhost {
            assert!(ip.is_loopback() && !ip.is_unspecified(), "{ip}");
        }
    }

    #[test]
    fn accept_takes_from_each_address_in_turn() {
        let listener = Listener::bind(LoopbackHost::Localhost, 0).unwrap();
        let addrs = listener.local_addrs();
        if addrs.len() < 2 {
            eprintln!("NOTE: skipped: this machine has no IPv6 loopback");
            return;
        }
        let _clients: Vec<TcpStream> = [addrs[0], addrs[0], addrs[0], addrs[1]]
            .iter()
            .map(|addr| TcpStream::connect(addr).unwrap())
            .collect();
        // The handshakes complete in the kernel before connect returns.
        let peers: Vec<bool> = (0..2)
            .map(|_| {
                let accepted = listener.accept(1);
                assert_eq!(accepted.taken, 1);
                let [stream] = &accepted.streams[..] else {
                    panic!("this process's connection is served");
                };
                stream.local_addr().unwrap().is_ipv6()
            })
            .collect();
        assert_eq!(peers, [false, true], "IPv6 served second, not last");
    }

    #[test]
    fn only_this_users_and_roots_sockets_are_served() {
        let user = 1000;
        for (peer, expected) in [
            (Some(Owner::User(1000)), Verdict::Serve),
            (Some(Owner::User(ROOT)), Verdict::Serve),
            (Some(Owner::User(1001)), Verdict::OtherUser),
            (Some(Owner::User(65534)), Verdict::OtherUser),
            (Some(Owner::Nobody), Verdict::Unknown),
            (None, Verdict::Unknown),
        ] {
            assert_eq!(verdict(user, peer), expected, "{peer:?}");
        }
        assert_eq!(verdict(ROOT, Some(Owner::User(ROOT))), Verdict::Serve);
        assert_eq!(verdict(ROOT, Some(Owner::User(1000))), Verdict::OtherUser);
    }

    /// On Linux the listener finds itself in the kernel's tables, so it
    /// checks every connection; this process's own are served, and none is
    /// counted as refused.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_listener_knows_its_user_and_serves_this_process() {
        let listener = Listener::bind(LoopbackHost::Ipv4, 0).unwrap();
        let Some(user) = listener.user else {
            eprintln!("NOTE: skipped: /proc/net/tcp does not list the listener here");
            return;
        };
        let owner = std::fs::metadata("/proc/self").map(|meta| {
            use std::os::unix::fs::MetadataExt;
            meta.uid()
        });
        assert_eq!(
            owner.ok(),
            Some(user),
            "a dumpable process: /proc/self agrees"
        );
        let _clients: Vec<TcpStream> = (0..3)
            .map(|_| TcpStream::connect(listener.local_addrs()[0]).unwrap())
            .collect();
        let accepted = listener.accept(2);
        assert_eq!((accepted.taken, accepted.streams.len()), (2, 2));
        let accepted = listener.accept(5);
        assert_eq!((accepted.taken, accepted.streams.len()), (1, 1));
        assert_eq!(listener.accept(5).taken, 0);
        assert_eq!(listener.refused(), 0);
    }
}
