//! Generated token endpoint responses: a status and a body whose fields
//! are present or absent, well or badly typed, at random.

use proptest::prelude::*;
use serde_json::{json, Map, Number, Value};

/// The fields a token response body may carry, in the order generated.
pub const FIELDS: [&str; 9] = [
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "id_token",
    "scope",
    "error",
    "error_description",
    "extension",
];

#[derive(Debug, Clone)]
pub enum Body {
    /// Bytes that are not a JSON object.
    Raw(&'static str),
    /// A JSON object, optionally after a UTF-8 byte-order mark.
    Object {
        fields: Map<String, Value>,
        bom: bool,
    },
}

#[derive(Debug, Clone)]
pub struct GeneratedResponse {
    pub status: u16,
    pub body: Body,
}

impl GeneratedResponse {
    pub fn to_http(&self) -> http::Response<Vec<u8>> {
        let body = match &self.body {
            Body::Raw(text) => text.as_bytes().to_vec(),
            Body::Object { fields, bom } => {
                let mut bytes = if *bom {
                    b"\xEF\xBB\xBF".to_vec()
                } else {
                    Vec::new()
                };
                bytes.extend(serde_json::to_vec(fields).unwrap());
                bytes
            }
        };
        http::Response::builder()
            .status(self.status)
            .body(body)
            .unwrap()
    }
}

pub fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        12 => Just(200),
        2 => prop::sample::select(vec![
            201, 204, 301, 302, 303, 307, 308, 400, 401, 403, 404, 408, 429, 500, 502, 503, 504,
        ]),
        1 => 100u16..600,
    ]
}

/// Any JSON value, mostly of the wrong type for any field.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        "[a-z0-9 ]{0,6}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({"nested": true})),
    ]
}

/// A token as servers send them, or a bad one.
fn token_text() -> impl Strategy<Value = Value> {
    prop_oneof![
        10 => "[A-Za-z0-9._~/+-]{1,24}",
        1 => prop::sample::select(vec!["", " lead", "in side", "\u{e9}t\u{e9}", "a\r\nb", "tab\t"])
            .prop_map(str::to_owned),
    ]
    .prop_map(Value::String)
}

fn token_type() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        "Bearer", "bearer", "BEARER", "bEaReR", "mac", "DPoP", "N_A", "",
    ])
    .prop_map(Value::from)
}

fn expires_in() -> impl Strategy<Value = Value> {
    let max = u64::from(u32::MAX);
    prop_oneof![
        4 => (0u64..=100_000).prop_map(Value::from),
        2 => (0u64..=100_000).prop_map(|n| Value::String(n.to_string())),
        1 => prop::sample::select(vec![max - 1, max, max + 1, u64::MAX]).prop_map(Value::from),
        1 => (i64::MIN..0).prop_map(Value::from),
        1 => prop::sample::select(vec![
            json!(3600.5), json!(3600.0), json!("3600.0"), json!("-5"), json!("1e3"), json!(""),
            json!(" 60"), json!("0003600"), json!("99999999999999999999999"), json!("4294967296"),
        ]),
    ]
}

fn scope() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        "openid read",
        "openid",
        "read",
        "",
        "  ",
        "read openid extra",
        "email",
    ])
    .prop_map(Value::from)
}

fn error_code() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        "invalid_grant",
        "invalid_client",
        "server_error",
        "temporarily_unavailable",
        "internal_failure",
        "",
        "custom\u{7}code",
    ])
    .prop_map(Value::from)
}

/// A field: absent, a plausible value, or (weight 1) any value.
fn field<S>(absent: u32, plausible: u32, value: S) -> impl Strategy<Value = Option<Value>>
where
    S: Strategy<Value = Value> + 'static,
{
    prop_oneof![
        absent => Just(None),
        plausible => value.prop_map(Some),
        1 => any_value().prop_map(Some),
    ]
}

fn object() -> BoxedStrategy<Map<String, Value>> {
    (
        field(1, 12, token_text()),
        field(1, 12, token_type()),
        field(2, 10, expires_in()),
        field(3, 8, token_text()),
        field(4, 8, token_text()),
        field(3, 8, scope()),
        field(40, 6, error_code()),
        field(6, 6, "[ -~]{0,12}".prop_map(Value::String)),
        field(6, 6, any_value()),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i)| {
            FIELDS
                .iter()
                .zip([a, b, c, d, e, f, g, h, i])
                .filter_map(|(name, value)| Some(((*name).to_owned(), value?)))
                .collect()
        })
        .boxed()
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        1 => prop::sample::select(vec![
            "", "<html><body>Bad Gateway</body></html>", "[]", "null", "\"token\"", "{",
            "{\"access_token\":", "{} x", "42",
        ])
        .prop_map(Body::Raw),
        12 => (object(), prop::bool::weighted(0.1)).prop_map(|(fields, bom)| Body::Object { fields, bom }),
    ]
}

/// Boxed: the strategy's type is deep enough to overflow a test thread's
/// stack in debug builds when nested in other strategies.
pub fn response() -> BoxedStrategy<GeneratedResponse> {
    (status(), body())
        .prop_map(|(status, body)| GeneratedResponse { status, body })
        .boxed()
}
