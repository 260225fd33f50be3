//! Retiring a token a server refused: one refresh however many callers
//! report the same token, and never the retirement of a newer one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use super::{Lookup, SharedToken, TokenManager};
use crate::testing::at;
use crate::{drive, Client, RefreshToken, UserCredentials};

fn signed_in() -> UserCredentials {
    let client = Client::google("id", None).build().expect("a valid client");
    UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![])
}

fn granted(access: &str) -> http::Response<Vec<u8>> {
    http::Response::new(
        format!(r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":3600}}"#)
            .into_bytes(),
    )
}

/// Runs the job the manager hands out at `now`, answered with `access`.
fn refresh(manager: &mut TokenManager<UserCredentials>, access: &str, now: SystemTime) {
    let Ok(Lookup::Refresh(job)) = manager.lookup(now) else {
        panic!("a refresh job was expected");
    };
    let (ticket, machine) = job.into_parts();
    let outcome = drive(machine, || now, |_| Ok(granted(access)), |_| {});
    assert!(manager.finish(ticket, outcome, now));
}

/// A manager that refreshed once at `now` and serves `ya29.first`.
fn serving_first(
    now: SystemTime,
) -> (
    TokenManager<UserCredentials>,
    super::CachedToken<UserCredentials>,
) {
    let mut manager = TokenManager::new(signed_in());
    refresh(&mut manager, "ya29.first", now);
    let first = ready(&mut manager, now);
    (manager, first)
}

fn ready(
    manager: &mut TokenManager<UserCredentials>,
    now: SystemTime,
) -> super::CachedToken<UserCredentials> {
    match manager.lookup(now) {
        Ok(Lookup::Ready(token)) => token,
        other => panic!("a ready token was expected, not {other:?}"),
    }
}

/// A manager whose first token was rejected while fresh and refreshed to
/// `ya29.second` at `now`.
fn first_rejected(
    now: SystemTime,
) -> (
    TokenManager<UserCredentials>,
    super::CachedToken<UserCredentials>,
) {
    let (mut manager, first) = serving_first(now);
    assert!(manager.reject(&first));
    refresh(&mut manager, "ya29.second", now);
    (manager, first)
}

#[test]
fn a_rejected_token_is_refreshed_though_still_fresh() {
    let now = at(1_000_000);
    let (mut manager, _) = first_rejected(now);
    let second = ready(&mut manager, now);
    assert_eq!(second.secret(), "ya29.second");
    assert!(manager.credentials().refresh_token().is_some());
}

#[test]
fn a_token_already_replaced_is_not_rejected() {
    let now = at(1_000_000);
    let (mut manager, first) = first_rejected(now);

    // A late 401 of the first token leaves the second one served.
    assert!(!manager.reject(&first));
    assert_eq!(ready(&mut manager, now).secret(), "ya29.second");
}

#[test]
fn a_token_rejected_while_a_refresh_is_out_waits_for_it() {
    let now = at(1_000_000);
    let (mut manager, first) = serving_first(now);
    let stale = now + std::time::Duration::from_secs(3600 - 100);
    let Ok(Lookup::ReadyAndRefresh(_, job)) = manager.lookup(stale) else {
        panic!("the stale window starts a refresh");
    };
    assert!(manager.reject(&first));
    assert!(matches!(manager.lookup(stale), Ok(Lookup::Pending)));
    let (ticket, machine) = job.into_parts();
    let outcome = drive(machine, || stale, |_| Ok(granted("ya29.second")), |_| {});
    assert!(manager.finish(ticket, outcome, stale));
    assert_eq!(ready(&mut manager, stale).secret(), "ya29.second");
}

#[test]
fn many_threads_rejecting_one_token_cause_one_refresh() {
    let now = at(1_000_000);
    let cache = SharedToken::new(signed_in());
    let sent = AtomicUsize::new(0);
    let send = |_request| {
        let n = sent.fetch_add(1, Ordering::SeqCst);
        Ok(granted(&format!("ya29.{n}")))
    };
    let first = cache.token(|| now, send).expect("a token");
    assert_eq!(first.secret(), "ya29.0");

    let seen: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                scope.spawn(|| {
                    cache.reject(&first);
                    let token = cache.token(|| now, send).expect("a token");
                    token.secret().to_owned()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    });
    assert_eq!(sent.load(Ordering::SeqCst), 2, "one refresh for the 401s");
    assert!(seen.iter().all(|token| token == "ya29.1"), "{seen:?}");
    assert!(cache
        .cached(now)
        .is_some_and(|token| token.secret() == "ya29.1"));
}
