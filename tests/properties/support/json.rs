//! Generated JSON of any shape for the parsers' "random types"
//! properties: values a strict reader accepts and values it refuses.

use proptest::prelude::*;

/// A JSON value of any type, for the "random types" generators. Raw values
/// are written as text so that forms a strict reader refuses (`1e309`, a
/// lone surrogate) appear.
#[derive(Clone, Debug)]
pub enum J {
    Null,
    Bool(bool),
    UInt(u64),
    Raw(&'static str),
    Str(String),
    Array,
    List(Vec<String>),
    Object(Vec<(String, J)>),
    /// Nested deeper than any JSON reader should follow.
    Deep,
}

/// Raw values a strict JSON reader refuses.
pub const UNREADABLE: [&str; 2] = ["1e309", r#""\ud800""#];

pub const RAW_VALUES: [&str; 8] = [
    r#""\ud800""#,
    "-1",
    "1.5",
    "3600.0",
    "1e3",
    "1e309",
    "-9223372036854775809",
    "18446744073709551616",
];

impl J {
    pub fn render(&self) -> String {
        match self {
            J::Null => "null".into(),
            J::Bool(b) => b.to_string(),
            J::UInt(n) => n.to_string(),
            J::Raw(text) => (*text).into(),
            J::Str(s) => serde_json::to_string(s).expect("strings serialize"),
            J::Array => r#"[1,"a",null]"#.into(),
            J::List(items) => serde_json::to_string(items).expect("strings serialize"),
            J::Object(entries) => render_object(entries),
            J::Deep => format!("{}{}", "[".repeat(300), "]".repeat(300)),
        }
    }

    /// Whether a strict JSON reader accepts the value.
    pub fn parses(&self) -> bool {
        match self {
            J::Raw(text) => !UNREADABLE.contains(text),
            J::Deep => false,
            J::Object(entries) => entries.iter().all(|(_, v)| v.parses()),
            _ => true,
        }
    }

    /// `Some(text)` for a string, `None` for null (absent is handled by the caller).
    pub fn as_opt_str(&self) -> Result<Option<&str>, ()> {
        match self {
            J::Null => Ok(None),
            J::Str(s) if s.is_empty() => Ok(None),
            J::Str(s) => Ok(Some(s)),
            _ => Err(()),
        }
    }
}

/// One of these strings.
pub fn one_of(values: &[&'static str]) -> BoxedStrategy<J> {
    prop::sample::select(values.to_vec())
        .prop_map(|s| J::Str(s.into()))
        .boxed()
}

pub fn render_object(entries: &[(String, J)]) -> String {
    let fields: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}:{}", J::Str(k.clone()).render(), v.render()))
        .collect();
    format!("{{{}}}", fields.join(","))
}

pub fn any_json() -> BoxedStrategy<J> {
    prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<u64>().prop_map(J::UInt),
        prop::sample::select(&RAW_VALUES[..]).prop_map(J::Raw),
        ".{0,12}".prop_map(J::Str),
        Just(J::Array),
        Just(J::Object(vec![("k".into(), J::Array)])),
        Just(J::Deep),
    ]
    .boxed()
}

/// `field` present with probability `p` (1.0: always), its value from `value`.
pub fn maybe(
    field: &'static str,
    p: f64,
    value: impl Strategy<Value = J> + 'static,
) -> BoxedStrategy<Option<(String, J)>> {
    let entry = value.prop_map(move |v| (field.to_owned(), v));
    if p >= 1.0 {
        entry.prop_map(Some).boxed()
    } else {
        prop::option::weighted(p, entry).boxed()
    }
}

pub fn lookup<'a>(entries: &'a [(String, J)], name: &str) -> Option<&'a J> {
    entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

pub fn has_duplicate_key(entries: &[(String, J)]) -> bool {
    entries
        .iter()
        .enumerate()
        .any(|(i, (k, _))| entries[..i].iter().any(|(other, _)| other == k))
}
