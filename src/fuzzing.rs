//! Internals that a fuzz target drives directly. Compiled only under
//! `cargo fuzz` (which sets `--cfg fuzzing`); not part of the API.

pub use crate::io::installed::socket_table::{scan, Ends, Owner, TableError};
