//! The sans-IO token manager: which token to hand out at `now`, and when
//! exactly one caller must refresh it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::backoff::Backoff;
use super::cached::{CachedToken, TokenError};
use crate::credentials::freshness::Freshness;
use crate::credentials::kind::Credentials;
use crate::error::{Error, InvalidResponse};

/// Caches the token of one set of credentials and decides, from the time
/// it is given, when to renew it.
///
/// - Before the stale window (225 s before expiry by default)
///   [`lookup`](Self::lookup) hands out the token.
/// - From the start of the stale window it still hands out the token, and
///   gives one caller a [`RefreshJob`] to run. While that job is out, no
///   other job is made: other callers get the old token while it is valid,
///   [`Lookup::Pending`] after.
/// - A failed refresh is retried after a [`Backoff`] delay (doubling for
///   retryable errors; after any other error, the cap until a refresh
///   succeeds); meanwhile callers get the old token while it is valid, a
///   [`TokenError`] after.
/// - A token shorter-lived than the threshold is not renewed before half
///   its lifetime has passed, so a server that hands out such tokens is
///   not asked again on every call.
///
/// - A token a server refused although it looked valid
///   ([`reject`](Self::reject)) is no longer handed out: the next lookup
///   renews it.
///
/// It reads no clock: every decision is made at the `now` it is given.
pub struct TokenManager<C> {
    credentials: Arc<C>,
    served: Option<Served<C>>,
    in_flight: Option<u64>,
    failures: u32,
    failure: Option<TokenError>,
    backoff: Backoff,
}

/// The token handed out, with what decides when it is renewed.
struct Served<C> {
    token: CachedToken<C>,
    threshold: Duration,
    /// Half the token's lifetime after it was obtained; `None` when that
    /// time is unknown (the token came with the credentials).
    half_life: Option<SystemTime>,
}

impl<C> Served<C> {
    fn freshness(&self, now: SystemTime) -> Freshness {
        self.token.bearer().freshness(now, self.threshold)
    }

    fn half_life_passed(&self, now: SystemTime) -> bool {
        self.half_life.is_none_or(|half| now >= half)
    }
}

/// What to do after [`TokenManager::lookup`].
#[must_use = "a lookup may hand out a refresh job that must be run"]
#[non_exhaustive]
pub enum Lookup<C: Credentials> {
    /// Use this token.
    Ready(CachedToken<C>),
    /// Use this token, and run this job: the token is getting stale and
    /// this caller is the one asked to renew it.
    ReadyAndRefresh(CachedToken<C>, RefreshJob<C>),
    /// There is no valid token: run this job, then look up again.
    Refresh(RefreshJob<C>),
    /// There is no valid token and another caller is renewing it: look up
    /// again once it has reported back.
    Pending,
}

impl<C: Credentials> fmt::Debug for Lookup<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lookup::Ready(token) => f.debug_tuple("Ready").field(token).finish(),
            Lookup::ReadyAndRefresh(token, job) => f
                .debug_tuple("ReadyAndRefresh")
                .field(token)
                .field(job)
                .finish(),
            Lookup::Refresh(job) => f.debug_tuple("Refresh").field(job).finish(),
            Lookup::Pending => f.write_str("Pending"),
        }
    }
}

/// A refresh to run: its machine, and the ticket to report the outcome
/// with ([`TokenManager::finish`], or [`TokenManager::abandon`] if it will
/// not be run to the end).
#[must_use = "the manager makes no other refresh job until this one is reported"]
pub struct RefreshJob<C: Credentials> {
    ticket: RefreshTicket,
    machine: C::Refresh,
}

impl<C: Credentials> RefreshJob<C> {
    /// The ticket and the machine, to run apart.
    pub fn into_parts(self) -> (RefreshTicket, C::Refresh) {
        (self.ticket, self.machine)
    }
}

impl<C: Credentials> fmt::Debug for RefreshJob<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshJob")
            .field("ticket", &self.ticket)
            .finish_non_exhaustive()
    }
}

/// Identifies one refresh job; reported back exactly once (it is not
/// `Clone`).
#[derive(Debug, PartialEq, Eq)]
#[must_use = "report the outcome with TokenManager::finish or abandon"]
pub struct RefreshTicket(u64);

/// Tickets are unique in the process, so a ticket from another manager, or
/// from before [`TokenManager::replace`], is recognised and ignored.
fn next_ticket() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The token [`TokenManager::lookup`] hands out, with no state change,
/// at every time before [`until`](Self::until): what a cache in front of
/// the manager may serve without asking it.
pub struct Steady<C> {
    token: CachedToken<C>,
    until: Option<SystemTime>,
}

impl<C> Steady<C> {
    /// The token.
    pub fn token(&self) -> &CachedToken<C> {
        &self.token
    }

