//! Callback validation: issuer (RFC 9207), order of checks, mix-up, paste mode.

use std::time::SystemTime;

use oauth2_sansio::{CallbackError, Client, ClientSecret, ErrorCode, PendingAuthorization};

const ISSUER: &str = "https://as.example";

fn client(require_issuer: bool) -> Client {
    Client::builder("app")
        .client_secret(ClientSecret::new("secret"))
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .issuer(ISSUER)
        .require_issuer_in_callback(require_issuer)
        .build()
        .unwrap()
}

/// The same pending authorization on every call (fixed entropy): it is
/// single-use, so a test that completes it twice makes it twice.
fn pending(client: &Client) -> (PendingAuthorization, String) {
    let (_, pending) = client
        .authorization_request("http://127.0.0.1:8080/")
        .scope("openid")
        .build_with_entropy(SystemTime::UNIX_EPOCH, &[5; 64])
        .unwrap();
    let state = pending.state().secret().to_owned();
    (pending, state)
}

fn complete(require_issuer: bool, query: impl Fn(&str) -> String) -> Result<(), CallbackError> {
    let client = client(require_issuer);
    let (pending, state) = pending(&client);
    pending.complete(&client, &query(&state)).map(|_| ())
}

#[test]
fn matching_issuer_is_accepted_with_or_without_requirement() {
    for required in [false, true] {
        assert_eq!(
            complete(required, |s| format!(
                "?code=c&state={s}&iss=https%3A%2F%2Fas.example"
            )),
            Ok(())
        );
    }
}

#[test]
fn missing_issuer_is_refused_only_when_required() {
    assert_eq!(complete(false, |s| format!("?code=c&state={s}")), Ok(()));
    assert_eq!(
        complete(true, |s| format!("?code=c&state={s}")),
        Err(CallbackError::MissingIssuer)
    );
}

#[test]
fn issuer_must_match_byte_for_byte() {
    for iss in [
        "https%3A%2F%2Fas.example%2F",
        "https%3A%2F%2FAS.example",
        "https%3A%2F%2Fevil.example",
    ] {
        assert_eq!(
            complete(false, |s| format!("?code=c&state={s}&iss={iss}")),
            Err(CallbackError::IssuerMismatch),
            "{iss}"
        );
    }
}

#[test]
fn issuer_and_state_are_checked_before_the_error_is_acted_on() {
    assert_eq!(
        complete(false, |s| format!(
            "?error=access_denied&state={s}&iss=https%3A%2F%2Fevil.example"
        )),
        Err(CallbackError::IssuerMismatch)
    );
    assert_eq!(
        complete(false, |_| "?error=access_denied&state=forged".to_owned()),
        Err(CallbackError::StateMismatch)
    );
    assert_eq!(
        complete(false, |_| "?error=access_denied".to_owned()),
        Err(CallbackError::MissingState)
    );
}

#[test]
fn authorization_errors_are_typed_and_cleaned() {
    let err = complete(false, |s| {
        format!("?error=access_denied&error_description=User%0D%0Adenied%1B%5B31m&state={s}")
    })
    .unwrap_err();
    let CallbackError::Authorization(e) = err else {
        panic!("{err:?}")
    };
    assert_eq!(*e.code(), ErrorCode::AccessDenied);
    assert_eq!(e.description(), Some("Userdenied[31m"));
    assert_eq!(e.status(), None);
}

#[test]
fn a_pending_authorization_redeems_only_at_its_own_server() {
    let original = client(false);
    let (first, state) = pending(&original);
    let other_server = Client::builder("app")
        .client_secret(ClientSecret::new("secret"))
        .authorization_endpoint("https://evil.example/auth")
        .token_endpoint("https://evil.example/token")
        .build()
        .unwrap();
    let callback = format!("?code=c&state={state}");
    assert_eq!(
        first.complete(&other_server, &callback).map(|_| ()),
        Err(CallbackError::WrongClient)
    );
    let other_client = Client::builder("someone-else")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .build()
        .unwrap();
    assert_eq!(
        pending(&original)
            .0
            .complete(&other_client, &callback)
            .map(|_| ()),
        Err(CallbackError::WrongClient)
    );
}

#[test]
fn full_url_query_and_pasted_code_are_accepted() {
    let client = client(false);
    let (_, state) = pending(&client);
    let p = || pending(&client).0;
    let url = format!("http://127.0.0.1:8080/?state={state}&code=4%2F0Ab");
    assert!(p().complete(&client, &url).is_ok());
    assert!(p()
        .complete(&client, &format!("state={state}&code=4%2F0Ab"))
        .is_ok());
    assert!(p().complete_pasted(&client, "  4/0AbCdEf-_.~  \n").is_ok());
    assert_eq!(
        p().complete_pasted(&client, "4/0Ab cd").map(|_| ()),
        Err(CallbackError::InvalidParameter("code"))
    );
    assert_eq!(
        p().complete_pasted(&client, " \n").map(|_| ()),
        Err(CallbackError::Empty)
    );
}

#[test]
fn a_pasted_url_is_still_state_checked() {
    let client = client(false);
    let p = || pending(&client).0;
    assert_eq!(
        p().complete_pasted(&client, "http://127.0.0.1:8080/?state=forged&code=c")
            .map(|_| ()),
        Err(CallbackError::StateMismatch)
    );
    assert_eq!(
        p().complete_pasted(&client, "?code=c").map(|_| ()),
        Err(CallbackError::MissingState)
    );
}

#[test]
fn a_bare_value_is_never_a_code_for_complete() {
    // `complete` is for redirects: text without `=` has neither code nor state.
    assert_eq!(
        complete(false, |_| "4/0AbCdEf".to_owned()),
        Err(CallbackError::MissingState)
    );
}
