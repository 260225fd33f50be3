//! The check every token, code and handle the crate accepts goes through.

/// Whether every byte of `text` is printable ASCII other than space
/// (`%x21-7E`), all a token, a code or a handle may hold. It reads every
/// byte, without an early exit, so that it compiles to a vector loop: valid
/// input, the case that matters, is read in full anyway.
pub(crate) fn is_printable(text: &str) -> bool {
    text.bytes()
        .fold(true, |printable, b| printable & b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn agrees_with_the_byte_by_byte_check(text in "[ -~\t\u{80}-\u{10ffff}]{0,80}") {
            proptest::prop_assert_eq!(is_printable(&text), text.bytes().all(|b| b.is_ascii_graphic()));
        }
    }

    #[test]
    fn every_byte_counts() {
        assert!(is_printable("ya29.a0-_~+/="));
        assert!(is_printable(""));
        for bad in [" ", "\x7f", "a\tb", "é", "abc\x00"] {
            assert!(!is_printable(bad), "{bad:?}");
        }
    }
}
