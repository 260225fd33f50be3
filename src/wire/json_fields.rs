//! Reading the fields a parser knows straight out of a JSON object, borrowed
//! from the input where they have no escapes, with every other member kept
//! in a map: no intermediate map to search and empty for the known fields,
//! under the same rules as [`parse_object`](super::json::parse_object) (size
//! bound, one object, no key twice at any depth).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::wire::json::{json_start, nested_in, not_json, JsonProblem, Strict};

/// The value of a known field, reduced to what a parser checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field<'de> {
    /// `null`.
    Null,
    /// A string, borrowed from the input unless it had escapes.
    Str(Cow<'de, str>),
    /// A whole number from 0 to `u64::MAX`.
    U64(u64),
    /// Any other number, a boolean, a list or an object.
    Other,
}

impl<'v> Field<'v> {
    /// The same reduction of a value already read into a [`Value`].
    pub(crate) fn of_value(value: &'v Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::String(text) => Self::Str(Cow::Borrowed(text)),
            Value::Number(number) => number.as_u64().map_or(Self::Other, Self::U64),
            _ => Self::Other,
        }
    }

    /// A string field: absent, `null` and `""` are `None`; any other JSON
    /// type is refused.
    pub(crate) fn text(field: Option<Self>) -> Result<Option<Cow<'v, str>>, &'static str> {
        match field {
            None | Some(Self::Null) => Ok(None),
            Some(Self::Str(text)) if text.is_empty() => Ok(None),
            Some(Self::Str(text)) => Ok(Some(text)),
            Some(_) => Err("must be a string"),
        }
    }
}

/// An object's members: the value of each of the `N` known names (in
/// their order), and every other member.
pub(crate) struct Fields<'de, const N: usize> {
    /// The known fields' values, `None` where the member is absent.
    pub(crate) known: [Option<Field<'de>>; N],
    /// The members under other names.
    pub(crate) extra: Map<String, Value>,
}

/// Reads `bytes` (at most `limit` of them) as one JSON object whose members
/// named in `names` are read as [`Field`]s and all others into a map.
pub(crate) fn read_fields<'de, const N: usize>(
    bytes: &'de [u8],
    limit: usize,
    names: &[&'static str; N],
) -> Result<Fields<'de, N>, JsonProblem> {
    let bytes = json_start(bytes, limit)?;
    let mut duplicate = None;
    let mut deserializer = serde_json::Deserializer::from_str(bytes);
    let parsed = ObjectSeed {
        names,
        duplicate: &mut duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|fields| deserializer.end().map(|()| fields));
    match (parsed, duplicate) {
        (_, Some(path)) => Err(JsonProblem::DuplicateKey(crate::error::sanitize(&path))),
        (Ok(fields), None) => Ok(fields),
        (Err(e), None) => Err(not_json(&e)),
    }
}

struct ObjectSeed<'n, 'd, const N: usize> {
    names: &'n [&'static str; N],
    duplicate: &'d mut Option<String>,
}

impl<'de, const N: usize> DeserializeSeed<'de> for ObjectSeed<'_, '_, N> {
    type Value = Fields<'de, N>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, const N: usize> Visitor<'de> for ObjectSeed<'_, '_, N> {
    type Value = Fields<'de, N>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields {
            known: std::array::from_fn(|_| None),
            extra: Map::new(),
        };
        while let Some(Key(key)) = access.next_key()? {
            let slot = self.names.iter().position(|name| *name == key);
            let taken = match slot {
                Some(index) => fields.known[index].is_some(),
                None => fields.extra.contains_key(&*key),
            };
            if taken {
                *self.duplicate = Some(key.into_owned());
                return Err(de::Error::custom("duplicate key"));
            }
            let duplicate = &mut *self.duplicate;
            match slot {
                Some(index) => match access.next_value_seed(FieldSeed { duplicate }) {
                    Ok(value) => fields.known[index] = Some(value),
                    Err(e) => return Err(nested_in(self.duplicate, &key, e)),
                },
                None => match access.next_value_seed(Strict { duplicate }) {
                    Ok(value) => {
                        fields.extra.insert(key.into_owned(), value);
                    }
                    Err(e) => return Err(nested_in(self.duplicate, &key, e)),
                },
            }
        }
        Ok(fields)
    }
}

