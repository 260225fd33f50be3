//! Application Default Credentials on Google Cloud, in memory: no file to
//! read, so the search pings the metadata server and asks it for the
//! project; the credentials found then refresh there.

use oauth2_sansio::adc::{
    Adc, AdcEnvironment, AdcError, AdcSource, AdcStep, DefaultCredentials, FileRead,
    GCE_PRODUCT_NAME_FILE,
};
use oauth2_sansio::metadata::DEFAULT_TIMEOUT;
use oauth2_sansio::TransportFailureKind::Connect;
use oauth2_sansio::{AnyCredentials, Credentials};
use testkit::metadata::{record, Event, FakeMetadata, MemoryMetadata, Scripted, PROJECT};
use testkit::world::FakeClock;

use super::{memory, DATA, SCOPES, SCOPES_QUERY};

/// An environment with nothing set and no home directory: no file to look
/// at, only the metadata server.
fn bare(vars: &[(&str, &str)]) -> AdcEnvironment {
    AdcEnvironment::new(
        |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        },
        None,
        false,
    )
}

/// Runs the search, each metadata machine against `fake`, on a machine
/// without a DMI product name; returns what it found and every event of
/// every machine, in order.
fn search(
    mut adc: Adc,
    fake: &mut MemoryMetadata,
    clock: &mut FakeClock,
) -> (Result<DefaultCredentials, AdcError>, Vec<Event>) {
    let mut events = Vec::new();
    let mut step = adc.step();
    let found = loop {
        step = match step {
            Ok(AdcStep::Ping(ping)) => {
                let run = record(ping, fake, clock);
                events.extend(run.events);
                adc.pinged(run.output.unwrap())
            }
            Ok(AdcStep::FetchProject(fetch)) => {
                let run = record(fetch, fake, clock);
                events.extend(run.events);
                adc.project_fetched(run.output)
            }
            Ok(AdcStep::ReadFile(path)) => {
                assert_eq!(path.to_str(), Some(GCE_PRODUCT_NAME_FILE), "no other file");
                adc.file_read(FileRead::NotFound)
            }
            Ok(AdcStep::Found(found)) => break Ok(found),
            Ok(other) => panic!("nothing else to do here: {other:?}"),
            Err(e) => break Err(e),
        };
    };
    (found, events)
}

#[test]
fn on_google_cloud_the_search_pings_then_asks_the_project() {
    let mut fake = memory(FakeMetadata::new(), []);
    let mut clock = FakeClock::new();
    let adc = Adc::new(bare(&[])).with_scopes(SCOPES);
    let (found, events) = search(adc, &mut fake, &mut clock);
    assert_eq!(
        events,
        [
            Event::ping("http://169.254.169.254/", DEFAULT_TIMEOUT),
            Event::Done,
            Event::get(&format!("{DATA}project/project-id")),
            Event::Done,
        ]
    );
    let found = found.unwrap();
    assert_eq!(found.source(), &AdcSource::Metadata);
    assert_eq!(found.project_id(), Some(PROJECT));
    assert!(matches!(found.credentials(), AnyCredentials::Metadata(_)));

    let run = record(found.refresh().unwrap(), &mut fake, &mut clock);
    assert_eq!(
        run.events,
        [
            Event::get(&format!(
                "{DATA}instance/service-accounts/default/token?{SCOPES_QUERY}"
            )),
            Event::Done
        ]
    );
    let refreshed = run.output.unwrap();
    assert_eq!(refreshed.source(), &AdcSource::Metadata, "kept");
    assert_eq!(refreshed.project_id(), Some(PROJECT), "kept");
    assert_eq!(refreshed.token().unwrap().token().secret(), "ya29.mds-1");
}

#[test]
fn a_project_in_the_environment_spares_the_request() {
    let mut fake = memory(FakeMetadata::new(), []);
    let env = bare(&[("GOOGLE_CLOUD_PROJECT", "env-project")]);
    let (found, events) = search(Adc::new(env), &mut fake, &mut FakeClock::new());
    assert_eq!(
        events,
        [
            Event::ping("http://169.254.169.254/", DEFAULT_TIMEOUT),
            Event::Done
        ]
    );
    assert_eq!(found.unwrap().project_id(), Some("env-project"));
}

#[test]
fn a_project_request_that_fails_leaves_the_project_unknown() {
    let mut fake = memory(FakeMetadata::new().unavailable(5), []);
    let (found, events) = search(Adc::new(bare(&[])), &mut fake, &mut FakeClock::new());
    assert_eq!(
        events.len(),
        2 + 9 + 1,
        "the ping, five GETs and four waits, the error"
    );
    let found = found.unwrap();
    assert_eq!(found.source(), &AdcSource::Metadata);
    assert_eq!(found.project_id(), None);
}

#[test]
fn without_a_metadata_server_nothing_is_found_and_every_place_is_named() {
    let mut fake = memory(FakeMetadata::new(), vec![Scripted::Fail(Connect); 3]);
    let (found, events) = search(Adc::new(bare(&[])), &mut fake, &mut FakeClock::new());
    assert_eq!(
        events.len(),
        6,
        "three pings, two waits, not found: {events:?}"
    );
    let Err(AdcError::NotFound { looked }) = found else {
        panic!("{found:?}")
    };
    assert_eq!(
        looked,
        [
            "GOOGLE_APPLICATION_CREDENTIALS (not set)",
            "gcloud's file (no home directory to find it in)",
            "the metadata server at http://169.254.169.254/ (did not answer as one, and there is no /sys/class/dmi/id/product_name)",
        ]
    );
}
