//! Transcript tests of discovery (RFC 8414, OpenID Connect Discovery): the
//! exact GET with the path-insertion rule, the issuer compared byte for
//! byte, endpoints checked, and the client built from the metadata.

use oauth2_sansio::discovery::{AuthorizationServerMetadata, DiscoveryRequest, WellKnown};
use oauth2_sansio::google::{GOOGLE_DEVICE_AUTHORIZATION_URI, GOOGLE_REVOKE_URI, GOOGLE_TOKEN_URI};
use oauth2_sansio::{CallbackError, ClientAuthMethod, ConfigError, Error, InvalidResponse};
use testkit::one_request::*;

/// Google's OpenID configuration, as served.
const GOOGLE: &str = include_str!("../fixtures/google_openid_configuration.json");

fn discover(issuer: &str, document: WellKnown, answer: Answer) -> Run<AuthorizationServerMetadata> {
    run(
        DiscoveryRequest::new(issuer, document).build().unwrap(),
        vec![answer],
    )
}

/// A minimal document for `issuer` with `members` added.
fn document(issuer: &str, members: &str) -> Answer {
    Answer::ok(&format!(
        r#"{{"issuer":"{issuer}","authorization_endpoint":"https://as.example/auth","token_endpoint":"https://as.example/token"{members}}}"#
    ))
}

