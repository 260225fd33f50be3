//! Loopback request bytes, through the public sans-IO API the installed
//! app's listener uses: `LoopbackRequestParser::feed` on all the bytes at
//! once, then `LoopbackCallback::handle` in a session whose start link the
//! browser has opened. Accepted means the request finished the flow with a
//! code exchange. `NeedMore` (the head is incomplete; the listener waits
//! for more until its timeout or the bound) and `KeepWaiting` (not the
//! callback) are typed answers, not errors: counted as refusals and shown
//! apart. The real socket is not used: the listener adds reading and
//! timeouts, not parsing.

use oauth2_sansio::loopback::{
    LoopbackCallback, LoopbackRequestParser, Outcome as Flow, Parsed, LOOPBACK_REQUEST_LIMIT,
};
use oauth2_sansio::url::form_urlencoded::byte_serialize;
use oauth2_sansio::Client;

use super::derive::{mutations, truncations, MUTATIONS};
use super::tally::{Case, Outcome, Tally};
use super::{now, CODE};

const REDIRECT: &str = "http://127.0.0.1:53682/";
const COOKIE_NAME: &str = "oauth2-sansio-53682";
/// The start link's entropy: its path from 32 bytes of 1, its cookie from
/// 32 bytes of 2 (whose base64url is `COOKIE_VALUE`).
const START_ENTROPY: [u8; 64] = {
    let mut bytes = [1u8; 64];
    let mut i = 32;
    while i < 64 {
        bytes[i] = 2;
        i += 1;
    }
    bytes
};
const COOKIE_VALUE: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";

/// A session whose start link the browser has opened, and its state.
fn session() -> (LoopbackCallback, String) {
    let client = Client::builder("public-app")
        .authorization_endpoint("http://127.0.0.1:9000/auth")
        .token_endpoint("http://127.0.0.1:9000/token")
        .build()
        .expect("a valid client");
    let (url, pending) = client
        .authorization_request(REDIRECT)
        .build_with_entropy(now(), &[0x2c; 64])
        .expect("a valid request");
    let state = pending.state().secret().to_owned();
    let mut session = LoopbackCallback::new(pending, client)
        .expect("a loopback redirect URI")
        .with_start_link_from_entropy(&url, &START_ENTROPY);
    let path = session.start_path().expect("a start link").to_owned();
    let head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:53682\r\n\r\n");
    let Parsed::Request(visit) = LoopbackRequestParser::new().feed(head.as_bytes()) else {
        panic!("the start link's request is valid");
    };
    let _ = session.handle(&visit);
    (session, state)
}

fn head(target: &str, headers: &[String]) -> Vec<u8> {
    let mut text = format!("GET {target} HTTP/1.1\r\n");
    for header in headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}

fn cases(state: &str) -> Vec<Case> {
    let code: String = byte_serialize(CODE.as_bytes()).collect();
    let target = |state: &str, code: &str| format!("/?state={state}&code={code}&scope=openid");
    let headers: Vec<String> = [
        "Host: 127.0.0.1:53682",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64)",
        "Accept: text/html",
        &format!("Cookie: {COOKIE_NAME}={COOKIE_VALUE}"),
        "Connection: keep-alive",
    ]
    .map(str::to_owned)
    .to_vec();
    let seed = head(&target(state, &code), &headers);
    let mut cases = truncations(&seed, Some("an incomplete head"));
    for (i, header) in headers.iter().enumerate() {
        let name = header.split(':').next().expect("a name");
        let mut removed = headers.clone();
        removed.remove(i);
        let needed = matches!(name, "Host" | "Cookie")
            .then_some("the Host or the start link's cookie missing");
        cases.push(Case::new(
            format!("{name} removed"),
            head(&target(state, &code), &removed),
            needed,
        ));
        let mut twice = headers.clone();
        twice.insert(i + 1, header.clone());
        let host_twice = (name == "Host").then_some("Host twice");
        cases.push(Case::new(
            format!("{name} twice"),
            head(&target(state, &code), &twice),
            host_twice,
        ));
    }
    cases.push(Case::new(
        "state removed",
        head(&format!("/?code={code}"), &headers),
        Some("no state"),
    ));
    cases.push(Case::new(
        "code removed",
        head(&format!("/?state={state}"), &headers),
        Some("no code"),
    ));
    cases.push(Case::new(
        "state empty",
        head(&target("", &code), &headers),
        Some("no state"),
    ));
    cases.push(Case::new(
        "code empty",
        head(&target(state, ""), &headers),
        Some("no code"),
    ));
    let middle = code.len() / 2;
    let inserts: [&[u8]; 9] = [
        b"\0",
        b"\x1b[2J",
        b"\n",
        "\u{202e}".as_bytes(),
        "\u{200b}".as_bytes(),
        "\u{2028}".as_bytes(),
        b"\xff",
        b"\xc0\xaf",
        b"\xed\xa0\x80",
    ];
    for insert in inserts {
        let start = seed
            .windows(code.len())
            .position(|w| w == code.as_bytes())
            .expect("the code is in the head");
        let mut bytes = seed.clone();
        bytes.splice(start + middle..start + middle, insert.iter().copied());
        cases.push(Case::new(
            format!("raw {insert:x?} in the code"),
            bytes,
            Some("not a printable target"),
        ));
        let agent = seed
            .windows(7)
            .position(|w| w == b"Mozilla")
            .expect("a user agent");
        let mut bytes = seed.clone();
        bytes.splice(agent..agent, insert.iter().copied());
        cases.push(Case::new(
            format!("raw {insert:x?} in a header"),
            bytes,
            None,
        ));
    }
    let mut padded = headers.clone();
    padded.push(format!("X-Padding: {}", "x".repeat(LOOPBACK_REQUEST_LIMIT)));
    cases.push(Case::new(
        "a head over the bound",
        head(&target(state, &code), &padded),
        Some("over the size bound"),
    ));
    cases.extend(mutations(&seed, 1600, MUTATIONS));
    cases
}

pub fn tallies() -> Vec<Tally> {
    let (_, state) = session();
    let mut tally = Tally::new("loopback request bytes");
    tally.run(&[&state, CODE, COOKIE_VALUE], cases(&state), |bytes| {
        match LoopbackRequestParser::new().feed(bytes) {
            Parsed::NeedMore => Outcome::KeptWaiting { shown: vec![] },
            Parsed::Rejected(rejection) => Outcome::Refused {
                shown: vec![
                    rejection.to_string(),
                    format!("{rejection:?}"),
                    String::from_utf8_lossy(&rejection.response()).into_owned(),
                ],
            },
            Parsed::Request(request) => {
                let answer = session().0.handle(&request);
                let page = String::from_utf8_lossy(&answer.response).into_owned();
                match answer.outcome {
                    Flow::Finished(Ok(_)) => Outcome::Accepted,
                    Flow::Finished(Err(e)) => Outcome::Refused {
                        shown: vec![e.to_string(), format!("{e:?}"), page],
                    },
                    Flow::KeepWaiting => Outcome::KeptWaiting { shown: vec![page] },
                    _ => panic!("an unknown outcome"),
                }
            }
            _ => panic!("an unknown parse"),
        }
    });
    vec![tally]
}
