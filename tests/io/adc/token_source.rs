//! Found on the metadata server, then a token source over the same
//! transport: the retries of a data GET are real waits, and the token is
//! fetched once and cached.

use oauth2_sansio::adc::{Adc, AdcSource};
use testkit::metadata::{FakeMetadata, LoopbackMetadata, PROJECT};
use testkit::scratch::Scratch;

use super::{environment, metadata_at, TRANSPORTS};

const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

#[test]
fn metadata_credentials_retry_after_a_503_and_the_token_is_cached() {
    for &transport in TRANSPORTS {
        let dir = Scratch::new();
        let fake = LoopbackMetadata::start(FakeMetadata::new().unavailable(1));
        let env = environment(&metadata_at(&fake.host()), &dir.mkdir("home"));

        let found = transport.find(Adc::new(env).with_scopes([SCOPE])).unwrap();
        assert_eq!(found.source(), &AdcSource::Metadata);
        assert_eq!(found.project_id(), Some(PROJECT), "after one retry");
        let tokens = transport.token_twice(found);

        assert_eq!(tokens, ["ya29.mds-1", "ya29.mds-1"], "{transport:?}");
        assert_eq!(fake.tokens_issued(), 1, "{transport:?}");
        assert_eq!(
            fake.seen(),
            [
                "GET / flavor=Google",
                "GET /computeMetadata/v1/project/project-id flavor=Google",
                "GET /computeMetadata/v1/project/project-id flavor=Google",
                "GET /computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform flavor=Google",
            ],
            "{transport:?}"
        );
    }
}
