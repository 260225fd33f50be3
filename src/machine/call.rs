//! One request and its parsed answer, as a machine: the building block of
//! every grant, revocation, introspection and discovery.

use std::time::SystemTime;
use std::{fmt, mem};

use crate::dpop::sending::DpopSending;
use crate::dpop::DpopKey;
use crate::error::{Error, Misuse, TransportFailure};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, RequestSummary, Step};
use crate::secret::wipe::{read_and_wipe, UnsentRequest};
use crate::wire::token_response::TokenResponse;

/// Parses a response (status, body, body bound) into a call's output.
pub type Parser<T> = fn(u16, &[u8], usize) -> Result<T, Error>;

/// Makes a request at the time it is sent (again for each send: a DPoP
/// nonce retry signs a new client assertion); an error (a signer failure)
/// ends the call.
pub(crate) type BuildRequest =
    Box<dyn FnMut(SystemTime) -> Result<http::Request<Vec<u8>>, Error> + Send + Sync>;

/// A machine that sends one request and parses the answer with its
/// [`Parser`].
///
/// A transport failure ends it with [`Error::Transport`] (retryable): the
/// decision to resend a request that may carry a one-time code belongs to
/// the caller.
///
/// Its output is what its context `C` makes of the parsed answer
/// ([`Update`]): the answer itself for `C = ()`, the updated credentials for
/// a refresh (`Call<TokenResponse, UserCredentials>`), and so on. Every
/// single-request flow of the crate is such a call; the crate's names for
/// them ([`CodeExchange`](crate::CodeExchange), ...) are aliases.
///
/// Requests that carry a signed JWT (a `private_key_jwt` client assertion,
/// a JWT-bearer grant) are made at the first poll, so that the JWT's `iat`
/// and short `exp` count from when it is sent, not from when the machine
/// was made.
#[must_use = "a machine does nothing until driven"]
pub struct Call<T, C = ()> {
    state: State<T>,
    parse: Parser<T>,
    limit: usize,
    /// Taken when the call finishes.
    context: Option<C>,
    /// How the request is sent with DPoP proofs, when it is.
    dpop: Option<Box<DpopSending>>,
}

/// What a call's context makes of the parsed answer and the time its
/// request was sent: credentials updated with a token response, say.
pub trait Update<A> {
    /// What the call ends with.
    type Output;

    /// `self` updated with `answer` to a request sent at `sent_at` (token
    /// lifetimes count from then, so time spent on the network never makes
    /// a token look valid for longer than the server meant).
    fn update(self, answer: A, sent_at: SystemTime) -> Result<Self::Output, Error>;

    /// The call's proofs are signed with `key` ([`Call::with_dpop`]);
    /// credentials keep it, so that their refreshes and requests use it
    /// too. Nothing by default.
    fn bind_dpop(&mut self, key: &DpopKey) {
        let _ = key;
    }
}

/// The call ends with the parsed answer and the time its request was sent,
/// for a machine that makes several calls.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SentAt;

impl<A> Update<A> for SentAt {
    type Output = (A, SystemTime);

    fn update(self, answer: A, sent_at: SystemTime) -> Result<(A, SystemTime), Error> {
        Ok((answer, sent_at))
    }
}

/// No context: the call ends with the parsed answer.
impl<A> Update<A> for () {
    type Output = A;

    fn update(self, answer: A, _sent_at: SystemTime) -> Result<A, Error> {
        Ok(answer)
    }
}

/// A call to a token endpoint, answered by a [`TokenResponse`]. Use it
/// directly for a grant the crate does not model.
pub type TokenCall = Call<TokenResponse>;

enum State<T> {
    Ready(UnsentRequest),
    BuiltWhenSent(BuildRequest),
    /// To send (again) through the call's [`DpopSending`].
    WithProof,
    Awaiting {
        sent_at: SystemTime,
    },
    Answered {
        response: T,
        sent_at: SystemTime,
    },
    Finished,
    Failed(Error),
}

