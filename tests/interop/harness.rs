//! The harness's own pieces that need no server: the user agent's cookie
//! jar and the page text its errors quote.

use std::time::{Duration, SystemTime};

use testkit::interop::{page_text, CookieJar};

fn at(unix: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(unix)
}

#[test]
fn keeps_one_value_per_name_and_sends_them_all() {
    let mut jar = CookieJar::new();
    jar.store("_interaction=a; path=/interaction/a; httponly", at(0));
    jar.store("_session=s; path=/", at(0));
    jar.store("_interaction=b; path=/interaction/b", at(0));
    assert_eq!(jar.get("_interaction"), Some("b"));
    assert_eq!(jar.header().as_deref(), Some("_interaction=b; _session=s"));
}

#[test]
fn an_expiring_header_removes_the_cookie() {
    let mut jar = CookieJar::new();
    jar.store("a=1", at(0));
    jar.store("b=2", at(0));
    jar.store("c=3", at(0));
    jar.store("a=; expires=Thu, 01 Jan 1970 00:00:00 GMT", at(10));
    jar.store("b=2; Max-Age=0", at(10));
    jar.store("c=4; expires=Thu, 01 Jan 1970 00:01:00 GMT", at(10));
    assert_eq!(jar.names().collect::<Vec<_>>(), ["c"]);
    assert_eq!(jar.get("c"), Some("4"));
}

#[test]
fn malformed_headers_are_ignored() {
    let mut jar = CookieJar::new();
    jar.store("no-equals-sign", at(0));
    jar.store("=value", at(0));
    assert_eq!(jar.header(), None);
}

#[test]
fn page_text_keeps_only_the_visible_words() {
    let html = "<!DOCTYPE html><html><head><title>t</title></head>\n<body><pre>error: invalid_redirect_uri</pre>\n<pre>error_description: the client&#39;s &lt;uris&gt;</pre></body></html>";
    assert_eq!(
        page_text(html),
        "t error: invalid_redirect_uri error_description: the client's <uris>"
    );
}
