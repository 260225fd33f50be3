//! Text checks and generators.

use proptest::prelude::*;

/// No character a terminal could be tricked by: control, bidi,
/// zero-width, variation selectors... (what the crate strips from server
/// text before it shows it).
pub fn shows_safely(text: &str) -> bool {
    !text
        .chars()
        .any(oauth2_sansio::safe_text::is_unsafe_to_show)
}

/// A string with no control characters and no U+FFFD (which the callback
/// reads as a sign of invalid UTF-8).
pub fn clean_text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("\\PC{{1,{max}}}"))
        .expect("valid regex")
        .prop_filter("no U+FFFD", |s| !s.contains('\u{FFFD}'))
}
