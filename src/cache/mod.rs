//! Token caching for services: many callers, one refresh at a time.
//!
//! - [`TokenManager`] is the sans-IO core: given `now`, it hands out the
//!   cached token ([`Lookup::Ready`]), or a [`RefreshJob`] to exactly one
//!   caller while no other is out, renewing in the stale window while the
//!   old token is still served, and backing off after failures
//!   ([`Backoff`], [`TokenError`]).
//! - [`SharedToken`] shares a manager between threads or async tasks: the
//!   read path takes a shared lock and clones one `Arc`; the refresh runs
//!   through the transport and clock the caller passes in, blocking or
//!   async, on any runtime.
//! - Any [`Credentials`](crate::Credentials) are cached: every kind the
//!   crate has, [`AnyCredentials`](crate::AnyCredentials), or one of your
//!   own.
//! - A [`Keeper`] keeps what the cache renews (a refresh token the server
//!   rotates) in a file or elsewhere, by the file store's rules: made ready
//!   before the refresh is sent, or nothing is sent; kept before the new
//!   token is served, and never dropped when keeping fails. The file store
//!   is one ([`CredentialsFile`](crate::io::file_store), feature
//!   `file-store`). An [`AsyncKeeper`] does the same for async callers
//!   without blocking their thread (the Redis fleet store on tokio,
//!   feature `redis`).
//!
//! Driving the manager by hand:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use oauth2_sansio::cache::{Lookup, TokenManager};
//! use oauth2_sansio::{drive, Client, RefreshToken, UserCredentials};
//!
//! let client = Client::google("id", None).build()?;
//! let credentials = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
//! let mut manager = TokenManager::new(credentials);
//! let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//!
//! let Lookup::Refresh(job) = manager.lookup(now)? else { unreachable!("no token yet") };
//! assert!(matches!(manager.lookup(now)?, Lookup::Pending)); // one job at a time
//! let (ticket, machine) = job.into_parts();
//! let outcome = drive(machine, || now, |_request| {
//!     Ok(oauth2_sansio::http::Response::new(br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3600}"#.to_vec()))
//! }, |_| {});
//! manager.finish(ticket, outcome, now);
//!
//! let Lookup::Ready(token) = manager.lookup(now)? else { unreachable!("fresh") };
//! assert_eq!(token.secret(), "ya29.a");
//! // 225 s before expiry, the token is still served and one refresh starts.
//! let stale = now + Duration::from_secs(3600 - 225);
//! assert!(matches!(manager.lookup(stale)?, Lookup::ReadyAndRefresh(..)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Keeping what a shared cache renews, here in memory (a database row, a
//! keychain entry work the same way):
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::SystemTime;
//! use oauth2_sansio::cache::{KeepError, KeepErrorKind, Keeper, SharedToken};
//! use oauth2_sansio::{Client, RefreshToken, UserCredentials};
//!
//! struct Row(Arc<Mutex<Option<UserCredentials>>>);
//!
//! impl Keeper<UserCredentials> for Row {
//!     type Prepared = (); // a real store holds its lock or transaction here
//!
//!     fn prepare(&self) -> Result<((), Option<UserCredentials>), KeepError> {
//!         let row = self.0.lock().map_err(|_| KeepError::new(KeepErrorKind::Io, "poisoned"))?;
//!         Ok(((), row.clone()))
//!     }
//!
//!     fn keep(&self, (): (), credentials: &UserCredentials) -> Result<(), KeepError> {
//!         let mut row = self.0.lock().map_err(|_| KeepError::new(KeepErrorKind::Io, "poisoned"))?;
//!         *row = Some(credentials.clone());
//!         Ok(())
//!     }
//! }
//!
//! let client = Client::google("id", None).build()?;
//! let credentials = UserCredentials::from_refresh_token(&client, RefreshToken::new("1//r"), vec![]);
//! let row = Arc::new(Mutex::new(Some(credentials.clone())));
//! let cache = SharedToken::new(credentials).with_keeper(Row(Arc::clone(&row)));
//! let token = cache.token(SystemTime::now, |_request| {
//!     // This server rotates refresh tokens.
//!     Ok(oauth2_sansio::http::Response::new(br#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//rotated"}"#.to_vec()))
//! })?;
//! assert_eq!(token.secret(), "ya29.a");
//! let kept = row.lock().unwrap().clone().unwrap();
//! assert_eq!(kept.refresh_token().unwrap().secret(), "1//rotated");
//! assert!(cache.keep_failure().is_none()); // else: log it, it says where they are
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod answer;
mod backoff;
mod cached;
#[cfg(feature = "ring")]
pub mod fleet;
mod keep;
mod keep_async;
mod keeping;
mod manager;
#[cfg(test)]
mod reject_tests;
mod shared;
mod signal;

pub use answer::ApiAnswer;
pub use backoff::Backoff;
pub use cached::{CachedToken, TokenError};
pub use keep::{KeepError, KeepErrorKind, Keeper};
pub use keep_async::{AsyncKeeper, KeepFuture};
pub use manager::{Lookup, RefreshJob, RefreshTicket, Steady, TokenManager};
pub use shared::SharedToken;
