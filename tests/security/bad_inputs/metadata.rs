//! The metadata server's replies, each a flavored 200: an access token
//! (JSON), an ID token (a JWT as text) and the small text values (project
//! id, account email, universe domain; bounded at 4 KiB). The text values
//! are no secrets: that part checks panics and the bound.

use oauth2_sansio::limits::DEFAULT_RESPONSE_LIMIT;
use oauth2_sansio::metadata::{MetadataCredentials, MetadataIdTokenCredentials, MetadataServer};
use oauth2_sansio::{Credentials, Step};
use serde_json::json;

use super::derive::{json_cases, mutations, truncations, JsonRules, MUTATIONS};
use super::json::J;
use super::tally::{refused, Case, Outcome, Tally};
use super::{answered, jwt, status, ACCESS_TOKEN};

/// The bound of the text values (the crate's `INFO_LIMIT`).
const INFO_LIMIT: usize = 4 * 1024;

fn flavored() -> http::response::Builder {
    status(200).header("Metadata-Flavor", "Google")
}

fn done<T>(result: Result<Step<T>, oauth2_sansio::Error>) -> Outcome {
    match result {
        Ok(Step::Done(_)) => Outcome::Accepted,
        Ok(_) => panic!("a flavored 200 finishes the machine"),
        Err(e) => refused(e),
    }
}

pub fn tallies() -> Vec<Tally> {
    let mut token = Tally::new("metadata access token");
    let seed = J::from(
        &json!({ "access_token": ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer" }),
    );
    let rules = JsonRules {
        required: &["access_token", "token_type"],
        bound: Some(DEFAULT_RESPONSE_LIMIT),
        strict_duplicates: true,
        empty_refused: true,
    };
    let credentials = MetadataCredentials::new(MetadataServer::default()).with_scopes(["s"]);
    token.run(&[ACCESS_TOKEN], json_cases(&seed, &rules, 1400), |body| {
        done(answered(
            credentials.refresh().expect("a refresh"),
            flavored(),
            body,
        ))
    });

    let mut id_token = Tally::new("metadata ID token");
    let secrets = jwt::secrets();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let credentials =
        MetadataIdTokenCredentials::new(MetadataServer::default(), "https://svc.example");
    id_token.run(&secrets, jwt::cases(1410), |body| {
        done(answered(
            credentials.refresh().expect("a refresh"),
            flavored(),
            body,
        ))
    });

    let mut info = Tally::new("metadata text values");
    let server = MetadataServer::default();
    for (n, value) in [
        "my-project-123456",
        "vm-sa@my-project.iam.gserviceaccount.com",
        "googleapis.com",
    ]
    .into_iter()
    .enumerate()
    {
        info.run(&[], text_cases(value, 1420 + n as u64), |body| {
            let machine = match n {
                0 => server.project_id(),
                1 => server.account_email(),
                _ => server.universe_domain(),
            };
            done(answered(machine, flavored(), body))
        });
    }
    vec![token, id_token, info]
}

/// A text value truncated, with unsafe characters or bytes that are not
/// UTF-8 inside, over the bound, and mutated.
fn text_cases(value: &str, rng_seed: u64) -> Vec<Case> {
    let mut cases = truncations(value.as_bytes(), None);
    let middle = value.len() / 2;
    let inserts: [&[u8]; 9] = [
        b"\0",
        b"\x1b[2J",
        b"\n",
        "\u{202e}".as_bytes(),
        "\u{200b}".as_bytes(),
        "\u{2028}".as_bytes(),
        b"\xff",
        b"\xc0\xaf",
        b"\xed\xa0\x80",
    ];
    for insert in inserts {
        let mut bytes = value.as_bytes().to_vec();
        bytes.splice(middle..middle, insert.iter().copied());
        cases.push(Case::new(format!("{value} with {insert:x?}"), bytes, None));
    }
    let mut long = value.as_bytes().to_vec();
    long.resize(INFO_LIMIT + 1, b'x');
    cases.push(Case::new(
        format!("{value} over the bound"),
        long,
        Some("over the size bound"),
    ));
    cases.extend(mutations(value.as_bytes(), rng_seed, MUTATIONS / 4));
    cases
}
