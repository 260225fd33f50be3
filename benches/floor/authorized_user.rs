//! google-auth's authorized_user JSON, read borrowed and checked as the
//! crate checks it, then written back.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::json::{bounded, text, Field, Key};
use super::{Refused, SecretCow};

const LIMIT: usize = 64 * 1024;
const TYPE: &str = "authorized_user";
const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// The fields of the file as read, before validation.
#[derive(Default)]
struct Raw<'de> {
    kind: Option<Field<'de>>,
    client_id: Option<Field<'de>>,
    client_secret: Option<Field<'de>>,
    refresh_token: Option<Field<'de>>,
    token: Option<Field<'de>>,
    expiry: Option<Field<'de>>,
    scopes: Option<Field<'de>>,
    token_uri: Option<Field<'de>>,
    quota_project_id: Option<Field<'de>>,
    rapt_token: Option<Field<'de>>,
    universe_domain: Option<Field<'de>>,
    account: Option<Field<'de>>,
    /// Other keys, kept only to refuse one given twice.
    others: Vec<Cow<'de, str>>,
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
                "type" => &mut raw.kind,
                "client_id" => &mut raw.client_id,
                "client_secret" => &mut raw.client_secret,
                "refresh_token" => &mut raw.refresh_token,
                "token" => &mut raw.token,
                "expiry" => &mut raw.expiry,
                "scopes" => &mut raw.scopes,
                "token_uri" => &mut raw.token_uri,
                "quota_project_id" => &mut raw.quota_project_id,
                "rapt_token" => &mut raw.rapt_token,
                "universe_domain" => &mut raw.universe_domain,
                "account" => &mut raw.account,
                _ => {
                    entries.next_value::<IgnoredAny>()?;
                    raw.duplicate |= raw.others.contains(&key);
                    raw.others.push(key);
                    continue;
                }
            };
            raw.duplicate |= slot.is_some();
            *slot = Some(entries.next_value()?);
        }
        Ok(raw)
    }
}

/// The file as written: google-auth's field order, `type` first.
#[derive(Serialize)]
struct File<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    refresh_token: &'a str,
    token_uri: &'a str,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    scopes: &'a [Cow<'a, str>],
    #[serde(skip_serializing_if = "Option::is_none")]
    quota_project_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rapt_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    universe_domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiry: Option<&'a str>,
}

/// Reads an authorized_user file and writes it back as the crate does:
/// `type` must be authorized_user, `client_id` and `refresh_token` are
/// required, `token_uri` must be Google's or an https (or loopback http)
/// URL, `expiry` RFC 3339 from 1970 (a token without one is dropped),
/// `scopes` a list or a space-separated string.
pub fn authorized_user_round_trip(json: &[u8]) -> Result<String, Refused> {
    let raw: Raw<'_> =
        serde_json::from_str(bounded(json, LIMIT)?).map_err(|_| "not a JSON object")?;
    if raw.duplicate {
        return Err("a key appears twice");
    }
    let secret = |field| text(field).map(|t| t.map(SecretCow));
    if text(raw.kind)?.is_some_and(|kind| kind != TYPE) {
        return Err("not an authorized_user file");
    }
    let token_uri = token_uri(text(raw.token_uri)?)?;
    let expiry = text(raw.expiry)?.map(|e| expiry(&e)).transpose()?;
    let client_id = text(raw.client_id)?.ok_or("no client_id")?;
    let client_secret = secret(raw.client_secret)?;
    let refresh_token = secret(raw.refresh_token)?.ok_or("no refresh_token")?;
    // A token is kept only with its expiry, and an expiry only with its token.
    let token = secret(raw.token)?.filter(|_| expiry.is_some());
    let expiry = expiry.filter(|_| token.is_some());
    let quota_project_id = text(raw.quota_project_id)?;
    let rapt_token = secret(raw.rapt_token)?;
    let universe_domain = text(raw.universe_domain)?;
    let account = text(raw.account)?;
    let scopes = match raw.scopes {
        None | Some(Field::Null) => Vec::new(),
        Some(Field::Strings(scopes)) => scopes,
        Some(Field::Str(Cow::Borrowed(joined))) => {
            joined.split_ascii_whitespace().map(Cow::Borrowed).collect()
        }
        Some(Field::Str(Cow::Owned(joined))) => joined
            .split_ascii_whitespace()
            .map(|s| Cow::Owned(s.to_owned()))
            .collect(),
        Some(_) => return Err("scopes must be a list of strings or a string"),
    };
    let file = File {
        kind: TYPE,
        token: token.as_ref().map(SecretCow::as_str),
        refresh_token: refresh_token.as_str(),
        token_uri: &token_uri,
        client_id: &client_id,
        client_secret: client_secret.as_ref().map(SecretCow::as_str),
        scopes: &scopes,
        quota_project_id: quota_project_id.as_deref(),
        rapt_token: rapt_token.as_ref().map(SecretCow::as_str),
        universe_domain: universe_domain.as_deref(),
        account: account.as_deref(),
        expiry: expiry.as_deref(),
    };
    Ok(serde_json::to_string(&file).expect("strings serialize"))
}

/// Google's token URI, or an https (or loopback http) one, as written.
fn token_uri(text: Option<Cow<'_, str>>) -> Result<Cow<'_, str>, Refused> {
    let Some(text) = text.filter(|uri| uri != GOOGLE_TOKEN_URI) else {
        return Ok(Cow::Borrowed(GOOGLE_TOKEN_URI));
    };
    let url = url::Url::parse(&text).map_err(|_| "token_uri is not a URL")?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        || url.host_str() == Some("localhost");
    match url.scheme() {
        "https" => Ok(Cow::Owned(url.into())),
        "http" if loopback => Ok(Cow::Owned(url.into())),
        _ => Err("token_uri must be https"),
    }
}

/// `expiry` as google-auth writes it (whole seconds, `Z`): RFC 3339 with
/// any offset, or none (UTC), from 1970.
fn expiry(text: &str) -> Result<String, Refused> {
    const INVALID: Refused = "expiry is not an RFC 3339 time from 1970";
    let has_offset = text
        .rsplit_once('T')
        .is_some_and(|(_, time)| time.ends_with(['Z', 'z']) || time.contains(['+', '-']));
    let parsed = if has_offset {
        OffsetDateTime::parse(text, &Rfc3339)
    } else {
        OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339)
    }
    .map_err(|_| INVALID)?;
    if parsed.unix_timestamp() < 0 {
        return Err(INVALID);
    }
    let utc = OffsetDateTime::from_unix_timestamp(parsed.unix_timestamp()).map_err(|_| INVALID)?;
    utc.format(&Rfc3339).map_err(|_| INVALID)
}
