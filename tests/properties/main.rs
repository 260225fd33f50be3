//! Property tests, one file per parser or machine family. Every parser of
//! untrusted input has them: no input makes it panic, and where the rules
//! allow, an oracle written from the documented rules (not from the
//! parser's code) says what it must answer. The machines are driven over
//! generated server behaviour and checked against a model.
#![forbid(unsafe_code)]

mod support;

#[cfg(feature = "ring")]
mod adc_file;
mod authorization_url;
mod authorized_user;
mod callback;
mod callback_catalogue;
mod client_secrets;
mod device;
#[cfg(feature = "ring")]
mod dpop;
mod executable_output;
mod external_account;
mod external_aws;
#[cfg(feature = "ring")]
mod fleet;
mod grant_responses;
#[cfg(feature = "ring")]
mod id_token_verify;
mod impersonated;
#[cfg(feature = "ring")]
mod jwt;
mod loopback;
mod machines;
mod metadata;
mod par;
#[cfg(feature = "ring")]
mod private_key_jwt;
mod rfc;
mod token_cache;
mod token_response;
#[cfg(feature = "tower")]
mod tower_layer;
