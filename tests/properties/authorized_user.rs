//! Properties of the `authorized_user` JSON reader and writer: no input
//! makes it panic, what it reads it writes back identically, and generated
//! files (with any expiry) round-trip.

use std::time::{Duration, SystemTime};

use oauth2_sansio::{Credentials, FileProblem, UserCredentials};
use proptest::prelude::*;

use crate::support::json::*;
use crate::support::text::*;

/// Parse, write, parse again: the two reads are equal and the two
/// writes identical.
fn check_round_trip(creds: &UserCredentials) -> Result<(), TestCaseError> {
    let written = creds.to_authorized_user_json();
    let again = UserCredentials::from_authorized_user_json(written.as_bytes())
        .map_err(|e| TestCaseError::fail(format!("written file does not read back: {e}")))?;
    prop_assert_eq!(&again, creds);
    prop_assert_eq!(&again.to_authorized_user_json(), &written);
    // serde writes and reads the same JSON.
    prop_assert_eq!(&serde_json::to_string(creds).unwrap(), &written);
    let through_serde: UserCredentials = serde_json::from_str(&written)
        .map_err(|e| TestCaseError::fail(format!("serde does not read it back: {e}")))?;
    prop_assert_eq!(&through_serde, creds);
    Ok(())
}

fn check_arbitrary(bytes: &[u8]) -> Result<(), TestCaseError> {
    let through_serde = serde_json::from_slice::<UserCredentials>(bytes);
    match UserCredentials::from_authorized_user_json(bytes) {
        Ok(creds) => {
            check_round_trip(&creds)?;
            if let Ok(same) = through_serde {
                prop_assert_eq!(same, creds, "serde and the reader disagree");
            }
        }
        Err(e) => {
            prop_assert!(shows_safely(&e.to_string()), "{e}");
            // serde has no size bound (the caller's format has its own);
            // it refuses everything else the reader refuses.
            let too_large = matches!(e.problem(), FileProblem::TooLarge { .. });
            prop_assert!(
                too_large || through_serde.is_err(),
                "serde read what the reader refuses: {}",
                e
            );
        }
    }
    Ok(())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> usize {
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An RFC 3339 expiry in the forms google-auth and gcloud write, and its
/// Unix time in whole seconds.
fn expiry() -> impl Strategy<Value = (String, i64)> {
    (
        // Up to 9998: a 9999-12-31 local time west of UTC is the core bug
        // that `expiry_past_year_9999_utc_survives_a_round_trip` shows.
        prop_oneof![1969..=1971i64, 1971..=9998i64, Just(9998i64)],
        1..=12i64,
        any::<prop::sample::Index>(),
        (0..24i64, 0..60i64, 0..60i64),
        prop::option::of("[0-9]{1,9}"),
        prop_oneof![
            Just(None),
            Just(Some(0i64)),
            (-(23 * 60 + 59)..=(23 * 60 + 59i64)).prop_map(Some)
        ],
    )
        .prop_map(|(y, mo, day, (h, mi, s), fraction, offset)| {
            let d = 1 + day.index(days_in_month(y, mo)) as i64;
            let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            if let Some(f) = fraction {
                text.push('.');
                text.push_str(&f);
            }
            let offset_minutes = offset.unwrap_or(0);
            match offset {
                None => {}
                Some(0) => text.push('Z'),
                Some(m) => {
                    let sign = if m < 0 { '-' } else { '+' };
                    text.push_str(&format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60));
                }
            }
            let local = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
            (text, local - offset_minutes * 60)
        })
}

const TOKEN_URIS: [&str; 5] = [
    "https://oauth2.googleapis.com/token",
    "http://127.0.0.1:9/t",
    "http://[::1]:8080/token?x=1",
    "HTTPS://AS.EXAMPLE:443/a/../token",
    "http://localhost/%7Etoken",
];

/// A well-typed authorized_user file with a random mix of fields, and
/// the Unix time of its expiry, if any.
fn valid_file() -> impl Strategy<Value = (Vec<(String, J)>, Option<i64>)> {
    let s = |max: usize| {
        proptest::string::string_regex(&format!("\\PC{{0,{max}}}")).expect("valid regex")
    };
    let text =
        move |field: &'static str, p: f64, max: usize| maybe(field, p, s(max).prop_map(J::Str));
    (
        (
            maybe("type", 0.5, Just(J::Str("authorized_user".into()))),
            maybe("client_id", 1.0, clean_text(20).prop_map(J::Str)),
            text("client_secret", 0.8, 20),
            maybe("refresh_token", 1.0, clean_text(30).prop_map(J::Str)),
            maybe("token", 0.7, "[!-~]{0,30}".prop_map(J::Str)),
            maybe("token_uri", 0.5, one_of(&TOKEN_URIS)),
        ),
        (
            maybe(
                "scopes",
                0.7,
                prop_oneof![
                    prop::collection::vec(s(10), 0..4).prop_map(J::List),
                    s(30).prop_map(J::Str),
                ],
            ),
            text("quota_project_id", 0.3, 12),
            text("rapt_token", 0.3, 12),
            text("universe_domain", 0.3, 12),
            text("account", 0.3, 12),
            prop::option::weighted(
                0.2,
                ("x_[a-z]{1,6}", any_json().prop_filter("parses", J::parses)),
            ),
        ),
        prop::option::weighted(0.8, expiry()),
    )
        .prop_map(|((a, b, c, d, e, f), (g, h, i, j, k, extra), expiry)| {
            let mut entries: Vec<(String, J)> = [a, b, c, d, e, f, g, h, i, j, k, extra]
                .into_iter()
                .flatten()
                .collect();
            let unix = expiry.map(|(text, unix)| {
                entries.push(("expiry".into(), J::Str(text)));
                unix
            });
            (entries, unix)
        })
}

fn random_typed_file() -> impl Strategy<Value = Vec<(String, J)>> {
    let field = |name: &'static str| {
        maybe(
            name,
            0.6,
            prop_oneof![2 => ".{0,12}".prop_map(J::Str), 1 => any_json()],
        )
    };
    (
        (
            field("type"),
            field("client_id"),
            field("client_secret"),
            field("refresh_token"),
        ),
        (
            field("token"),
            field("expiry"),
            field("token_uri"),
            field("scopes"),
            field("account"),
        ),
    )
        .prop_map(|((a, b, c, d), (e, f, g, h, i))| {
            [a, b, c, d, e, f, g, h, i].into_iter().flatten().collect()
        })
}

