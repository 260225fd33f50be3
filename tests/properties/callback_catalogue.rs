//! The callback bad-input catalogue, case by case: duplicate parameters,
//! empty values, `+` and `%20`, `%00` and other controls, an unencoded URL
//! in the query, both `code` and `error`, a result only in the fragment, a
//! huge query, controls in `error_description`, and a pasted bare code.

use oauth2_sansio::limits::CALLBACK_LIMIT;
use oauth2_sansio::{CallbackError, CodeExchange, ErrorCode};

use crate::support::authorization::*;
use crate::support::text::*;

fn complete(input: &str) -> Result<CodeExchange, CallbackError> {
    let client = client(false);
    pending(&client).complete(&client, input)
}

fn code_of(input: &str) -> String {
    sent(complete(input).expect("accepted"), "code")
}

/// Each input is refused with `error` naming its parameter.
fn assert_refused<const N: usize>(
    error: fn(&'static str) -> CallbackError,
    cases: [(String, &'static str); N],
) {
    for (input, name) in cases {
        assert_eq!(complete(&input).err(), Some(error(name)), "{input}");
    }
}

#[test]
fn duplicate_parameters_are_refused_even_when_equal() {
    let s = state();
    assert_refused(
        CallbackError::DuplicateParameter,
        [
            (format!("code=a&code=a&state={s}"), "code"),
            (format!("code=a&state={s}&state={s}"), "state"),
            (format!("code=a&state={s}&iss=x&iss=x"), "iss"),
            (format!("error=x&error=y&state={s}"), "error"),
            (format!("code=a&state=&state={s}"), "state"),
        ],
    );
}

#[test]
fn empty_values_count_as_absent() {
    let s = state();
    assert_eq!(
        complete("code=a&state=").err(),
        Some(CallbackError::MissingState)
    );
    assert_eq!(
        complete(&format!("code=&state={s}")).err(),
        Some(CallbackError::MissingCode)
    );
    assert_eq!(
        complete(&format!("error=&state={s}")).err(),
        Some(CallbackError::MissingCode)
    );
    let strict = client(true);
    assert_eq!(
        pending(&strict)
            .complete(&strict, &format!("code=a&state={s}&iss="))
            .err(),
        Some(CallbackError::MissingIssuer)
    );
}

#[test]
fn plus_and_percent_20_both_mean_space_and_percent_2b_means_plus() {
    let s = state();
    assert_eq!(code_of(&format!("code=4/0A+b&state={s}")), "4/0A b");
    assert_eq!(code_of(&format!("code=4/0A%20b&state={s}")), "4/0A b");
    assert_eq!(code_of(&format!("code=4/0A%2Bb&state={s}")), "4/0A+b");
    assert_eq!(code_of(&format!("code=4%2F0Ab&state={s}")), "4/0Ab");
}

#[test]
fn nul_and_control_characters_are_refused_in_checked_parameters() {
    let s = state();
    assert_refused(
        CallbackError::InvalidParameter,
        [
            (format!("code=a%00b&state={s}"), "code"),
            (format!("code=a&state={s}%00"), "state"),
            (format!("code=a%0D%0Ab&state={s}"), "code"),
            (format!("error=access_denied%1B&state={s}"), "error"),
            (format!("code=a&state={s}&iss=x%7F"), "iss"),
        ],
    );
}

#[test]
fn invalid_utf8_percent_escapes_are_refused() {
    let s = state();
    assert_refused(
        CallbackError::InvalidParameter,
        [
            (format!("code=%FF%FE&state={s}"), "code"),
            (format!("code=a%C3&state={s}"), "code"),
            (format!("code=a&state={s}%80"), "state"),
            (format!("code=a&state=%ED%A0%80{s}"), "state"),
        ],
    );
}

#[test]
fn unencoded_url_in_a_redirect_url_query_is_read() {
    let s = state();
    let strict = client(true);
    let input = format!("{REDIRECT}?code=a&state={s}&iss={ISSUER}");
    let exchange = pending(&strict).complete(&strict, &input).expect("valid");
    assert_eq!(sent(exchange, "code"), "a");
}

#[test]
fn unencoded_url_in_a_bare_query_is_read() {
    let s = state();
    let strict = client(true);
    let input = format!("code=a&state={s}&iss={ISSUER}");
    let exchange = pending(&strict).complete(&strict, &input).expect("valid");
    assert_eq!(sent(exchange, "code"), "a");
}

#[test]
fn code_and_error_together_are_refused() {
    let s = state();
    assert_eq!(
        complete(&format!("code=a&error=access_denied&state={s}")).err(),
        Some(CallbackError::CodeAndError)
    );
}

#[test]
fn result_only_in_the_fragment_is_refused() {
    let s = state();
    for input in [
        format!("{REDIRECT}#code=a&state={s}"),
        format!("{REDIRECT}?state={s}#code=a"),
        format!("#error=access_denied&state={s}"),
    ] {
        assert_eq!(
            complete(&input).err(),
            Some(CallbackError::ResponseInFragment),
            "{input}"
        );
    }
    // A fragment beside a complete query is ignored.
    assert_eq!(code_of(&format!("{REDIRECT}?code=a&state={s}#x")), "a");
}

#[test]
fn huge_query_is_refused_at_the_limit() {
    let s = state();
    let head = format!("{REDIRECT}?code=a&state={s}&pad=");
    let at_limit = format!("{head}{}", "p".repeat(CALLBACK_LIMIT - head.len()));
    assert_eq!(at_limit.len(), CALLBACK_LIMIT);
    assert_eq!(code_of(&at_limit), "a");
    let over = format!("{at_limit}p");
    assert_eq!(complete(&over).err(), Some(CallbackError::TooLong));
    let client = client(false);
    assert_eq!(
        pending(&client).complete_pasted(&client, &over).err(),
        Some(CallbackError::TooLong)
    );
}

#[test]
fn control_characters_are_stripped_from_error_description() {
    let s = state();
    let input = format!(
        "error=access_denied&error_description=denied%0D%0A%5BERROR%5D+forged%1B%5B31m%00x\
         &error_uri=https%3A%2F%2Fas.example%2Fe%07&state={s}"
    );
    match complete(&input) {
        Err(CallbackError::Authorization(e)) => {
            assert_eq!(*e.code(), ErrorCode::AccessDenied);
            assert_eq!(e.description(), Some("denied[ERROR] forged[31mx"));
            assert_eq!(e.uri(), Some("https://as.example/e"));
            assert!(shows_safely(&e.to_string()));
            assert!(shows_safely(
                &CallbackError::Authorization(e.clone()).to_string()
            ));
        }
        other => panic!("expected an authorization error, got {other:?}"),
    }
}

#[test]
fn pasted_bare_code_skips_state_but_must_be_printable() {
    let client = client(false);
    let exchange = pending(&client)
        .complete_pasted(&client, "  4/0AbCd-e_f\n")
        .expect("bare code");
    assert_eq!(sent(exchange, "code"), "4/0AbCd-e_f");
    assert_eq!(
        pending(&client)
            .complete_pasted(&client, "4/0A\u{7f}b")
            .err(),
        Some(CallbackError::InvalidParameter("code"))
    );
    assert_eq!(
        pending(&client).complete_pasted(&client, " \t ").err(),
        Some(CallbackError::Empty)
    );
}
