//! The key-set clients over real transports: many threads (ureq) or tasks
//! (reqwest) verifying at once share one fetch of the issuer's keys; with
//! no keys and the issuer down, the failure is the fetch's.

use std::sync::Arc;
use std::time::SystemTime;

use oauth2_sansio::jwt::verify::{IdTokenVerifier, KeySetCache, VerifyFailure};
use oauth2_sansio::jwt::{encode, Claims, RingSigner};
use testkit::canned_http::{canned_with, Answer, CannedServer};
use testkit::jwt::{jwk_json, PKCS8};

const ISSUER: &str = "https://issuer.example";
const AUDIENCE: &str = "service-1";

/// A token of ISSUER for AUDIENCE, signed with the test key `k1`.
fn token() -> String {
    let signer = RingSigner::from_pem(PKCS8, Some("k1".into())).unwrap();
    let claims = Claims::new(ISSUER, SystemTime::now())
        .with_audience(AUDIENCE)
        .with_subject("caller-9");
    encode(&signer, &claims).unwrap().secret().to_owned()
}

/// A key set server with one answer: the test key, kept for ten minutes.
fn key_server() -> CannedServer {
    let jwks = jwk_json("k1");
    CannedServer::start(vec![Answer::Bytes(canned_with(
        200,
        &[("cache-control", "max-age=600")],
        &jwks,
    ))])
}

#[cfg(feature = "ureq")]
#[test]
fn threads_verifying_at_once_share_one_fetch() {
    use oauth2_sansio::io::ureq::{KeySetClient, UreqTransport};

    let server = key_server();
    let keys = Arc::new(KeySetClient::new(
        UreqTransport::new(),
        KeySetCache::new(&server.url("/jwks")).unwrap(),
    ));
    let token = token();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (keys, token) = (keys.clone(), token.clone());
            std::thread::spawn(move || {
                keys.verify(&IdTokenVerifier::new(ISSUER, AUDIENCE), &token)
                    .map(|verified| verified.subject().map(str::to_owned))
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap().unwrap().as_deref(), Some("caller-9"));
    }
    assert_eq!(server.requests().len(), 1, "one fetch for every thread");
}

#[cfg(feature = "reqwest")]
#[test]
fn tasks_verifying_at_once_share_one_fetch_and_a_failed_first_fetch_is_the_answer() {
    use oauth2_sansio::io::reqwest::{KeySetClient, ReqwestTransport};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = key_server();
        let keys = Arc::new(KeySetClient::new(
            ReqwestTransport::new(),
            KeySetCache::new(&server.url("/jwks")).unwrap(),
        ));
        let token = Arc::new(token());
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (keys, token) = (keys.clone(), token.clone());
            tasks.spawn(async move {
                keys.verify(&IdTokenVerifier::new(ISSUER, AUDIENCE), &token)
                    .await
                    .map(|verified| verified.subject().map(str::to_owned))
            });
        }
        while let Some(done) = tasks.join_next().await {
            assert_eq!(done.unwrap().unwrap().as_deref(), Some("caller-9"));
        }
        assert_eq!(server.requests().len(), 1, "one fetch for every task");

        // Nobody listens: no keys, and the fetch's failure says so.
        let down = {
            let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/jwks", closed.local_addr().unwrap())
        };
        let keys = KeySetClient::new(ReqwestTransport::new(), KeySetCache::new(&down).unwrap());
        let failure = keys
            .verify(&IdTokenVerifier::new(ISSUER, AUDIENCE), &token)
            .await
            .unwrap_err();
        assert!(matches!(failure, VerifyFailure::Fetch(_)), "{failure:?}");
    });
}
