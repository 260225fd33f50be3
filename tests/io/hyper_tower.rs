//! The tower layer over hyper's client, against a canned server on
//! 127.0.0.1 that is both the token endpoint and the API: a `Full<Bytes>`
//! body marked `Replay` is sent again after a refused token, a streamed
//! response body comes back as hyper gives it.

use std::future::poll_fn;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use oauth2_sansio::cache::SharedToken;
use oauth2_sansio::io::tower::{AuthLayer, Replay};
use oauth2_sansio::{drive_async, RefreshToken, UserCredentials, UserRefresh};
use tower_layer::Layer;
use tower_service::Service;

use crate::support::*;

fn grant(access: &str) -> Answer {
    Answer::Bytes(canned(
        200,
        &format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3599}}"#),
    ))
}

#[tokio::test]
async fn the_layer_over_hyper_refreshes_and_resends_a_replayable_body() {
    let server = CannedServer::start(vec![
        grant("ya29.first"),
        Answer::Bytes(canned_with(
            401,
            &[("WWW-Authenticate", r#"Bearer realm="api""#)],
            "{}",
        )),
        grant("ya29.second"),
        Answer::Bytes(canned(200, r#"{"ok":true}"#)),
    ]);
    let hyper = HyperClient::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let credentials =
        UserCredentials::from_refresh_token(&client(&server), RefreshToken::new("1//r"), vec![]);
    // The refresh goes through the same hyper client, bodies collected.
    let refresher = {
        let hyper = hyper.clone();
        move |machine: UserRefresh| {
            let hyper = hyper.clone();
            async move {
                let send = |request: http::Request<Vec<u8>>| {
                    let hyper = hyper.clone();
                    async move {
                        let response = hyper
                            .request(request.map(|body| Full::new(Bytes::from(body))))
                            .await
                            .map_err(|e| {
                                oauth2_sansio::TransportFailure::new(
                                    oauth2_sansio::TransportFailureKind::Other,
                                    e.to_string(),
                                )
                            })?;
                        let (parts, body) = response.into_parts();
                        let body = body.collect().await.expect("a whole body").to_bytes();
                        Ok(http::Response::from_parts(parts, body.to_vec()))
                    }
                };
                drive_async(machine, std::time::SystemTime::now, send, |_| async {}).await
            }
        }
    };
    let mut api = AuthLayer::new(Arc::new(SharedToken::new(credentials)), refresher).layer(hyper);

    let request = http::Request::post(server.url("/v1/things"))
        .body(Full::new(Bytes::from_static(b"{\"n\":1}")))
        .unwrap();
    poll_fn(|cx| api.poll_ready(cx)).await.unwrap();
    let response = api.call(Replay::attach(request)).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], br#"{"ok":true}"#);

    let requests = server.requests();
    let authorizations: Vec<_> = requests
        .iter()
        .filter(|r| r.line.starts_with("POST /v1/things"))
        .map(|r| {
            let found = r.headers.iter().find(|(name, _)| name == "authorization");
            (found.map(|(_, v)| v.clone()), r.body().to_owned())
        })
        .collect();
    assert_eq!(
        authorizations,
        [
            (Some("Bearer ya29.first".to_owned()), "{\"n\":1}".to_owned()),
            (
                Some("Bearer ya29.second".to_owned()),
                "{\"n\":1}".to_owned()
            )
        ]
    );
    assert_eq!(requests.len(), 4);
}
