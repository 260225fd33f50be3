//! The flows: one folder or file per way of getting (or giving up) a token,
//! each a [`Machine`](crate::Machine) or a builder of one.

pub mod client_credentials;
pub mod code;
pub mod device;
pub mod discovery;
pub mod introspect;
pub mod params;
pub mod revoke;
pub mod token_exchange;
pub mod token_ref;
