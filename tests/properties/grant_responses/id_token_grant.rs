//! The service account's ID-token grant: the ID token and its `exp` are
//! read with or without an access token, the grant fails without a usable
//! ID token, and no answer makes it panic.

use super::*;

/// Signs with a constant: the response, not the assertion, is under test.
struct FixedSigner;

impl Signer for FixedSigner {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Rs256
    }

    fn key_id(&self) -> Option<&str> {
        None
    }

    fn sign(&self, _message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(b"signature".to_vec())
    }
}

fn refresh_answered(status: u16, body: Vec<u8>) -> Result<Option<SystemTime>, Error> {
    let credentials = ServiceAccountCredentials::new(
        Arc::new(FixedSigner),
        "sa@project.iam.gserviceaccount.com",
        "https://oauth2.example/token",
    )
    .unwrap()
    .with_response_limit(LIMIT)
    .id_token_credentials("https://service.example");
    run(
        credentials.refresh().unwrap(),
        vec![Answer::Http(status, body)],
    )
    .result
    .map(|updated| updated.token().and_then(|t| t.expiry()))
}

fn jwt(exp: u64) -> String {
    let part = |json: &str| URL_SAFE_NO_PAD.encode(json);
    format!(
        "{}.{}.c2ln",
        part(r#"{"alg":"RS256","typ":"JWT"}"#),
        part(&format!(
            r#"{{"aud":"https://service.example","exp":{exp}}}"#
        ))
    )
}

proptest! {
    #[test]
    fn the_id_token_and_its_exp_are_read_with_or_without_an_access_token(
        exp in prop_oneof![1u64..=u64::from(u32::MAX), u64::from(u32::MAX) + 1..=u64::MAX],
        with_access_token in any::<bool>(),
    ) {
        let mut body = json!({ "id_token": jwt(exp) });
        if with_access_token {
            body["access_token"] = "ya29.a".into();
            body["token_type"] = "Bearer".into();
            body["expires_in"] = 3599.into();
        }
        let answered = refresh_answered(200, body.to_string().into_bytes());
        if exp <= u64::from(u32::MAX) {
            // The documented bound on `exp`: year 2106.
            let expiry = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(exp));
            prop_assert_eq!(answered, Ok(expiry));
        } else {
            let refused = matches!(
                answered,
                Err(Error::InvalidResponse(InvalidResponse::InvalidField { field: "id_token", .. }))
            );
            prop_assert!(refused, "{:?}", answered);
        }
    }

    #[test]
    fn without_a_usable_id_token_the_grant_fails(members in token_like()) {
        let body = render(&members).into_bytes();
        match refresh_answered(200, body.clone()) {
            Ok(_) => prop_assert!(false, "no id_token was sent: {:?}", String::from_utf8(body)),
            Err(e) => check_error(&e, &[])?,
        }
    }

    #[test]
    fn arbitrary_answers_never_panic(
        status in status(),
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        match refresh_answered(status, body) {
            Ok(expiry) => {
                prop_assert_eq!(status, 200);
                prop_assert!(expiry.is_some());
            }
            Err(e) => check_error(&e, &[])?,
        }
    }
}
