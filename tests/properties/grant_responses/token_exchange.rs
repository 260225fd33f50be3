//! Token exchange (RFC 8693): a token response plus its own rule on
//! `issued_token_type`, and no answer makes it panic.

use super::*;

fn exchange() -> TokenExchange {
    TokenExchangeRequest::new(
        "https://sts.example/token",
        SecurityToken::new(SUBJECT),
        token_types::JWT,
    )
    .response_limit(LIMIT)
    .build()
    .unwrap()
}

/// What the exchange must make of `members` at `status`: what
/// `TokenResponse::parse` makes of them (of them with `token_type`
/// `Bearer`, when it is `N_A` in any case), plus a required non-empty
/// string `issued_token_type`.
fn oracle(status: u16, members: &[(&str, &str)]) -> Result<(ExchangeTokenType, String), Error> {
    let body = render(members);
    let parsed = match TokenResponse::parse(status, body.as_bytes(), LIMIT) {
        Err(Error::InvalidResponse(InvalidResponse::UnsupportedTokenType { .. }))
            if members
                .iter()
                .any(|(k, v)| *k == "token_type" && v.eq_ignore_ascii_case(r#""N_A""#)) =>
        {
            let bearer: Vec<(&str, &str)> = members
                .iter()
                .map(|(k, v)| {
                    if *k == "token_type" {
                        (*k, r#""Bearer""#)
                    } else {
                        (*k, *v)
                    }
                })
                .collect();
            TokenResponse::parse(200, render(&bearer).as_bytes(), LIMIT)
                .map(|r| (r, ExchangeTokenType::NotApplicable))
        }
        other => other.map(|r| (r, ExchangeTokenType::Bearer)),
    };
    let (response, token_type) = parsed?;
    match response.extra().get("issued_token_type") {
        Some(Value::String(t)) if !t.is_empty() => Ok((token_type, t.clone())),
        None | Some(Value::Null) | Some(Value::String(_)) => Err(InvalidResponse::MissingField {
            field: "issued_token_type",
        }
        .into()),
        Some(_) => Err(InvalidResponse::InvalidField {
            field: "issued_token_type",
            reason: "must be a string",
        }
        .into()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_exchange_reads_a_token_response_plus_its_own_rule(
        status in status(),
        members in token_like(),
    ) {
        let body = render(&members);
        let result = run(exchange(), vec![Answer::status(status, &body)]).result;
        match (oracle(status, &members), result) {
            (Ok((token_type, issued)), Ok(token)) => {
                prop_assert_eq!(token.token_type(), token_type);
                prop_assert_eq!(token.issued_token_type(), issued.as_str());
            }
            (Err(expected), Err(e)) => {
                prop_assert_eq!(&e, &expected);
                check_error(&e, &[SUBJECT])?;
            }
            (expected, got) => prop_assert!(false, "{:?} vs {:?} for {}", expected, got.map(|_| ()), body),
        }
    }

    #[test]
    fn arbitrary_answers_never_panic(
        status in 100u16..=599,
        body in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        match run(exchange(), vec![Answer::Http(status, body)]).result {
            Ok(_) => prop_assert_eq!(status, 200),
            Err(e) => check_error(&e, &[SUBJECT])?,
        }
    }
}
