//! The loopback listener's answers: complete HTTP/1.1 responses as bytes.
//!
//! Plain text, no external resources, nothing cached, no referrer sent
//! onwards, and the connection closed after each answer.

/// A complete `text/plain` response with the listener's fixed headers.
pub(crate) fn page(status: u16, body: &str) -> Vec<u8> {
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {length}\r\n\
         Connection: close\r\n\
         Cache-Control: no-store\r\n\
         Referrer-Policy: no-referrer\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: default-src 'none'\r\n\
         \r\n",
        reason = reason(status),
        length = body.len(),
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    }
}
