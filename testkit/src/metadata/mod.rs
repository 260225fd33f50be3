//! A fake metadata server of Google Cloud, answering as the real one does
//! ([`FakeMetadata`]): in memory on the fake clock, with answers scripted
//! per request, for machine transcripts and properties
//! ([`MemoryMetadata`], [`record`]); on 127.0.0.1 for the transports, the
//! CLI and google-auth ([`LoopbackMetadata`]), which can be told to be
//! slow, to answer 503 a few times, to leave out the flavor header or to
//! have no universe domain.

pub mod fake;
pub mod loopback;
pub mod memory;
pub mod transcript;

pub use fake::{
    id_token, id_token_expiry, FakeMetadata, Reply, EMAIL, ID_TOKEN_LIFETIME, PROJECT,
    TOKEN_LIFETIME, UNIVERSE,
};
pub use loopback::{unused_host, LoopbackMetadata};
pub use memory::{Delivery, MemoryMetadata, Scripted, Turn};
pub use transcript::{record, Event, Run};
