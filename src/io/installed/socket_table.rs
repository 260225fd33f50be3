//! Who holds a TCP socket on this machine, as Linux lists it in
//! `/proc/net/tcp` and `/proc/net/tcp6`: every TCP socket of the network
//! namespace, one line each, with its local and remote address, its owner's
//! uid and its inode (0 once no process holds it).
//!
//! A table is read line by line, each line at most [`MAX_LINE`] bytes and
//! the table at most [`MAX_TABLE`]; the reading stops once every socket
//! looked for is found. The fuzz target `socket_table` drives [`scan`]
//! through `crate::fuzzing`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The tables, IPv4 first. `tcp6` is absent where IPv6 is disabled; a
/// client's IPv6 socket connected to `::ffff:127.0.0.1` is listed there.
const TABLES: [&str; 2] = ["/proc/net/tcp", "/proc/net/tcp6"];

/// The longest line read: the kernel's lines have about 150 (`tcp`) and 180
/// (`tcp6`) characters.
pub(super) const MAX_LINE: usize = 512;

/// The most bytes read from one table: 32 MiB, about 200 000 sockets.
pub(super) const MAX_TABLE: u64 = 32 << 20;

/// The two addresses of a socket: its own and its peer's (unspecified, port
/// 0, for a listening socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ends {
    /// The socket's own address.
    pub(super) local: SocketAddr,
    /// The address of the socket at the other end.
    pub(super) remote: SocketAddr,
}

impl Ends {
    /// The ends with IPv4-mapped IPv6 addresses as plain IPv4, as they are
    /// compared.
    pub fn new(local: SocketAddr, remote: SocketAddr) -> Self {
        Self {
            local: canonical(local),
            remote: canonical(remote),
        }
    }
}

/// Who holds a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// An open socket of a process running as this uid.
    User(u32),
    /// No process holds it (inode 0): closed by its process while the
    /// kernel finishes the connection, or in `TIME_WAIT`. The kernel then
    /// lists uid 0 or the last owner's: neither says who is on the line.
    Nobody,
}

/// Why a table cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum TableError {
    /// `/proc/net/tcp` cannot be read: not Linux, no procfs, or not
    /// allowed.
    Unreadable,
    /// A table is longer than [`MAX_TABLE`].
    TooLarge,
    /// A line is longer than [`MAX_LINE`] or not in the kernel's format.
    Malformed,
}

/// Who holds each socket of `wanted` (distinct sockets), in its order;
/// `None` for one no table lists. A table is produced in pieces while
/// sockets come and go, so a line can be missed: the sockets not found are
/// looked for once more.
pub(super) fn owners(wanted: &[Ends]) -> Result<Vec<Option<Owner>>, TableError> {
    let mut found = vec![None; wanted.len()];
    if wanted.is_empty() {
        return Ok(found);
    }
    read_tables(wanted, &mut found)?;
    if found.iter().any(Option::is_none) {
        read_tables(wanted, &mut found)?;
    }
    Ok(found)
}

fn read_tables(wanted: &[Ends], found: &mut [Option<Owner>]) -> Result<(), TableError> {
    for (index, table) in TABLES.into_iter().enumerate() {
        let file = match File::open(table) {
            Ok(file) => file,
            Err(e) if index > 0 && e.kind() == io::ErrorKind::NotFound => break,
            Err(_) => return Err(TableError::Unreadable),
        };
        scan(BufReader::new(file), wanted, found)?;
        if found.iter().all(held) {
            break;
        }
    }
    Ok(())
}

