//! A logging HTTP proxy on 127.0.0.1: it records the request line of every
//! request it receives (`CONNECT host:port …` or `POST http://host/path …`)
//! and answers each with 502. It forwards nothing, so no test traffic
//! leaves loopback.

use testkit::canned_http::{canned, Answer, CannedServer};

/// More requests than any proxy test sends; the rest would get a 404.
const ANSWERS: usize = 16;

/// A proxy that logs request lines and answers 502. Stops when dropped.
pub struct LoggingProxy {
    server: CannedServer,
}

impl LoggingProxy {
    pub fn start() -> Self {
        let answers = (0..ANSWERS)
            .map(|_| Answer::Bytes(canned(502, "")))
            .collect();
        Self {
            server: CannedServer::start(answers),
        }
    }

    /// The value of a proxy variable that points at this proxy.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// The request line of every request received so far, in order.
    pub fn request_lines(&self) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .map(|request| request.line)
            .collect()
    }
}
