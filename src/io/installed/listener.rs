//! The loopback listener: bound to a loopback address only (never
//! `0.0.0.0`), on an OS-chosen port by default, non-blocking so one thread
//! can watch it together with its connections and a deadline.

use std::cell::Cell;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};

use super::error::InstalledAppError;

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
        Ok(Self {
            sockets,
            port,
            next: Cell::new(0),
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

    /// Takes one connection waiting to be accepted, without blocking, from
    /// the sockets in turn (a flood on `127.0.0.1` does not starve `[::1]`).
    /// `None`: nobody is waiting, or accepting failed (a client that gave
    /// up, no file descriptors left) and the next round tries again.
    pub(super) fn accept(&self) -> Option<TcpStream> {
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
                let stream = listener.accept().expect("a waiting connection");
                stream.local_addr().unwrap().is_ipv6()
            })
            .collect();
        assert_eq!(peers, [false, true], "IPv6 served second, not last");
    }
}