impl TokenCall {
    /// A token call that will send `request` and bound the response body at
    /// `limit` bytes.
    pub fn new(request: http::Request<Vec<u8>>, limit: usize) -> Self {
        Call::with_parser(request, limit, TokenResponse::parse)
    }
}

impl<T> Call<T> {
    /// A call that will send `request` and parse the answer with `parse`,
    /// bounding the body at `limit` bytes.
    pub fn with_parser(request: http::Request<Vec<u8>>, limit: usize, parse: Parser<T>) -> Self {
        Self::from_state(State::Ready(UnsentRequest::new(request)), limit, parse)
    }

    /// A call whose request `build` makes at the first poll, from the time
    /// of that poll.
    pub(crate) fn built_when_sent(build: BuildRequest, limit: usize, parse: Parser<T>) -> Self {
        Self::from_state(State::BuiltWhenSent(build), limit, parse)
    }

    /// A call that fails with `error` whenever it is polled or answered.
    pub(crate) fn failed(error: Error) -> Self {
        Self::from_state(State::Failed(error), 0, |_, _, _| {
            Err(Error::Misuse(Misuse::AlreadyDone))
        })
    }

    fn from_state(state: State<T>, limit: usize, parse: Parser<T>) -> Self {
        Self {
            state,
            parse,
            limit,
            context: Some(()),
            dpop: None,
        }
    }

    /// The same call, ending with what `context` makes of the answer.
    pub fn with_context<C: Update<T>>(self, context: C) -> Call<T, C> {
        Call {
            state: self.state,
            parse: self.parse,
            limit: self.limit,
            context: Some(context),
            dpop: self.dpop,
        }
    }
}

impl<C: Update<TokenResponse>> Call<TokenResponse, C> {
    /// The same token call, sent with a DPoP proof signed with `key`
    /// ([RFC 9449 §5](https://www.rfc-editor.org/rfc/rfc9449#section-5)):
    /// a fresh proof for each send; a `use_dpop_nonce` refusal that brings
    /// a nonce is answered by sending again, once, with it; every
    /// `DPoP-Nonce` the server sends is kept for the key's next proof to
    /// that server. The answer must be a `token_type` `DPoP` token (see
    /// [`allow_bearer_downgrade`](Self::allow_bearer_downgrade)), and the
    /// credentials the call ends with keep `key` for their refreshes and
    /// requests.
    ///
    /// A call already sent is left as it is.
    pub fn with_dpop(mut self, key: &DpopKey) -> Self {
        let build: BuildRequest = match mem::replace(&mut self.state, State::Finished) {
            State::Ready(unsent) => Box::new(move |_| Ok(unsent.duplicate())),
            State::BuiltWhenSent(build) => build,
            other => {
                self.state = other;
                return self;
            }
        };
        self.dpop = Some(Box::new(DpopSending::new(key.clone(), build)));
        self.state = State::WithProof;
        self.parse = TokenResponse::parse_dpop;
        if let Some(context) = &mut self.context {
            context.bind_dpop(key);
        }
        self
    }

    /// Also takes a `Bearer` token in answer to a DPoP-proved request
    /// (RFC 9449 §5 lets a server that does not do DPoP answer so), rather
    /// than failing with [`InvalidResponse::UnsupportedTokenType`](crate::InvalidResponse::UnsupportedTokenType).
    /// The credentials then send it as a bearer token.
    pub fn allow_bearer_downgrade(mut self) -> Self {
        if self.dpop.is_some() {
            self.parse = TokenResponse::parse_dpop_or_bearer;
        }
        self
    }
}

impl<T, C> Call<T, C> {
    /// The context, taken back from a call that will not finish (a retry
    /// makes a new call with it).
    pub(crate) fn take_context(&mut self) -> Option<C> {
        self.context.take()
    }

    fn fail<V>(&mut self, error: Error) -> Result<V, Error> {
        self.state = State::Failed(error.clone());
        Err(error)
    }