#[test]
fn expiry_past_year_9999_utc_survives_a_round_trip() {
    let file = br#"{"client_id":"i","refresh_token":"r","token":"t",
        "expiry":"9999-12-31T23:59:59-01:00"}"#;
    match UserCredentials::from_authorized_user_json(file) {
        Ok(creds) => check_round_trip(&creds).expect("round trip"),
        Err(e) => assert!(shows_safely(&e.to_string())),
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check_arbitrary(&bytes)?;
    }

    #[test]
    fn random_types_never_panic_and_round_trip_when_read(entries in random_typed_file()) {
        check_arbitrary(render_object(&entries).as_bytes())?;
    }

    #[test]
    fn generated_credentials_round_trip((entries, expiry) in valid_file()) {
        let body = render_object(&entries);
        let parsed = UserCredentials::from_authorized_user_json(body.as_bytes());
        if expiry.is_some_and(|unix| unix < 0) {
            prop_assert!(parsed.is_err(), "an expiry before 1970 is refused: {}", body);
            return Ok(());
        }
        let creds = parsed.map_err(|e| TestCaseError::fail(format!("{body}: {e}")))?;
        let text = |f| lookup(&entries, f).and_then(|v| v.as_opt_str().ok().flatten());
        prop_assert_eq!(Some(creds.client_id()), text("client_id"));
        prop_assert_eq!(creds.refresh_token().map(|t| t.secret()), text("refresh_token"));
        prop_assert_eq!(creds.client_secret().map(|t| t.secret()), text("client_secret"));
        prop_assert_eq!(creds.quota_project(), text("quota_project_id"));
        let token = match (text("token"), expiry) {
            (Some(token), Some(unix)) => {
                Some((token, SystemTime::UNIX_EPOCH + Duration::from_secs(unix as u64)))
            }
            _ => None,
        };
        let read = creds
            .token()
            .map(|t| (t.token().secret(), t.expiry().expect("read with expiry")));
        prop_assert_eq!(read, token);
        check_round_trip(&creds)?;
    }
}
