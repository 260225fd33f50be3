//! Property tests of DPoP: any sequence of nonce rotations is met with one
//! retry per rotation and never more; no two proofs of a key (or its
//! clones) share a `jti`; `htu` drops exactly the query; the
//! `WWW-Authenticate` reader never panics and reads back the `DPoP`
//! challenge it is given among others.

use std::collections::HashSet;

use oauth2_sansio::dpop::{dpop_challenge, target_uri, DpopKey};
use oauth2_sansio::http::header::WWW_AUTHENTICATE;
use oauth2_sansio::http::{HeaderMap, HeaderValue, Method, Uri};
use oauth2_sansio::jwt::decode_unverified;
use oauth2_sansio::Credentials;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use testkit::world::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x0d_9449),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// The server may start with a nonce or not, and rotate it before any
    /// refresh: each call then costs one request, plus one retry exactly
    /// when the nonce changed since the key last heard it, and succeeds.
    #[test]
    fn every_nonce_rotation_costs_one_retry_and_no_more(
        start_with_nonce in any::<bool>(),
        rotations in proptest::collection::vec(any::<bool>(), 1..8),
    ) {
        let (mut server, mut clock) = (FakeServer::default(), FakeClock::new());
        server.dpop_nonce = start_with_nonce.then(|| "n-0".to_owned());
        let key = DpopKey::generate().unwrap();
        let mut exchange = approved_exchange(&mut server, &installed_client(), &["openid"], &clock)
            .with_dpop(&key);
        let mut credentials = Transcript::record(&mut exchange, &mut server, &mut clock)
            .output
            .expect("the sign-in succeeds");
        prop_assert_eq!(server.token_requests(), 1 + usize::from(start_with_nonce));
        for (i, rotate) in rotations.into_iter().enumerate() {
            if rotate {
                server.dpop_nonce = Some(format!("n-{}", i + 1));
            }
            let before = server.token_requests();
            let mut refresh = credentials.refresh().unwrap();
            credentials = Transcript::record(&mut refresh, &mut server, &mut clock)
                .output
                .expect("the refresh succeeds");
            prop_assert_eq!(server.token_requests() - before, 1 + usize::from(rotate));
            prop_assert_eq!(credentials.dpop_key(), Some(&key));
        }
    }

    /// Proofs from a key and its clones, in any order, never repeat a `jti`.
    #[test]
    fn no_two_proofs_share_a_jti(order in proptest::collection::vec(any::<bool>(), 1..64)) {
        let key = DpopKey::generate().unwrap();
        let clone = key.clone();
        let uri: Uri = "https://as.example/token".parse().unwrap();
        let mut seen = HashSet::new();
        for (i, use_clone) in order.iter().enumerate() {
            let signer = if *use_clone { &clone } else { &key };
            let proof = signer.proof(&Method::POST, &uri, None, FakeClock::at(i as u64)).unwrap();
            let jwt = decode_unverified(proof.to_str().unwrap()).unwrap();
            let jti = jwt.payload()["jti"].as_str().unwrap().to_owned();
            prop_assert!(seen.insert(jti));
        }
    }

    /// `htu` is the URI without its query; a URI that differs only in its
    /// query has the same `htu`, and an `htu` is its own `htu`.
    #[test]
    fn htu_drops_exactly_the_query(
        https in any::<bool>(),
        upper_scheme in any::<bool>(),
        host in "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){0,2}",
        port in proptest::option::of(1u16..),
        path in proptest::collection::vec("[A-Za-z0-9._~-]{1,8}", 0..4),
        query in proptest::option::of("[A-Za-z0-9=&%._~-]{0,16}"),
    ) {
        let scheme = match (https, upper_scheme) {
            (true, false) => "https",
            (true, true) => "HTTPS",
            (false, false) => "http",
            (false, true) => "HTTP",
        };
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let base = format!("{scheme}://{host}{port}/{}", path.join("/"));
        let with_query = match &query {
            Some(q) => format!("{base}?{q}"),
            None => base.clone(),
        };
        let htu = target_uri(&with_query.parse().unwrap()).unwrap();
        prop_assert!(!htu.contains('?') && !htu.contains('#'), "{}", htu);
        prop_assert!(htu.starts_with(scheme.to_ascii_lowercase().as_str()));
        prop_assert_eq!(&htu, &target_uri(&base.parse().unwrap()).unwrap());
        prop_assert_eq!(&htu, &target_uri(&htu.parse().unwrap()).unwrap());
    }

    /// Any header text: no panic, and whatever is read is clean text.
    #[test]
    fn any_challenge_text_is_read_without_panic(lines in proptest::collection::vec(".{0,200}", 0..4)) {
        let mut headers = HeaderMap::new();
        for line in &lines {
            if let Ok(value) = HeaderValue::from_str(line) {
                headers.append(WWW_AUTHENTICATE, value);
            }
        }
        if let Some(challenge) = dpop_challenge(&headers) {
            for text in challenge.error.iter().chain(challenge.error_description.iter()) {
                prop_assert!(!text.chars().any(char::is_control));
            }
        }
    }

    /// A `DPoP` challenge among other challenges, with its error as a
    /// token or a quoted string (escapes included), is read back.
    #[test]
    fn a_dpop_challenge_among_others_is_read_back(
        before in proptest::collection::vec(("[A-Z][a-z]{1,8}", "[a-z]{1,6}", "[a-z0-9 ]{0,8}"), 0..3),
        error in "[a-z_\" \\\\]{1,20}",
        quoted in any::<bool>(),
        scheme_case in prop_oneof![Just("DPoP"), Just("dpop"), Just("DPOP")],
        after in proptest::option::of("[A-Z][a-z]{1,8}"),
    ) {
        let quoted = quoted || !error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        let error_text = if quoted {
            format!("\"{}\"", error.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            error.clone()
        };
        let mut challenges: Vec<String> = before
            .iter()
            .filter(|(scheme, _, _)| !scheme.eq_ignore_ascii_case("dpop"))
            .map(|(scheme, name, value)| format!("{scheme} {name}=\"{value}\""))
            .collect();
        challenges.push(format!("{scheme_case} error={error_text}, algs=\"ES256\""));
        challenges.extend(after.filter(|s| !s.eq_ignore_ascii_case("dpop")));
        let mut headers = HeaderMap::new();
        headers.insert(WWW_AUTHENTICATE, challenges.join(", ").parse().unwrap());
        let challenge = dpop_challenge(&headers).expect("the DPoP challenge is read");
        prop_assert_eq!(challenge.error.as_deref(), Some(error.as_str()));
        prop_assert_eq!(challenge.algs, vec!["ES256".to_owned()]);
    }
}
