//! The loopback listener: bound to a loopback address only (never
//! `0.0.0.0`), on an OS-chosen port by default, non-blocking so one thread
//! can watch it together with its connections and a deadline.

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
        Ok(Self { sockets, port })
    }

    /// The port the listener holds.
    pub(super) fn port(&self) -> u16 {
        self.port
    }

    /// Takes every connection waiting to be accepted, without blocking.
    /// Failed accepts (a client that gave up, no file descriptors left) are
    /// skipped: the next round tries again.
    pub(super) fn accept_waiting(&self, mut each: impl FnMut(TcpStream)) {
        for socket in &self.sockets {
            loop {
                match socket.accept() {
                    Ok((stream, _)) => each(stream),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
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
