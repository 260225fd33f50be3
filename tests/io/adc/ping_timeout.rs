//! The ping gives up after its own timeout (`GCE_METADATA_TIMEOUT`, in
//! the request's `RequestTimeout`), not the transport's, when the server
//! never answers.

use std::time::{Duration, Instant};

use oauth2_sansio::adc::{Adc, AdcError};
use testkit::metadata::{FakeMetadata, LoopbackMetadata};
use testkit::scratch::Scratch;

use super::{environment, metadata_at, TRANSPORTS, TRANSPORT_TIMEOUT};

#[test]
fn a_ping_nobody_answers_ends_after_the_pings_timeout() {
    for &transport in TRANSPORTS {
        let dir = Scratch::new();
        let fake = LoopbackMetadata::start(FakeMetadata::new().slow(TRANSPORT_TIMEOUT * 2));
        let mut vars = metadata_at(&fake.host()).to_vec();
        vars.push(("GCE_METADATA_TIMEOUT", "1".to_owned()));
        vars.push(("GCE_METADATA_DETECT_RETRIES", "1".to_owned()));
        let env = environment(&vars, &dir.mkdir("home"));

        let started = Instant::now();
        let found = transport.find(Adc::new(env));
        let took = started.elapsed();

        assert!(
            matches!(found, Err(AdcError::NotFound { .. })),
            "{transport:?}: {found:?}"
        );
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_secs(10),
            "{transport:?}: the ping took {took:?}; its timeout is 1 s, the transport's {TRANSPORT_TIMEOUT:?}"
        );
        assert_eq!(fake.seen(), ["GET / flavor=Google"], "{transport:?}");
    }
}
