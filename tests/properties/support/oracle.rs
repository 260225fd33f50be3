//! What a token response must produce, restated from the rules
//! independently of the crate's parser: RFC 6749 §5; success only on HTTP
//! 200 with a JSON object holding a string `access_token` and a known
//! `token_type` (any case), a 200 with `error` or without `access_token`
//! being a failure; `expires_in` finite and not negative; a new refresh
//! token replaces the old, an absent one keeps it.

use std::time::{Duration, SystemTime};

use oauth2_sansio::limits::MAX_EXPIRES_IN;
use oauth2_sansio::{Credentials, Error, InvalidResponse, UserCredentials};
use serde_json::{Map, Value};

use super::responses::{Body, GeneratedResponse};

/// The tokens a successful response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granted {
    pub access_token: String,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub scopes: Option<Vec<String>>,
}

/// A kind of error the response calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    Redirect(u16),
    HttpStatus(u16),
    NotJsonObject(u16),
    OAuth { code: String, status: u16 },
    MissingField(&'static str),
    InvalidField(&'static str),
    UnsupportedTokenType,
}

impl Expected {
    pub fn matches(&self, error: &Error) -> bool {
        match (self, error) {
            (Expected::Redirect(s), Error::Redirect { status }) => s == status,
            (Expected::HttpStatus(s), Error::HttpStatus { status }) => s == status,
            (
                Expected::NotJsonObject(s),
                Error::InvalidResponse(InvalidResponse::NotJsonObject { status }),
            ) => s == status,
            (Expected::OAuth { code, status }, Error::OAuth(e)) => {
                e.code().as_str() == code && e.status() == Some(*status)
            }
            (
                Expected::MissingField(f),
                Error::InvalidResponse(InvalidResponse::MissingField { field }),
            ) => f == field,
            (
                Expected::InvalidField(f),
                Error::InvalidResponse(InvalidResponse::InvalidField { field, .. }),
            ) => f == field,
            (
                Expected::UnsupportedTokenType,
                Error::InvalidResponse(InvalidResponse::UnsupportedTokenType { .. }),
            ) => true,
            _ => false,
        }
    }
}

/// The outcome a response calls for: the tokens, or the errors any one of
/// which is a right answer (when several fields are bad, the rules do not
/// say which is reported).
pub fn expected(response: &GeneratedResponse) -> Result<Granted, Vec<Expected>> {
    let status = response.status;
    if (300..400).contains(&status) {
        return Err(vec![Expected::Redirect(status)]);
    }
    let Body::Object { fields, .. } = &response.body else {
        return Err(vec![if status == 200 {
            Expected::NotJsonObject(status)
        } else {
            Expected::HttpStatus(status)
        }]);
    };
    match fields.get("error") {
        None | Some(Value::Null) => {}
        Some(Value::String(code)) if !code.is_empty() => {
            let code = code.chars().filter(|c| !c.is_control()).collect();
            return Err(vec![Expected::OAuth { code, status }]);
        }
        Some(_) if status == 200 => return Err(vec![Expected::InvalidField("error")]),
        Some(_) => return Err(vec![Expected::HttpStatus(status)]),
    }
    if status != 200 {
        return Err(vec![Expected::HttpStatus(status)]);
    }
    granted(fields)
}

/// A string field: absent, `null` and `""` are absent; other types are wrong.
fn text<'a>(
    fields: &'a Map<String, Value>,
    name: &'static str,
    problems: &mut Vec<Expected>,
) -> Option<&'a str> {
    match fields.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            problems.push(Expected::InvalidField(name));
            None
        }
    }
}

fn granted(fields: &Map<String, Value>) -> Result<Granted, Vec<Expected>> {
    let mut problems = Vec::new();
    let access_token = text(fields, "access_token", &mut problems);
    match access_token {
        None if !problems.contains(&Expected::InvalidField("access_token")) => {
            problems.push(Expected::MissingField("access_token"))
        }
        Some(token) if !token.bytes().all(|b| b.is_ascii_graphic()) => {
            problems.push(Expected::InvalidField("access_token"))
        }
        _ => {}
    }
    match text(fields, "token_type", &mut problems) {
        None if !problems.contains(&Expected::InvalidField("token_type")) => {
            problems.push(Expected::MissingField("token_type"))
        }
        Some(kind) if !kind.eq_ignore_ascii_case("bearer") => {
            problems.push(Expected::UnsupportedTokenType)
        }
        _ => {}
    }
    let refresh_token = text(fields, "refresh_token", &mut problems);
    let id_token = text(fields, "id_token", &mut problems);
    let scope = text(fields, "scope", &mut problems);
    let expires_in = seconds(fields.get("expires_in"));
    if expires_in.is_err() {
        problems.push(Expected::InvalidField("expires_in"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Granted {
        access_token: access_token.unwrap().to_owned(),
        expires_in: expires_in.unwrap(),
        refresh_token: refresh_token.map(str::to_owned),
        id_token: id_token.map(str::to_owned),
        scopes: scope.map(|s| s.split_whitespace().map(str::to_owned).collect()),
    })
}

/// `expires_in`: a whole number of seconds as a JSON integer or a string of
/// digits, at most [`MAX_EXPIRES_IN`].
fn seconds(value: Option<&Value>) -> Result<Option<u64>, ()> {
    let secs = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        Some(_) => None,
    };
    match secs {
        Some(secs) if secs <= MAX_EXPIRES_IN => Ok(Some(secs)),
        _ => Err(()),
    }
}

/// What credentials held before a response, as far as it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub granted_scopes: Option<Vec<String>>,
    pub scopes: Vec<String>,
    pub client_id: String,
    pub token_uri: String,
}

impl Prior {
    pub fn of(credentials: &UserCredentials) -> Self {
        Self {
            refresh_token: credentials.refresh_token().map(|t| t.secret().to_owned()),
            id_token: credentials.id_token().map(|t| t.secret().to_owned()),
            granted_scopes: credentials.granted_scopes().map(<[String]>::to_vec),
            scopes: credentials.scopes().to_vec(),
            client_id: credentials.client_id().to_owned(),
            token_uri: credentials.token_uri().to_string(),
        }
    }
}

/// Checks that `after` is `prior` updated with `granted` received at `now`.
pub fn check_update(
    prior: &Prior,
    after: &UserCredentials,
    granted: &Granted,
    now: SystemTime,
) -> Result<(), String> {
    let token = after.token().ok_or("no access token")?;
    let expected = Prior {
        refresh_token: granted
            .refresh_token
            .clone()
            .or(prior.refresh_token.clone()),
        id_token: granted.id_token.clone().or(prior.id_token.clone()),
        granted_scopes: granted.scopes.clone().or(prior.granted_scopes.clone()),
        ..prior.clone()
    };
    let mut wrong = Vec::new();
    if token.token().secret() != granted.access_token {
        wrong.push("access token".to_owned());
    }
    if token.expiry() != granted.expires_in.map(|s| now + Duration::from_secs(s)) {
        wrong.push(format!("expiry {:?}", token.expiry()));
    }
    let actual = Prior::of(after);
    if actual != expected {
        wrong.push(format!("{actual:?}, expected {expected:?}"));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}
