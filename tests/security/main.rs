//! The security rules every public type and reader must keep: no secret in
//! `Debug` output, secrets zeroized on drop, text from a server never able
//! to forge what a terminal shows, and JSON with a duplicate key refused
//! at any depth; and the bad-input tally over every parser of untrusted
//! input.
#![forbid(unsafe_code)]

#[cfg(feature = "ring")]
mod bad_inputs;
mod redaction;
mod strict_json;
mod untrusted_text;
mod zeroize_on_drop;
