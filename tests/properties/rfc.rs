//! Property tests for revocation, introspection, discovery and token
//! exchange: discovery accepts only the byte-identical issuer (generated
//! near misses: trailing slash, case, port, path, scheme, whitespace);
//! introspection's `active` must be a JSON boolean whatever else the answer
//! holds; the form bodies carry exactly the given values; only HTTP 200 is
//! a revocation.

use oauth2_sansio::discovery::{AuthorizationServerMetadata, DiscoveryRequest, WellKnown};
use oauth2_sansio::url::form_urlencoded;
use oauth2_sansio::{
    Client, ClientAuthMethod, ClientSecret, Error, IntrospectionResponse, InvalidResponse,
    RefreshToken,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use testkit::one_request::{run, Answer};

const LIMIT: usize = 1 << 16;

/// An https issuer: a host of one to three labels, an optional port other
/// than 443, and zero to three path segments, with or without a
/// terminating slash.
fn issuer() -> impl Strategy<Value = String> {
    (
        prop::collection::vec("[a-z][a-z0-9]{0,6}", 1..4),
        prop::option::of(1u16..=65535).prop_filter("not the default port", |p| *p != Some(443)),
        prop::collection::vec("[a-z0-9_~-]{1,6}", 0..4),
        any::<bool>(),
    )
        .prop_map(|(labels, port, segments, slash)| {
            let mut issuer = format!("https://{}", labels.join("."));
            if let Some(port) = port {
                issuer.push_str(&format!(":{port}"));
            }
            for segment in segments {
                issuer.push('/');
                issuer.push_str(&segment);
            }
            if slash {
                issuer.push('/');
            }
            issuer
        })
}

/// The ways a served issuer can almost be the one asked for.
#[derive(Debug, Clone)]
enum NearMiss {
    ToggleTrailingSlash,
    UppercaseAt(prop::sample::Index),
    ExplicitDefaultPort,
    OtherPort(u16),
    AppendSegment(String),
    DropLastSegment,
    Http,
    TrailingSpace,
    PercentEncodeAt(prop::sample::Index),
}

fn near_miss() -> impl Strategy<Value = NearMiss> {
    prop_oneof![
        Just(NearMiss::ToggleTrailingSlash),
        any::<prop::sample::Index>().prop_map(NearMiss::UppercaseAt),
        Just(NearMiss::ExplicitDefaultPort),
        (1u16..=65535).prop_map(NearMiss::OtherPort),
        "[a-z0-9]{1,4}".prop_map(NearMiss::AppendSegment),
        Just(NearMiss::DropLastSegment),
        Just(NearMiss::Http),
        Just(NearMiss::TrailingSpace),
        any::<prop::sample::Index>().prop_map(NearMiss::PercentEncodeAt),
    ]
}

/// `issuer` altered by `miss`; may come out unchanged (a mutation that
/// does not apply), which the property skips.
fn apply(issuer: &str, miss: &NearMiss) -> String {
    let authority_end = issuer[8..].find('/').map_or(issuer.len(), |i| i + 8);
    let (origin, path) = issuer.split_at(authority_end);
    match miss {
        NearMiss::ToggleTrailingSlash => match issuer.strip_suffix('/') {
            Some(trimmed) => trimmed.to_owned(),
            None => format!("{issuer}/"),
        },
        NearMiss::UppercaseAt(index) => {
            let mut bytes = issuer.as_bytes().to_vec();
            let letters: Vec<usize> = (0..bytes.len())
                .filter(|i| bytes[*i].is_ascii_lowercase())
                .collect();
            let at = letters[index.index(letters.len())];
            bytes[at] = bytes[at].to_ascii_uppercase();
            String::from_utf8(bytes).unwrap()
        }
        NearMiss::ExplicitDefaultPort if !origin[8..].contains(':') => {
            format!("{origin}:443{path}")
        }
        NearMiss::ExplicitDefaultPort => issuer.to_owned(),
        NearMiss::OtherPort(port) => {
            let host = origin.split(':').take(2).collect::<Vec<_>>().join(":");
            format!("{host}:{port}{path}")
        }
        NearMiss::AppendSegment(segment) => {
            format!("{}/{segment}", issuer.trim_end_matches('/'))
        }
        NearMiss::DropLastSegment => match path.trim_end_matches('/').rsplit_once('/') {
            Some((rest, _)) => format!("{origin}{rest}"),
            None => issuer.to_owned(),
        },
        NearMiss::Http => issuer.replacen("https://", "http://", 1),
        NearMiss::TrailingSpace => format!("{issuer} "),
        NearMiss::PercentEncodeAt(index) => {
            // A path character written as %XX names the same resource to
            // many servers, but is not the same identifier.
            let positions: Vec<usize> = path
                .char_indices()
                .filter(|(_, c)| c.is_ascii_alphanumeric())
                .map(|(i, _)| i)
                .collect();
            if positions.is_empty() {
                return issuer.to_owned();
            }
            let at = positions[index.index(positions.len())];
            format!(
                "{origin}{}%{:02X}{}",
                &path[..at],
                path.as_bytes()[at],
                &path[at + 1..]
            )
        }
    }
}

fn metadata_for(served: &str) -> Vec<u8> {
    json!({
        "issuer": served,
        "authorization_endpoint": "https://as.example/auth",
        "token_endpoint": "https://as.example/token",
    })
    .to_string()
    .into_bytes()
}

const MISMATCH: Error = Error::InvalidResponse(InvalidResponse::InvalidField {
    field: "issuer",
    reason: "is not, byte for byte, the issuer the metadata was fetched for",
});

/// Any JSON value, nested a little.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Claims with any values, under the standard names and others.
fn claims() -> impl Strategy<Value = serde_json::Map<String, Value>> {
    prop::collection::btree_map(
        prop_oneof![
            prop::sample::select(vec![
                "scope",
                "client_id",
                "username",
                "token_type",
                "exp",
                "iat",
                "nbf",
                "sub",
                "aud",
                "iss",
                "jti"
            ])
            .prop_map(str::to_owned),
            "x_[a-z]{1,4}",
        ],
        json_value(),
        0..6,
    )
    .prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn discovery_accepts_only_the_byte_identical_issuer(
        issuer in issuer(),
        miss in near_miss(),
        oidc in any::<bool>(),
    ) {
        let served = apply(&issuer, &miss);
        prop_assume!(served != issuer);
        let document = if oidc { WellKnown::OpenIdConfiguration } else { WellKnown::OAuthAuthorizationServer };
        let machine = DiscoveryRequest::new(issuer.as_str(), document).build().unwrap();
        let refused = run(machine, vec![Answer::Http(200, metadata_for(&served))]).result;
        prop_assert_eq!(refused.map(|_| ()), Err(MISMATCH));
        let machine = DiscoveryRequest::new(issuer.as_str(), document).build().unwrap();
        let accepted = run(machine, vec![Answer::Http(200, metadata_for(&issuer))]).result;
        let accepted = accepted.unwrap();
        prop_assert_eq!(accepted.issuer(), issuer.as_str());
    }

    #[test]
    fn discovery_refuses_any_other_issuer_string(issuer in issuer(), served in "\\PC{0,40}") {
        prop_assume!(served != issuer);
        let parsed = AuthorizationServerMetadata::parse(&issuer, 200, &metadata_for(&served), LIMIT);
        let expected = if served.is_empty() {
            Error::InvalidResponse(InvalidResponse::MissingField { field: "issuer" })
        } else {
            MISMATCH
        };
        prop_assert_eq!(parsed.map(|_| ()), Err(expected));
    }

    #[test]
    fn well_known_urls_keep_the_origin_and_path(issuer in issuer()) {
        let trimmed = issuer.strip_suffix('/').unwrap_or(&issuer);
        let authority_end = trimmed[8..].find('/').map_or(trimmed.len(), |i| i + 8);
        let (origin, path) = trimmed.split_at(authority_end);
        let rfc = WellKnown::OAuthAuthorizationServer.url(&issuer, false).unwrap();
        prop_assert_eq!(rfc.as_str(), format!("{origin}/.well-known/oauth-authorization-server{path}"));
        let oidc = WellKnown::OpenIdConfiguration.url(&issuer, false).unwrap();
        prop_assert_eq!(oidc.as_str(), format!("{trimmed}/.well-known/openid-configuration"));
    }

    #[test]
    fn introspection_active_must_be_a_boolean(active in json_value(), claims in claims()) {
        let mut body = claims.clone();
        body.insert("active".into(), active.clone());
        let parsed = IntrospectionResponse::parse(200, Value::Object(body).to_string().as_bytes(), LIMIT);
        match active {
            Value::Bool(false) => prop_assert_eq!(parsed, Ok(IntrospectionResponse::Inactive)),
            Value::Bool(true) => prop_assert!(
                parsed.as_ref().is_ok_and(IntrospectionResponse::is_active)
                    || matches!(parsed, Err(Error::InvalidResponse(InvalidResponse::InvalidField { .. }))),
                "{:?}", parsed
            ),
            Value::Null => prop_assert_eq!(
                parsed,
                Err(Error::InvalidResponse(InvalidResponse::MissingField { field: "active" }))
            ),
            _ => prop_assert_eq!(
                parsed,
                Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                    field: "active",
                    reason: "must be a boolean"
                }))
            ),
        }
    }

    #[test]
    fn active_tokens_keep_every_unknown_member(extra in prop::collection::btree_map("x_[a-z]{1,6}", json_value(), 0..6)) {
        let mut body: serde_json::Map<String, Value> = extra.clone().into_iter().collect();
        body.insert("active".into(), true.into());
        let parsed = IntrospectionResponse::parse(200, Value::Object(body).to_string().as_bytes(), LIMIT).unwrap();
        let token = parsed.active().unwrap();
        prop_assert_eq!(token.extra().len(), extra.len());
        for (name, value) in &extra {
            // As sent: serde_json's float printing may round.
            let sent: Value = serde_json::from_str(&value.to_string()).unwrap();
            prop_assert_eq!(&token.extra()[name], &sent);
        }
    }

    #[test]
    fn revocation_bodies_carry_exactly_the_values(
        token in "\\PC{1,40}",
        id in "\\PC{1,20}",
        secret in "\\PC{1,20}",
        method in prop::sample::select(vec![
            ClientAuthMethod::ClientSecretBasic,
            ClientAuthMethod::ClientSecretPost,
            ClientAuthMethod::None,
        ]),
    ) {
        let mut builder = Client::builder(id.as_str())
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .revocation_endpoint("https://as.example/revoke")
            .auth_method(method);
        if method != ClientAuthMethod::None {
            builder = builder.client_secret(ClientSecret::new(secret.as_str()));
        }
        let client = builder.build().unwrap();
        let sent = run(client.revoke(&RefreshToken::new(token.as_str())).unwrap(), vec![Answer::ok("")]).sent;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(sent[0].body.as_bytes()).into_owned().collect();
        let mut expected = Vec::new();
        match method {
            ClientAuthMethod::ClientSecretPost => {
                expected.push(("client_id".to_owned(), id.clone()));
                expected.push(("client_secret".to_owned(), secret.clone()));
            }
            ClientAuthMethod::None => expected.push(("client_id".to_owned(), id.clone())),
            _ => {}
        }
        expected.push(("token".to_owned(), token));
        expected.push(("token_type_hint".to_owned(), "refresh_token".to_owned()));
        prop_assert_eq!(pairs, expected);
    }

    #[test]
    fn only_http_200_is_a_revocation(status in 100u16..=599, body in ".{0,64}") {
        let client = Client::builder("id")
            .authorization_endpoint("https://as.example/auth")
            .token_endpoint("https://as.example/token")
            .revocation_endpoint("https://as.example/revoke")
            .build()
            .unwrap();
        let result = run(
            client.revoke(&RefreshToken::new("r")).unwrap(),
            vec![Answer::status(status, &body)],
        )
        .result;
        match status {
            200 => prop_assert_eq!(result, Ok(())),
            300..=399 => prop_assert_eq!(result, Err(Error::Redirect { status })),
            _ => prop_assert!(result.is_err()),
        }
    }
}
