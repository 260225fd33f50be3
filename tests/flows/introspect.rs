//! Transcript tests of introspection (RFC 7662): the exact request, the
//! typed claims, `active` typing, and the answers that are errors.

use std::time::{Duration, SystemTime};

use oauth2_sansio::{
    AccessToken, Client, ClientAuthMethod, ClientSecret, ConfigError, Error, ErrorCode,
    IntrospectionResponse, InvalidResponse, RefreshToken,
};
use testkit::one_request::*;

const INTROSPECT: &str = "https://as.example/introspect";

fn client(method: ClientAuthMethod) -> Client {
    let builder = Client::builder("rs")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .introspection_endpoint(INTROSPECT)
        .auth_method(method);
    match method {
        ClientAuthMethod::None => builder,
        _ => builder.client_secret(ClientSecret::new("rs secret")),
    }
    .build()
    .unwrap()
}

fn introspect(body: &str) -> Result<IntrospectionResponse, Error> {
    let token = AccessToken::new("at");
    run(
        client(ClientAuthMethod::ClientSecretBasic)
            .introspect(&token)
            .unwrap(),
        vec![Answer::ok(body)],
    )
    .result
}

#[test]
fn requests_for_each_method_and_token_kind() {
    let access = AccessToken::new("2YotnFZFEjr1zCsicMWpAA");
    let refresh = RefreshToken::new("1//r+t");
    let basic_run = run(
        client(ClientAuthMethod::ClientSecretBasic)
            .introspect(&access)
            .unwrap(),
        vec![Answer::ok(r#"{"active":false}"#)],
    );
    assert_eq!(
        basic_run.sent,
        [Sent::form(
            INTROSPECT,
            Some(&basic("rs", "rs secret")),
            "token=2YotnFZFEjr1zCsicMWpAA&token_type_hint=access_token"
        )]
    );
    assert_eq!(basic_run.result, Ok(IntrospectionResponse::Inactive));

    let post_run = run(
        client(ClientAuthMethod::ClientSecretPost)
            .introspect(&refresh)
            .unwrap(),
        vec![Answer::ok(r#"{"active":false}"#)],
    );
    assert_eq!(
        post_run.sent,
        [Sent::form(
            INTROSPECT,
            None,
            "client_id=rs&client_secret=rs+secret&token=1%2F%2Fr%2Bt&token_type_hint=refresh_token"
        )]
    );

    let public_run = run(
        client(ClientAuthMethod::None).introspect(&access).unwrap(),
        vec![Answer::ok(r#"{"active":false}"#)],
    );
    assert_eq!(
        public_run.sent,
        [Sent::form(
            INTROSPECT,
            None,
            "client_id=rs&token=2YotnFZFEjr1zCsicMWpAA&token_type_hint=access_token"
        )]
    );
}

#[test]
fn no_introspection_endpoint_is_a_configuration_error() {
    let client = Client::google("id", None).build().unwrap();
    assert_eq!(
        client.introspect(&AccessToken::new("a")).map(|_| ()),
        Err(ConfigError::MissingEndpoint {
            endpoint: "introspection_endpoint"
        })
    );
}

#[test]
fn active_token_claims_are_typed_and_the_rest_kept() {
    let answer = introspect(
        r#"{"active":true,"scope":"openid  email","client_id":"web","username":"jdoe",
            "token_type":"Bearer","exp":1767229200,"iat":1767225600,"nbf":1767225599.5,
            "sub":"user1","aud":["api","web"],"iss":"https://as.example","jti":"j-1",
            "cnf":{"x5t#S256":"abc"},"tenant":7}"#,
    )
    .unwrap();
    assert!(answer.is_active());
    let token = answer.active().unwrap();
    let unix = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
    assert_eq!(token.scopes().unwrap(), ["openid", "email"]);
    assert_eq!(token.client_id(), Some("web"));
    assert_eq!(token.username(), Some("jdoe"));
    assert_eq!(token.token_type(), Some("Bearer"));
    assert_eq!(token.exp(), Some(unix(1_767_229_200)));
    assert_eq!(token.iat(), Some(unix(1_767_225_600)));
    assert_eq!(token.nbf(), Some(unix(1_767_225_599)));
    assert_eq!(token.sub(), Some("user1"));
    assert_eq!(token.aud().unwrap(), ["api", "web"]);
    assert_eq!(token.iss(), Some("https://as.example"));
    assert_eq!(token.jti(), Some("j-1"));
    let mut extra: Vec<&str> = token.extra().keys().map(String::as_str).collect();
    extra.sort();
    assert_eq!(extra, ["cnf", "tenant"]);
    assert_eq!(token.extra()["tenant"], 7);
}

#[test]
fn a_bare_active_token_has_no_claims() {
    let answer = introspect(r#"{"active":true}"#).unwrap();
    let token = answer.active().unwrap();
    assert_eq!(token.scopes(), None);
    assert_eq!(token.aud(), None);
    assert_eq!(token.exp(), None);
    assert!(token.extra().is_empty());
}

#[test]
fn active_must_be_a_boolean() {
    assert_eq!(
        introspect(r#"{"scope":"a"}"#),
        Err(Error::InvalidResponse(InvalidResponse::MissingField {
            field: "active"
        }))
    );
    assert_eq!(
        introspect(r#"{"active":null}"#),
        Err(Error::InvalidResponse(InvalidResponse::MissingField {
            field: "active"
        }))
    );
    for value in [r#""true""#, "1", "0", r#""false""#, "[]", "{}", "[true]"] {
        assert_eq!(
            introspect(&format!(r#"{{"active":{value}}}"#)),
            Err(Error::InvalidResponse(InvalidResponse::InvalidField {
                field: "active",
                reason: "must be a boolean"
            })),
            "{value}"
        );
    }
}

#[test]
fn inactive_ignores_every_other_member() {
    assert_eq!(
        introspect(r#"{"active":false,"scope":5,"exp":"soon","aud":{},"sub":"x"}"#),
        Ok(IntrospectionResponse::Inactive)
    );
}

#[test]
fn mistyped_claims_of_an_active_token_are_errors() {
    for (member, value) in [
        ("scope", r#"["a","b"]"#),
        ("client_id", "5"),
        ("username", "true"),
        ("token_type", "{}"),
        ("sub", "[]"),
        ("iss", "1"),
        ("jti", "2"),
        ("aud", "5"),
        ("aud", r#"["a",1]"#),
        ("exp", r#""1767229200""#),
        ("iat", "-1"),
        ("nbf", "1e20"),
    ] {
        let result = introspect(&format!(r#"{{"active":true,"{member}":{value}}}"#));
        assert!(
            matches!(
                result,
                Err(Error::InvalidResponse(InvalidResponse::InvalidField { field, .. })) if field == member
            ),
            "{member}={value}: {result:?}"
        );
    }
}

#[test]
fn answers_that_are_errors() {
    let oauth = introspect_status(401, r#"{"error":"invalid_client"}"#);
    assert!(matches!(&oauth, Err(Error::OAuth(e)) if *e.code() == ErrorCode::InvalidClient));
    assert!(matches!(
        introspect(r#"{"active":true,"error":"invalid_request"}"#),
        Err(Error::OAuth(_))
    ));
    assert_eq!(
        introspect_status(302, ""),
        Err(Error::Redirect { status: 302 })
    );
    assert_eq!(
        introspect_status(500, "<html>"),
        Err(Error::HttpStatus { status: 500 })
    );
    assert_eq!(
        introspect("<html>"),
        Err(Error::InvalidResponse(InvalidResponse::NotJsonObject {
            status: 200
        }))
    );
    assert_eq!(
        introspect(r#"{"active":true,"active":false}"#),
        Err(Error::InvalidResponse(InvalidResponse::DuplicateKey {
            key: "active".into()
        }))
    );
    assert_eq!(
        IntrospectionResponse::parse(200, br#"{"active":false}     "#, 17),
        Err(Error::InvalidResponse(InvalidResponse::BodyTooLarge {
            limit: 17
        }))
    );
}

fn introspect_status(status: u16, body: &str) -> Result<IntrospectionResponse, Error> {
    let token = AccessToken::new("at");
    run(
        client(ClientAuthMethod::None).introspect(&token).unwrap(),
        vec![Answer::status(status, body)],
    )
    .result
}
