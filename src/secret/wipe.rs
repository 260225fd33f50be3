//! Secrets in the HTTP messages a machine owns: a request it has made but
//! not handed out (codes, verifiers, client secrets, assertions in its
//! body) and a response it was given (tokens in the clear in the JSON) are
//! zeroized when the machine is done with them, as the secret types are.

use zeroize::Zeroize;

/// A request made but not yet handed out; its body is zeroized if it is
/// dropped instead.
pub(crate) struct UnsentRequest(Option<http::Request<Vec<u8>>>);

impl UnsentRequest {
    pub(crate) fn new(request: http::Request<Vec<u8>>) -> Self {
        Self(Some(request))
    }

    /// The request, to send.
    pub(crate) fn take(mut self) -> http::Request<Vec<u8>> {
        self.0.take().expect("an unsent request is taken only once")
    }

    /// The request after `complete` has added to it; if `complete` fails,
    /// the request is dropped, its body zeroized.
    pub(crate) fn complete<E>(
        mut self,
        complete: impl FnOnce(&mut http::Request<Vec<u8>>) -> Result<(), E>,
    ) -> Result<http::Request<Vec<u8>>, E> {
        complete(
            self.0
                .as_mut()
                .expect("an unsent request is taken only once"),
        )?;
        Ok(self.take())
    }

    /// A copy of the request, to send while this one is kept for sending
    /// again (extensions are not copied).
    pub(crate) fn duplicate(&self) -> http::Request<Vec<u8>> {
        let original = self.get();
        let mut copy = http::Request::new(original.body().clone());
        *copy.method_mut() = original.method().clone();
        *copy.uri_mut() = original.uri().clone();
        *copy.version_mut() = original.version();
        *copy.headers_mut() = original.headers().clone();
        copy
    }

    pub(crate) fn get(&self) -> &http::Request<Vec<u8>> {
        self.0
            .as_ref()
            .expect("an unsent request is taken only once")
    }

    /// Zeroizes the body of a request that was not taken.
    fn wipe(&mut self) {
        if let Some(request) = &mut self.0 {
            request.body_mut().zeroize();
        }
    }
}

impl Drop for UnsentRequest {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// Zeroizes the strings of a JSON value that held a secret (a private
/// JWK), in place.
pub(crate) fn wipe_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => text.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(wipe_json),
        serde_json::Value::Object(members) => members.values_mut().for_each(wipe_json),
        _ => {}
    }
}

/// `read(status, body)`, then the body zeroized.
pub(crate) fn read_and_wipe<T>(
    response: http::Response<Vec<u8>>,
    read: impl FnOnce(u16, &[u8]) -> T,
) -> T {
    let status = response.status().as_u16();
    read_then_wipe(status, &mut response.into_body(), read)
}

fn read_then_wipe<T>(status: u16, body: &mut Vec<u8>, read: impl FnOnce(u16, &[u8]) -> T) -> T {
    let result = read(status, body);
    body.zeroize();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_request_keeps_its_body() {
        let request = http::Request::new(b"code=secret".to_vec());
        assert_eq!(UnsentRequest::new(request).take().body(), b"code=secret");
    }

    #[test]
    fn a_completed_request_has_what_was_added() {
        let request = http::Request::new(b"a=1".to_vec());
        let done = UnsentRequest::new(request).complete(|r| {
            r.body_mut().extend_from_slice(b"&b=2");
            Ok::<_, ()>(())
        });
        assert_eq!(done.unwrap().body(), b"a=1&b=2");
        let failed = UnsentRequest::new(http::Request::new(Vec::new())).complete(|_| Err("no"));
        assert_eq!(failed.unwrap_err(), "no");
    }

    #[test]
    fn an_unsent_request_wipes_its_body_in_place() {
        let mut unsent = UnsentRequest::new(http::Request::new(b"code=secret".to_vec()));
        let capacity = unsent.get().body().capacity();
        unsent.wipe();
        let body = unsent.get().body();
        assert!(body.is_empty(), "{body:?}");
        // The same allocation, overwritten: not swapped for a new buffer
        // that would leave the old one unwiped.
        assert_eq!(body.capacity(), capacity);
    }

    #[test]
    fn a_read_body_is_wiped_in_place_after_the_read() {
        let mut body = br#"{"access_token":"at"}"#.to_vec();
        let capacity = body.capacity();
        let seen = read_then_wipe(200, &mut body, |status, body| (status, body.to_vec()));
        assert_eq!(seen, (200, br#"{"access_token":"at"}"#.to_vec()));
        assert!(body.is_empty(), "{body:?}");
        assert_eq!(body.capacity(), capacity);
    }

    #[test]
    fn the_body_is_read_before_it_is_wiped() {
        let response = http::Response::new(br#"{"access_token":"at"}"#.to_vec());
        let seen = read_and_wipe(response, |status, body| (status, body.to_vec()));
        assert_eq!(seen, (200, br#"{"access_token":"at"}"#.to_vec()));
    }
}
