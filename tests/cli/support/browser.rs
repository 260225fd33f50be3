//! Playing the user's browser: the start link from the prompt, which
//! redirects to the authorization URL with a cookie, and raw GETs to the
//! loopback redirect URI with that cookie.

use std::io::{Read, Write};
use std::net::TcpStream;

use oauth2_sansio::io::installed::PROMPT;
use oauth2_sansio::url::Url;

use super::PATIENCE;

/// The authorization URL the binary's start link led to, and the cookie
/// the browser got there.
pub struct Authorization(pub Url, String);

impl Authorization {
    /// Opens the start link of the prompt line.
    pub fn from_prompt(line: &str) -> Self {
        let link = line
            .strip_prefix(PROMPT)
            .unwrap_or_else(|| panic!("not the prompt: {line}"));
        let link = Url::parse(link).unwrap();
        assert!(
            link.path().starts_with("/start/"),
            "not a start link: {link}"
        );
        let answer = get(&link, link.path(), None);
        assert!(answer.starts_with("HTTP/1.1 303 "), "{answer}");
        let header = |name: &str| {
            answer
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .unwrap_or_else(|| panic!("no {name} in {answer}"))
                .to_owned()
        };
        let cookie = header("Set-Cookie: ").split(';').next().unwrap().to_owned();
        Self(Url::parse(&header("Location: ")).unwrap(), cookie)
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
        Browser(
            Url::parse(&self.param("redirect_uri")).unwrap(),
            self.1.clone(),
        )
    }
}

/// Sends what the browser sends when the server redirects it back.
pub struct Browser(pub Url, String);

impl Browser {
    /// GETs the redirect URI with `query` and the start link's cookie;
    /// returns the whole answer.
    pub fn come_back(&self, query: &str) -> String {
        get(
            &self.0,
            &format!("{}?{query}", self.0.path()),
            Some(&self.1),
        )
    }
}

/// GETs `target` from the listener `url` names, with `cookie`
/// (`name=value`) if given; returns the whole answer.
fn get(url: &Url, target: &str, cookie: Option<&str>) -> String {
    let host = url.host_str().unwrap();
    let port = url.port().unwrap();
    let mut stream = TcpStream::connect((host, port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    let cookie = cookie.map_or(String::new(), |cookie| format!("Cookie: {cookie}\r\n"));
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n{cookie}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}
