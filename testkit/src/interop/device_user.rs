//! The device grant's user, in a browser on another device: a cookie jar
//! and oidc-provider's `/device` forms; and the device endpoint URL that
//! asks interop/server.mjs for a one-second interval (the provider sends
//! none, so clients would wait 5 s).

use std::time::{Duration, SystemTime};

use oauth2_sansio::url::Url;
use ureq::Agent;

use super::{CookieJar, InteropServer};

/// The device endpoint, asking server.mjs for a one-second interval.
pub fn fast_device_endpoint(server: &InteropServer) -> String {
    server.url("/device/auth?interop_interval=1")
}

/// The user, in a browser on another device: a cookie jar and the
/// provider's `/device` forms. Redirects are followed by hand, within the
/// provider's origin.
pub struct DeviceUser {
    agent: Agent,
    jar: CookieJar,
    trace: Vec<String>,
}

/// How the user answers the confirmation page.
#[derive(Clone, Copy)]
pub enum Choice {
    Approve,
    Refuse,
}

impl Default for DeviceUser {
    fn default() -> Self {
        Self::new()
    }
}

impl DeviceUser {
    pub fn new() -> Self {
        let agent = Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .new_agent();
        Self {
            agent,
            jar: CookieJar::new(),
            trace: Vec::new(),
        }
    }

    /// Opens `verification_uri`, enters `user_code`, and approves or
    /// refuses; returns the text of the page the provider ends on.
    pub fn enter(
        &mut self,
        verification_uri: &Url,
        user_code: &str,
        choice: Choice,
    ) -> Result<String, String> {
        let (_, _, page) = self.request(verification_uri, None)?;
        let xsrf = hidden(&page, "xsrf")?;
        let (_, _, confirm) = self.request(
            verification_uri,
            Some(&[("xsrf", &xsrf), ("user_code", user_code)]),
        )?;
        let xsrf = hidden(&confirm, "xsrf")?;
        let answer = match choice {
            Choice::Approve => ("confirm", "yes"),
            Choice::Refuse => ("abort", "yes"),
        };
        let form = [("xsrf", xsrf.as_str()), ("user_code", user_code), answer];
        let (mut status, mut location, mut body) = self.request(verification_uri, Some(&form))?;
        let mut url = verification_uri.clone();
        for _ in 0..10 {
            let Some(next) = location.take() else {
                return if status == 200 || matches!(choice, Choice::Refuse) {
                    Ok(text(&body))
                } else {
                    Err(format!("HTTP {status}: {}", text(&body)))
                };
            };
            url = url
                .join(&next)
                .map_err(|e| format!("bad Location {next}: {e}"))?;
            if url.origin() != verification_uri.origin() {
                return Err(format!("redirected off the provider to {url}"));
            }
            (status, location, body) = self.request(&url, None)?;
        }
        Err(format!("too many redirects: {:?}", self.trace))
    }

    /// A GET, or a POST of `form`, with the jar's cookies; returns the
    /// status, the `Location` (for a 3xx) and the body.
    fn request(
        &mut self,
        url: &Url,
        form: Option<&[(&str, &str)]>,
    ) -> Result<(u16, Option<String>, String), String> {
        let cookies = self.jar.header();
        let result = match form {
            None => {
                let mut request = self.agent.get(url.as_str());
                if let Some(cookies) = &cookies {
                    request = request.header("Cookie", cookies);
                }
                request.call()
            }
            Some(form) => {
                let mut request = self.agent.post(url.as_str());
                if let Some(cookies) = &cookies {
                    request = request.header("Cookie", cookies);
                }
                request.send_form(form.iter().copied())
            }
        };
        let mut response = result.map_err(|e| {
            format!(
                "{} {}: {e}",
                if form.is_some() { "POST" } else { "GET" },
                url.path()
            )
        })?;
        for set_cookie in response.headers().get_all("set-cookie") {
            if let Ok(value) = set_cookie.to_str() {
                self.jar.store(value, SystemTime::now());
            }
        }
        let status = response.status().as_u16();
        self.trace.push(format!(
            "{} {} -> {status}",
            if form.is_some() { "POST" } else { "GET" },
            url.path()
        ));
        let location = (300..400)
            .contains(&status)
            .then(|| {
                response
                    .headers()
                    .get("location")?
                    .to_str()
                    .ok()
                    .map(str::to_owned)
            })
            .flatten();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .map_err(|e| format!("reading {}: {e}", url.path()))?;
        Ok((status, location, body))
    }
}

/// The value of the hidden form input `name` on `page`.
fn hidden(page: &str, name: &str) -> Result<String, String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .map(|i| i + marker.len())
        .ok_or_else(|| format!("no {name} input on the page: {}", text(page)))?;
    let end = page[start..].find('"').ok_or("unterminated value")?;
    Ok(page[start..start + end].to_owned())
}

/// A page's visible words.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
