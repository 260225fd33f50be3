//! The detection ping: found, not found (no answer, another status, a 200
//! without the flavor header), and google-auth's retries after transport
//! failures only.

use oauth2_sansio::metadata::DEFAULT_TIMEOUT;
use oauth2_sansio::TransportFailureKind::{Connect, Timeout};
use testkit::metadata::{record, Event, FakeMetadata, Reply, Scripted};
use testkit::world::FakeClock;

use super::{memory, server};

const PING: &str = "http://169.254.169.254/";

fn ping() -> Event {
    Event::ping(PING, DEFAULT_TIMEOUT)
}

#[test]
fn a_flavored_200_is_found_at_once() {
    let mut fake = memory(FakeMetadata::new(), []);
    let run = record(server().ping(), &mut fake, &mut FakeClock::new());
    assert_eq!(run.events, [ping(), Event::Done]);
    assert_eq!(run.output, Some(true));
}

#[test]
fn three_transport_failures_wait_1_then_2_seconds_then_say_not_found() {
    let failures = vec![Scripted::Fail(Connect); 3];
    let mut fake = memory(FakeMetadata::new(), failures);
    let run = record(server().ping(), &mut fake, &mut FakeClock::new());
    assert_eq!(
        run.events,
        [
            ping(),
            Event::backoff_until(2),
            ping(),
            Event::backoff_until(5),
            ping(),
            Event::Done,
        ]
    );
    assert_eq!(run.output, Some(false));
}

#[test]
fn two_failures_then_an_answer_is_found() {
    let turns = [Scripted::Fail(Timeout), Scripted::Fail(Connect)];
    let mut fake = memory(FakeMetadata::new(), turns);
    let run = record(server().ping(), &mut fake, &mut FakeClock::new());
    assert_eq!(
        run.events,
        [
            ping(),
            Event::backoff_until(2),
            ping(),
            Event::backoff_until(5),
            ping(),
            Event::Done,
        ]
    );
    assert_eq!(run.output, Some(true));
}

#[test]
fn no_answer_is_not_found() {
    let mut fake = memory(FakeMetadata::new(), vec![Scripted::Fail(Timeout); 3]);
    let run = record(server().ping(), &mut fake, &mut FakeClock::new());
    assert_eq!(run.requests(), 3);
    assert_eq!(run.events.last(), Some(&Event::Done));
    assert_eq!(run.output, Some(false));
}

#[test]
fn any_other_answer_is_not_found_at_once_without_retrying() {
    let answers = [
        Reply::new(404, "text/html", "<h1>Not Found</h1>"),
        Reply::new(503, "text/plain", "unavailable"),
        Reply::new(302, "text/plain", ""),
        Reply::new(200, "text/html", "<html>a captive portal</html>").without_flavor(),
    ];
    for answer in answers {
        let mut fake = memory(FakeMetadata::new(), [Scripted::Reply(answer.clone())]);
        let run = record(server().ping(), &mut fake, &mut FakeClock::new());
        assert_eq!(run.events, [ping(), Event::Done], "{answer:?}");
        assert_eq!(run.output, Some(false), "{answer:?}");
    }
}

#[test]
fn a_server_that_leaves_out_the_flavor_is_not_found() {
    let mut fake = memory(FakeMetadata::new().without_flavor(), []);
    let run = record(server().ping(), &mut fake, &mut FakeClock::new());
    assert_eq!(run.events, [ping(), Event::Done]);
    assert_eq!(run.output, Some(false));
}

#[test]
fn the_environment_sets_where_how_long_and_how_often() {
    let server = oauth2_sansio::metadata::MetadataServer::from_env(|name| {
        match name {
            "GCE_METADATA_IP" => Some("127.0.0.1:8990"),
            "GCE_METADATA_TIMEOUT" => Some("1"),
            "GCE_METADATA_DETECT_RETRIES" => Some("2"),
            _ => None,
        }
        .map(str::to_owned)
    })
    .unwrap();
    let mut fake = memory(FakeMetadata::new(), vec![Scripted::Fail(Connect); 2]);
    let run = record(server.ping(), &mut fake, &mut FakeClock::new());
    let ping = Event::ping("http://127.0.0.1:8990/", super::secs(1));
    assert_eq!(
        run.events,
        [ping.clone(), Event::backoff_until(2), ping, Event::Done]
    );
    assert_eq!(run.output, Some(false));
}

#[test]
fn a_flavor_other_than_exactly_google_is_not_found() {
    use oauth2_sansio::{Machine, Step};
    for value in ["Google", "google", "GOOGLE", "Googlebot"] {
        let mut ping = server().ping();
        let now = FakeClock::new().now();
        let Ok(Step::Send(_)) = ping.poll(now) else {
            panic!("the ping sends first")
        };
        let answer = http::Response::builder()
            .status(200)
            .header("metadata-flavor", value)
            .body(Vec::new())
            .unwrap();
        ping.handle_response(answer, now).unwrap();
        let Ok(Step::Done(found)) = ping.poll(now) else {
            panic!("one answer decides")
        };
        assert_eq!(found, value == "Google", "{value:?}");
    }
}

#[test]
fn no_attempts_allowed_sends_nothing_and_is_not_found() {
    let server = oauth2_sansio::metadata::MetadataServer::from_env(|name| {
        (name == "GCE_METADATA_DETECT_RETRIES").then(|| "0".to_owned())
    })
    .unwrap();
    let mut fake = memory(FakeMetadata::new(), []);
    let run = record(server.ping(), &mut fake, &mut FakeClock::new());
    assert_eq!(run.events, [Event::Done]);
    assert_eq!(run.output, Some(false));
}
