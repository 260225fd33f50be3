//! The bad inputs derived from a seed, deterministically: truncations,
//! per-field edits of a JSON seed, the whole input over its bound, and
//! seeded byte mutations.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::json::J;
use super::tally::Case;

/// Seeded byte mutations per seed.
pub const MUTATIONS: usize = 2000;

/// Values of every JSON type, to put where a field's own type belongs;
/// `1e400` and the escaped lone surrogate are refused by any strict reader.
const OTHER_TYPES: [&str; 10] = [
    "null",
    "true",
    "0",
    "-1",
    "1.5",
    "1e400",
    r#""text""#,
    r#""\ud800""#,
    "[]",
    "{}",
];

/// Characters that could forge or hide terminal text: controls, an escape
/// sequence, NEL, bidi override, zero-width space, line separator, BOM.
const UNSAFE_TEXT: [&str; 8] = [
    "\u{0}",
    "\u{1b}[2J",
    "\n",
    "\u{85}",
    "\u{202e}",
    "\u{200b}",
    "\u{2028}",
    "\u{feff}",
];

/// Byte sequences that are not UTF-8: a lone continuation byte, 0xFF, an
/// overlong `/`, an encoded surrogate, a truncated two-byte sequence.
const INVALID_UTF8: [&[u8]; 5] = [b"\x80", b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xc3"];

/// What a JSON reader's rules say about a seed.
pub struct JsonRules {
    /// Dotted names of the members that must be present, non-null, non-empty
    /// and of their type.
    pub required: &'static [&'static str],
    /// The size bound; `None` where the reader has none of its own.
    pub bound: Option<usize>,
    /// Whether a key twice in any object, even an unknown one, is refused.
    pub strict_duplicates: bool,
    /// Whether a required string that is empty counts as missing.
    pub empty_refused: bool,
}

/// Every prefix of `seed` shorter than it; `must_refuse` for all of them.
pub fn truncations(seed: &[u8], must_refuse: Option<&'static str>) -> Vec<Case> {
    (0..seed.len())
        .map(|len| {
            Case::new(
                format!("truncated to {len} bytes"),
                seed[..len].to_vec(),
                must_refuse,
            )
        })
        .collect()
}

/// `seed` padded with spaces, and with a long member, to one byte over `bound`.
pub fn over_bound(seed: &J, bound: usize) -> Vec<Case> {
    let rule = Some("over the size bound");
    let mut padded = seed.render();
    padded.resize(bound + 1, b' ');
    let mut with_member = seed.clone();
    if let J::Object(members) = &mut with_member {
        members.push(("padding".to_owned(), J::Str(String::new())));
        let len = with_member.render().len();
        if let J::Object(members) = &mut with_member {
            members.last_mut().expect("just pushed").1 = J::Str("x".repeat(bound + 1 - len));
        }
    }
    vec![
        Case::new("padded with spaces over the bound", padded, rule),
        Case::new(
            "a member making it over the bound",
            with_member.render(),
            rule,
        ),
    ]
}

/// The per-field edits of a JSON seed, then its truncations, the whole
/// over its bound and the byte mutations.
pub fn json_cases(seed: &J, rules: &JsonRules, rng_seed: u64) -> Vec<Case> {
    let rendered = seed.render();
    let mut cases = truncations(&rendered, Some("a strict prefix of a JSON object"));
    for (path, name) in seed.members() {
        let required = rules.required.contains(&name.as_str());
        let (key, value) = seed.member(&path);
        let case = |what: &str, doc: J, must_refuse: Option<&'static str>| {
            Case::new(format!("{name} {what}"), doc.render(), must_refuse)
        };
        cases.push(case(
            "removed",
            seed.edited(&path, |m, i| drop(m.remove(i))),
            required.then_some("a required field removed"),
        ));
        for other in OTHER_TYPES {
            let same_type = match &value {
                J::Str(_) => other.starts_with('"'),
                J::Lit(lit) if lit == "true" || lit == "false" => other == "true",
                J::Lit(lit) if lit != "null" => {
                    other.starts_with(|c: char| c == '-' || c.is_ascii_digit())
                }
                J::List(_) => other.starts_with('['),
                J::Object(_) => other.starts_with('{'),
                _ => false,
            };
            if same_type && !matches!(other, "1e400" | r#""\ud800""#) {
                continue;
            }
            let must_refuse = if matches!(other, "1e400" | r#""\ud800""#) {
                Some("JSON no strict reader reads")
            } else if required {
                Some("a required field of the wrong type")
            } else {
                None
            };
            cases.push(case(
                &format!("as {other}"),
                seed.edited(&path, |m, i| m[i].1 = J::Lit(other.to_owned())),
                must_refuse,
            ));
        }
        let twice = Some("a key twice");
        cases.push(case(
            "twice",
            seed.edited(&path, |m, i| m.insert(i + 1, (key.clone(), value.clone()))),
            twice,
        ));
        cases.push(case(
            "twice in a nested object",
            seed.edited(&path, |m, _| {
                let nested = J::Object(vec![
                    (key.clone(), value.clone()),
                    (key.clone(), value.clone()),
                ]);
                m.push(("x_nested".to_owned(), nested));
            }),
            twice.filter(|_| rules.strict_duplicates),
        ));
        if let J::Str(text) = &value {
            let non_empty = required && rules.empty_refused;
            cases.extend(string_cases(
                seed,
                &path,
                &name,
                text,
                non_empty,
                rules.bound,
            ));
        }
    }
    if let Some(bound) = rules.bound {
        cases.extend(over_bound(seed, bound));
    }
    cases.extend(mutations(&rendered, rng_seed, MUTATIONS));
    cases
}

