//! Text from a server or a file, made safe to show: in an error message, a
//! log line or a terminal.
//!
//! Such text may carry characters that forge or hide what a reader sees:
//! controls (a newline starts a fake log line, ESC drives the terminal),
//! bidirectional formatting (U+202E shows `exe.txt` for `txt.exe`),
//! invisible characters (a zero-width space inside a code) and the Unicode
//! line and paragraph separators. [`is_unsafe_to_show`] is the one rule for
//! which characters those are; [`sanitize`] applies it.

/// The longest server- or file-supplied text kept in an error, in characters.
const MAX_SHOWN_TEXT: usize = 512;

/// Whether `c` can forge, reorder or hide what a terminal shows:
///
/// - C0 and C1 controls (U+0000–U+001F, U+007F–U+009F), newlines and tabs
///   included;
/// - the line and paragraph separators U+2028 and U+2029;
/// - every Unicode default-ignorable code point: bidirectional formatting
///   (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), zero-width
///   and invisible characters (U+00AD, U+034F, U+115F, U+1160, U+17B4,
///   U+17B5, U+180B–U+180F, U+200B–U+200D, U+2060–U+206F, U+3164,
///   U+FE00–U+FE0F, U+FEFF, U+FFA0, U+FFF0–U+FFF8, U+1BCA0–U+1BCA3,
///   U+1D173–U+1D17A, U+E0000–U+E0FFF: tags and variation selectors);
/// - the interlinear annotation characters U+FFF9–U+FFFB, which can hide
///   the text between them.
pub fn is_unsafe_to_show(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control();
    }
    matches!(
        c,
        '\u{80}'..='\u{9F}'
            | '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// `text` without the characters [`is_unsafe_to_show`] names, cut to 512
/// characters: what a server or a file says, fit to be kept in an error.
///
/// ```
/// use oauth2_sansio::safe_text::sanitize;
///
/// assert_eq!(sanitize("bad\ncode\u{202E}gnp.exe"), "badcodegnp.exe");
/// ```
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|c| !is_unsafe_to_show(*c))
        .take(MAX_SHOWN_TEXT)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_separators_bidi_and_invisibles_are_unsafe() {
        for c in [
            '\0',
            '\t',
            '\n',
            '\r',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{9f}',
            '\u{2028}',
            '\u{2029}',
            '\u{61c}',
            '\u{200e}',
            '\u{200f}',
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
            '\u{200b}',
            '\u{200c}',
            '\u{200d}',
            '\u{2060}',
            '\u{2064}',
            '\u{feff}',
            '\u{180e}',
            '\u{ad}',
            '\u{fe0f}',
            '\u{e0041}',
            '\u{fff9}',
            '\u{3164}',
        ] {
            assert!(is_unsafe_to_show(c), "{:04X}", u32::from(c));
        }
    }

    #[test]
    fn visible_text_is_safe() {
        for c in [
            ' ',
            'a',
            '~',
            '\u{a0}',
            'é',
            'ß',
            'ع',
            '中',
            '\u{2010}',
            '\u{202f}',
            '\u{2070}',
            '\u{fffd}',
            '😀',
            '\u{1f1eb}',
        ] {
            assert!(!is_unsafe_to_show(c), "{:04X}", u32::from(c));
        }
    }

    #[test]
    fn sanitize_strips_and_bounds() {
        assert_eq!(
            sanitize("pay\u{202e}txt.exe\u{200b} now\r\n\u{2028}!"),
            "paytxt.exe now!"
        );
        assert_eq!(sanitize(&"é".repeat(600)).chars().count(), 512);
    }
}
