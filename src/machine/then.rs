//! [`Then`]: one machine after another, the second made from the first's
//! output.

use std::fmt;
use std::time::SystemTime;

use crate::error::{Error, Misuse, TransportFailure};
use crate::machine::step::HttpResponse;
use crate::machine::step::{Answer, Machine, Step};

/// Makes the second machine of a [`Then`] from the first's output, at the
/// time of the poll that finished it.
pub type Next<A, B> = Box<dyn FnOnce(A, SystemTime) -> Result<B, Error> + Send + Sync>;

/// Runs `first` to its end, then the machine `next` makes of its output;
/// ends with the second's output. Its steps are theirs, in order; its
/// errors are sticky, whichever machine (or `next`) failed.
///
/// ```
/// use std::time::SystemTime;
/// use oauth2_sansio::Then;
/// use oauth2_sansio::{drive, Call, Error};
///
/// let get = |uri: &str| oauth2_sansio::http::Request::get(uri).body(Vec::new()).unwrap();
/// let text = |_status: u16, body: &[u8], _limit: usize| -> Result<String, Error> {
///     Ok(String::from_utf8_lossy(body).into_owned())
/// };
/// let first = Call::with_parser(get("https://example.com/where"), 1024, text);
/// let both = Then::new(first, Box::new(move |answer: String, _now| {
///     Ok(Call::with_parser(get(&answer), 1024, text))
/// }));
/// let mut asked = Vec::new();
/// let last = drive(both, SystemTime::now, |request| {
///     asked.push(request.uri().to_string());
///     let body = if request.uri().path() == "/where" { "https://example.com/there" } else { "here" };
///     Ok(oauth2_sansio::http::Response::new(body.as_bytes().to_vec()))
/// }, |_| {})?;
/// assert_eq!(last, "here");
/// assert_eq!(asked, ["https://example.com/where", "https://example.com/there"]);
/// # Ok::<(), Error>(())
/// ```
#[must_use = "a machine does nothing until driven"]
pub struct Then<A: Machine, B> {
    stage: Stage<A, B>,
    next: Option<Next<A::Output, B>>,
}

enum Stage<A, B> {
    First(A),
    Second(B),
    Failed(Error),
}

impl<A: Machine, B: Machine> Then<A, B> {
    /// `first`, then what `next` makes of its output.
    pub fn new(first: A, next: Next<A::Output, B>) -> Self {
        Self {
            stage: Stage::First(first),
            next: Some(next),
        }
    }

    /// `result`, remembered when it is an error.
    fn sticky<T>(&mut self, result: Result<T, Error>) -> Result<T, Error> {
        if let Err(error) = &result {
            self.stage = Stage::Failed(error.clone());
        }
        result
    }

    /// Hands `answer` to the machine running now.
    fn answer(&mut self, answer: Answer, now: SystemTime) -> Result<(), Error> {
        let handled = match &mut self.stage {
            Stage::First(first) => answer.deliver(first, now),
            Stage::Second(second) => answer.deliver(second, now),
            Stage::Failed(e) => Err(e.clone()),
        };
        self.sticky(handled)
    }

    fn second(&mut self, output: A::Output, now: SystemTime) -> Result<Step<B::Output>, Error> {
        let next = self.next.take().ok_or(Misuse::AlreadyDone)?;
        self.stage = Stage::Second(next(output, now)?);
        self.poll(now)
    }
}

impl<A: Machine, B: Machine> Machine for Then<A, B> {
    type Output = B::Output;

    fn poll(&mut self, now: SystemTime) -> Result<Step<B::Output>, Error> {
        let polled = match &mut self.stage {
            Stage::First(first) => match first.poll(now).map(Step::pending) {
                Ok(Err(output)) => self.second(output, now),
                Ok(Ok(step)) => Ok(step),
                Err(e) => Err(e),
            },
            Stage::Second(second) => second.poll(now),
            Stage::Failed(e) => Err(e.clone()),
        };
        self.sticky(polled)
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        self.answer(Answer::Response(response), now)
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.answer(Answer::Failure(failure), now)
    }
}

impl<A: Machine + fmt::Debug, B: fmt::Debug> fmt::Debug for Then<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.stage {
            Stage::First(first) => f.debug_tuple("Then::First").field(first).finish(),
            Stage::Second(second) => f.debug_tuple("Then::Second").field(second).finish(),
            Stage::Failed(e) => f.debug_tuple("Then::Failed").field(e).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::call::Call;
    use crate::testing::at;

    fn text(_status: u16, body: &[u8], _limit: usize) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(body).into_owned())
    }

    fn get(uri: &str) -> Call<String> {
        Call::with_parser(http::Request::get(uri).body(Vec::new()).unwrap(), 64, text)
    }

    #[test]
    fn a_failing_next_is_sticky_and_the_second_never_starts() {
        let mut both = Then::new(
            get("https://a.example/"),
            Box::new(|_: String, _| -> Result<Call<String>, Error> { Err(Error::NoRefreshToken) }),
        );
        assert!(matches!(both.poll(at(0)), Ok(Step::Send(_))));
        both.handle_response(http::Response::new(b"x".to_vec()), at(1))
            .unwrap();
        assert_eq!(both.poll(at(1)).unwrap_err(), Error::NoRefreshToken);
        assert_eq!(both.poll(at(2)).unwrap_err(), Error::NoRefreshToken);
        assert_eq!(
            both.handle_response(http::Response::new(Vec::new()), at(2)),
            Err(Error::NoRefreshToken)
        );
    }

    #[test]
    fn an_answer_out_of_turn_fails_the_whole() {
        let mut both = Then::new(
            get("https://a.example/"),
            Box::new(|answer: String, _| Ok(get(&answer))),
        );
        let misuse = Error::Misuse(Misuse::UnexpectedResponse);
        assert_eq!(
            both.handle_response(http::Response::new(Vec::new()), at(0)),
            Err(misuse.clone())
        );
        assert_eq!(both.poll(at(0)).unwrap_err(), misuse);
    }
}
