//! The tower layer over the reqwest transport, against a canned server on
//! 127.0.0.1 that is both the token endpoint and the API: the token sent,
//! and one refresh and one resend after a refused token.

use std::future::poll_fn;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::support::*;
use oauth2_sansio::cache::SharedToken;
use oauth2_sansio::io::reqwest::ReqwestTransport;
use oauth2_sansio::io::tower::{AuthLayer, Replay};
use oauth2_sansio::{RefreshToken, UserCredentials, UserRefresh};
use tower_layer::Layer;
use tower_service::Service;

fn grant(access: &str) -> Answer {
    Answer::Bytes(canned(
        200,
        &format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3599}}"#),
    ))
}

#[tokio::test]
async fn the_layer_over_the_reqwest_transport_refreshes_and_resends_once() {
    let server = CannedServer::start(vec![
        grant("ya29.first"),
        Answer::Bytes(canned_with(
            401,
            &[("WWW-Authenticate", r#"Bearer error="invalid_token""#)],
            "{}",
        )),
        grant("ya29.second"),
        Answer::Bytes(canned(200, r#"{"ok":true}"#)),
    ]);
    let credentials =
        UserCredentials::from_refresh_token(&client(&server), RefreshToken::new("1//r"), vec![]);
    let transport = ReqwestTransport::new()
        .with_connect_timeout(SOCKET_TIMEOUT)
        .with_timeout(Duration::from_secs(10));
    let refresher = {
        let transport = transport.clone();
        move |machine: UserRefresh| {
            let transport = transport.clone();
            async move {
                transport
                    .run(machine, |until| {
                        tokio::time::sleep(
                            until.duration_since(SystemTime::now()).unwrap_or_default(),
                        )
                    })
                    .await
            }
        }
    };
    let mut api =
        AuthLayer::new(Arc::new(SharedToken::new(credentials)), refresher).layer(transport);

    let request = http::Request::put(server.url("/v1/things"))
        .body(b"{}".to_vec())
        .unwrap();
    poll_fn(|cx| api.poll_ready(cx)).await.unwrap();
    let response = api.call(Replay::attach(request)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), br#"{"ok":true}"#);

    let requests = server.requests();
    let lines: Vec<_> = requests.iter().map(|r| r.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "POST /token HTTP/1.1",
            "PUT /v1/things HTTP/1.1",
            "POST /token HTTP/1.1",
            "PUT /v1/things HTTP/1.1"
        ]
    );
    let authorization = |i: usize| {
        requests[i]
            .headers
            .iter()
            .find(|(name, _)| name == "authorization")
            .map(|(_, value)| value.clone())
    };
    assert_eq!(authorization(1).as_deref(), Some("Bearer ya29.first"));
    assert_eq!(authorization(3).as_deref(), Some("Bearer ya29.second"));
}
