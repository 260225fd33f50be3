//! Transcript tests of revocation (RFC 7009): the exact request for every
//! client authentication method and token kind, Google's endpoint as the
//! default, and every kind of answer.

use oauth2_sansio::google::GOOGLE_REVOKE_URI;
use oauth2_sansio::{
    drive, AccessToken, Client, ClientAuthMethod, ClientSecret, ConfigError, Error, ErrorCode,
    InvalidResponse, RefreshToken, TokenRef, UserCredentials,
};
use testkit::one_request::*;

const REVOKE: &str = "https://as.example/revoke";

fn client(method: ClientAuthMethod, secret: Option<&str>) -> Client {
    let mut builder = Client::builder("app id")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .revocation_endpoint(REVOKE)
        .auth_method(method);
    if let Some(secret) = secret {
        builder = builder.client_secret(ClientSecret::new(secret));
    }
    builder.build().unwrap()
}

fn refresh_token() -> RefreshToken {
    RefreshToken::new("1//0g+r/t=")
}

#[test]
fn google_client_revokes_at_googles_endpoint_with_basic_auth() {
    let google = Client::google("id.apps", Some(ClientSecret::new("GOCSPX-s")))
        .build()
        .unwrap();
    let run = run(
        google.revoke(&refresh_token()).unwrap(),
        vec![Answer::ok("")],
    );
    assert_eq!(
        run.sent,
        [Sent::form(
            GOOGLE_REVOKE_URI,
            Some(&basic("id.apps", "GOCSPX-s")),
            "token=1%2F%2F0g%2Br%2Ft%3D&token_type_hint=refresh_token"
        )]
    );
    assert_eq!(run.result, Ok(()));
}

#[test]
fn each_client_authentication_method() {
    let token = refresh_token();
    for (client, authorization, body) in [
        (
            client(ClientAuthMethod::ClientSecretBasic, Some("s:é")),
            Some(basic("app id", "s:é")),
            "token=1%2F%2F0g%2Br%2Ft%3D&token_type_hint=refresh_token",
        ),
        (
            client(ClientAuthMethod::ClientSecretPost, Some("s:é")),
            None,
            "client_id=app+id&client_secret=s%3A%C3%A9&token=1%2F%2F0g%2Br%2Ft%3D&token_type_hint=refresh_token",
        ),
        (
            client(ClientAuthMethod::None, None),
            None,
            "client_id=app+id&token=1%2F%2F0g%2Br%2Ft%3D&token_type_hint=refresh_token",
        ),
    ] {
        let run = run(client.revoke(&token).unwrap(), vec![Answer::ok("{}")]);
        assert_eq!(
            run.sent,
            [Sent::form(REVOKE, authorization.as_deref(), body)]
        );
        assert_eq!(run.result, Ok(()));
    }
}

#[test]
fn access_tokens_are_hinted_as_such() {
    let client = client(ClientAuthMethod::None, None);
    let token = AccessToken::new("ya29.a");
    let run = run(
        client.revoke(TokenRef::from(&token)).unwrap(),
        vec![Answer::ok("")],
    );
    assert_eq!(
        run.sent,
        [Sent::form(
            REVOKE,
            None,
            "client_id=app+id&token=ya29.a&token_type_hint=access_token"
        )]
    );
}

#[test]
fn no_revocation_endpoint_is_a_configuration_error() {
    let client = Client::builder("id")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .build()
        .unwrap();
    assert_eq!(
        client.revoke(&refresh_token()).map(|_| ()),
        Err(ConfigError::MissingEndpoint {
            endpoint: "revocation_endpoint"
        })
    );
}

#[test]
fn answers() {
    let client = client(ClientAuthMethod::None, None);
    let token = refresh_token();
    let result = |answer: Answer| run(client.revoke(&token).unwrap(), vec![answer]).result;
    let oauth = |result: Result<(), Error>| match result {
        Err(Error::OAuth(e)) => e,
        other => panic!("expected an OAuth error, got {other:?}"),
    };

    // RFC 7009 §2.2: 200 whatever the body (unknown tokens too).
    assert_eq!(result(Answer::ok("not json at all")), Ok(()));
    // §2.2.1: typed errors; 503 is worth retrying.
    let unsupported = oauth(result(Answer::status(
        400,
        r#"{"error":"unsupported_token_type"}"#,
    )));
    assert_eq!(*unsupported.code(), ErrorCode::UnsupportedTokenType);
    // Google answers 400 invalid_token for a token already revoked.
    let google = oauth(result(Answer::status(
        400,
        r#"{"error":"invalid_token","error_description":"Token expired or revoked"}"#,
    )));
    assert_eq!(google.code().as_str(), "invalid_token");
    assert_eq!(google.description(), Some("Token expired or revoked"));
    let unavailable = result(Answer::status(503, "<html>busy</html>"));
    assert_eq!(unavailable, Err(Error::HttpStatus { status: 503 }));
    assert!(unavailable.unwrap_err().is_retryable());
    // A redirect is never followed: the body carries the token.
    for status in [301, 302, 303, 307, 308] {
        assert_eq!(
            result(Answer::status(status, "")),
            Err(Error::Redirect { status })
        );
    }
    // Only 200 means revoked.
    assert_eq!(
        result(Answer::status(204, "")),
        Err(Error::HttpStatus { status: 204 })
    );
    let failed = result(Answer::Fail).unwrap_err();
    assert!(matches!(failed, Error::Transport(_)) && failed.is_retryable());
}

