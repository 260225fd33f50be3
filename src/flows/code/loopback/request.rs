//! The browser's one HTTP request to the loopback listener, parsed from bytes.

use crate::wire::printable::is_printable;
use std::fmt;

/// The largest request head accepted: 8 KiB (browsers send about 1 KiB).
pub const LOOPBACK_REQUEST_LIMIT: usize = 8 * 1024;

/// Parses one request head fed in pieces of any size, down to one byte.
#[derive(Debug, Default, Clone)]
pub struct LoopbackRequestParser {
    buf: Vec<u8>,
    done: bool,
}

/// What the parser has after a [`feed`](LoopbackRequestParser::feed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Parsed {
    /// The head is incomplete: read more bytes.
    NeedMore,
    /// A complete, acceptable request.
    Request(LoopbackRequest),
    /// The bytes are not an acceptable request: answer with
    /// [`Rejection::response`] and close the connection.
    Rejected(Rejection),
}

/// An acceptable request: `GET`, origin-form target, loopback `Host`, no body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopbackRequest {
    target: String,
    /// Every `Cookie` header's value, joined with `; `.
    cookies: String,
    speculative: bool,
}

impl LoopbackRequest {
    /// The request target as sent (`/callback?code=..&state=..`).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(&self.target, |(path, _)| path)
    }

    /// The query part of the target, without `?`.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }

    /// The values the `Cookie` headers give the cookie `name`, in the order
    /// sent (a browser sends one per path it was set for).
    pub fn cookies<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.cookies.split(';').filter_map(move |pair| {
            let (key, value) = pair.split_once('=')?;
            (key.trim_matches([' ', '\t']) == name).then(|| value.trim_matches([' ', '\t']))
        })
    }

    /// Whether the browser sent the request ahead of the user opening the
    /// page (a prefetch or prerender, marked by a `Sec-Purpose`, `Purpose`,
    /// `X-Purpose` or `X-Moz` header): it must not use up anything that
    /// works only once.
    pub fn is_speculative(&self) -> bool {
        self.speculative
    }
}

/// Why a request was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The head is longer than [`LOOPBACK_REQUEST_LIMIT`].
    TooLarge,
    /// Not HTTP/1.0 or HTTP/1.1 syntax (bare LF, obsolete line folding,
    /// HTTP/0.9, a bad header line, non-ASCII bytes in the target).
    Malformed,
    /// The target is not origin-form (`/path?query`): absolute-form or `*`.
    UnsupportedTarget,
    /// A method other than `GET`.
    MethodNotAllowed,
    /// `Host` is missing (HTTP/1.1), repeated, or not a loopback host: the
    /// request may come from a page that rebinds DNS to 127.0.0.1.
    ForeignHost,
    /// The request has a body, or bytes after the head.
    UnexpectedBody,
}

impl Rejection {
    /// The HTTP status of the answer.
    pub fn status(self) -> u16 {
        match self {
            Rejection::TooLarge => 431,
            Rejection::MethodNotAllowed => 405,
            Rejection::ForeignHost => 421,
            Rejection::Malformed | Rejection::UnsupportedTarget | Rejection::UnexpectedBody => 400,
        }
    }

    /// The exact bytes to write back before closing the connection.
    pub fn response(self) -> Vec<u8> {
        super::response::page(self.status(), &format!("{self}\n"))
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rejection::TooLarge => "The request is too large.",
            Rejection::Malformed => "The request is not valid HTTP/1.1.",
            Rejection::UnsupportedTarget => "The request target must be a path.",
            Rejection::MethodNotAllowed => "Only GET is accepted here.",
            Rejection::ForeignHost => "The Host header must name this loopback listener.",
            Rejection::UnexpectedBody => "The request must not have a body.",
        })
    }
}

impl LoopbackRequestParser {
    /// A parser for one connection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes read from the connection. After a `Request` or `Rejected`
    /// answer, any further bytes are rejected as [`Rejection::UnexpectedBody`].
    pub fn feed(&mut self, bytes: &[u8]) -> Parsed {
        if self.done {
            return Parsed::Rejected(Rejection::UnexpectedBody);
        }
        let old_len = self.buf.len();
        let taken = bytes.len().min(LOOPBACK_REQUEST_LIMIT - old_len);
        self.buf.extend_from_slice(&bytes[..taken]);
        let searched = old_len.saturating_sub(3);
        let Some(end) = find(&self.buf[searched..], b"\r\n\r\n").map(|i| searched + i + 4) else {
            if has_bare_line_break(&self.buf, old_len.saturating_sub(1)) {
                return self.finish(Parsed::Rejected(Rejection::Malformed));
            }
            if taken < bytes.len() {
                return self.finish(Parsed::Rejected(Rejection::TooLarge));
            }
            return Parsed::NeedMore;
        };
        // The answer depends on the head alone, whatever follows it and however
        // the bytes were split: a bad head first, then bytes after the head.
        let parsed = if has_bare_line_break(&self.buf[..end], old_len.saturating_sub(1).min(end)) {
            Parsed::Rejected(Rejection::Malformed)
        } else {
            match parse_head(&self.buf[..end - 4]) {
                Err(rejection) => Parsed::Rejected(rejection),
                Ok(_) if end < self.buf.len() || taken < bytes.len() => {
                    Parsed::Rejected(Rejection::UnexpectedBody)
                }
                Ok(request) => Parsed::Request(request),
            }
        };
        self.finish(parsed)
    }