    /// Until when (exclusive) it is handed out without action; `None`:
    /// for ever (the token has no known expiry).
    pub fn until(&self) -> Option<SystemTime> {
        self.until
    }

    /// The token if `now` is before [`until`](Self::until).
    #[inline]
    pub fn token_at(&self, now: SystemTime) -> Option<&CachedToken<C>> {
        self.until
            .is_none_or(|until| now < until)
            .then_some(&self.token)
    }

    /// The same view over a replica of the token.
    pub(crate) fn replica(&self) -> Self {
        Self {
            token: self.token.replica(),
            until: self.until,
        }
    }
}

impl<C> Clone for Steady<C> {
    fn clone(&self) -> Self {
        Self {
            token: self.token.clone(),
            until: self.until,
        }
    }
}

impl<C> fmt::Debug for Steady<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Steady")
            .field("token", &self.token)
            .field("until", &self.until)
            .finish()
    }
}

impl<C: Credentials> TokenManager<C> {
    /// A manager for `credentials`, serving the token they hold (if any)
    /// while it is valid.
    pub fn new(credentials: C) -> Self {
        let credentials = Arc::new(credentials);
        Self {
            served: served(&credentials, None),
            credentials,
            in_flight: None,
            failures: 0,
            failure: None,
            backoff: Backoff::DEFAULT,
        }
    }

    /// Sets the delays between failed attempts (default [`Backoff::DEFAULT`]).
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The delays between failed attempts.
    pub fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// The latest credentials: after a refresh, the refreshed ones (save
    /// them if the refresh token may rotate).
    pub fn credentials(&self) -> &Arc<C> {
        &self.credentials
    }

