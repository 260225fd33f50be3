//! The kernel's table of TCP sockets (`/proc/net/tcp`, `/proc/net/tcp6`) as
//! the installed-app listener reads it to find who holds the other end of a
//! connection. The reader is internal; `cargo fuzz` builds the crate with
//! `--cfg fuzzing`, which exposes it as `oauth2_sansio::fuzzing`.
//!
//! Input: one byte choosing the read buffer's size (1..=64), then the table.
//! Invariants: no panic; the answer does not depend on how the table is
//! split into reads; a socket is reported held by a uid only if a line
//! lists that uid.
#![no_main]

use std::io::BufReader;
use std::net::SocketAddr;

use libfuzzer_sys::fuzz_target;
use oauth2_sansio::fuzzing::{scan, Ends, Owner, TableError};

/// The sockets looked for: a browser's on 127.0.0.1 and on [::1], and the
/// listener's own (see the seeds).
fn wanted() -> [Ends; 3] {
    let addr = |text: &str| text.parse::<SocketAddr>().expect("a valid address");
    [
        Ends::new(addr("127.0.0.1:51000"), addr("127.0.0.1:8400")),
        Ends::new(addr("[::1]:51000"), addr("[::1]:8400")),
        Ends::new(addr("127.0.0.1:8400"), addr("0.0.0.0:0")),
    ]
}

fn look_up(table: impl std::io::BufRead) -> (Result<(), TableError>, [Option<Owner>; 3]) {
    let mut found = [None; 3];
    let result = scan(table, &wanted(), &mut found);
    (result, found)
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, table)) = data.split_first() else {
        return;
    };
    let whole = look_up(table);
    let split = look_up(BufReader::with_capacity(usize::from(size % 64) + 1, table));
    assert_eq!(whole, split, "the reads' sizes changed the answer");
    let text = String::from_utf8_lossy(table);
    for owner in whole.1.into_iter().flatten() {
        if let Owner::User(uid) = owner {
            let listed = text
                .split_ascii_whitespace()
                .any(|field| field.parse::<u32>() == Ok(uid));
            assert!(listed, "uid {uid} is on no line");
        }
    }
});
