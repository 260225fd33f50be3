//! The loopback redirect's sans-IO core on the request a real browser
//! sends: headless Chromium 156's request to the runner's listener at the
//! end of an oidc-provider sign-in (headers as captured, in Chromium's
//! order; a Google-length code, this authorization's state and `iss`).
//!
//! Groups: parsing the request whole and a byte at a time, and
//! `LoopbackCallback::handle` for the genuine callback. `handle` consumes
//! the session, so each iteration gets a fresh one built outside the
//! timing (`iter_batched`); building that session (two clones and
//! `LoopbackCallback::new`) is measured on its own.
//! Run: `cargo bench --bench loopback`; results in benches/RESULTS-issue3.md.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use oauth2_sansio::loopback::{LoopbackCallback, LoopbackRequestParser, Outcome, Parsed};
use oauth2_sansio::{Client, PendingAuthorization};

const ISSUER: &str = "http://127.0.0.1:44693";
const PORT: u16 = 44197;
/// A code of Google's shape and length (73 characters), percent-encoded as
/// the server sends it.
const CODE: &str = "4%2F0AeanS0ZxYwVuTsRqPoNmLkJiHgFeDcBa9876543210ZyXwVuTsRqPoNmLkJiHgFeDcBa_Q";
/// Fixed entropy for the authorization (its state and PKCE verifier).
const ENTROPY: [u8; 64] = [
    0x3b, 0x91, 0x0e, 0xd4, 0x72, 0x5a, 0xc8, 0x19, 0xaf, 0x64, 0x2d, 0xf0, 0x87, 0x3e, 0xb5, 0x4c,
    0x06, 0xe9, 0x58, 0x9d, 0x21, 0xca, 0x7f, 0x13, 0xbe, 0x45, 0xd0, 0x8a, 0x37, 0xf6, 0x6c, 0x02,
    0x95, 0x1f, 0xe3, 0x48, 0xab, 0x70, 0x0c, 0xd7, 0x5e, 0x83, 0x29, 0xfa, 0x16, 0xb1, 0x64, 0xcd,
    0x3a, 0x8f, 0x52, 0xe7, 0x09, 0x9c, 0x4b, 0xf1, 0x26, 0xd8, 0x6d, 0x10, 0xa3, 0x5f, 0xc2, 0x77,
];

fn client() -> Client {
    Client::builder("native-public")
        .authorization_endpoint(format!("{ISSUER}/auth"))
        .token_endpoint(format!("{ISSUER}/token"))
        .issuer(ISSUER)
        .require_issuer_in_callback(true)
        .build()
        .expect("a valid client")
}

fn pending(client: &Client) -> PendingAuthorization {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let (_url, pending) = client
        .authorization_request(format!("http://127.0.0.1:{PORT}/"))
        .scopes(["openid", "email"])
        .build_with_entropy(now, &ENTROPY)
        .expect("a valid authorization request");
    pending
}

/// Chromium's request for the callback of `state`.
fn chromium_request(state: &str) -> Vec<u8> {
    format!(
        "GET /?code={CODE}&state={state}&iss=http%3A%2F%2F127.0.0.1%3A44693 HTTP/1.1\r\n\
         Host: 127.0.0.1:{PORT}\r\n\
         Connection: keep-alive\r\n\
         Upgrade-Insecure-Requests: 1\r\n\
         User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\r\n\
         Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/jxl,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n\
         Sec-Fetch-Site: none\r\n\
         Sec-Fetch-Mode: navigate\r\n\
         Sec-Fetch-User: ?1\r\n\
         Sec-Fetch-Dest: document\r\n\
         sec-ch-ua: \"Not:A-Brand\";v=\"8\", \"Chromium\";v=\"156\"\r\n\
         sec-ch-ua-mobile: ?0\r\n\
         sec-ch-ua-platform: \"Linux\"\r\n\
         Accept-Encoding: gzip, deflate, br, zstd\r\n\
         Accept-Language: en-US,en;q=0.9\r\n\r\n"
    )
    .into_bytes()
}

fn parse_whole(bytes: &[u8]) -> Parsed {
    LoopbackRequestParser::new().feed(bytes)
}

fn parse_byte_at_a_time(bytes: &[u8]) -> Parsed {
    let mut parser = LoopbackRequestParser::new();
    let (last, head) = bytes.split_last().expect("a non-empty request");
    for byte in head {
        assert!(matches!(
            parser.feed(std::slice::from_ref(byte)),
            Parsed::NeedMore
        ));
    }
    parser.feed(std::slice::from_ref(last))
}

fn loopback_parse(c: &mut Criterion) {
    let client = client();
    let bytes = chromium_request(pending(&client).state().secret());
    assert!(matches!(parse_whole(&bytes), Parsed::Request(_)));
    assert_eq!(parse_whole(&bytes), parse_byte_at_a_time(&bytes));
    let mut group = c.benchmark_group(format!("loopback_parse_{}_bytes", bytes.len()));
    group.bench_function("whole", |b| b.iter(|| parse_whole(black_box(&bytes))));
    group.bench_function("byte_at_a_time", |b| {
        b.iter(|| parse_byte_at_a_time(black_box(&bytes)))
    });
    group.finish();
}

fn loopback_callback(c: &mut Criterion) {
    let client = client();
    let state = pending(&client).state().secret().to_owned();
    let Parsed::Request(request) = parse_whole(&chromium_request(&state)) else {
        panic!("the request parses")
    };
    // The same pending authorization each time (fixed entropy): it is
    // single-use, not Clone.
    let session = || {
        LoopbackCallback::new(pending(&client), client.clone()).expect("a loopback redirect URI")
    };
    let answer = session().handle(&request);
    assert!(matches!(answer.outcome, Outcome::Finished(Ok(_))));
    assert!(answer.response.starts_with(b"HTTP/1.1 200 "));

    let mut group = c.benchmark_group("loopback_callback");
    group.bench_function("handle_genuine_callback", |b| {
        b.iter_batched(
            session,
            |mut callback| callback.handle(black_box(&request)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("session_clone_only", |b| b.iter(session));
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = loopback;
    config = config();
    targets = loopback_parse, loopback_callback
}
criterion_main!(loopback);