/// Reads one table (its header line, then one socket a line) until it ends
/// or lists a process holding every socket of `wanted`; records in `found`
/// (as long as `wanted`) what it lists for each. A socket a process holds
/// wins over a closed one with the same addresses, left by an earlier
/// connection.
pub fn scan(
    mut table: impl BufRead,
    wanted: &[Ends],
    found: &mut [Option<Owner>],
) -> Result<(), TableError> {
    let index: HashMap<Ends, usize> = wanted
        .iter()
        .enumerate()
        .map(|(i, ends)| (*ends, i))
        .collect();
    let mut missing = found.iter().filter(|owner| !held(owner)).count();
    let mut line = Vec::with_capacity(MAX_LINE);
    let mut total: u64 = 0;
    let mut header = true;
    while missing > 0 {
        line.clear();
        let read = Read::take(&mut table, MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .map_err(|_| TableError::Unreadable)?;
        if read == 0 {
            break;
        }
        total += read as u64;
        if total > MAX_TABLE {
            return Err(TableError::TooLarge);
        }
        if line.last() != Some(&b'\n') && read == MAX_LINE {
            return Err(TableError::Malformed);
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            return Err(TableError::Malformed);
        };
        if header {
            if text.split_ascii_whitespace().next() != Some("sl") {
                return Err(TableError::Malformed);
            }
            header = false;
            continue;
        }
        let entry = parse_entry(text).ok_or(TableError::Malformed)?;
        let Some(slot) = index.get(&entry.ends).and_then(|&i| found.get_mut(i)) else {
            continue;
        };
        if !held(slot) {
            *slot = Some(entry.owner);
            if held(slot) {
                missing -= 1;
            }
        }
    }
    Ok(())
}

/// Whether a process holds the socket: nothing later in a table changes it.
fn held(owner: &Option<Owner>) -> bool {
    matches!(owner, Some(Owner::User(_)))
}

/// One line of a table.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    ends: Ends,
    owner: Owner,
}

/// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...`, e.g.
/// `0: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000 1000 0 4242 1 ...`.
fn parse_entry(line: &str) -> Option<Entry> {
    let mut fields = line.split_ascii_whitespace();
    let slot = fields.next()?.strip_suffix(':')?;
    decimal::<u64>(slot)?;
    let local = parse_address(fields.next()?)?;
    let remote = parse_address(fields.next()?)?;
    // Skips the state, the queues, the timer and the retransmissions.
    let uid = decimal(fields.nth(4)?)?;
    let _timeout = fields.next()?;
    let inode: u64 = decimal(fields.next()?)?;
    let owner = if inode == 0 {
        Owner::Nobody
    } else {
        Owner::User(uid)
    };
    Some(Entry {
        ends: Ends::new(local, remote),
        owner,
    })
}

