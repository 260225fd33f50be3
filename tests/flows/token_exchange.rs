//! Transcript tests of token exchange (RFC 8693): Google's STS request,
//! every optional parameter, client authentication, and the response's
//! `issued_token_type` and `N_A` token type.

use oauth2_sansio::google::GOOGLE_STS_URI;
use oauth2_sansio::token_exchange::{
    token_types, ExchangeTokenType, ExchangedToken, TokenExchange, TokenExchangeRequest,
    TOKEN_EXCHANGE_GRANT_TYPE,
};
use oauth2_sansio::{
    Client, ClientAuthMethod, ClientSecret, ConfigError, Error, ErrorCode, Freshness,
    InvalidResponse, SecurityToken, DEFAULT_REFRESH_THRESHOLD,
};
use testkit::one_request::*;

const AUDIENCE: &str =
    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/oidc";
const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";
const STS_ANSWER: &str = r#"{"access_token":"ya29.d.sts","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3599}"#;

fn google_sts() -> TokenExchange {
    TokenExchangeRequest::new(
        GOOGLE_STS_URI,
        SecurityToken::new("eyJ.sub.jwt"),
        token_types::JWT,
    )
    .audience(AUDIENCE)
    .scopes([CLOUD_PLATFORM])
    .requested_token_type(token_types::ACCESS_TOKEN)
    .build()
    .unwrap()
}

fn exchanged(answer: &str) -> Result<ExchangedToken, Error> {
    run(google_sts(), vec![Answer::ok(answer)]).result
}

#[test]
fn googles_sts_request_without_client_authentication() {
    let run = run(google_sts(), vec![Answer::ok(STS_ANSWER)]);
    assert_eq!(
        run.sent,
        [Sent::form(
            GOOGLE_STS_URI,
            None,
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange\
             &audience=%2F%2Fiam.googleapis.com%2Fprojects%2F123%2Flocations%2Fglobal%2FworkloadIdentityPools%2Fpool%2Fproviders%2Foidc\
             &scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform\
             &requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token\
             &subject_token=eyJ.sub.jwt\
             &subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"
        )]
    );
    let token = run.result.unwrap();
    assert_eq!(token.token().secret(), "ya29.d.sts");
    assert_eq!(token.token_type(), ExchangeTokenType::Bearer);
    assert_eq!(token.issued_token_type(), token_types::ACCESS_TOKEN);
    // Sent at 0: the lifetime counts from then.
    assert_eq!(token.expiry(), Some(at(3599)));
    assert!(token.extra().is_empty());
    let bearer = token.bearer_token().unwrap();
    assert_eq!(
        bearer.freshness(at(3599 - 225), DEFAULT_REFRESH_THRESHOLD),
        Freshness::Stale
    );
}

