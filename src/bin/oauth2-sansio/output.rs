//! What the tool writes: the result on stdout, everything else on stderr,
//! one line at a time.

use std::io::{self, Write};

use crate::exit::{Failure, LOCAL};
use oauth2_sansio::safe_text::is_unsafe_to_show;

/// `text` with every character that could forge, reorder or hide what the
/// terminal shows (controls and newlines, bidi and invisible characters,
/// U+2028 and U+2029) replaced by a space, so nothing a server or a path
/// holds can forge another line or disguise this one.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe_to_show(c) { ' ' } else { c })
        .collect()
}

/// Writes `text` and a newline to stdout: the command's result.
pub fn result(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::new(LOCAL, format!("writing to stdout failed: {e}")))
}

/// Writes `oauth2-sansio: <message>` to stderr; a failure to write there
/// has nowhere to be reported, so it is ignored.
pub fn note(message: &str) {
    let _ = writeln!(io::stderr(), "oauth2-sansio: {}", one_line(message));
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn one_line_blanks_exactly_the_unsafe_characters(
            text in prop::collection::vec(
                prop_oneof![
                    any::<char>(),
                    prop::sample::select(vec![
                        '\n', '\r', '\u{1b}', '\u{85}', '\u{2028}', '\u{2029}', '\u{202e}',
                        '\u{2066}', '\u{200b}', '\u{feff}', '\u{ad}', '\u{e0041}',
                    ]),
                ],
                0..100,
            ),
        ) {
            let text: String = text.into_iter().collect();
            let line = one_line(&text);
            prop_assert_eq!(line.chars().count(), text.chars().count());
            for (shown, sent) in line.chars().zip(text.chars()) {
                let expected = if is_unsafe_to_show(sent) { ' ' } else { sent };
                prop_assert_eq!(shown, expected);
            }
        }
    }

    #[test]
    fn one_line_blanks_what_could_forge_or_disguise_a_line() {
        assert_eq!(
            one_line("code \u{202e}CBA\u{2069} ok\u{2028}[ERROR] x\u{200b}y\r\n"),
            "code  CBA  ok [ERROR] x y  "
        );
    }
}
