//! The transport as a tower service, so that
//! [`AuthLayer`](crate::io::tower::AuthLayer) wraps it (features `tower`
//! and `reqwest` or `reqwest-012`).
//!
//! reqwest's own `Client` is a tower service over `reqwest::Request`, not
//! the `http::Request` the layer authorizes; the transport already sends
//! `http::Request`s under the crate's rules (no redirect followed, the
//! body bounded, no proxy for loopback), so it is the adapter.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};

use super::transport::ReqwestTransport;
use crate::error::TransportFailure;

/// The future of a send: the transport's `send`, owning a clone of it.
type Sending = Pin<Box<dyn Future<Output = Result<Response<Vec<u8>>, TransportFailure>> + Send>>;

/// [`send`](ReqwestTransport::send) as a tower service: whole bodies, the
/// response bounded by the transport's
/// [`response_limit`](ReqwestTransport::response_limit) (raise it for
/// large API answers).
impl tower_service::Service<Request<Vec<u8>>> for ReqwestTransport {
    type Response = Response<Vec<u8>>;
    type Error = TransportFailure;
    type Future = Sending;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), TransportFailure>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Vec<u8>>) -> Sending {
        let transport = self.clone();
        Box::pin(async move { transport.send(request).await })
    }
}
