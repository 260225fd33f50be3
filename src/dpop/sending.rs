//! A token call's request sent with a DPoP proof, and resent once with the
//! server's nonce when it asks for one
//! ([RFC 9449 §8](https://www.rfc-editor.org/rfc/rfc9449#section-8)).

use std::time::SystemTime;

use crate::dpop::htu::target_uri;
use crate::dpop::key::DpopKey;
use crate::dpop::nonce::nonce_in;
use crate::dpop::proof::DPOP;
use crate::error::{Error, ErrorCode};
use crate::machine::call::BuildRequest;
use crate::machine::step::HttpResponse;
use crate::wire::answer::error_response;

/// How many times a request is resent for a nonce: once per challenge, as
/// RFC 9449 §8 describes; a second challenge in a row is the answer.
const NONCE_RETRIES: u8 = 1;

/// The DPoP side of a call: the key, how to make the request again, and
/// whether the one nonce retry is still to come.
pub(crate) struct DpopSending {
    key: DpopKey,
    build: BuildRequest,
    retries_left: u8,
    /// The `htu` of the request last sent, whose origin the nonce is for.
    htu: Option<String>,
}

impl DpopSending {
    pub(crate) fn new(key: DpopKey, build: BuildRequest) -> Self {
        Self {
            key,
            build,
            retries_left: NONCE_RETRIES,
            htu: None,
        }
    }

    /// The request, with a fresh proof made at `now`.
    pub(crate) fn request(&mut self, now: SystemTime) -> Result<http::Request<Vec<u8>>, Error> {
        let mut request = (self.build)(now)?;
        let proof = self.key.proof(request.method(), request.uri(), None, now)?;
        self.htu = Some(target_uri(request.uri())?);
        request.headers_mut().insert(DPOP, proof);
        Ok(request)
    }

    /// Keeps the nonce `response` carries, and says whether the request
    /// must be sent again for it: a `use_dpop_nonce` error with a new
    /// nonce, while the retry is still to come.
    pub(crate) fn must_resend(&mut self, response: &HttpResponse, limit: usize) -> bool {
        let Some(htu) = &self.htu else {
            return false;
        };
        self.key.remember_nonce(htu, response.headers());
        let asks_for_nonce = response.status().is_client_error()
            && nonce_in(response.headers()).is_some()
            && matches!(
                error_response(response.status().as_u16(), response.body(), limit),
                Error::OAuth(e) if *e.code() == ErrorCode::UseDpopNonce
            );
        if asks_for_nonce && self.retries_left > 0 {
            self.retries_left -= 1;
            return true;
        }
        false
    }
}