    fn finish(&mut self, parsed: Parsed) -> Parsed {
        self.done = true;
        self.buf = Vec::new();
        parsed
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A CR not followed by LF, or an LF not preceded by CR, at or after `from`.
/// A CR at the very end may still be completed by the next byte.
fn has_bare_line_break(buf: &[u8], from: usize) -> bool {
    (from..buf.len()).any(|i| match buf[i] {
        b'\n' => i == 0 || buf[i - 1] != b'\r',
        b'\r' => buf.get(i + 1).is_some_and(|&next| next != b'\n'),
        _ => false,
    })
}

fn parse_head(head: &[u8]) -> Result<LoopbackRequest, Rejection> {
    let head = std::str::from_utf8(head).map_err(|_| Rejection::Malformed)?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejection::Malformed);
    };
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(Rejection::Malformed),
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Rejection::Malformed);
    }
    if !target.starts_with('/') {
        return Err(if target.is_empty() {
            Rejection::Malformed
        } else {
            Rejection::UnsupportedTarget
        });
    }
    if !is_printable(target) {
        return Err(Rejection::Malformed);
    }

    let mut host = None;
    let mut cookies = String::new();
    let mut speculative = false;
    for line in lines {
        if line.starts_with([' ', '\t']) {
            return Err(Rejection::Malformed);
        }
        let (name, value) = line.split_once(':').ok_or(Rejection::Malformed)?;
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(Rejection::Malformed);
        }
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("host") {
            if host.replace(value).is_some() {
                return Err(Rejection::ForeignHost);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding")
            || (name.eq_ignore_ascii_case("content-length") && value != "0")
        {
            return Err(Rejection::UnexpectedBody);
        } else if name.eq_ignore_ascii_case("cookie") {
            if !cookies.is_empty() {
                cookies.push_str("; ");
            }
            cookies.push_str(value);
        } else if SPECULATION_HEADERS
            .iter()
            .any(|header| name.eq_ignore_ascii_case(header))
        {
            speculative = true;
        }
    }
    match host {
        Some(host) if !is_loopback_host(host) => return Err(Rejection::ForeignHost),
        None if http11 => return Err(Rejection::ForeignHost),
        _ => {}
    }
    if method != "GET" {
        return Err(Rejection::MethodNotAllowed);
    }
    Ok(LoopbackRequest {
        target: target.to_owned(),
        cookies,
        speculative,
    })
}

