//! What else the metadata server tells: the project, the account's
//! email, the universe domain (404: `googleapis.com`).

use oauth2_sansio::metadata::DEFAULT_UNIVERSE_DOMAIN;
use oauth2_sansio::{Error, InvalidResponse};
use testkit::metadata::{record, Event, FakeMetadata, EMAIL, PROJECT};
use testkit::world::FakeClock;

use super::{memory, server, DATA};

#[test]
fn the_project_id_is_the_text_of_project_id() {
    let mut fake = memory(FakeMetadata::new(), []);
    let run = record(server().project_id(), &mut fake, &mut FakeClock::new());
    assert_eq!(
        run.events,
        [
            Event::get(&format!("{DATA}project/project-id")),
            Event::Done
        ]
    );
    assert_eq!(run.output.as_deref(), Some(PROJECT));
}

#[test]
fn the_account_email_is_the_text_of_email() {
    let mut fake = memory(FakeMetadata::new(), []);
    let run = record(server().account_email(), &mut fake, &mut FakeClock::new());
    assert_eq!(
        run.events,
        [
            Event::get(&format!("{DATA}instance/service-accounts/default/email")),
            Event::Done
        ]
    );
    assert_eq!(run.output.as_deref(), Some(EMAIL));
}

#[test]
fn the_universe_domain_is_googleapis_com_when_the_server_has_none() {
    let universe = Event::get(&format!("{DATA}universe/universe-domain"));
    let mut fake = memory(FakeMetadata::new().without_universe_domain(), []);
    let run = record(server().universe_domain(), &mut fake, &mut FakeClock::new());
    assert_eq!(run.events, [universe.clone(), Event::Done]);
    assert_eq!(run.output.as_deref(), Some(DEFAULT_UNIVERSE_DOMAIN));

    let mut other = FakeMetadata::new();
    other.universe_domain = Some("universe.example".to_owned());
    let run = record(
        server().universe_domain(),
        &mut memory(other, []),
        &mut FakeClock::new(),
    );
    assert_eq!(run.events, [universe, Event::Done]);
    assert_eq!(run.output.as_deref(), Some("universe.example"));
}

#[test]
fn a_project_id_without_the_flavor_is_refused() {
    let mut fake = memory(FakeMetadata::new().without_flavor(), []);
    let run = record(server().project_id(), &mut fake, &mut FakeClock::new());
    assert_eq!(
        run.events,
        [
            Event::get(&format!("{DATA}project/project-id")),
            Event::Error(Error::InvalidResponse(InvalidResponse::MissingHeader {
                header: "Metadata-Flavor: Google"
            })),
        ]
    );
}
