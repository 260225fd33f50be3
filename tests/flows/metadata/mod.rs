//! Transcript tests of the metadata server's machines against the
//! in-memory fake (`testkit::metadata`) on the fake clock: every GET with
//! its headers and timeout, every backoff with its deadline, how each run
//! ends. Each request takes one second of fake time (`ROUND_TRIP`), so a
//! wait's deadline shows that it counts from the answer.

mod adc_search;
mod id_token;
mod info;
mod ping;
mod token;

use std::time::Duration;

use oauth2_sansio::metadata::MetadataServer;
use testkit::metadata::{FakeMetadata, MemoryMetadata, Scripted, Turn};

/// The default server's data root.
const DATA: &str = "http://metadata.google.internal/computeMetadata/v1/";

/// The scopes of the token transcripts, as google-auth's comparison has them.
const SCOPES: [&str; 2] = [
    "https://www.googleapis.com/auth/devstorage.read_only",
    "https://www.googleapis.com/auth/pubsub",
];

/// The scopes' query, as google-auth encodes it.
const SCOPES_QUERY: &str = "scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.read_only%2Chttps%3A%2F%2Fwww.googleapis.com%2Fauth%2Fpubsub";

fn server() -> MetadataServer {
    MetadataServer::default()
}

/// The fake as it is, after `turns` scripted answers.
fn memory(fake: FakeMetadata, turns: impl IntoIterator<Item = Scripted>) -> MemoryMetadata {
    MemoryMetadata::new(fake).script(turns.into_iter().map(Turn::from))
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
