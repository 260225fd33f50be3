//! [`Renewed`]: credentials as they are when fresh, else after their own
//! refresh.

use std::fmt;
use std::time::SystemTime;

use crate::credentials::any::AnyCredentials;
use crate::credentials::freshness::Freshness;
use crate::credentials::kind::Credentials;
use crate::error::{Error, Misuse, TransportFailure};
use crate::machine::call::Call;
use crate::machine::step::HttpResponse;
use crate::machine::step::{Machine, Step};
use crate::machine::then::Then;

/// Source credentials renewed if they need it, then one call made with
/// their token, ending with what `C` makes of the answer `T`: the refresh
/// of every kind that borrows another's token (impersonation,
/// downscoping).
pub type AfterSource<T, C> = Then<Renewed<AnyCredentials>, Call<T, C>>;

/// A machine that ends with `credentials` at once when their token is
/// fresh at the first poll, and otherwise runs their
/// [`refresh`](Credentials::refresh) (stale tokens are renewed too, as
/// google-auth renews a source before using it). The first step of
/// credentials that call an API with another's token (impersonation).
#[must_use = "a machine does nothing until driven"]
pub struct Renewed<C: Credentials> {
    /// `None` once the credentials were handed out unrenewed.
    stage: Option<Stage<C>>,
}

enum Stage<C: Credentials> {
    Check(C),
    Refresh(C::Refresh),
}

impl<C: Credentials> Renewed<C> {
    /// `credentials`, renewed if they need it.
    pub fn new(credentials: C) -> Self {
        Self {
            stage: Some(Stage::Check(credentials)),
        }
    }

    fn refresh(&mut self) -> Result<&mut C::Refresh, Error> {
        match &mut self.stage {
            Some(Stage::Refresh(refresh)) => Ok(refresh),
            _ => Err(Misuse::UnexpectedResponse.into()),
        }
    }
}

impl<C: Credentials> Machine for Renewed<C> {
    type Output = C;

    fn poll(&mut self, now: SystemTime) -> Result<Step<C>, Error> {
        match self.stage.take().ok_or(Misuse::AlreadyDone)? {
            Stage::Check(credentials) if credentials.freshness(now) == Freshness::Fresh => {
                Ok(Step::Done(credentials))
            }
            Stage::Check(credentials) => {
                self.stage = Some(Stage::Refresh(credentials.refresh()?));
                self.poll(now)
            }
            Stage::Refresh(mut refresh) => {
                let step = refresh.poll(now);
                self.stage = Some(Stage::Refresh(refresh));
                step
            }
        }
    }

    fn handle_response(&mut self, response: HttpResponse, now: SystemTime) -> Result<(), Error> {
        self.refresh()?.handle_response(response, now)
    }

    fn handle_transport_failure(
        &mut self,
        failure: TransportFailure,
        now: SystemTime,
    ) -> Result<(), Error> {
        self.refresh()?.handle_transport_failure(failure, now)
    }
}

impl<C: Credentials> fmt::Debug for Renewed<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match &self.stage {
            Some(Stage::Check(_)) => "checking freshness",
            Some(Stage::Refresh(_)) => "refreshing",
            None => "finished",
        };
        f.debug_struct("Renewed").field("stage", &stage).finish()
    }
}
