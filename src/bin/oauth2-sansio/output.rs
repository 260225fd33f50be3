//! What the tool writes: the result on stdout, everything else on stderr,
//! one line at a time.

use std::io::{self, Write};

use crate::exit::{Failure, LOCAL};

/// `text` with every control character (newlines included) replaced by a
/// space, so nothing a server or a path holds can forge another line.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Writes `text` and a newline to stdout: the command's result.
pub fn result(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::new(LOCAL, format!("writing to stdout failed: {e}")))
}

/// Writes `oauth2-sansio: <message>` to stderr; a failure to write there
/// has nowhere to be reported, so it is ignored.
pub fn note(message: &str) {
    let _ = writeln!(io::stderr(), "oauth2-sansio: {}", one_line(message));
}
