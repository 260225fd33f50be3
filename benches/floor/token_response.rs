//! A token response, read borrowed and checked as the crate checks it.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::json::{bounded, printable, text, Field, Key};
use super::Refused;

/// The longest `expires_in` accepted, as the crate's.
const MAX_EXPIRES_IN: u64 = u32::MAX as u64;

/// What a successful token response gives.
pub struct TokenFields {
    pub access_token: Zeroizing<String>,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<Zeroizing<String>>,
    pub id_token: Option<Zeroizing<String>>,
    pub scopes: Option<Vec<String>>,
    pub extra: Map<String, Value>,
}

/// The fields of a token response as read, before validation.
#[derive(Default)]
struct Raw<'de> {
    access_token: Option<Field<'de>>,
    token_type: Option<Field<'de>>,
    expires_in: Option<Field<'de>>,
    refresh_token: Option<Field<'de>>,
    id_token: Option<Field<'de>>,
    scope: Option<Field<'de>>,
    extra: Map<String, Value>,
    duplicate: bool,
}

impl<'de> Deserialize<'de> for Raw<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Raw<'de>, A::Error> {
        let mut raw = Raw::default();
        while let Some(Key(key)) = entries.next_key()? {
            let slot = match &*key {
                "access_token" => &mut raw.access_token,
                "token_type" => &mut raw.token_type,
                "expires_in" => &mut raw.expires_in,
                "refresh_token" => &mut raw.refresh_token,
                "id_token" => &mut raw.id_token,
                "scope" => &mut raw.scope,
                _ => {
                    let value: Value = entries.next_value()?;
                    let key = key.into_owned();
                    raw.duplicate |= raw.extra.contains_key(&key);
                    raw.extra.insert(key, value);
                    continue;
                }
            };
            raw.duplicate |= slot.is_some();
            *slot = Some(entries.next_value()?);
        }
        Ok(raw)
    }
}

/// Parses a 200 response's body, bounded at `limit` bytes: a JSON object
/// with no key twice, no `error`, a non-empty printable `access_token`,
/// `token_type` Bearer (any case), string tokens and scope, `expires_in`
/// a whole number (or a string of digits) up to `MAX_EXPIRES_IN`.
pub fn parse_token_response(
    status: u16,
    body: &[u8],
    limit: usize,
) -> Result<TokenFields, Refused> {
    let body = bounded(body, limit)?;
    if status != 200 {
        return Err("not a success");
    }
    let raw: Raw<'_> = serde_json::from_str(body).map_err(|_| "not a JSON object")?;
    if raw.duplicate {
        return Err("a key appears twice");
    }
    match raw.extra.get("error") {
        None | Some(Value::Null) => {}
        Some(_) => return Err("an OAuth error"),
    }
    let access_token = text(raw.access_token)?.ok_or("no access_token")?;
    let token_type = text(raw.token_type)?.ok_or("no token_type")?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err("not a bearer token");
    }
    if !printable(&access_token) {
        return Err("access_token is not printable");
    }
    let access_token = Zeroizing::new(access_token.into_owned());
    let refresh_token = text(raw.refresh_token)?.map(|t| Zeroizing::new(t.into_owned()));
    let id_token = text(raw.id_token)?.map(|t| Zeroizing::new(t.into_owned()));
    let scopes = text(raw.scope)?.map(|s| s.split_ascii_whitespace().map(str::to_owned).collect());
    let expires_in = match raw.expires_in {
        None | Some(Field::Null) => None,
        Some(Field::U64(secs)) => Some(secs),
        Some(Field::Str(digits))
            if !digits.is_empty()
                && digits.len() <= 20
                && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(digits.parse().map_err(|_| "expires_in is too large")?)
        }
        Some(_) => return Err("expires_in is not a whole number"),
    };
    if expires_in.is_some_and(|secs| secs > MAX_EXPIRES_IN) {
        return Err("expires_in is too large");
    }
    Ok(TokenFields {
        access_token,
        expires_in,
        refresh_token,
        id_token,
        scopes,
        extra: raw.extra,
    })
}
