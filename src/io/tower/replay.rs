//! How a caller says that a request's body may be sent twice.

use std::fmt;
use std::sync::Arc;

/// A request extension that makes the request's body again, so that
/// [`AuthService`](super::AuthService) may send the request once more
/// after a `401` (a new token, or a DPoP nonce). A request without it is
/// sent once, whatever its answer: a streamed body cannot be replayed.
///
/// ```
/// use oauth2_sansio::http;
/// use oauth2_sansio::io::tower::Replay;
///
/// // A body that is `Clone` (bytes, a string, a `Full<Bytes>`):
/// let request = Replay::attach(http::Request::post("https://api.example/v1").body(b"{}".to_vec())?);
/// assert!(request.extensions().get::<Replay<Vec<u8>>>().is_some());
/// // Any other body, from a function that makes it anew:
/// let mut request = http::Request::post("https://api.example/v1").body(String::new())?;
/// request.extensions_mut().insert(Replay::new(|| "made again".to_owned()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Replay<B>(Arc<dyn Fn() -> B + Send + Sync>);

impl<B> Replay<B> {
    /// Makes the body with `make` each time the request is sent again.
    pub fn new(make: impl Fn() -> B + Send + Sync + 'static) -> Self {
        Self(Arc::new(make))
    }

    /// Sends clones of `body`.
    pub fn of(body: B) -> Self
    where
        B: Clone + Send + Sync + 'static,
    {
        Self::new(move || body.clone())
    }

    /// `request`, marked as replayable with clones of its body.
    pub fn attach(mut request: http::Request<B>) -> http::Request<B>
    where
        B: Clone + Send + Sync + 'static,
    {
        let replay = Self::of(request.body().clone());
        request.extensions_mut().insert(replay);
        request
    }

    /// The body, made again.
    pub fn body(&self) -> B {
        (self.0)()
    }
}

impl<B> Clone for Replay<B> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<B> fmt::Debug for Replay<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Replay")
    }
}