/// A known field's value; lists and objects in it are still read strictly.
struct FieldSeed<'d> {
    duplicate: &'d mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Field<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Field<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Borrowed(text)))
    }

    fn visit_str<E>(self, text: &str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(text.to_owned())))
    }

    fn visit_string<E>(self, text: String) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(text)))
    }

    fn visit_u64<E>(self, number: u64) -> Result<Field<'de>, E> {
        Ok(Field::U64(number))
    }

    fn visit_i64<E>(self, number: i64) -> Result<Field<'de>, E> {
        Ok(u64::try_from(number).map_or(Field::Other, Field::U64))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Field<'de>, E> {
        Ok(Field::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Field<'de>, E> {
        Ok(Field::Other)
    }

    fn visit_unit<E>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, access: A) -> Result<Field<'de>, A::Error> {
        let strict = Strict {
            duplicate: self.duplicate,
        };
        strict.visit_seq(access).map(|_| Field::Other)
    }

    // Also how a number arrives when a crate in the build enables
    // serde_json's `arbitrary_precision`: `Strict` reads it back.
    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Field<'de>, A::Error> {
        let strict = Strict {
            duplicate: self.duplicate,
        };
        Ok(match strict.visit_map(access)? {
            Value::Number(number) => number.as_u64().map_or(Field::Other, Field::U64),
            _ => Field::Other,
        })
    }
}

/// An object's key, borrowed from the input unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }

    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_owned())))
    }

    fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::json::parse_object;

    const NAMES: [&str; 3] = ["a", "n", "s"];

    fn read(json: &str) -> Result<Fields<'_, 3>, JsonProblem> {
        read_fields(json.as_bytes(), 1 << 10, &NAMES)
    }

    #[test]
    fn known_fields_are_borrowed_and_the_rest_kept() {
        let fields = read(r#"{"s":"plain","a":"es\"caped","n":7,"x":{"y":[1]}}"#).unwrap();
        let [a, n, s] = fields.known;
        assert!(matches!(s, Some(Field::Str(Cow::Borrowed("plain")))));
        assert_eq!(a, Some(Field::Str(Cow::Owned("es\"caped".into()))));
        assert_eq!(n, Some(Field::U64(7)));
        assert_eq!(fields.extra.len(), 1);
        assert_eq!(fields.extra["x"]["y"][0], 1);
    }

    #[test]
    fn other_types_are_reduced() {
        let fields = read(r#"{"a":null,"n":-1,"s":[1,"x"]}"#).unwrap();
        assert_eq!(
            fields.known,
            [Some(Field::Null), Some(Field::Other), Some(Field::Other)]
        );
        let fields = read(r#"{"a":1.5,"n":true,"s":{"k":1}}"#).unwrap();
        assert_eq!(
            fields.known,
            [Some(Field::Other), Some(Field::Other), Some(Field::Other)]
        );
    }

    #[test]
    fn refuses_what_parse_object_refuses_with_the_same_problem() {
        for json in [
            r#"{"a":"1","a":"2"}"#,
            r#"{"x":1,"x":2}"#,
            r#"{"a":{"k":1,"k":2}}"#,
            r#"{"x":[{"k":1,"k":2}]}"#,
            r#"{"s":[{"k":[{"q":1,"q":1}]}]}"#,
            r#"[1]"#,
            r#""s""#,
            r#"{"a":1"#,
            r#"{"a":1} {}"#,
            "",
            "\u{feff}{\"a\":1,\"a\":1}",
        ] {
            let expected = parse_object(json.as_bytes(), 1 << 10).unwrap_err();
            let found = read(json)
                .err()
                .unwrap_or_else(|| panic!("{json} was accepted"));
            match (&expected, &found) {
                (JsonProblem::NotJson { .. }, JsonProblem::NotJson { .. }) => {}
                (JsonProblem::NotObject, JsonProblem::NotJson { .. } | JsonProblem::NotObject) => {}
                _ => assert_eq!(found, expected, "{json}"),
            }
        }
        assert_eq!(
            read_fields(b"{\"a\":1}", 6, &NAMES).err(),
            Some(JsonProblem::TooLarge { limit: 6 })
        );
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_parse_object(json in "\\{(\"[ansx]\":(\"[a-z\\\\\"]{0,4}\"|[0-9]{1,3}|null|\\[\\]|\\{\\}),?){0,5}\\}") {
            match (parse_object(json.as_bytes(), 1 << 10), read(&json)) {
                (Ok(mut map), Ok(fields)) => {
                    for (name, field) in NAMES.iter().zip(fields.known) {
                        let value = map.remove(*name);
                        proptest::prop_assert_eq!(value.as_ref().map(Field::of_value), field);
                    }
                    proptest::prop_assert_eq!(map, fields.extra);
                }
                (Err(JsonProblem::DuplicateKey(a)), Err(JsonProblem::DuplicateKey(b))) => {
                    proptest::prop_assert_eq!(a, b)
                }
                (Err(_), Err(_)) => {}
                (a, b) => proptest::prop_assert!(false, "{json}: {a:?} / {:?}", b.map(|f| f.extra)),
            }
        }
    }
}