#[test]
fn googles_openid_configuration() {
    let run = discover(
        "https://accounts.google.com",
        WellKnown::OpenIdConfiguration,
        Answer::ok(GOOGLE),
    );
    assert_eq!(
        run.sent,
        [Sent::get_json(
            "https://accounts.google.com/.well-known/openid-configuration"
        )]
    );
    let metadata = run.result.unwrap();
    assert_eq!(metadata.issuer(), "https://accounts.google.com");
    assert_eq!(
        metadata.token_endpoint().unwrap().as_str(),
        GOOGLE_TOKEN_URI
    );
    assert_eq!(
        metadata.jwks_uri().unwrap().as_str(),
        "https://www.googleapis.com/oauth2/v3/certs"
    );
    assert_eq!(
        metadata.scopes_supported().unwrap(),
        ["openid", "email", "profile"]
    );
    assert_eq!(
        metadata.code_challenge_methods_supported().unwrap(),
        ["plain", "S256"]
    );
    assert!(!metadata.authorization_response_iss_parameter_supported());
    // Google lists client_secret_post and client_secret_basic only.
    assert!(metadata.supports_token_endpoint_auth_method(ClientAuthMethod::ClientSecretBasic));
    assert!(metadata.supports_token_endpoint_auth_method(ClientAuthMethod::ClientSecretPost));
    assert!(!metadata.supports_token_endpoint_auth_method(ClientAuthMethod::PrivateKeyJwt));
    assert_eq!(metadata.extra()["subject_types_supported"][0], "public");
    assert_eq!(metadata.extra().len(), 4);

    let client = metadata.client_builder("id.apps").build().unwrap();
    assert_eq!(
        client.authorization_endpoint().as_str(),
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(client.token_endpoint().as_str(), GOOGLE_TOKEN_URI);
    assert_eq!(
        client.revocation_endpoint().unwrap().as_str(),
        GOOGLE_REVOKE_URI
    );
    assert_eq!(
        client.device_authorization_endpoint().unwrap().as_str(),
        GOOGLE_DEVICE_AUTHORIZATION_URI
    );
    assert_eq!(client.introspection_endpoint(), None);
    assert_eq!(client.issuer(), Some("https://accounts.google.com"));
}

#[test]
fn without_a_list_only_client_secret_basic_is_supported() {
    let issuer = "https://as.example";
    let bare = discover(
        issuer,
        WellKnown::OAuthAuthorizationServer,
        document(issuer, ""),
    );
    let listed = discover(
        issuer,
        WellKnown::OAuthAuthorizationServer,
        document(
            issuer,
            r#","token_endpoint_auth_methods_supported":["private_key_jwt","none"]"#,
        ),
    );
    let (bare, listed) = (bare.result.unwrap(), listed.result.unwrap());
    for (method, in_bare, in_listed) in [
        (ClientAuthMethod::ClientSecretBasic, true, false),
        (ClientAuthMethod::ClientSecretPost, false, false),
        (ClientAuthMethod::None, false, true),
        (ClientAuthMethod::PrivateKeyJwt, false, true),
    ] {
        assert_eq!(
            bare.supports_token_endpoint_auth_method(method),
            in_bare,
            "{method:?}"
        );
        assert_eq!(
            listed.supports_token_endpoint_auth_method(method),
            in_listed,
            "{method:?}"
        );
    }
}

#[test]
fn rfc8414_inserts_the_well_known_path_before_the_issuer_path() {
    let issuer = "https://as.example/tenant/one";
    let run = discover(
        issuer,
        WellKnown::OAuthAuthorizationServer,
        document(issuer, ""),
    );
    assert_eq!(
        run.sent,
        [Sent::get_json(
            "https://as.example/.well-known/oauth-authorization-server/tenant/one"
        )]
    );
    assert_eq!(run.result.unwrap().issuer(), issuer);
    let oidc = discover(issuer, WellKnown::OpenIdConfiguration, document(issuer, ""));
    assert_eq!(
        oidc.sent,
        [Sent::get_json(
            "https://as.example/tenant/one/.well-known/openid-configuration"
        )]
    );
}

#[test]
fn the_issuer_must_be_the_one_asked_for_byte_for_byte() {
    let mismatch = Err(Error::InvalidResponse(InvalidResponse::InvalidField {
        field: "issuer",
        reason: "is not, byte for byte, the issuer the metadata was fetched for",
    }));
    for served in [
        "https://as.example/",
        "https://AS.example",
        "https://as.example:443",
        "https://evil.example",
        "https://as.example/tenant",
        "http://as.example",
        "https://as.example ",
    ] {
        let run = discover(
            "https://as.example",
            WellKnown::OAuthAuthorizationServer,
            document(served, ""),
        );
        assert_eq!(run.result.map(|_| ()), mismatch, "{served}");
    }
    for body in [
        r#"{"token_endpoint":"https://as.example/token"}"#,
        r#"{"issuer":""}"#,
        r#"{"issuer":null}"#,
    ] {
        let run = discover(
            "https://as.example",
            WellKnown::OpenIdConfiguration,
            Answer::ok(body),
        );
        assert_eq!(
            run.result.map(|_| ()),
            Err(Error::InvalidResponse(InvalidResponse::MissingField {
                field: "issuer"
            }))
        );
    }
}

#[test]
fn the_issuer_asked_for_is_checked() {
    let build = |issuer: &str| {
        DiscoveryRequest::new(issuer, WellKnown::OpenIdConfiguration)
            .build()
            .map(|_| ())
    };
    assert_eq!(
        build("http://as.example"),
        Err(ConfigError::InsecureEndpoint { endpoint: "issuer" })
    );
    for invalid in [
        "as.example",
        "https://as.example/?a=b",
        "https://as.example#f",
        "",
    ] {
        assert_eq!(
            build(invalid),
            Err(ConfigError::InvalidUrl { field: "issuer" }),
            "{invalid}"
        );
    }
    assert_eq!(build("http://127.0.0.1:3000"), Ok(()));
    let insecure = DiscoveryRequest::new("http://as.test", WellKnown::OAuthAuthorizationServer)
        .allow_insecure_endpoints(true)
        .build();
    assert!(insecure.is_ok());
}

#[test]
fn endpoints_follow_the_https_rule() {
    for member in [
        "authorization_endpoint",
        "token_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "device_authorization_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "registration_endpoint",
    ] {
        let body = format!(r#"{{"issuer":"https://as.example","{member}":"http://as.example/x"}}"#);
        let run = discover(
            "https://as.example",
            WellKnown::OAuthAuthorizationServer,
            Answer::ok(&body),
        );
        assert!(
            matches!(
                run.result,
                Err(Error::InvalidResponse(InvalidResponse::InvalidField { field, .. })) if field == member
            ),
            "{member}"
        );
    }
    // Human-facing pages are not endpoints: kept as sent.
    let run = discover(
        "https://as.example",
        WellKnown::OAuthAuthorizationServer,
        document(
            "https://as.example",
            r#","service_documentation":"http://docs.example""#,
        ),
    );
    assert_eq!(
        run.result.unwrap().extra()["service_documentation"],
        "http://docs.example"
    );
}

#[test]
fn insecure_discovery_carries_over_to_the_client() {
    let issuer = "http://as.test";
    let body = r#"{"issuer":"http://as.test","authorization_endpoint":"http://as.test/auth","token_endpoint":"http://as.test/token"}"#;
    let discovery = DiscoveryRequest::new(issuer, WellKnown::OAuthAuthorizationServer)
        .allow_insecure_endpoints(true)
        .build()
        .unwrap();
    let metadata = run(discovery, vec![Answer::ok(body)]).result.unwrap();
    assert!(metadata.client_builder("id").build().is_ok());
    // The public parser applies the strict rule.
    assert!(AuthorizationServerMetadata::parse(issuer, 200, body.as_bytes(), 4096).is_err());
}

#[test]
fn iss_parameter_support_makes_iss_required_in_the_callback() {
    let issuer = "https://as.example";
    let metadata = |value: &str| {
        discover(
            issuer,
            WellKnown::OAuthAuthorizationServer,
            document(
                issuer,
                &format!(r#","authorization_response_iss_parameter_supported":{value}"#),
            ),
        )
        .result
    };
    assert_eq!(
        metadata("\"yes\"").map(|_| ()),
        Err(Error::InvalidResponse(InvalidResponse::InvalidField {
            field: "authorization_response_iss_parameter_supported",
            reason: "must be a boolean"
        }))
    );
    let callback_without_iss = |supported: &str| {
        let metadata = metadata(supported).unwrap();
        let client = metadata.client_builder("id").build().unwrap();
        let (_, pending) = client
            .authorization_request("http://127.0.0.1:1/")
            .build_with_entropy(at(0), &[3; 64])
            .unwrap();
        let state = pending.state().secret().to_owned();
        pending
            .complete(
                &client,
                &format!("http://127.0.0.1:1/?state={state}&code=c"),
            )
            .map(|_| ())
    };
    assert_eq!(callback_without_iss("false"), Ok(()));
    assert!(matches!(
        callback_without_iss("true"),
        Err(CallbackError::MissingIssuer)
    ));
}

#[test]
fn code_challenge_methods_without_s256_refuse_authorization_requests() {
    let issuer = "https://as.example";
    let build = |members: &str| {
        let metadata = discover(
            issuer,
            WellKnown::OAuthAuthorizationServer,
            document(issuer, members),
        )
        .result
        .unwrap();
        let client = metadata.client_builder("id").build().unwrap();
        let built = client
            .authorization_request("http://127.0.0.1:1/")
            .build_with_entropy(at(0), &[3; 64])
            .map(|_| ());
        // Other flows of the same client are unaffected.
        assert!(client.client_credentials().build().is_ok());
        built
    };
    assert_eq!(build(""), Ok(()));
    assert_eq!(
        build(r#","code_challenge_methods_supported":["S256"]"#),
        Ok(())
    );
    assert_eq!(
        build(r#","code_challenge_methods_supported":["plain"]"#),
        Err(ConfigError::PkceS256Unsupported)
    );
    assert_eq!(
        build(r#","code_challenge_methods_supported":[]"#),
        Err(ConfigError::PkceS256Unsupported)
    );
    assert_eq!(
        build(r#","code_challenge_methods_supported":["s256"]"#),
        Err(ConfigError::PkceS256Unsupported)
    );
}

#[test]
fn a_document_without_the_code_flow_endpoints_cannot_make_a_client() {
    let issuer = "https://as.example";
    let metadata = discover(
        issuer,
        WellKnown::OAuthAuthorizationServer,
        Answer::ok(r#"{"issuer":"https://as.example","token_endpoint":"https://as.example/t"}"#),
    )
    .result
    .unwrap();
    assert_eq!(
        metadata.client_builder("id").build().map(|_| ()),
        Err(ConfigError::MissingEndpoint {
            endpoint: "authorization_endpoint"
        })
    );
}

#[test]
fn answers_that_are_errors() {
    let result = |answer| {
        discover("https://as.example", WellKnown::OpenIdConfiguration, answer)
            .result
            .map(|_| ())
    };
    assert_eq!(
        result(Answer::status(301, "")),
        Err(Error::Redirect { status: 301 })
    );
    assert_eq!(
        result(Answer::status(404, "<html>Not Found</html>")),
        Err(Error::HttpStatus { status: 404 })
    );
    assert_eq!(
        result(Answer::ok("[]")),
        Err(Error::InvalidResponse(InvalidResponse::NotJsonObject {
            status: 200
        }))
    );
    assert_eq!(
        result(Answer::ok(
            r#"{"issuer":"https://as.example","issuer":"https://evil.example"}"#
        )),
        Err(Error::InvalidResponse(InvalidResponse::DuplicateKey {
            key: "issuer".into()
        }))
    );
    assert!(matches!(
        result(Answer::ok(
            r#"{"issuer":"https://as.example","scopes_supported":"a b"}"#
        )),
        Ok(())
    ));
    assert!(matches!(
        result(Answer::ok(
            r#"{"issuer":"https://as.example","scopes_supported":[1]}"#
        )),
        Err(Error::InvalidResponse(InvalidResponse::InvalidField {
            field: "scopes_supported",
            ..
        }))
    ));
    assert!(matches!(result(Answer::Fail), Err(Error::Transport(_))));
    let bounded = DiscoveryRequest::new("https://as.example", WellKnown::OpenIdConfiguration)
        .response_limit(8)
        .build()
        .unwrap();
    assert_eq!(
        run(
            bounded,
            vec![Answer::ok(r#"{"issuer":"https://as.example"}"#)]
        )
        .result
        .map(|_| ()),
        Err(Error::InvalidResponse(InvalidResponse::BodyTooLarge {
            limit: 8
        }))
    );
}
