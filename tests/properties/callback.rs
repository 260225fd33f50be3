//! Properties of the authorization callback parser: no text or bytes make
//! it panic, a tampered or missing `state` is refused, a genuine callback
//! yields the code it carries, and a wrong issuer is refused before `state`
//! or an error is looked at.

use oauth2_sansio::url::form_urlencoded;
use oauth2_sansio::CallbackError;
use proptest::prelude::*;

use crate::support::authorization::*;
use crate::support::text::*;

/// Whether `input` may carry `state`: percent-decoded as it is, or after
/// dropping the tabs and newlines a URL parser ignores.
fn could_carry_state(input: &str, state: &str) -> bool {
    let decoded = |text: &str| {
        form_urlencoded::parse(text.as_bytes())
            .flat_map(|(k, v)| [k.into_owned(), v.into_owned()])
            .collect::<Vec<_>>()
            .join("&")
    };
    let stripped: String = input
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    decoded(input).contains(state) || decoded(&stripped).contains(state)
}

fn check_arbitrary(input: &str) -> Result<(), TestCaseError> {
    let state = state();
    for require_issuer in [false, true] {
        let client = client(require_issuer);
        // The same pending authorization twice (fixed entropy): it is
        // single-use.
        let completed = pending(&client).complete(&client, input);
        match &completed {
            Ok(_) => prop_assert!(could_carry_state(input, &state)),
            Err(e) => prop_assert!(shows_safely(&e.to_string()), "{e}"),
        }
        let trimmed = input.trim();
        let bare_code = !trimmed.contains(['=', '?', '#', '&']) && !trimmed.contains("://");
        let pasted = pending(&client).complete_pasted(&client, input);
        if let Err(e) = &pasted {
            prop_assert!(shows_safely(&e.to_string()), "{e}");
        }
        if !bare_code {
            prop_assert_eq!(pasted.err(), completed.err());
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(input in ".{0,200}") {
        check_arbitrary(&input)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check_arbitrary(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn query_shaped_noise_never_panics(
        pairs in prop::collection::vec(
            (prop::sample::select(vec!["code", "state", "iss", "error", "error_description", "x"]),
             "[ -~]{0,12}"),
            0..8),
        prefix in prop::sample::select(vec!["", "?", "http://127.0.0.1:9001/callback?", "http://h/#"]),
    ) {
        let raw: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        check_arbitrary(&format!("{prefix}{}", raw.join("&")))?;
    }
}

#[derive(Clone, Debug)]
enum Tamper {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
    Truncate(usize),
    Remove,
    Empty,
    Duplicate(Option<String>),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    let ch = any::<char>().prop_filter("clean", |c| !c.is_control() && *c != '\u{FFFD}');
    prop_oneof![
        (0..43usize, ch.clone()).prop_map(|(i, c)| Tamper::Replace(i, c)),
        (0..=43usize, ch).prop_map(|(i, c)| Tamper::Insert(i, c)),
        (0..43usize).prop_map(Tamper::Delete),
        (1..43usize).prop_map(Tamper::Truncate),
        Just(Tamper::Remove),
        Just(Tamper::Empty),
        prop::option::of(".{0,10}").prop_map(Tamper::Duplicate),
    ]
}

/// The `state` pairs after tampering, and the error that must follow.
fn tampered(state: &str, how: &Tamper) -> (Vec<String>, CallbackError) {
    let mut chars: Vec<char> = state.chars().collect();
    let mismatch = CallbackError::StateMismatch;
    match how {
        Tamper::Replace(i, c) => {
            chars[*i] = if chars[*i] == *c { '~' } else { *c };
            (vec![chars.into_iter().collect()], mismatch)
        }
        Tamper::Insert(i, c) => {
            chars.insert(*i, *c);
            (vec![chars.into_iter().collect()], mismatch)
        }
        Tamper::Delete(i) => {
            chars.remove(*i);
            (vec![chars.into_iter().collect()], mismatch)
        }
        Tamper::Truncate(n) => (vec![chars[..*n].iter().collect()], mismatch),
        Tamper::Remove => (vec![], CallbackError::MissingState),
        Tamper::Empty => (vec![String::new()], CallbackError::MissingState),
        Tamper::Duplicate(other) => (
            vec![
                state.to_owned(),
                other.clone().unwrap_or_else(|| state.to_owned()),
            ],
            CallbackError::DuplicateParameter("state"),
        ),
    }
}

proptest! {
    #[test]
    fn tampered_or_missing_state_is_rejected(
        how in tamper(),
        with_error in any::<bool>(),
        with_iss in any::<bool>(),
        require_issuer in any::<bool>(),
        as_url in any::<bool>(),
        pasted in any::<bool>(),
        order in any::<prop::sample::Index>(),
    ) {
        let client = client(require_issuer);
        let pending = pending(&client);
        let (states, expected) = tampered(pending.state().secret(), &how);
        let mut pairs: Vec<(&str, &str)> = states.iter().map(|s| ("state", s.as_str())).collect();
        pairs.insert(order.index(pairs.len() + 1), if with_error {
            ("error", "access_denied")
        } else {
            ("code", "4/0AbCd")
        });
        if with_iss || require_issuer {
            pairs.push(("iss", ISSUER));
        }
        let q = query(&pairs);
        let input = if as_url { format!("{REDIRECT}?{q}") } else { q };
        let result = if pasted {
            pending.complete_pasted(&client, &input)
        } else {
            pending.complete(&client, &input)
        };
        prop_assert_eq!(result.err(), Some(expected));
    }

    #[test]
    fn genuine_callback_yields_the_code_it_carries(
        code in clean_text(40),
        extras in prop::collection::vec(("x_[a-z]{1,5}", ".{0,10}"), 0..3),
        with_iss in any::<bool>(),
        require_issuer in any::<bool>(),
        form in 0..3u8,
        pasted in any::<bool>(),
    ) {
        let client = client(require_issuer);
        let pending = pending(&client);
        let state = pending.state().secret().to_owned();
        let mut pairs = vec![("code", code.as_str()), ("state", state.as_str())];
        pairs.extend(extras.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if with_iss || require_issuer {
            pairs.push(("iss", ISSUER));
        }
        let q = query(&pairs);
        let input = match form {
            0 => format!("{REDIRECT}?{q}"),
            1 => format!("?{q}"),
            _ => q,
        };
        let result = if pasted {
            pending.complete_pasted(&client, &input)
        } else {
            pending.complete(&client, &input)
        };
        let exchange = result.map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(sent(exchange, "code"), code);
    }

    #[test]
    fn wrong_issuer_is_rejected_before_state_or_error(
        iss in clean_text(30).prop_filter("not the issuer", |s| s != ISSUER),
        good_state in any::<bool>(),
        with_error in any::<bool>(),
    ) {
        let client = client(false);
        let pending = pending(&client);
        let state = if good_state { pending.state().secret().to_owned() } else { "forged".into() };
        let result = if with_error { "error" } else { "code" };
        let q = query(&[(result, "x"), ("state", &state), ("iss", &iss)]);
        prop_assert_eq!(pending.complete(&client, &q).err(), Some(CallbackError::IssuerMismatch));
    }
}