/// The headers browsers put on prefetch and prerender requests only.
const SPECULATION_HEADERS: [&str; 4] = ["sec-purpose", "purpose", "x-purpose", "x-moz"];

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `127.0.0.1`-style IPv4 loopback, `[::1]` or `localhost`, with an optional port.
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, "")) => return ip == "::1",
            Some((ip, port)) => return ip == "::1" && port.strip_prefix(':').is_some_and(is_port),
            None => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<core::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_port(digits: &str) -> bool {
    !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &[u8] = b"GET /?state=s&code=c&scope=openid HTTP/1.1\r\nHost: 127.0.0.1:53682\r\nConnection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\nSec-Fetch-Site: cross-site\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n";

    fn parse(bytes: &[u8]) -> Parsed {
        LoopbackRequestParser::new().feed(bytes)
    }

    fn rejected(bytes: &[u8]) -> Rejection {
        match parse(bytes) {
            Parsed::Rejected(r) => r,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn browser_request_whole_and_byte_at_a_time() {
        let Parsed::Request(whole) = parse(CHROME) else {
            panic!()
        };
        assert_eq!(whole.path(), "/");
        assert_eq!(whole.query(), "state=s&code=c&scope=openid");
        let mut parser = LoopbackRequestParser::new();
        for (i, byte) in CHROME.iter().enumerate() {
            let parsed = parser.feed(std::slice::from_ref(byte));
            if i + 1 < CHROME.len() {
                assert_eq!(parsed, Parsed::NeedMore, "at byte {i}");
            } else {
                assert_eq!(parsed, Parsed::Request(whole.clone()));
            }
        }
    }

    #[test]
    fn loopback_hosts() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "127.1.2.3:1",
            "[::1]",
            "[::1]:53682",
            "localhost",
            "LOCALHOST:9",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:80",
            "10.0.0.1",
            "[::2]:80",
            "localhost.evil.example",
            "127.0.0.1:",
            "127.0.0.1:x",
            "[::1]x",
            "",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn bad_input_catalogue() {
        assert_eq!(
            rejected(b"GET / HTTP/1.1\nHost: 127.0.0.1\n\n"),
            Rejection::Malformed
        );
        assert_eq!(rejected(b"GET /\r\n\r\n"), Rejection::Malformed);
        assert_eq!(
            rejected(b"GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            Rejection::UnsupportedTarget
        );
        assert_eq!(
            rejected(b"GET * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            Rejection::UnsupportedTarget
        );
        assert_eq!(
            rejected(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\n"),
            Rejection::UnexpectedBody
        );
        assert_eq!(
            rejected(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nabc"),
            Rejection::UnexpectedBody
        );
        assert_eq!(
            rejected(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Rejection::UnexpectedBody
        );
        assert_eq!(
            rejected(b"DELETE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            Rejection::MethodNotAllowed
        );
        assert_eq!(
            rejected(b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"),
            Rejection::ForeignHost
        );
        assert_eq!(rejected(b"GET / HTTP/1.1\r\n\r\n"), Rejection::ForeignHost);
        assert_eq!(
            rejected(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil\r\n\r\n"),
            Rejection::ForeignHost
        );
        assert_eq!(
            rejected(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n folded\r\n\r\n"),
            Rejection::Malformed
        );
        assert_eq!(
            rejected(b"GET / HTTP/1.1\r\nBad Header: x\r\nHost: 127.0.0.1\r\n\r\n"),
            Rejection::Malformed
        );
        assert_eq!(
            rejected(b"GET /\xff HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
            Rejection::Malformed
        );
        assert_eq!(
            rejected(b"GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n"),
            Rejection::Malformed
        );
        assert_eq!(
            rejected(b"GET / HTTP/1.1\rHost: 127.0.0.1\r\n\r\n"),
            Rejection::Malformed
        );
        assert!(matches!(
            parse(b"GET / HTTP/1.0\r\n\r\n"),
            Parsed::Request(_)
        ));
    }

    fn request(bytes: &[u8]) -> LoopbackRequest {
        match parse(bytes) {
            Parsed::Request(request) => request,
            other => panic!("expected a request, got {other:?}"),
        }
    }

    #[test]
    fn cookies_by_name_across_headers() {
        let request = request(
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=1; b=2;c = 3 \r\n\
              cookie:b=4;;noequals; =5\r\n\r\n",
        );
        assert_eq!(request.cookies("a").collect::<Vec<_>>(), ["1"]);
        assert_eq!(request.cookies("b").collect::<Vec<_>>(), ["2", "4"]);
        assert_eq!(request.cookies("c").collect::<Vec<_>>(), ["3"]);
        assert_eq!(request.cookies("").collect::<Vec<_>>(), ["5"]);
        assert_eq!(request.cookies("noequals").count(), 0);
        assert_eq!(request.cookies("B").count(), 0, "names are case-sensitive");
        let none = self::request(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assert_eq!(none.cookies("a").count(), 0);
    }

    #[test]
    fn prefetch_and_prerender_requests_are_speculative() {
        for header in [
            "Sec-Purpose: prefetch",
            "Sec-Purpose: prefetch;prerender",
            "Purpose: prefetch",
            "X-Purpose: preview",
            "X-Moz: prefetch",
        ] {
            let raw = format!("GET /start/x HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}\r\n\r\n");
            assert!(request(raw.as_bytes()).is_speculative(), "{header}");
        }
        assert!(!request(CHROME).is_speculative());
    }

    #[test]
    fn overlong_head_is_rejected_without_buffering_it() {
        let mut parser = LoopbackRequestParser::new();
        assert_eq!(parser.feed(b"GET /"), Parsed::NeedMore);
        let long = vec![b'a'; LOOPBACK_REQUEST_LIMIT];
        assert_eq!(parser.feed(&long), Parsed::Rejected(Rejection::TooLarge));
        assert_eq!(
            parser.feed(b"more"),
            Parsed::Rejected(Rejection::UnexpectedBody)
        );
    }

    #[test]
    fn rejection_responses_are_complete_http() {
        let response = String::from_utf8(Rejection::ForeignHost.response()).unwrap();
        assert!(
            response.starts_with("HTTP/1.1 421 Misdirected Request\r\n"),
            "{response}"
        );
        assert!(response.contains("\r\nConnection: close\r\n"));
    }
}
