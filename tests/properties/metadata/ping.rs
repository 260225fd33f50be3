//! The detection ping over generated answers: at most three pings, waits
//! of 1 and 2 s after transport failures only, found iff the first
//! answer is a flavored 200, and never an error.

use std::time::Duration;

use oauth2_sansio::metadata::MetadataServer;
use proptest::prelude::*;
use testkit::metadata::{record, Event, FakeMetadata, MemoryMetadata};
use testkit::world::FakeClock;

use super::{config, turns, Answer, GeneratedTurn};

/// google-auth's `GCE_METADATA_DETECT_RETRIES` default.
const PINGS: usize = 3;

/// How many pings, the waits, and whether the server is found.
fn model(turns: &[GeneratedTurn]) -> (usize, Vec<Duration>, bool) {
    let mut waits = Vec::new();
    for (i, turn) in turns.iter().enumerate().take(PINGS) {
        match &turn.answer {
            Answer::Fail(_) if i + 1 < PINGS => waits.push(Duration::from_secs(1 << i)),
            Answer::Fail(_) => return (i + 1, waits, false),
            Answer::Http { status, flavor, .. } => {
                return (i + 1, waits, *status == 200 && *flavor)
            }
        }
    }
    unreachable!("three turns end every ping")
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn the_ping_retries_failures_only_and_never_fails(turns in turns()) {
        let (pings, waits, found) = model(&turns);
        let mut server = MemoryMetadata::new(FakeMetadata::new())
            .script(turns.iter().map(GeneratedTurn::to_turn));
        let run = record(MetadataServer::default().ping(), &mut server, &mut FakeClock::new());
        prop_assert_eq!(run.requests(), pings, "{:?}", run.events);
        let actual_waits: Vec<Duration> = run
            .events
            .iter()
            .filter_map(|event| match event {
                Event::Wait { until, .. } => Some(*until),
                _ => None,
            })
            .zip(&run.answered_at)
            .map(|(until, answered)| until.duration_since(*answered).unwrap())
            .collect();
        prop_assert_eq!(actual_waits, waits);
        prop_assert_eq!(run.events.last(), Some(&Event::Done));
        prop_assert_eq!(run.output, Some(found));
    }
}
