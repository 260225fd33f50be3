//! `oauth2-sansio login --device` as a subprocess against the real
//! oidc-provider, approved (or refused) by the test through the provider's
//! `/device` pages with the code the tool printed.

use oauth2_sansio::url::Url;
use oauth2_sansio::UserCredentials;
use testkit::interop::{
    fast_device_endpoint, userinfo, Choice, DeviceUser, InteropServer, NATIVE_PUBLIC,
};

use crate::support::{mode, oauth2_sansio, Finished, Running, Scratch};

/// Runs `login --device` for the public client with `extra` arguments,
/// answers on the `/device` pages with `choice` using the URI and code
/// from the tool's first stderr line, and waits for the tool to exit.
fn login_device(
    server: &InteropServer,
    scratch: &Scratch,
    extra: &[&str],
    choice: Choice,
) -> Finished {
    let secrets = scratch.write(
        "client_secrets.json",
        &server.client_secrets_json(NATIVE_PUBLIC),
    );
    let device_endpoint = fast_device_endpoint(server);
    let mut args = vec![
        "login",
        "--device",
        "--device-endpoint",
        &device_endpoint,
        "--client-secrets",
        &secrets,
        "--scope",
        "openid",
        "--scope",
        "email",
    ];
    args.extend_from_slice(extra);
    let mut running = Running::start(&mut oauth2_sansio(&args));
    let prompt = running.stderr_line();
    let (uri, code) =
        parse_prompt(&prompt).unwrap_or_else(|| panic!("no URI and code in {prompt:?}"));
    let page = server.check(
        DeviceUser::new().enter(&uri, &code, choice),
        "the answer on the /device pages",
    );
    if matches!(choice, Choice::Approve) {
        assert!(page.contains("Device sign-in complete"), "{page}");
    }
    running.finish()
}

#[test]
fn login_device_prints_the_code_waits_and_saves() {
    let server = InteropServer::start();
    let scratch = Scratch::new();
    let saved = scratch.path("credentials.json");
    let finished = login_device(
        &server,
        &scratch,
        &["--save", saved.to_str().unwrap()],
        Choice::Approve,
    );
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(finished.stdout, "");
    assert!(
        finished
            .stderr
            .iter()
            .any(|l| l.contains("credentials saved to")),
        "{finished:?}"
    );
    assert_eq!(mode(&saved), 0o600);
    let credentials = UserCredentials::from_authorized_user_json(&std::fs::read(&saved).unwrap())
        .expect("the tool saves authorized_user JSON");
    assert!(credentials.refresh_token().is_some());
    assert_eq!(userinfo(&server, &credentials)["sub"], "user1");
}

#[test]
fn login_device_refused_exits_4() {
    let server = InteropServer::start();
    let finished = login_device(&server, &Scratch::new(), &[], Choice::Refuse);
    assert_eq!(finished.code(), 4, "{finished:?}");
    assert_eq!(finished.stdout, "");
    let last = finished.stderr.last().unwrap();
    assert!(
        last.starts_with("oauth2-sansio: ") && last.contains("access_denied"),
        "{last}"
    );
}

/// `… visit <URI> and enter the code <CODE>` -> (URI, CODE).
fn parse_prompt(line: &str) -> Option<(Url, String)> {
    let after_visit = line.split_once("visit ")?.1;
    let (uri, rest) = after_visit.split_once(' ')?;
    let code = rest.rsplit(' ').next()?;
    Some((Url::parse(uri).ok()?, code.to_owned()))
}
