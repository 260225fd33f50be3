//! Properties of `private_key_jwt` client authentication: any client id,
//! audience, time and lifetime give assertions that verify with the public
//! key, name the client as `iss` and `sub`, count from the time they are
//! sent, live as long as asked in whole seconds (at least one, at most an
//! hour), and never repeat a `jti`; and over generated refresh chains
//! against the in-memory server (delays, lost requests, rotation), every
//! request that reaches the server authenticates.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use oauth2_sansio::jwt::{RingSigner, MAX_JWT_LIFETIME};
use oauth2_sansio::{Client, ClientAssertionKey, Credentials, RefreshToken, UserCredentials};
use proptest::prelude::*;
use serde_json::Value;
use testkit::world::*;

fn signer() -> Arc<RingSigner> {
    static SIGNER: OnceLock<Arc<RingSigner>> = OnceLock::new();
    SIGNER
        .get_or_init(|| Arc::new(RingSigner::from_pem(JWT_CLIENT_KEY_PEM, None).unwrap()))
        .clone()
}

fn time(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn assertions_name_the_client_count_from_now_and_never_repeat(
        client_id in "[!-~]{1,40}",
        audience in "https://[a-z]{1,12}\\.example(/[a-z]{0,8})?",
        now in 0u64..=u64::from(u32::MAX) * 4,
        lifetime in 0u64..10_000,
        seed in any::<[u8; 32]>(),
        count in 1usize..6,
    ) {
        let key = ClientAssertionKey::with_seed(signer(), seed)
            .with_lifetime(Duration::from_secs(lifetime));
        let clone = key.clone();
        let mut jtis = HashSet::new();
        for i in 0..count {
            let signing = if i % 2 == 0 { &key } else { &clone };
            let assertion = signing.sign(&client_id, &audience, time(now)).unwrap();
            let jwt = testkit::jwt::verify(assertion.secret());
            let claims = jwt.payload();
            prop_assert_eq!(&claims["iss"], &Value::from(client_id.as_str()));
            prop_assert_eq!(&claims["sub"], &Value::from(client_id.as_str()));
            prop_assert_eq!(&claims["aud"], &Value::from(audience.as_str()));
            prop_assert_eq!(&claims["iat"], &Value::from(now));
            let exp = claims["exp"].as_u64().unwrap();
            prop_assert_eq!(exp - now, lifetime.clamp(1, MAX_JWT_LIFETIME.as_secs()));
            let jti = claims["jti"].as_str().unwrap().to_owned();
            prop_assert_eq!(jti.len(), 43);
            prop_assert!(jtis.insert(jti), "a jti repeated");
        }
    }

    #[test]
    fn every_refresh_that_reaches_the_server_authenticates(
        steps in prop::collection::vec((0u64..4000, any::<bool>()), 1..6),
        rotate in any::<bool>(),
        idle_before_poll in 0u64..600,
    ) {
        let mut server = FakeServer::default();
        server.rotate_refresh_tokens = rotate;
        let mut clock = FakeClock::new();
        let key = ClientAssertionKey::with_seed(signer(), [3; 32]);
        let client = Client::builder(JWT_ID)
            .authorization_endpoint(AUTH_URI)
            .token_endpoint(TOKEN_URI)
            .issuer(ISSUER)
            .private_key_jwt(key)
            .build()
            .unwrap();
        let refresh_token = server.issue_refresh_token(JWT_ID, &["read"]);
        let mut credentials =
            UserCredentials::from_refresh_token(&client, RefreshToken::new(refresh_token), vec![]);
        let mut jtis = HashSet::new();
        for (delay, lost) in steps {
            clock.advance(Duration::from_secs(delay));
            if lost {
                server.misbehave(Misbehaviour::Unreachable);
            }
            let mut refresh = credentials.refresh().unwrap();
            // A machine made now and first polled later signs at the poll.
            clock.advance(Duration::from_secs(idle_before_poll));
            let transcript = Transcript::record(&mut refresh, &mut server, &mut clock);
            let Some(Event::Send(sent)) = transcript.events.first() else {
                return Err(TestCaseError::fail(format!("{:?}", transcript.events)));
            };
            let pairs = testkit::jwt::form(sent.body.as_bytes());
            let assertion = &pairs.iter().find(|(n, _)| n == "client_assertion").unwrap().1;
            let claims = testkit::jwt::verify(assertion).payload().clone();
            let sent_at = clock.now() - ROUND_TRIP;
            let sent_secs = sent_at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
            prop_assert_eq!(&claims["iat"], &Value::from(sent_secs));
            prop_assert!(jtis.insert(claims["jti"].clone()), "a jti repeated");
            match transcript.output {
                Some(next) => {
                    prop_assert!(!lost);
                    credentials = next;
                }
                None => prop_assert!(lost, "refused: {:?}", transcript.events),
            }
        }
    }
}
