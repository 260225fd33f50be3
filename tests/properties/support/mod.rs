//! What several property files share: the parsers' generators and request
//! helpers, and the token machines' generated responses with their oracle.

pub mod authorization;
pub mod json;
pub mod oracle;
pub mod responses;
pub mod text;