    /// The time the outstanding request was sent.
    fn expect_answer(&mut self) -> Result<SystemTime, Error> {
        match &self.state {
            State::Awaiting { sent_at } => Ok(*sent_at),
            State::Failed(e) => Err(e.clone()),
            _ => self.fail(Misuse::UnexpectedResponse.into()),
        }
    }

    fn answer(&mut self, response: http::Response<Vec<u8>>) -> Result<(), Error> {
        let sent_at = self.expect_answer()?;
        let limit = self.limit;
        match read_and_wipe(response, |status, body| (self.parse)(status, body, limit)) {
            Ok(response) => {
                self.state = State::Answered { response, sent_at };
                Ok(())
            }
            Err(e) => self.fail(e),
        }
    }

    fn transport_failed(&mut self, failure: TransportFailure) -> Result<(), Error> {
        self.expect_answer()?;
        self.fail(failure.into())
    }
}

impl<T, C: Update<T>> Machine for Call<T, C> {
    type Output = C::Output;

    fn poll(&mut self, now: SystemTime) -> Result<Step<C::Output>, Error> {
        match mem::replace(&mut self.state, State::Finished) {
            State::Ready(request) => {
                self.state = State::Awaiting { sent_at: now };
                Ok(Step::Send(request.take()))
            }
            State::WithProof => match self.dpop.as_mut().map(|dpop| dpop.request(now)) {
                Some(Ok(request)) => {
                    self.state = State::Awaiting { sent_at: now };
                    Ok(Step::Send(request))
                }
                Some(Err(e)) => self.fail(e),
                None => self.fail(Misuse::AlreadyDone.into()),
            },
            State::BuiltWhenSent(mut build) => match build(now) {
                Ok(request) => {
                    self.state = State::Awaiting { sent_at: now };
                    Ok(Step::Send(request))
                }
                Err(e) => self.fail(e),
            },
            State::Awaiting { .. } => self.fail(Misuse::ResponsePending.into()),
            State::Answered { response, sent_at } => {
                let finished = match self.context.take() {
                    Some(context) => context.update(response, sent_at),
                    None => Err(Misuse::AlreadyDone.into()),
                };
                match finished {
                    Ok(output) => Ok(Step::Done(output)),
                    Err(e) => self.fail(e),
                }
            }
            State::Finished => self.fail(Misuse::AlreadyDone.into()),
            State::Failed(e) => self.fail(e),
        }
    }

    fn handle_response(&mut self, response: HttpResponse, _now: SystemTime) -> Result<(), Error> {
        let awaiting = matches!(self.state, State::Awaiting { .. });
        if let Some(dpop) = self.dpop.as_mut().filter(|_| awaiting) {
            if dpop.must_resend(&response, self.limit) {
                read_and_wipe(response, |_, _| ());
                self.state = State::WithProof;
                return Ok(());
            }
        }
        self.answer(response)
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        _now: SystemTime,
    ) -> Result<(), Error> {
        self.transport_failed(failure)
    }
}

impl<T: fmt::Debug, C: fmt::Debug> fmt::Debug for Call<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("state", &self.state)
            .field("limit", &self.limit)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}

