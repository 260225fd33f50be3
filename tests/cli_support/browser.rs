//! Playing the user's browser: the URL from the prompt, and raw GETs to
//! the loopback redirect URI.

use std::io::{Read, Write};
use std::net::TcpStream;

use oauth2_sansio::io::installed::PROMPT;
use oauth2_sansio::url::Url;

use super::PATIENCE;

/// The authorization URL the binary asked the user to open.
pub struct Authorization(pub Url);

impl Authorization {
    /// Reads it from the prompt line.
    pub fn from_prompt(line: &str) -> Self {
        let url = line
            .strip_prefix(PROMPT)
            .unwrap_or_else(|| panic!("not the prompt: {line}"));
        Self(Url::parse(url).unwrap())
    }

    /// The single value of the query parameter `name`.
    pub fn param(&self, name: &str) -> String {
        let mut values = self.0.query_pairs().filter(|(k, _)| k == name);
        let value = values
            .next()
            .unwrap_or_else(|| panic!("no {name} in {}", self.0))
            .1
            .into_owned();
        assert!(values.next().is_none(), "{name} twice");
        value
    }

    pub fn browser(&self) -> Browser {
        Browser(Url::parse(&self.param("redirect_uri")).unwrap())
    }
}

/// Sends what the browser sends when the server redirects it back.
pub struct Browser(pub Url);

impl Browser {
    /// GETs the redirect URI with `query`; returns the whole answer.
    pub fn come_back(&self, query: &str) -> String {
        let host = self.0.host_str().unwrap();
        let port = self.0.port().unwrap();
        let mut stream = TcpStream::connect((host, port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.set_write_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "GET {}?{query} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n",
            self.0.path()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }
}
