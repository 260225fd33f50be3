//! What travels: form bodies, strict JSON objects, token responses, and
//! the reading of an endpoint's answer.

pub mod answer;
pub mod form;
pub mod json;
pub mod token_request;
pub mod token_response;
