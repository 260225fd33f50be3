//! The loopback listener's answers: complete HTTP/1.1 responses as bytes.
//!
//! Plain text, no external resources, nothing cached, no referrer sent
//! onwards, and the connection closed after each answer.

/// A complete `text/plain` response with the listener's fixed headers.
pub(crate) fn page(status: u16, body: &str) -> Vec<u8> {
    response(status, &[], body)
}

/// [`page`] with `extra` header lines (`Name: value`, no CR or LF in them)
/// before the fixed ones.
pub(crate) fn response(status: u16, extra: &[&str], body: &str) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n", reason = reason(status));
    for line in extra {
        debug_assert!(!line.contains(['\r', '\n']), "a header line is one line");
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str(&format!(
        "Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {length}\r\n\
         Connection: close\r\n\
         Cache-Control: no-store\r\n\
         Referrer-Policy: no-referrer\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: default-src 'none'\r\n\
         \r\n",
        length = body.len(),
    ));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        303 => "See Other",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}
