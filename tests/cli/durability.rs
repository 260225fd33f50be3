//! `token` never loses a sign-in: the save is prepared before the refresh
//! is sent, a rotated refresh token is kept even when it cannot replace the
//! file, and a run killed at any point loses the grant only in the window
//! the protocol leaves (between the server's rotation and the new
//! credentials reaching the disk). The token endpoint rotates refresh
//! tokens and revokes the grant on a replay, as oidc-provider does. Unix
//! only (permissions, signals).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;
use oauth2_sansio::UserCredentials;

/// Credentials for `server`'s grant, owner-only, as `login` writes them.
fn saved(dir: &Scratch, server: &RotatingServer, expiry: &str) -> String {
    let path = dir.write(
        "creds.json",
        &credentials_json(&server.token_uri(), "ya29.old", expiry),
    );
    set_mode(Path::new(&path), 0o600);
    path
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn token_command(path: &str) -> Command {
    oauth2_sansio(&["token", "--credentials", path])
}

fn stored_refresh_token(path: &str) -> String {
    let stored = UserCredentials::from_authorized_user_json(&fs::read(path).unwrap())
        .expect("the file is whole");
    stored.refresh_token().unwrap().secret().to_owned()
}

/// The directory's temporary files (the lock file is meant to stay).
fn temp_files(dir: &Scratch) -> Vec<String> {
    dir.entries()
        .into_iter()
        .filter(|name| name.contains(".tmp-"))
        .collect()
}

#[test]
fn a_directory_that_cannot_be_written_stops_the_refresh_before_it_is_sent() {
    for lock_file_exists in [false, true] {
        let dir = Scratch::new();
        let server = RotatingServer::start(3600);
        let path = saved(&dir, &server, PAST);
        if lock_file_exists {
            dir.write(".creds.json.lock", "");
        }
        let mut command = token_command(&path);
        unprivileged(&mut command, dir.dir());
        set_mode(dir.dir(), 0o500);

        let finished = Running::run(&mut command);
        set_mode(dir.dir(), 0o700);
        assert_eq!(finished.code(), 3, "{finished:?}");
        assert_eq!(finished.stdout, "");
        assert!(server.outcomes().is_empty(), "nothing was sent");
        assert_eq!(stored_refresh_token(&path), FIRST_REFRESH_TOKEN);
        let line = finished.stderr.last().unwrap();
        if lock_file_exists {
            assert!(line.contains("was not refreshed"), "{line}");
            assert!(line.contains("still works"), "{line}");
        } else {
            assert!(line.contains("cannot lock"), "{line}");
        }
        assert!(temp_files(&dir).is_empty());
    }
}

#[test]
fn a_token_still_valid_is_printed_when_the_refresh_cannot_be_saved() {
    let dir = Scratch::new();
    let server = RotatingServer::start(3600);
    let path = saved(&dir, &server, &expiry_in(60));
    dir.write(".creds.json.lock", "");
    let mut command = token_command(&path);
    unprivileged(&mut command, dir.dir());
    set_mode(dir.dir(), 0o500);

    let finished = Running::run(&mut command);
    set_mode(dir.dir(), 0o700);
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(finished.stdout, "ya29.old\n");
    let [warning] = &finished.stderr[..] else {
        panic!("one warning: {finished:?}")
    };
    assert!(
        warning.contains("warning: the access token was not refreshed"),
        "{warning}"
    );
    assert!(server.outcomes().is_empty());
}

#[test]
fn a_directory_made_read_only_during_the_refresh_keeps_the_rotated_token() {
    let dir = Scratch::new();
    let server = RotatingServer::start(3600);
    let path = saved(&dir, &server, PAST);
    let mut command = token_command(&path);
    unprivileged(&mut command, dir.dir());
    let locked_dir = dir.dir().to_owned();
    server.before_next_answer(move || set_mode(&locked_dir, 0o500));

    let finished = Running::run(&mut command);
    set_mode(dir.dir(), 0o700);
    assert_eq!(finished.code(), 0, "{finished:?}");
    assert_eq!(finished.stdout, "ya29.at-1\n", "the new token is printed");
    let [warning] = &finished.stderr[..] else {
        panic!("one warning: {finished:?}")
    };
    let kept = temp_files(&dir);
    assert_eq!(kept.len(), 1, "{:?}", dir.entries());
    assert!(warning.contains(&kept[0]), "names where: {warning}");
    assert!(warning.contains("refreshed"), "{warning}");
    assert!(!warning.contains("unchanged"), "{warning}");
    assert!(!warning.contains("1//rt-1") && !warning.contains("ya29.at-1"));
    assert_eq!(stored_refresh_token(&path), FIRST_REFRESH_TOKEN);

    // The next run puts the kept credentials in place, with no request:
    // their token is fresh.
    let again = Running::run(&mut token_command(&path));
    assert_eq!(again.code(), 0, "{again:?}");
    assert_eq!(again.stdout, "ya29.at-1\n");
    assert_eq!(server.outcomes().len(), 1);
    assert_eq!(stored_refresh_token(&path), "1//rt-1");
    assert!(temp_files(&dir).is_empty());
}

#[test]
fn a_full_disk_stops_the_refresh_before_it_is_sent() {
    let dir = Scratch::new();
    let server = RotatingServer::start(3600);
    let path = saved(&dir, &server, PAST);
    // Files may grow to 8 KiB (bash counts in KiB); the save reserves
    // more than that, as a nearly full disk would refuse.
    let mut command = Command::new("bash");
    command
        .args(["-c", r#"ulimit -f 8; trap '' XFSZ; exec "$0" "$@""#])
        .arg(env!("CARGO_BIN_EXE_oauth2-sansio"))
        .args(["token", "--credentials", &path])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let finished = Running::run(&mut command);
    assert_eq!(finished.code(), 3, "{finished:?}");
    assert!(server.outcomes().is_empty(), "nothing was sent");
    assert_eq!(stored_refresh_token(&path), FIRST_REFRESH_TOKEN);
    let line = finished.stderr.last().unwrap();
    assert!(line.contains("was not refreshed"), "{line}");
    assert!(temp_files(&dir).is_empty());
}

/// A small deterministic generator: the kill points are the same on every
/// run of the test.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[test]
fn killed_at_random_points_a_run_loses_the_grant_only_inside_the_protocol_window() {
    let runs: u32 = std::env::var("OAUTH2_SANSIO_KILL_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);

    // How long one refreshing run takes here, to spread the kills over it.
    let calibration = Scratch::new();
    let server = RotatingServer::start(1);
    let path = saved(&calibration, &server, PAST);
    let started = Instant::now();
    assert_eq!(Running::run(&mut token_command(&path)).code(), 0);
    let span = started.elapsed().as_micros() as u64 * 3 / 2;

    let mut rng = XorShift(0x5eed_1234_abcd_9876);
    let (mut lost, mut kept, mut unsent, mut lost_in_flight) = (0, 0, 0, 0);
    let mut widest_loss = Duration::ZERO;
    for _ in 0..runs {
        let dir = Scratch::new();
        // Tokens live 1 s: within the refresh threshold, so every run refreshes.
        let server = RotatingServer::start(1);
        let path = saved(&dir, &server, PAST);
        let mut running = Running::start(&mut token_command(&path));
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        let killed_at = running.kill();
        let _ = running.finish();

        // Never a torn file.
        let _ = stored_refresh_token(&path);
        let rotated_at = server.outcomes().iter().find_map(|o| match o {
            Outcome::Rotated { at, .. } => Some(*at),
            _ => None,
        });

        // The next run must find a refresh token the server takes, unless
        // the server rotated the one the killed run sent.
        let next = Running::run(&mut token_command(&path));
        assert!(temp_files(&dir).is_empty(), "{:?}", dir.entries());
        match (next.code(), rotated_at) {
            (0, None) => unsent += 1,
            (0, Some(_)) => {
                assert_eq!(Some(stored_refresh_token(&path)), server.current());
                kept += 1;
            }
            (5, Some(at)) if at >= killed_at => lost_in_flight += 1,
            (5, Some(at)) => {
                lost += 1;
                widest_loss = widest_loss.max(killed_at - at);
            }
            (code, _) => panic!(
                "exit {code} though the server never rotated: {next:?}, outcomes {:?}",
                server.outcomes()
            ),
        }
    }
    eprintln!(
        "{runs} kills over {span} µs: {unsent} before the refresh reached the server, \
         {kept} after the server rotated with the grant kept, {lost_in_flight} grants lost \
         with the request in flight (the server rotated after the kill), {lost} lost after \
         the rotation (killed at most {} µs after it)",
        widest_loss.as_micros()
    );
}

// --- login --save ---

/// A client_secrets.json for a token endpoint at `token_uri`.
fn client_secrets(dir: &Scratch, token_uri: &str) -> String {
    let json = serde_json::json!({"installed": {
        "client_id": "cli-client",
        "client_secret": "cli-client-secret",
        "auth_uri": token_uri.replace("/token", "/auth"),
        "token_uri": token_uri,
    }});
    dir.write("client_secrets.json", &json.to_string())
}

fn login_saving_to(secrets: &str, save: &str) -> Command {
    oauth2_sansio(&[
        "login",
        "--client-secrets",
        secrets,
        "--scope",
        "openid",
        "--no-browser",
        "--timeout",
        "60",
        "--save",
        save,
    ])
}

#[test]
fn login_into_a_directory_that_cannot_be_written_stops_before_the_sign_in() {
    let dir = Scratch::new();
    let server = RotatingServer::start(3600);
    let secrets = client_secrets(&dir, &server.token_uri());
    let save = dir.path("creds.json");
    let mut command = login_saving_to(&secrets, save.to_str().unwrap());
    unprivileged(&mut command, dir.dir());
    set_mode(dir.dir(), 0o500);

    let finished = Running::run(&mut command);
    set_mode(dir.dir(), 0o700);
    assert_eq!(finished.code(), 3, "{finished:?}");
    let [line] = &finished.stderr[..] else {
        panic!("no prompt, one line: {finished:?}")
    };
    assert!(line.contains("cannot save to"), "{line}");
    assert!(!save.exists());
}

#[test]
fn a_sign_in_that_cannot_be_saved_is_printed_not_lost() {
    let dir = Scratch::new();
    let server = RotatingServer::start(3600);
    let secrets = client_secrets(&dir, &server.token_uri());
    let save = dir.path("creds.json");
    let mut command = login_saving_to(&secrets, save.to_str().unwrap());
    unprivileged(&mut command, dir.dir());
    let mut running = Running::start(&mut command);

    let auth = Authorization::from_prompt(&running.stderr_line());
    // The directory turns read-only while the user signs in.
    set_mode(dir.dir(), 0o500);
    let code = FIRST_REFRESH_TOKEN; // the endpoint takes any current token
    let answer = auth
        .browser()
        .come_back(&format!("state={}&code={code}", auth.param("state")));
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");

    let finished = running.finish();
    set_mode(dir.dir(), 0o700);
    assert_eq!(finished.code(), 3, "{finished:?}");
    let printed: serde_json::Value = serde_json::from_str(&finished.stdout).unwrap();
    assert_eq!(
        printed["refresh_token"], "1//rt-1",
        "the sign-in is on stdout"
    );
    let line = finished.stderr.last().unwrap();
    assert!(line.contains("printed on stdout"), "{line}");
    assert!(!line.contains("1//rt-1"), "{line}");
    assert!(!save.exists());
}