    /// Whether a refresh job is out.
    pub fn is_refreshing(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The failure of the last refresh, if it failed; cleared by a
    /// successful one.
    pub fn last_failure(&self) -> Option<&TokenError> {
        self.failure.as_ref()
    }

    /// What to do at `now`: use a token, run a refresh job, wait for the
    /// job another caller runs, or give up until the backoff has passed.
    ///
    /// A token handed out is valid at `now`; while the current token is
    /// valid (and not [rejected](Self::reject)), this never fails nor
    /// answers [`Lookup::Pending`].
    pub fn lookup(&mut self, now: SystemTime) -> Result<Lookup<C>, TokenError> {
        let valid = match &self.served {
            Some(served) => match served.freshness(now) {
                Freshness::Fresh => return Ok(Lookup::Ready(served.token.clone())),
                Freshness::Stale if !served.half_life_passed(now) => {
                    return Ok(Lookup::Ready(served.token.clone()))
                }
                Freshness::Stale => Some(served.token.clone()),
                _ => None,
            },
            None => None,
        };
        if self.in_flight.is_some() {
            return Ok(valid.map_or(Lookup::Pending, Lookup::Ready));
        }
        if let Some(failure) = &self.failure {
            if now < failure.retry_at() {
                return valid.map(Lookup::Ready).ok_or_else(|| failure.clone());
            }
        }
        match self.credentials.refresh() {
            Ok(machine) => {
                let ticket = next_ticket();
                self.in_flight = Some(ticket);
                let job = RefreshJob {
                    ticket: RefreshTicket(ticket),
                    machine,
                };
                Ok(match valid {
                    Some(token) => Lookup::ReadyAndRefresh(token, job),
                    None => Lookup::Refresh(job),
                })
            }
            Err(error) => {
                let failure = self.fail(error, now);
                valid.map(Lookup::Ready).ok_or(failure)
            }
        }
    }

    /// Reports the outcome of the job `ticket` belongs to, at `now`:
    /// refreshed credentials, or the error that ended the machine. Returns
    /// `false`, changing nothing, for a ticket that is not the job out
    /// (already reported, or made before [`replace`](Self::replace)).
    ///
    /// Refreshed credentials are kept even when their token is unusable
    /// (already expired, or none): they may carry a rotated refresh token.
    /// That case counts as a failed refresh, and the old token stays in
    /// use while it is valid.
    pub fn finish(
        &mut self,
        ticket: RefreshTicket,
        outcome: Result<C, Error>,
        now: SystemTime,
    ) -> bool {
        if self.in_flight != Some(ticket.0) {
            return false;
        }
        self.in_flight = None;
        let credentials = match outcome {
            Ok(credentials) => Arc::new(credentials),
            Err(error) => {
                self.fail(error, now);
                return true;
            }
        };
        self.credentials = Arc::clone(&credentials);
        match served(&credentials, Some(now)) {
            Some(fresh) if fresh.freshness(now) != Freshness::Invalid => {
                self.served = Some(fresh);
                self.failures = 0;
                self.failure = None;
            }
            Some(_) => {
                self.fail(
                    InvalidResponse::InvalidField {
                        field: "expires_in",
                        reason: "gives a token that has already expired",
                    }
                    .into(),
                    now,
                );
            }
            None => {
                self.fail(
                    InvalidResponse::MissingField {
                        field: "access_token",
                    }
                    .into(),
                    now,
                );
            }
        }
        true
    }

    /// Reports that the job `ticket` belongs to will not be run to the end
    /// (its caller was cancelled): the next lookup may make a new job at
    /// once. Returns `false` for a ticket that is not the job out.
    pub fn abandon(&mut self, ticket: RefreshTicket) -> bool {
        if self.in_flight != Some(ticket.0) {
            return false;
        }
        self.in_flight = None;
        true
    }

    /// Retires `token` because a server refused it (a `401` saying the
    /// token is invalid) although the manager still thinks it valid: the
    /// next [`lookup`](Self::lookup) asks for a refresh (or, while a job
    /// is out, answers [`Lookup::Pending`]) instead of handing it out.
    ///
    /// Only the token being served is retired ([`CachedToken::same_as`]):
    /// a token already replaced by a refresh is ignored, so that many
    /// requests refused with the same token cause one refresh, and the
    /// later ones get the new token. Returns whether `token` was retired.
    /// The credentials (their refresh token) are kept.
    pub fn reject(&mut self, token: &CachedToken<C>) -> bool {
        if !self
            .served
            .as_ref()
            .is_some_and(|served| served.token.same_as(token))
        {
            return false;
        }
        self.served = None;
        true
    }

    /// Starts over with `credentials` (after a new sign-in, say): their
    /// token (if any) is served, failures are forgotten, and the outcome of
    /// a job that is out is ignored when it comes.
    pub fn replace(&mut self, credentials: C) {
        let credentials = Arc::new(credentials);
        self.served = served(&credentials, None);
        self.credentials = credentials;
        self.in_flight = None;
        self.failures = 0;
        self.failure = None;
    }

    /// The token [`lookup`](Self::lookup) hands out without any state
    /// change until [`Steady::until`]; `None` when there is no such token.
    pub fn steady(&self) -> Option<Steady<C>> {
        let served = self.served.as_ref()?;
        let expiry = edge(served.token.bearer().expiry());
        let stale_from = match served.token.bearer().expiry() {
            None => Edge::End,
            Some(expiry) => expiry
                .checked_sub(served.threshold)
                .map_or(Edge::Start, Edge::At),
        };
        let due_from = stale_from.max(served.half_life.map_or(Edge::Start, Edge::At));
        let blocked_until = match (&self.in_flight, &self.failure) {
            (Some(_), _) => Edge::End,
            (None, Some(failure)) => Edge::At(failure.retry_at()),
            (None, None) => Edge::Start,
        };
        let until = expiry.min(due_from.max(blocked_until));
        let until = match until {
            Edge::Start => return None,
            Edge::At(time) => Some(time),
            Edge::End => None,
        };
        Some(Steady {
            token: served.token.clone(),
            until,
        })
    }

    /// Records a failed refresh at `now` and returns what callers get.
    fn fail(&mut self, error: Error, now: SystemTime) -> TokenError {
        // A non-retryable failure jumps to the cap, and later retries stay
        // there until a refresh succeeds: delays never shrink.
        self.failures = if error.is_retryable() {
            self.failures.saturating_add(1)
        } else {
            u32::MAX
        };
        let delay = self.backoff.delay(self.failures);
        let retry_at = now.checked_add(delay).unwrap_or(now);
        let failure = TokenError::new(error, retry_at);
        self.failure = Some(failure.clone());
        failure
    }
}

impl<C> fmt::Debug for TokenManager<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("token", &self.served.as_ref().map(|s| &s.token))
            .field("refreshing", &self.in_flight.is_some())
            .field("failures", &self.failures)
            .field("last_failure", &self.failure)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

/// The token of `credentials`, obtained at `obtained_at` if known.
fn served<C: Credentials>(
    credentials: &Arc<C>,
    obtained_at: Option<SystemTime>,
) -> Option<Served<C>> {
    let token = CachedToken::of(credentials)?;
    let half_life = match (obtained_at, token.bearer().expiry()) {
        (Some(obtained), Some(expiry)) => expiry
            .duration_since(obtained)
            .ok()
            .and_then(|lifetime| obtained.checked_add(lifetime / 2)),
        _ => None,
    };
    Some(Served {
        token,
        threshold: credentials.refresh_threshold(),
        half_life,
    })
}

/// A point on the time line, with both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Edge {
    Start,
    At(SystemTime),
    End,
}

fn edge(time: Option<SystemTime>) -> Edge {
    time.map_or(Edge::End, Edge::At)
}
