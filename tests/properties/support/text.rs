//! Text checks and generators.

use proptest::prelude::*;

pub fn has_no_control(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// A string with no control characters and no U+FFFD (which the callback
/// reads as a sign of invalid UTF-8).
pub fn clean_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("\\PC{{1,{max}}}"))
        .expect("valid regex")
        .prop_filter("no U+FFFD", |s| !s.contains('\u{FFFD}'))
}