#[test]
fn the_ignored_body_is_still_bounded() {
    let client = Client::builder("id")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .revocation_endpoint(REVOKE)
        .response_limit(16)
        .build()
        .unwrap();
    let result = |body: &str| {
        run(
            client.revoke(&refresh_token()).unwrap(),
            vec![Answer::ok(body)],
        )
        .result
    };
    assert_eq!(result("0123456789abcdef"), Ok(()));
    assert_eq!(
        result("0123456789abcdefX"),
        Err(Error::InvalidResponse(InvalidResponse::BodyTooLarge {
            limit: 16
        }))
    );
}

/// Credentials from a code exchange whose response is `tokens`.
fn signed_in(client: &Client, tokens: &str) -> UserCredentials {
    let (_, pending) = client
        .authorization_request("http://127.0.0.1:1/")
        .build_with_entropy(at(0), &[1; 64])
        .unwrap();
    let state = pending.state().secret().to_owned();
    let exchange = pending
        .complete(client, &format!("http://127.0.0.1:1/?state={state}&code=c"))
        .unwrap();
    drive(
        exchange,
        || at(0),
        |_| Ok(http::Response::new(tokens.as_bytes().to_vec())),
        |_| {},
    )
    .unwrap()
}

#[test]
fn user_credentials_revoke_as_they_refresh() {
    let google = Client::google("id.apps", Some(ClientSecret::new("GOCSPX-s")))
        .build()
        .unwrap();
    let credentials = signed_in(
        &google,
        r#"{"access_token":"ya29.a","token_type":"Bearer","expires_in":3599,"refresh_token":"1//r"}"#,
    );
    let endpoint = credentials.revocation_endpoint().expect("Google's");
    assert_eq!(endpoint.as_str(), GOOGLE_REVOKE_URI);

    // google-auth refreshes with the client credentials in the body.
    let refresh = run(
        credentials.revoke_refresh_token(&endpoint).unwrap(),
        vec![Answer::ok("")],
    );
    assert_eq!(
        refresh.sent,
        [Sent::form(
            GOOGLE_REVOKE_URI,
            None,
            "client_id=id.apps&client_secret=GOCSPX-s&token=1%2F%2Fr&token_type_hint=refresh_token"
        )]
    );
    let access = run(
        credentials
            .clone()
            .with_refresh_auth(ClientAuthMethod::ClientSecretBasic)
            .revoke_access_token(&endpoint)
            .expect("has an access token"),
        vec![Answer::ok("")],
    );
    assert_eq!(
        access.sent,
        [Sent::form(
            GOOGLE_REVOKE_URI,
            Some(&basic("id.apps", "GOCSPX-s")),
            "token=ya29.a&token_type_hint=access_token"
        )]
    );
}

#[test]
fn user_credentials_without_the_token_have_nothing_to_revoke() {
    let client = client(ClientAuthMethod::None, None);
    let endpoint = url::Url::parse(REVOKE).unwrap();
    let no_refresh = signed_in(&client, r#"{"access_token":"a","token_type":"Bearer"}"#);
    assert_eq!(
        no_refresh.revoke_refresh_token(&endpoint).map(|_| ()),
        Err(Error::NoRefreshToken)
    );
    let no_access = UserCredentials::from_refresh_token(&client, refresh_token(), vec![]);
    assert!(no_access.revoke_access_token(&endpoint).is_none());
    // Not Google's token endpoint: the revocation endpoint is not known.
    assert_eq!(no_access.revocation_endpoint(), None);
}

#[test]
fn debug_never_shows_the_token() {
    let token = refresh_token();
    let client = client(ClientAuthMethod::ClientSecretPost, Some("hunter2"));
    let shown = format!(
        "{:?} {:?}",
        client.revoke(&token).unwrap(),
        TokenRef::from(&token)
    );
    assert!(
        !shown.contains("0g+r") && !shown.contains("0g%2Br"),
        "{shown}"
    );
    assert!(!shown.contains("hunter2"), "{shown}");
}
