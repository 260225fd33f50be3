//! An in-memory API behind the tower layer (it answers by a script and
//! records what each request carried), and a refresher that counts the
//! refreshes it runs against an in-memory token endpoint.

use std::convert::Infallible;
use std::future::{ready, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::SystemTime;

use http::{Request, Response};
use oauth2_sansio::io::tower::Refresher;
use oauth2_sansio::{drive_async, Error, UserCredentials, UserRefresh};

/// What one request carried to the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `Authorization`.
    pub authorization: Option<String>,
    /// `x-goog-user-project`.
    pub quota_project: Option<String>,
    /// `DPoP` (the proof).
    pub dpop: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

type Script = dyn Fn(&Seen) -> Response<Vec<u8>> + Send + Sync;

/// An API answering each request with `script(what it carried)`.
#[derive(Clone)]
pub struct FakeApi {
    script: Arc<Script>,
    seen: Arc<Mutex<Vec<Seen>>>,
    gate: Option<Arc<Gate>>,
}

/// Holds every answer back until `until` requests have come.
struct Gate {
    until: usize,
    waiting: Mutex<Vec<Waker>>,
}

impl FakeApi {
    /// An API answering by `script`.
    pub fn new(script: impl Fn(&Seen) -> Response<Vec<u8>> + Send + Sync + 'static) -> Self {
        Self {
            script: Arc::new(script),
            seen: Arc::default(),
            gate: None,
        }
    }

    /// The same API, answering no request before `requests` have come.
    pub fn answering_after(mut self, requests: usize) -> Self {
        self.gate = Some(Arc::new(Gate {
            until: requests,
            waiting: Mutex::default(),
        }));
        self
    }

    /// An API that answers `200 ok` to every request.
    pub fn ok() -> Self {
        Self::new(|_| Response::new(b"ok".to_vec()))
    }

    /// What the requests carried, in the order they came.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl tower_service::Service<Request<Vec<u8>>> for FakeApi {
    type Response = Response<Vec<u8>>;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Vec<u8>>) -> Self::Future {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .map(|v| v.to_str().expect("ASCII header").to_owned())
        };
        let seen = Seen {
            authorization: header("authorization"),
            quota_project: header("x-goog-user-project"),
            dpop: header("dpop"),
            body: request.body().clone(),
        };
        let answer = (self.script)(&seen);
        let mut all = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        all.push(seen);
        let come = all.len();
        drop(all);
        let gate = self.gate.clone().filter(|gate| come <= gate.until);
        if let Some(gate) = gate.as_ref().filter(|gate| come == gate.until) {
            let waiting =
                std::mem::take(&mut *gate.waiting.lock().unwrap_or_else(PoisonError::into_inner));
            waiting.into_iter().for_each(Waker::wake);
        }
        Answer {
            gate: gate.filter(|gate| come < gate.until),
            seen: Arc::clone(&self.seen),
            answer: Some(answer),
        }
    }
}

/// An answer of [`FakeApi`], held back by its gate.
pub struct Answer {
    gate: Option<Arc<Gate>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: Option<Response<Vec<u8>>>,
}

impl Future for Answer {
    type Output = Result<Response<Vec<u8>>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(gate) = &self.gate {
            let mut waiting = gate.waiting.lock().unwrap_or_else(PoisonError::into_inner);
            let come = self
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len();
            if come < gate.until {
                waiting.push(cx.waker().clone());
                return Poll::Pending;
            }
        }
        Poll::Ready(Ok(self.answer.take().expect("polled after its answer")))
    }
}

/// `401` with `WWW-Authenticate: <challenge>`.
pub fn unauthorized(challenge: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(401)
        .header("www-authenticate", challenge)
        .body(b"denied".to_vec())
        .expect("a valid response")
}

/// Google's answer to a revoked or expired token.
pub fn invalid_token() -> Response<Vec<u8>> {
    unauthorized(r#"Bearer realm="https://accounts.google.com/", error="invalid_token""#)
}

/// Refreshes user credentials against an in-memory token endpoint that
/// grants `ya29.<n>` for the n-th refresh (from 1), of `token_type`,
/// after yielding a few times so that concurrent callers pile up.
#[derive(Clone)]
pub struct CountingRefresher {
    count: Arc<AtomicUsize>,
    token_type: &'static str,
    /// The first refresh (counting from 1) answered with `invalid_grant`.
    fails_from: usize,
}

impl CountingRefresher {
    /// Grants Bearer tokens.
    pub fn bearer() -> Self {
        Self {
            count: Arc::default(),
            token_type: "Bearer",
            fails_from: usize::MAX,
        }
    }

    /// Grants DPoP-bound tokens.
    pub fn dpop() -> Self {
        Self {
            token_type: "DPoP",
            ..Self::bearer()
        }
    }

    /// Answers every refresh with `invalid_grant`.
    pub fn failing() -> Self {
        Self::failing_from(1)
    }

    /// Answers the `n`-th refresh (from 1) and all after it with
    /// `invalid_grant`.
    pub fn failing_from(n: usize) -> Self {
        Self {
            fails_from: n,
            ..Self::bearer()
        }
    }

    /// How many refreshes ran.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

impl Refresher<UserCredentials> for CountingRefresher {
    type Future = Pin<Box<dyn Future<Output = Result<UserCredentials, Error>> + Send>>;

    fn refresh(&self, machine: UserRefresh) -> Self::Future {
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let body = if n >= self.fails_from {
            (400, r#"{"error":"invalid_grant"}"#.to_owned())
        } else {
            (
                200,
                format!(
                    r#"{{"access_token":"ya29.{n}","token_type":"{}","expires_in":3600}}"#,
                    self.token_type
                ),
            )
        };
        Box::pin(async move {
            for _ in 0..3 {
                YieldOnce(false).await;
            }
            drive_async(
                machine,
                SystemTime::now,
                |_request| {
                    let answer = Response::builder()
                        .status(body.0)
                        .header("content-type", "application/json")
                        .body(body.1.clone().into_bytes())
                        .expect("a valid response");
                    ready(Ok(answer))
                },
                |_| ready(()),
            )
            .await
        })
    }
}

/// Pending once (waking itself), then ready: lets other tasks run.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