/// `HHHHHHHH:PPPP` (IPv4) or 32 hex digits and `:PPPP` (IPv6): the address
/// as 32-bit words in the machine's byte order, the port as a number.
fn parse_address(text: &str) -> Option<SocketAddr> {
    let (address, port) = text.split_once(':')?;
    let port = u16::try_from(hex(port, 4)?).ok()?;
    let ip = match address.len() {
        8 => IpAddr::from(Ipv4Addr::from(hex(address, 8)?.to_ne_bytes())),
        32 => {
            let mut octets = [0u8; 16];
            for (chunk, word) in octets.chunks_exact_mut(4).zip(0..) {
                let digits = address.get(word * 8..word * 8 + 8)?;
                chunk.copy_from_slice(&hex(digits, 8)?.to_ne_bytes());
            }
            IpAddr::from(Ipv6Addr::from(octets))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Exactly `digits` hex digits (no sign, unlike `from_str_radix`).
fn hex(text: &str, digits: usize) -> Option<u32> {
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// Decimal digits only (no sign, unlike `parse`).
fn decimal<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const TCP_HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    const TCP6_HEADER: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    /// An address as the kernel prints it on this machine.
    fn kernel_address(addr: SocketAddr) -> String {
        let words: Vec<[u8; 4]> = match addr.ip() {
            IpAddr::V4(ip) => vec![ip.octets()],
            IpAddr::V6(ip) => ip
                .octets()
                .chunks_exact(4)
                .map(|c| [c[0], c[1], c[2], c[3]])
                .collect(),
        };
        let hex: String = words
            .into_iter()
            .map(|bytes| format!("{:08X}", u32::from_ne_bytes(bytes)))
            .collect();
        format!("{hex}:{:04X}", addr.port())
    }

    /// A line as the kernel prints it, padded as it pads them.
    fn kernel_line(slot: usize, ends: Ends, uid: u32, inode: u64) -> String {
        format!(
            "{slot:4}: {} {} 01 00000000:00000000 00:00000000 00000000 {uid:5} {:8} {inode} 1 0000000000000000 20 4 30 10 -1                    \n",
            kernel_address(ends.local),
            kernel_address(ends.remote),
            0
        )
    }

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn ends(local: &str, remote: &str) -> Ends {
        Ends::new(addr(local), addr(remote))
    }

    /// The browser's socket: its address and the listener's.
    fn browser() -> Ends {
        ends("127.0.0.1:51000", "127.0.0.1:8400")
    }

    fn look_up(table: &str, ends: Ends) -> Result<Option<Owner>, TableError> {
        let mut found = [None];
        scan(table.as_bytes(), &[ends], &mut found).map(|()| found[0])
    }

    /// Lines copied from this machine's `/proc/net/tcp` (x86_64, ports
    /// changed): the listener, both ends of a connection, a socket in
    /// `TIME_WAIT`.
    #[cfg(target_endian = "little")]
    #[test]
    fn reads_the_kernels_own_lines() {
        let table = format!(
            "{TCP_HEADER}   0: 0100007F:20D0 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 31337 1 00000000b4e06601 100 0 0 10 0                      \n\
             \x20  1: 0100007F:20D0 0100007F:C738 01 00000000:00000000 00:00000000 00000000  1000        0 31338 1 0000000092eab762 20 4 30 10 -1                    \n\
             \x20  2: 0100007F:C738 0100007F:20D0 01 00000000:00000000 00:00000000 00000000 65534        0 31339 1 0000000092eab763 20 4 30 10 -1                    \n\
             \x20  3: 0100007F:AD1B 0100007F:94A8 06 00000000:00000000 03:000009D9 00000000     0        0 0 3 0000000092eab762                                      \n"
        );
        let listener = ends("127.0.0.1:8400", "0.0.0.0:0");
        assert_eq!(look_up(&table, listener).unwrap(), Some(Owner::User(1000)));
        let served = ends("127.0.0.1:8400", "127.0.0.1:51000");
        assert_eq!(look_up(&table, served).unwrap(), Some(Owner::User(1000)));
        assert_eq!(
            look_up(&table, browser()).unwrap(),
            Some(Owner::User(65534))
        );
        let closed = ends("127.0.0.1:44315", "127.0.0.1:38056");
        assert_eq!(
            look_up(&table, closed).unwrap(),
            Some(Owner::Nobody),
            "inode 0: no process holds it, whatever uid is listed"
        );
        assert_eq!(
            look_up(&table, ends("127.0.0.1:51001", "127.0.0.1:8400")).unwrap(),
            None
        );
    }

    #[test]
    fn finds_a_socket_among_many() {
        let mut table = TCP_HEADER.to_owned();
        for slot in 0..300u16 {
            let other = ends(&format!("127.0.0.1:{}", 40000 + slot), "127.0.0.1:8400");
            table += &kernel_line(slot.into(), other, 1001, 7000 + u64::from(slot));
        }
        table += &kernel_line(300, browser(), 1000, 1);
        assert_eq!(look_up(&table, browser()).unwrap(), Some(Owner::User(1000)));
    }

    #[test]
    fn one_reading_finds_many_sockets_and_stops_when_all_are_held() {
        let wanted: Vec<Ends> = (0..64u16)
            .map(|i| ends(&format!("127.0.0.1:{}", 50000 + i), "127.0.0.1:8400"))
            .collect();
        let mut table = TCP_HEADER.to_owned();
        for (slot, socket) in wanted.iter().enumerate().rev() {
            let uid = u32::try_from(slot).unwrap();
            table += &kernel_line(slot, *socket, uid, if slot == 3 { 0 } else { 9 });
        }
        table += "not a line of the kernel's\n";
        let mut found = vec![None; wanted.len()];
        assert!(
            matches!(
                scan(table.as_bytes(), &wanted, &mut found),
                Err(TableError::Malformed)
            ),
            "one closed socket: the whole table is read"
        );
        for (slot, owner) in found.iter().enumerate() {
            let uid = u32::try_from(slot).unwrap();
            let expected = if slot == 3 {
                Owner::Nobody
            } else {
                Owner::User(uid)
            };
            assert_eq!(*owner, Some(expected));
        }
        let mut held = vec![None; wanted.len()];
        let table = table.replace(" 0 1 0000", " 9 1 0000");
        scan(table.as_bytes(), &wanted, &mut held).unwrap();
        assert!(
            held.iter()
                .all(|owner| matches!(owner, Some(Owner::User(_)))),
            "{held:?}"
        );
    }

    #[test]
    fn an_ipv4_client_on_an_ipv6_socket_is_found_in_tcp6() {
        let mapped = Ends {
            local: addr("[::ffff:127.0.0.1]:51000"),
            remote: addr("[::ffff:127.0.0.1]:8400"),
        };
        let line = kernel_line(1, mapped, 1001, 9);
        assert!(line.contains(&format!("{:08X}", u32::from_ne_bytes([0, 0, 0xFF, 0xFF]))));
        let table = TCP6_HEADER.to_owned()
            + &kernel_line(0, ends("127.0.0.1:8400", "0.0.0.0:0"), 1000, 8)
            + &line;
        assert_eq!(look_up(&table, browser()).unwrap(), Some(Owner::User(1001)));
    }

    #[test]
    fn ipv6_loopback_sockets_are_found() {
        let browser = ends("[::1]:51000", "[::1]:8400");
        let served = ends("[::1]:8400", "[::1]:51000");
        let table = TCP6_HEADER.to_owned()
            + &kernel_line(0, ends("[::1]:8400", "[::]:0"), 1000, 2)
            + &kernel_line(1, served, 1000, 3)
            + &kernel_line(2, browser, 1001, 4);
        assert_eq!(look_up(&table, browser).unwrap(), Some(Owner::User(1001)));
        assert_eq!(look_up(&table, served).unwrap(), Some(Owner::User(1000)));
        let listener = ends("[::1]:8400", "[::]:0");
        assert_eq!(look_up(&table, listener).unwrap(), Some(Owner::User(1000)));
    }

    #[test]
    fn a_socket_a_process_holds_wins_over_a_closed_one_with_the_same_addresses() {
        for owners in [[(0, 0), (1001, 5)], [(1001, 5), (0, 0)]] {
            let mut table = TCP_HEADER.to_owned();
            for (slot, (uid, inode)) in owners.into_iter().enumerate() {
                table += &kernel_line(slot, browser(), uid, inode);
            }
            assert_eq!(look_up(&table, browser()).unwrap(), Some(Owner::User(1001)));
        }
    }

    #[test]
    fn other_sockets_are_not_taken_for_it() {
        let table = TCP_HEADER.to_owned()
            + &kernel_line(0, ends("127.0.0.1:8400", "127.0.0.1:51000"), 1000, 4)
            + &kernel_line(1, ends("127.0.0.2:51000", "127.0.0.1:8400"), 1001, 5)
            + &kernel_line(2, ends("127.0.0.1:51000", "127.0.0.1:8401"), 1001, 6)
            + &kernel_line(3, ends("127.0.0.1:51000", "0.0.0.0:0"), 1001, 7)
            + &kernel_line(4, ends("[::1]:51000", "[::1]:8400"), 1001, 8);
        assert_eq!(look_up(&table, browser()).unwrap(), None);
    }

    #[test]
    fn lines_not_in_the_kernels_format_are_malformed() {
        let good = kernel_line(0, browser(), 1000, 5);
        let table = |last: &str| {
            TCP_HEADER.to_owned() + &kernel_line(1, ends("127.0.0.1:1", "127.0.0.1:2"), 0, 1) + last
        };
        assert_eq!(
            look_up(&table(&good), browser()).unwrap(),
            Some(Owner::User(1000))
        );
        let address = &kernel_address(browser().local)[..8];
        for bad in [
            good.replacen(address, &format!("{}G", &address[1..]), 1),
            good.replacen(address, &format!("+{}", &address[1..]), 1),
            good.replacen(address, &address[1..], 1),
            good.replacen(":C738", ":+738", 1),
            good.replacen(": ", " ", 1),
            good.replacen(" 1000 ", " -1000 ", 1),
            good.replacen(" 1000 ", " 4294967296 ", 1),
            good.replacen(" 5 1 ", " x 1 ", 1),
            good[..40].to_owned(),
            "\u{e9}\n".to_owned(),
        ] {
            assert_ne!(bad, good);
            assert!(
                matches!(look_up(&table(&bad), browser()), Err(TableError::Malformed)),
                "{bad:?}"
            );
        }
        assert!(matches!(
            look_up("local remote uid\n", browser()),
            Err(TableError::Malformed)
        ));
    }

    #[test]
    fn a_line_longer_than_the_bound_is_malformed() {
        let long = format!("{TCP_HEADER}   0:{}\n", " ".repeat(MAX_LINE));
        assert!(matches!(
            look_up(&long, browser()),
            Err(TableError::Malformed)
        ));
    }

    #[test]
    fn a_table_longer_than_the_bound_is_too_large() {
        let other = kernel_line(0, ends("127.0.0.1:1", "127.0.0.1:2"), 1001, 5);
        let lines = usize::try_from(MAX_TABLE).unwrap() / other.len() + 1;
        let table = TCP_HEADER.to_owned() + &other.repeat(lines);
        assert!(matches!(
            look_up(&table, browser()),
            Err(TableError::TooLarge)
        ));
        // The reading stops at the socket, however long the rest.
        let found =
            TCP_HEADER.to_owned() + &kernel_line(0, browser(), 1000, 1) + &other.repeat(lines);
        assert_eq!(look_up(&found, browser()).unwrap(), Some(Owner::User(1000)));
    }

    #[test]
    fn an_empty_table_lists_nothing() {
        assert_eq!(look_up("", browser()).unwrap(), None);
        assert_eq!(look_up(TCP_HEADER, browser()).unwrap(), None);
    }

    /// A connection of this process, looked up in the real tables: the
    /// listener and both ends are this user's (Linux only; elsewhere there
    /// is no table).
    #[cfg(target_os = "linux")]
    #[test]
    fn finds_this_processs_sockets_in_the_real_tables() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let listening = listener.local_addr().unwrap();
        let client = std::net::TcpStream::connect(listening).unwrap();
        let (served, _) = listener.accept().unwrap();
        let sockets = [
            Ends::new(listening, addr("0.0.0.0:0")),
            Ends::new(client.local_addr().unwrap(), listening),
            Ends::new(listening, served.peer_addr().unwrap()),
            Ends::new(addr("127.0.0.1:1"), listening),
        ];
        let found = match owners(&sockets) {
            Err(TableError::Unreadable) => {
                eprintln!("NOTE: skipped: /proc/net/tcp cannot be read here");
                return;
            }
            other => other.unwrap(),
        };
        let Some(Owner::User(us)) = found[0] else {
            panic!("the listener is not listed: {found:?}");
        };
        assert_eq!(
            found[1..],
            [Some(Owner::User(us)), Some(Owner::User(us)), None]
        );
    }

    proptest! {
        #[test]
        fn no_table_makes_the_reader_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
            let _ = scan(&bytes[..], &[browser()], &mut [None]);
        }

        #[test]
        fn no_line_of_kernel_like_fields_makes_the_reader_panic(
            fields in prop::collection::vec("[0-9A-Fa-f:+ -]{0,40}", 0..14),
        ) {
            let table = format!("{TCP_HEADER}{}\n", fields.join(" "));
            let _ = scan(table.as_bytes(), &[browser()], &mut [None]);
        }

        #[test]
        fn every_socket_the_kernel_could_list_is_found(
            local in any::<SocketAddr>(),
            remote in any::<SocketAddr>(),
            uid in any::<u32>(),
            inode in any::<u64>(),
            others in prop::collection::vec((any::<SocketAddr>(), any::<SocketAddr>(), 1..u64::MAX), 0..8),
        ) {
            let wanted = Ends::new(local, remote);
            let mut table = TCP6_HEADER.to_owned();
            for (slot, (a, b, other_inode)) in others.into_iter().enumerate() {
                let other = Ends::new(a, b);
                if other != wanted {
                    table += &kernel_line(slot, other, 7, other_inode);
                }
            }
            table += &kernel_line(99, wanted, uid, inode);
            let owner = if inode == 0 { Owner::Nobody } else { Owner::User(uid) };
            prop_assert_eq!(look_up(&table, wanted).unwrap(), Some(owner));
        }
    }
}