impl<T: fmt::Debug> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            State::Ready(request) => f
                .debug_tuple("Ready")
                .field(&RequestSummary(request.get()))
                .finish(),
            State::BuiltWhenSent(_) => f.write_str("BuiltWhenSent"),
            State::WithProof => f.write_str("WithProof"),
            State::Awaiting { sent_at } => f
                .debug_struct("Awaiting")
                .field("sent_at", sent_at)
                .finish(),
            State::Answered { response, sent_at } => f
                .debug_struct("Answered")
                .field("response", response)
                .field("sent_at", sent_at)
                .finish(),
            State::Finished => f.write_str("Finished"),
            State::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::error::{InvalidResponse, TransportFailureKind};
    use crate::testing::at;

    /// A call whose request carries the time it was built in its URI.
    fn timed() -> Call<TokenResponse> {
        Call::built_when_sent(
            Box::new(|now| {
                let secs = now
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                Ok(
                    http::Request::post(format!("https://as.example/token?t={secs}"))
                        .body(Vec::new())
                        .unwrap(),
                )
            }),
            1024,
            TokenResponse::parse,
        )
    }

    #[test]
    fn a_request_built_when_sent_carries_the_time_of_the_first_poll() {
        let mut call = timed();
        let Ok(Step::Send(request)) = call.poll(at(42)) else {
            panic!("expected Send")
        };
        assert_eq!(request.uri(), "https://as.example/token?t=42");
        let body = br#"{"access_token":"a","token_type":"Bearer"}"#.to_vec();
        call.handle_response(http::Response::new(body), at(44))
            .unwrap();
        assert!(matches!(call.poll(at(44)), Ok(Step::Done(_))));
        assert_eq!(
            call.poll(at(45)).unwrap_err(),
            Error::Misuse(Misuse::AlreadyDone)
        );
    }

    #[test]
    fn an_answer_before_the_first_poll_is_misuse_and_sticky() {
        let mut call = timed();
        let failure = TransportFailure::new(TransportFailureKind::Timeout, "t");
        let misuse = Error::Misuse(Misuse::UnexpectedResponse);
        assert_eq!(
            call.handle_transport_failure(failure, at(0)).unwrap_err(),
            misuse
        );
        assert_eq!(call.poll(at(1)).unwrap_err(), misuse);
    }

    #[test]
    fn a_build_error_is_sticky() {
        let error = Error::InvalidResponse(InvalidResponse::MissingField { field: "x" });
        let returned = error.clone();
        let mut call = Call::built_when_sent(
            Box::new(move |_| Err(returned.clone())),
            1024,
            TokenResponse::parse,
        );
        assert_eq!(call.poll(at(0)).unwrap_err(), error);
        assert_eq!(call.poll(at(1)).unwrap_err(), error);
        let response = http::Response::new(Vec::new());
        assert_eq!(call.handle_response(response, at(2)).unwrap_err(), error);
    }

    /// A context that records how often it was asked, and can refuse.
    #[derive(Debug)]
    struct Counted<'a> {
        finished: &'a std::cell::Cell<u32>,
        refuse: bool,
    }

    impl Update<TokenResponse> for Counted<'_> {
        type Output = (String, SystemTime);

        fn update(self, answer: TokenResponse, sent_at: SystemTime) -> Result<Self::Output, Error> {
            self.finished.set(self.finished.get() + 1);
            if self.refuse {
                return Err(InvalidResponse::MissingField { field: "x" }.into());
            }
            Ok((answer.access_token.secret().to_owned(), sent_at))
        }
    }

    fn answered(finished: &std::cell::Cell<u32>, refuse: bool) -> Call<TokenResponse, Counted<'_>> {
        let request = http::Request::post("https://as.example/token")
            .body(Vec::new())
            .unwrap();
        let mut call = TokenCall::new(request, 1024).with_context(Counted { finished, refuse });
        assert!(matches!(call.poll(at(10)), Ok(Step::Send(_))));
        let body = br#"{"access_token":"a","token_type":"Bearer"}"#.to_vec();
        call.handle_response(http::Response::new(body), at(12))
            .unwrap();
        call
    }

    #[test]
    fn the_context_finishes_once_with_the_send_time() {
        let finished = std::cell::Cell::new(0);
        let mut call = answered(&finished, false);
        let Ok(Step::Done((token, sent_at))) = call.poll(at(13)) else {
            panic!("done")
        };
        assert_eq!((token.as_str(), sent_at), ("a", at(10)));
        assert_eq!(
            call.poll(at(14)).unwrap_err(),
            Error::Misuse(Misuse::AlreadyDone)
        );
        assert_eq!(finished.get(), 1);
    }

    #[test]
    fn a_finishing_error_is_sticky() {
        let finished = std::cell::Cell::new(0);
        let mut call = answered(&finished, true);
        let error = call.poll(at(13)).unwrap_err();
        assert!(matches!(error, Error::InvalidResponse(_)), "{error:?}");
        assert_eq!(call.poll(at(14)).unwrap_err(), error);
        assert_eq!(finished.get(), 1);
    }
}
