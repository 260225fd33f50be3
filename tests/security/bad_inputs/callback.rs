//! The authorization callback: `complete` on the redirect URL (for a
//! client that requires `iss`), and `complete_pasted` on the same URLs and
//! on a pasted bare code. Inputs are text: byte mutations are read as
//! lossy UTF-8; invalid UTF-8 is tried as percent escapes.

use oauth2_sansio::limits::CALLBACK_LIMIT;
use oauth2_sansio::url::form_urlencoded::byte_serialize;
use oauth2_sansio::{Client, PendingAuthorization};

use super::derive::{mutations, truncations, MUTATIONS};
use super::tally::{outcome, Case, Tally};
use super::{now, CODE};

const ISSUER: &str = "https://as.example";
const REDIRECT: &str = "http://127.0.0.1:9001/callback";
/// The parameters whose every change must be refused.
const CHECKED: [&str; 3] = ["state", "code", "iss"];

fn client() -> Client {
    Client::builder("client.apps.example")
        .authorization_endpoint("https://as.example/auth")
        .token_endpoint("https://as.example/token")
        .issuer(ISSUER)
        .require_issuer_in_callback(true)
        .build()
        .expect("a valid client")
}

fn pending(client: &Client) -> PendingAuthorization {
    client
        .authorization_request(REDIRECT)
        .scope("openid")
        .build_with_entropy(now(), &[0x11; 64])
        .expect("a valid request")
        .1
}

fn encoded(text: &str) -> String {
    byte_serialize(text.as_bytes()).collect()
}

fn url(pairs: &[(String, String)]) -> Vec<u8> {
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{REDIRECT}?{}", query.join("&")).into_bytes()
}

/// The redirect's bad variants; `iss` is last, so every truncation loses
/// or changes it and must be refused.
fn url_cases(state: &str) -> Vec<Case> {
    let pairs: Vec<(String, String)> = [
        ("state", state),
        ("code", CODE),
        ("scope", "openid email"),
        ("iss", ISSUER),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), encoded(v)))
    .collect();
    let mut cases = truncations(&url(&pairs), Some("the issuer cut or lost"));
    for (i, (name, value)) in pairs.iter().enumerate() {
        let checked = CHECKED.contains(&name.as_str());
        let rule = |rule| checked.then_some(rule);
        let with = |value: String| {
            let mut changed = pairs.clone();
            changed[i].1 = value;
            url(&changed)
        };
        let mut removed = pairs.clone();
        removed.remove(i);
        cases.push(Case::new(
            format!("{name} removed"),
            url(&removed),
            rule("a checked parameter missing"),
        ));
        let mut twice = pairs.clone();
        twice.insert(i + 1, pairs[i].clone());
        cases.push(Case::new(
            format!("{name} twice"),
            url(&twice),
            rule("a checked parameter twice"),
        ));
        cases.push(Case::new(
            format!("{name} empty"),
            with(String::new()),
            rule("an empty value is absent"),
        ));
        let huge = "x".repeat(CALLBACK_LIMIT + 1);
        cases.push(Case::new(
            format!("{name} huge"),
            with(huge),
            Some("over the size bound"),
        ));
        let middle = value.len() / 2;
        for (unsafe_text, control) in [
            ("\u{0}", true),
            ("\u{1b}[2J", true),
            ("\n", true),
            ("\u{85}", false),
            ("\u{202e}", false),
            ("\u{200b}", false),
            ("\u{2028}", false),
            ("\u{feff}", false),
        ] {
            let mut changed = value.clone();
            changed.insert_str(middle, &encoded(unsafe_text));
            let must_refuse = match name.as_str() {
                "state" | "iss" => Some("a changed state or issuer"),
                "code" if control => Some("a control character in a checked parameter"),
                _ => None,
            };
            cases.push(Case::new(
                format!("{name} with {unsafe_text:?}"),
                with(changed),
                must_refuse,
            ));
        }
        for invalid in ["%80", "%FF", "%C0%AF", "%ED%A0%80", "%C3"] {
            let mut changed = value.clone();
            changed.insert_str(middle, invalid);
            cases.push(Case::new(
                format!("{name} with {invalid}"),
                with(changed),
                rule("invalid UTF-8"),
            ));
        }
    }
    cases.extend(mutations(&url(&pairs), 1500, MUTATIONS));
    cases
}

/// A pasted bare code: truncated (a shorter code is still a code; only the
/// empty one must be refused), with unsafe characters, huge, mutated.
fn pasted_code_cases() -> Vec<Case> {
    let mut cases = truncations(CODE.as_bytes(), None);
    cases[0].must_refuse = Some("nothing pasted");
    let middle = CODE.len() / 2;
    for unsafe_text in [
        "\u{0}",
        "\u{1b}[2J",
        "\u{85}",
        "\u{202e}",
        "\u{200b}",
        "\u{2028}",
        "\u{feff}",
    ] {
        let mut code = CODE.to_owned();
        code.insert_str(middle, unsafe_text);
        cases.push(Case::new(
            format!("code with {unsafe_text:?}"),
            code.into_bytes(),
            None,
        ));
    }
    cases.push(Case::new(
        "code huge",
        vec![b'x'; CALLBACK_LIMIT + 1],
        Some("over the size bound"),
    ));
    cases.extend(mutations(CODE.as_bytes(), 1501, MUTATIONS / 2));
    cases
}

pub fn tallies() -> Vec<Tally> {
    let client = client();
    let state = pending(&client).state().secret().to_owned();
    let secrets = [state.as_str(), CODE];
    let mut complete = Tally::new("callback URL");
    complete.run(&secrets, url_cases(&state), |bytes| {
        outcome(pending(&client).complete(&client, &String::from_utf8_lossy(bytes)))
    });
    let mut pasted = Tally::new("pasted code or URL");
    // A prefix without the `?` may read as a bare code: it is pasted one.
    let url_cases = url_cases(&state).into_iter().map(|mut case| {
        if case.label.starts_with("truncated") && !case.bytes.contains(&b'?') {
            case.must_refuse = None;
        }
        case
    });
    let cases = url_cases.chain(pasted_code_cases());
    pasted.run(&secrets, cases, |bytes| {
        outcome(pending(&client).complete_pasted(&client, &String::from_utf8_lossy(bytes)))
    });
    vec![complete, pasted]
}