fn string_cases(
    seed: &J,
    path: &[(usize, Option<usize>)],
    name: &str,
    text: &str,
    non_empty: bool,
    bound: Option<usize>,
) -> Vec<Case> {
    let with = |value: J| seed.edited(path, |m, i| m[i].1 = value).render();
    let middle = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    let mut cases = vec![
        Case::new(
            format!("{name} empty"),
            with(J::Str(String::new())),
            non_empty.then_some("a required field empty"),
        ),
        Case::new(
            format!("{name} huge"),
            with(J::Str("x".repeat(bound.unwrap_or(64 * 1024) + 1))),
            bound.map(|_| "over the size bound"),
        ),
    ];
    for unsafe_text in UNSAFE_TEXT {
        let mut changed = text.to_owned();
        changed.insert_str(middle, unsafe_text);
        cases.push(Case::new(
            format!("{name} with {unsafe_text:?}"),
            with(J::Str(changed)),
            None,
        ));
    }
    for invalid in INVALID_UTF8 {
        let mut raw = serde_json::to_vec(&text[..middle]).expect("strings serialize");
        raw.pop();
        raw.extend(invalid);
        raw.extend(&serde_json::to_vec(&text[middle..]).expect("strings serialize")[1..]);
        cases.push(Case::new(
            format!("{name} with bytes {invalid:x?}"),
            with(J::Raw(raw)),
            Some("invalid UTF-8"),
        ));
    }
    cases
}

/// Bytes a mutation likes to put in: JSON and HTTP punctuation, the
/// extremes, a digit, a sign, an exponent.
const INTERESTING: &[u8] = b"\"\\{}[]:,\0\xff\x80\r\n 0-e%&=?#;";

/// `count` mutations of `seed`, each one to four random edits: a bit
/// flipped, a byte replaced (at random or by an interesting byte),
/// inserted or deleted, a range deleted or repeated. `StdRng` from a fixed
/// seed: the same inputs every run.
pub fn mutations(seed: &[u8], rng_seed: u64, count: usize) -> Vec<Case> {
    let mut rng = StdRng::seed_from_u64(rng_seed);
    (0..count)
        .map(|n| {
            let mut bytes = seed.to_vec();
            for _ in 0..rng.random_range(1..=4) {
                mutate(&mut bytes, &mut rng);
            }
            Case::new(format!("mutation {n} of seed {rng_seed}"), bytes, None)
        })
        .collect()
}

fn mutate(bytes: &mut Vec<u8>, rng: &mut StdRng) {
    let len = bytes.len();
    if len == 0 {
        bytes.push(rng.random());
        return;
    }
    let at = rng.random_range(0..len);
    match rng.random_range(0..7) {
        0 => bytes[at] ^= 1 << rng.random_range(0..8),
        1 => bytes[at] = rng.random(),
        2 => bytes[at] = INTERESTING[rng.random_range(0..INTERESTING.len())],
        3 => bytes.insert(at, INTERESTING[rng.random_range(0..INTERESTING.len())]),
        4 => drop(bytes.remove(at)),
        5 => {
            let end = rng.random_range(at..=len.min(at + 16));
            bytes.drain(at..end);
        }
        _ => {
            let end = rng.random_range(at..=len.min(at + 16));
            let copy = bytes[at..end].to_vec();
            bytes.splice(at..at, copy);
        }
    }
}
