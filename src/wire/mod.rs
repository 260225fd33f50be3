//! What travels: form bodies, strict JSON objects, token responses, and
//! the reading of an endpoint's answer.

pub mod answer;
pub mod endpoint;
pub mod form;
pub mod form_post;
pub mod json;
pub(crate) mod json_fields;
pub(crate) mod printable;
pub(crate) mod python_json;
pub(crate) mod time;
pub mod token_response;