#[test]
fn every_parameter_in_google_auths_order_with_client_authentication() {
    let exchange = TokenExchangeRequest::new(
        "https://as.example/token",
        SecurityToken::new("subject"),
        token_types::ACCESS_TOKEN,
    )
    .actor_token(SecurityToken::new("actor"), token_types::ID_TOKEN)
    .resource("https://api.example/a")
    .resource("https://api.example/b")
    .audience("aud-1")
    .audience("aud-2")
    .scopes(["read", "write"])
    .requested_token_type(token_types::SAML2)
    .param("options", r#"{"userProject":"p"}"#)
    .client_authentication(
        ClientAuthMethod::ClientSecretBasic,
        "sts-client",
        Some(ClientSecret::new("sts secret")),
    )
    .build()
    .unwrap();
    let run = run(exchange, vec![Answer::ok(STS_ANSWER)]);
    assert_eq!(
        run.sent,
        [Sent::form(
            "https://as.example/token",
            Some(&basic("sts-client", "sts secret")),
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange\
             &resource=https%3A%2F%2Fapi.example%2Fa&resource=https%3A%2F%2Fapi.example%2Fb\
             &audience=aud-1&audience=aud-2&scope=read+write\
             &requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Asaml2\
             &subject_token=subject&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token\
             &actor_token=actor&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token\
             &options=%7B%22userProject%22%3A%22p%22%7D"
        )]
    );
}

#[test]
fn a_clients_exchange_goes_to_its_token_endpoint_authenticated_as_configured() {
    let client = Client::builder("app")
        .client_secret(ClientSecret::new("app-secret"))
        .auth_method(ClientAuthMethod::ClientSecretPost)
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .build()
        .unwrap();
    let exchange = client
        .token_exchange(SecurityToken::new("s"), token_types::ACCESS_TOKEN)
        .build()
        .unwrap();
    let run = run(exchange, vec![Answer::ok(STS_ANSWER)]);
    assert_eq!(
        run.sent,
        [Sent::form(
            "https://as.example/token",
            None,
            &format!(
                "grant_type={}&client_id=app&client_secret=app-secret&subject_token=s\
                 &subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token",
                url::form_urlencoded::byte_serialize(TOKEN_EXCHANGE_GRANT_TYPE.as_bytes())
                    .collect::<String>()
            )
        )]
    );
}

#[test]
fn the_request_is_checked() {
    let builder =
        || TokenExchangeRequest::new(GOOGLE_STS_URI, SecurityToken::new("s"), token_types::JWT);
    assert_eq!(
        TokenExchangeRequest::new(
            "http://sts.example/token",
            SecurityToken::new("s"),
            token_types::JWT
        )
        .build()
        .map(|_| ()),
        Err(ConfigError::InsecureEndpoint {
            endpoint: "token_exchange_endpoint"
        })
    );
    assert_eq!(
        TokenExchangeRequest::new(GOOGLE_STS_URI, SecurityToken::new("s"), "")
            .build()
            .map(|_| ()),
        Err(ConfigError::InvalidUrl {
            field: "subject_token_type"
        })
    );
    assert_eq!(
        builder()
            .actor_token(SecurityToken::new("a"), "jwt")
            .build()
            .map(|_| ()),
        Err(ConfigError::InvalidUrl {
            field: "actor_token_type"
        })
    );
    assert_eq!(
        builder()
            .requested_token_type("access token")
            .build()
            .map(|_| ()),
        Err(ConfigError::InvalidUrl {
            field: "requested_token_type"
        })
    );
    for name in ["subject_token", "audience", "grant_type", "client_secret"] {
        assert_eq!(
            builder().param(name, "x").build().map(|_| ()),
            Err(ConfigError::ReservedParameter { name: name.into() })
        );
    }
    assert!(matches!(
        builder().scopes(["a\"b"]).build(),
        Err(ConfigError::InvalidScope { .. })
    ));
    assert_eq!(
        builder()
            .client_authentication(ClientAuthMethod::ClientSecretPost, "id", None)
            .build()
            .map(|_| ()),
        Err(ConfigError::SecretRequired)
    );
}

#[test]
fn n_a_for_tokens_that_are_not_access_tokens() {
    let token = exchanged(
        r#"{"access_token":"eyJ.id.token","issued_token_type":"urn:ietf:params:oauth:token-type:id_token","token_type":"N_A","expires_in":300,"scope":"openid"}"#,
    )
    .unwrap();
    assert_eq!(token.token_type(), ExchangeTokenType::NotApplicable);
    assert_eq!(token.issued_token_type(), token_types::ID_TOKEN);
    assert_eq!(token.expiry(), Some(at(300)));
    assert_eq!(token.scopes().unwrap(), ["openid"]);
    // Not an access token: no bearer token to authorize requests with.
    assert!(token.bearer_token().is_none());
}

#[test]
fn the_token_response_rules_still_apply() {
    let invalid = |body: &str| match exchanged(body) {
        Err(Error::InvalidResponse(e)) => e,
        other => panic!("{body}: {other:?}"),
    };
    assert_eq!(
        invalid(r#"{"access_token":"a","token_type":"Bearer"}"#),
        InvalidResponse::MissingField {
            field: "issued_token_type"
        }
    );
    assert_eq!(
        invalid(r#"{"access_token":"a","token_type":"N_A","issued_token_type":7}"#),
        InvalidResponse::InvalidField {
            field: "issued_token_type",
            reason: "must be a string"
        }
    );
    assert_eq!(
        invalid(r#"{"access_token":"a","token_type":"DPoP","issued_token_type":"x:y"}"#),
        InvalidResponse::UnsupportedTokenType {
            token_type: "DPoP".into()
        }
    );
    for body in [
        r#"{"token_type":"N_A","issued_token_type":"x:y"}"#,
        r#"{"access_token":"","token_type":"N_A","issued_token_type":"x:y"}"#,
    ] {
        assert_eq!(
            invalid(body),
            InvalidResponse::MissingField {
                field: "access_token"
            }
        );
    }
    assert!(matches!(
        invalid(r#"{"access_token":"a b","token_type":"N_A","issued_token_type":"x:y"}"#),
        InvalidResponse::InvalidField {
            field: "access_token",
            ..
        }
    ));
    assert!(matches!(
        invalid(
            r#"{"access_token":"a","token_type":"N_A","issued_token_type":"x:y","expires_in":1.5}"#
        ),
        InvalidResponse::InvalidField {
            field: "expires_in",
            ..
        }
    ));
    assert_eq!(
        invalid(
            r#"{"access_token":"a","token_type":"N_A","token_type":"Bearer","issued_token_type":"x:y"}"#
        ),
        InvalidResponse::DuplicateKey {
            key: "token_type".into()
        }
    );
}

#[test]
fn errors_are_typed() {
    let result = |answer| run(google_sts(), vec![answer]).result;
    // Google's STS answers RFC 6749 errors.
    match result(Answer::status(
        400,
        r#"{"error":"invalid_grant","error_description":"The audience in ID Token does not match the expected audience."}"#,
    )) {
        Err(Error::OAuth(e)) => assert_eq!(*e.code(), ErrorCode::InvalidGrant),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        result(Answer::ok(r#"{"error":"invalid_target","access_token":"a","token_type":"N_A"}"#)),
        Err(Error::OAuth(e)) if e.code().as_str() == "invalid_target"
    ));
    assert_eq!(
        result(Answer::status(302, "")).unwrap_err(),
        Error::Redirect { status: 302 }
    );
    assert!(matches!(result(Answer::Fail), Err(Error::Transport(_))));
}

#[test]
fn debug_never_shows_the_tokens() {
    let exchange = TokenExchangeRequest::new(
        GOOGLE_STS_URI,
        SecurityToken::new("subject-secret"),
        token_types::JWT,
    )
    .actor_token(SecurityToken::new("actor-secret"), token_types::JWT)
    .build()
    .unwrap();
    let token = exchanged(STS_ANSWER).unwrap();
    let shown = format!("{exchange:?} {token:?}");
    for secret in ["subject-secret", "actor-secret", "ya29.d.sts"] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
