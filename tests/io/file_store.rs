//! CredentialsFile: atomic replacement, private permissions, bounded reads,
//! saves prepared before a refresh, recovery of what killed or failed runs
//! left, no symbolic link followed, a bounded lock wait; and the file as
//! the store token caches keep what they renew in.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, SystemTime};

use oauth2_sansio::cache::{KeepErrorKind, SharedToken};
use oauth2_sansio::io::file_store::{CredentialsFile, FileStoreError};
use oauth2_sansio::{drive, Credentials, CredentialsStore, Error, RefreshToken, UserCredentials};
use testkit::token_cache::{at, granted_rotating, holding, secret};
use testkit::world::{installed_client, FakeServer, INSTALLED_ID};

const OLD: &str = r#"{"type":"authorized_user","client_id":"id","client_secret":"s","refresh_token":"old-rt","token_uri":"https://oauth2.googleapis.com/token","scopes":["openid"]}"#;
const NEW: &str = r#"{"type":"authorized_user","client_id":"id","client_secret":"s","refresh_token":"new-rt","token_uri":"https://oauth2.googleapis.com/token","scopes":["openid"]}"#;
const OTHER_CLIENT: &str = r#"{"type":"authorized_user","client_id":"other","client_secret":"s","refresh_token":"other-rt","token_uri":"https://oauth2.googleapis.com/token","scopes":["openid"]}"#;

/// A fresh directory under the system's temporary directory, removed when
/// dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("oauth2-sansio-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `json` at `name`, owner-only, last modified `age` ago.
    fn write(&self, name: &str, json: &str, age: Duration) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, json).unwrap();
        set_mode(&path, 0o600);
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(SystemTime::now() - age)
            .unwrap();
        path
    }

    /// The names in the directory but the lock file, sorted.
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| !name.ends_with(".lock"))
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

fn credentials(json: &str) -> UserCredentials {
    UserCredentials::from_authorized_user_json(json.as_bytes()).unwrap()
}

fn refresh_token_in(path: &Path) -> String {
    let stored = credentials(&fs::read_to_string(path).unwrap());
    stored.refresh_token().unwrap().secret().to_owned()
}

#[test]
fn save_then_load_round_trips() {
    let dir = TempDir::new("round-trip");
    let file = CredentialsFile::new(dir.path("creds.json"));
    assert!(file.load().unwrap().is_none());
    let creds = credentials(OLD);
    file.save(&creds).unwrap();
    assert_eq!(file.load().unwrap(), Some(creds));
    assert_eq!(dir.entries(), ["creds.json"]);
}

#[cfg(unix)]
#[test]
fn a_shared_file_is_reported_and_a_save_makes_it_private() {
    let dir = TempDir::new("mode");
    let path = dir.write("creds.json", OLD, Duration::ZERO);
    set_mode(&path, 0o644);
    let file = CredentialsFile::new(&path);
    assert_eq!(file.loose_permissions().unwrap(), Some(0o644));
    file.save(&file.load().unwrap().unwrap()).unwrap();
    assert_eq!(file.loose_permissions().unwrap(), None);
    assert_eq!(mode(&path), 0o600);
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_prepared_save_reserves_a_private_file_and_leaves_nothing_when_dropped() {
    let dir = TempDir::new("prepared");
    let path = dir.write("creds.json", OLD, Duration::ZERO);
    let file = CredentialsFile::new(&path);
    let prepared = file.lock().unwrap().prepare_save().unwrap();
    let temp = prepared.temp_path().to_owned();
    let reserved = fs::read(&temp).unwrap();
    assert!(
        reserved.len() as u64 > OLD.len() as u64,
        "space for new credentials"
    );
    assert!(
        reserved.iter().all(|&b| b == b' '),
        "only blanks before commit"
    );
    #[cfg(unix)]
    assert_eq!(mode(&temp), 0o600);

    drop(prepared);
    assert_eq!(dir.entries(), ["creds.json"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), OLD);
}

#[test]
fn a_prepared_save_holds_the_lock_until_committed() {
    let dir = TempDir::new("prepared-lock");
    let path = dir.write("creds.json", OLD, Duration::ZERO);
    let file = CredentialsFile::new(&path);
    let prepared = file.lock().unwrap().prepare_save().unwrap();
    let other = CredentialsFile::new(&path).with_lock_timeout(Duration::from_millis(50));
    let err = other.lock().unwrap_err();
    assert!(matches!(err, FileStoreError::LockTimeout { .. }), "{err:?}");

    prepared.commit(&credentials(NEW)).unwrap();
    assert!(other.lock().is_ok(), "released by the commit");
    assert_eq!(refresh_token_in(&path), "new-rt");
}

#[test]
fn leftovers_never_block_a_save_and_are_cleaned_under_the_lock() {
    let dir = TempDir::new("leftovers");
    let path = dir.write("creds.json", OLD, Duration::from_secs(60));
    // What killed runs leave: old-style PID names (the next one this
    // process would have used among them), random names, blank reserved
    // files, half-written credentials.
    let pid = std::process::id();
    for name in [
        format!(".creds.json.tmp-{pid}-0"),
        format!(".creds.json.tmp-{pid}-1"),
        ".creds.json.tmp-1-0".to_owned(),
        ".creds.json.tmp-00000000deadbeef".to_owned(),
    ] {
        dir.write(&name, &OLD[..20], Duration::ZERO);
    }
    dir.write(".creds.json.tmp-blank", &" ".repeat(4096), Duration::ZERO);

    let file = CredentialsFile::new(&path);
    let mut lock = file.lock().unwrap();
    let loaded = lock.load().unwrap().unwrap();
    assert_eq!(loaded.refresh_token().unwrap().secret(), "old-rt");
    assert_eq!(dir.entries(), ["creds.json"], "broken leftovers removed");

    lock.save(&credentials(NEW)).unwrap();
    assert_eq!(refresh_token_in(&path), "new-rt");
    assert_eq!(dir.entries(), ["creds.json"]);
}

#[test]
fn credentials_a_killed_run_wrote_but_did_not_rename_are_put_in_place() {
    let dir = TempDir::new("adopt");
    let path = dir.write("creds.json", OLD, Duration::from_secs(60));
    // Killed between writing the refreshed credentials and the rename.
    dir.write(".creds.json.tmp-0123456789abcdef", NEW, Duration::ZERO);
    // A stale copy older than the file, and one for another client.
    dir.write(".creds.json.tmp-older", NEW, Duration::from_secs(3600));
    dir.write(".creds.json.tmp-other", OTHER_CLIENT, Duration::ZERO);

    let file = CredentialsFile::new(&path);
    let loaded = file.lock().unwrap().load().unwrap().unwrap();
    assert_eq!(loaded.refresh_token().unwrap().secret(), "new-rt");
    assert_eq!(refresh_token_in(&path), "new-rt", "put in place");
    assert_eq!(dir.entries(), ["creds.json"], "the others removed");
}

#[test]
fn of_several_whole_leftovers_the_newest_wins() {
    let dir = TempDir::new("newest");
    let path = dir.write("creds.json", OLD, Duration::from_secs(600));
    dir.write(".creds.json.tmp-a", NEW, Duration::from_secs(10));
    let newest = NEW.replace("new-rt", "newest-rt");
    dir.write(".creds.json.tmp-b", &newest, Duration::from_secs(1));
    let file = CredentialsFile::new(&path);
    file.lock().unwrap().load().unwrap();
    assert_eq!(refresh_token_in(&path), "newest-rt");
    assert_eq!(dir.entries(), ["creds.json"]);
}

#[cfg(unix)]
#[test]
fn a_leftover_others_may_read_is_not_taken() {
    let dir = TempDir::new("shared-leftover");
    let path = dir.write("creds.json", OLD, Duration::from_secs(60));
    let planted = dir.write(".creds.json.tmp-planted", NEW, Duration::ZERO);
    set_mode(&planted, 0o644);
    let file = CredentialsFile::new(&path);
    file.lock().unwrap().load().unwrap();
    assert_eq!(refresh_token_in(&path), "old-rt");
    assert_eq!(dir.entries(), ["creds.json"]);
}

#[test]
fn when_the_rename_fails_the_new_credentials_are_kept_and_recovered_later() {
    let dir = TempDir::new("rename-fails");
    let path = dir.write("creds.json", OLD, Duration::from_secs(60));
    let file = CredentialsFile::new(&path);
    let prepared = file.lock().unwrap().prepare_save().unwrap();

    // The refresh happens; meanwhile something makes the rename impossible.
    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    fs::write(path.join("x"), "").unwrap();

    let err = prepared.commit(&credentials(NEW)).unwrap_err();
    let kept = err.kept().expect("kept somewhere").to_owned();
    assert!(matches!(err, FileStoreError::NotSaved { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&kept.display().to_string()), "{message}");
    assert!(
        !message.contains("new-rt") && !message.contains("unchanged"),
        "{message}"
    );
    assert_eq!(refresh_token_in(&kept), "new-rt");
    #[cfg(unix)]
    assert_eq!(mode(&kept), 0o600);

    // Once the path is free again, the next load puts them in place.
    fs::remove_dir_all(&path).unwrap();
    let loaded = file.lock().unwrap().load().unwrap().unwrap();
    assert_eq!(loaded.refresh_token().unwrap().secret(), "new-rt");
    assert_eq!(refresh_token_in(&path), "new-rt");
    assert_eq!(dir.entries(), ["creds.json"]);
}

#[test]
fn a_save_that_cannot_work_fails_when_prepared() {
    let dir = TempDir::new("no-dir");
    let file = CredentialsFile::new(dir.path("missing/creds.json"));
    let err = file.save(&credentials(OLD)).unwrap_err();
    assert!(matches!(err, FileStoreError::Io { .. }), "{err:?}");
    assert!(dir.entries().is_empty());
}

#[cfg(unix)]
#[test]
fn no_symbolic_link_is_followed() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("links");
    let elsewhere = dir.write("elsewhere.json", OLD, Duration::ZERO);

    // The credentials file itself.
    let linked = dir.path("linked.json");
    symlink(&elsewhere, &linked).unwrap();
    let err = CredentialsFile::new(&linked).load().unwrap_err();
    assert!(
        matches!(err, FileStoreError::SymbolicLink { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("symbolic link"), "{err}");

    // The lock file: a link there must not create its target.
    let target = dir.path("created-through-the-link");
    symlink(&target, dir.path(".creds.json.lock")).unwrap();
    let file = CredentialsFile::new(dir.path("creds.json"));
    let err = file.lock().unwrap_err();
    assert!(
        matches!(err, FileStoreError::SymbolicLink { .. }),
        "{err:?}"
    );
    assert!(!target.exists());
    fs::remove_file(dir.path(".creds.json.lock")).unwrap();

    // A temporary file's name: the link is dropped, its target untouched.
    dir.write("creds.json", OLD, Duration::from_secs(60));
    symlink(&elsewhere, dir.path(".creds.json.tmp-link")).unwrap();
    let mut lock = file.lock().unwrap();
    lock.load().unwrap();
    lock.save(&credentials(NEW)).unwrap();
    assert_eq!(fs::read_to_string(&elsewhere).unwrap(), OLD);
    assert!(fs::symlink_metadata(dir.path(".creds.json.tmp-link")).is_err());
}

#[test]
fn a_lock_held_too_long_times_out_naming_the_holder() {
    let dir = TempDir::new("lock-timeout");
    let path = dir.write("creds.json", OLD, Duration::ZERO);
    let holder = CredentialsFile::new(&path);
    let held = holder.lock().unwrap();

    let waiter = CredentialsFile::new(&path).with_lock_timeout(Duration::from_millis(150));
    let err =
        std::thread::scope(|s| s.spawn(|| waiter.lock().map(drop)).join().unwrap()).unwrap_err();
    let FileStoreError::LockTimeout { holder, waited, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(*waited >= Duration::from_millis(150));
    let holder = holder.as_ref().expect("the holder is named");
    assert_eq!(holder.pid, std::process::id());
    let message = err.to_string();
    assert!(
        message.contains(&format!("process {}", std::process::id())),
        "{message}"
    );
    if cfg!(target_os = "linux") {
        assert!(holder.program.is_some(), "{holder:?}");
    }

    // Released, it is had at once.
    drop(held);
    assert!(waiter.lock().is_ok());
}

#[test]
fn the_lock_excludes_other_holders_until_dropped() {
    let dir = TempDir::new("lock-excludes");
    let path = dir.write("creds.json", OLD, Duration::ZERO);
    let file = CredentialsFile::new(&path);
    let held = file.lock().unwrap();
    let released = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            let _lock = CredentialsFile::new(&path).lock().unwrap();
            assert!(released.load(std::sync::atomic::Ordering::SeqCst));
        });
        std::thread::sleep(Duration::from_millis(100));
        released.store(true, std::sync::atomic::Ordering::SeqCst);
        drop(held);
        waiter.join().unwrap();
    });
}

#[test]
fn a_broken_file_is_a_typed_error_naming_the_path() {
    let dir = TempDir::new("broken");
    let path = dir.write("creds.json", &OLD[..40], Duration::ZERO);
    let err = CredentialsFile::new(&path).load().unwrap_err();
    assert!(matches!(err, FileStoreError::Invalid { .. }), "{err:?}");
    assert!(err.to_string().contains("creds.json"), "{err}");
    assert!(!err.to_string().contains("old-rt"));
}

#[test]
fn a_huge_file_is_refused_without_reading_it_all() {
    let dir = TempDir::new("huge");
    let path = dir.path("creds.json");
    fs::write(&path, vec![b' '; 10 << 20]).unwrap();
    let err = CredentialsFile::new(&path).load().unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
}

#[test]
fn removing_takes_the_leftovers_too() {
    let dir = TempDir::new("remove");
    let path = dir.write("creds.json", OLD, Duration::ZERO);
    dir.write(".creds.json.tmp-x", NEW, Duration::ZERO);
    let file = CredentialsFile::new(&path);
    assert!(file.lock().unwrap().remove().unwrap());
    assert!(dir.entries().is_empty());
    assert!(!file.lock().unwrap().remove().unwrap());
}

// --- Token caches keeping in the file ------------------------------------

/// Signed-in credentials from `server`, refreshed at `now`.
fn signed_in_at(server: &mut FakeServer, now: SystemTime) -> UserCredentials {
    let scopes = ["openid"];
    let refresh = server.issue_refresh_token(INSTALLED_ID, &scopes);
    let signed_in = UserCredentials::from_refresh_token(
        &installed_client(),
        RefreshToken::new(refresh),
        scopes.iter().map(|s| (*s).to_owned()).collect(),
    );
    let refresh = signed_in.refresh().unwrap();
    drive(
        refresh,
        || now,
        |request| server.deliver(&request, now),
        |_| {},
    )
    .unwrap()
}

#[test]
fn two_caches_on_one_file_never_send_the_same_refresh_token() {
    let dir = TempDir::new("cache-two");
    let file = CredentialsFile::new(dir.path("creds.json"));
    let mut server = FakeServer::default();
    file.save(&signed_in_at(&mut server, at(0))).unwrap();
    server.rotate_refresh_tokens = true;
    let server = Mutex::new(server);
    // Two processes, each with its own cache over the file (two handles on
    // the lock exclude each other as two processes would).
    let caches: Vec<_> = (0..2)
        .map(|_| SharedToken::new(file.load().unwrap().unwrap()).with_keeper(file.clone()))
        .collect();

    for round in 1..=3u64 {
        // Each round, the token both caches hold is stale: both want to renew it.
        let now = at(round * 3400);
        let requests_before = server.lock().unwrap().token_requests();
        let start = Barrier::new(caches.len());
        let tokens: Vec<String> = std::thread::scope(|s| {
            let threads: Vec<_> = caches
                .iter()
                .map(|cache| {
                    let (start, server) = (&start, &server);
                    s.spawn(move || {
                        start.wait();
                        let send = |request| server.lock().unwrap().deliver(&request, now);
                        let token = cache.token(|| now, send).unwrap();
                        secret(&token).to_owned()
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });

        let server = server.lock().unwrap();
        assert_eq!(
            server.token_requests(),
            requests_before + 1,
            "round {round}"
        );
        assert_eq!(tokens[0], tokens[1], "the second took the first one's");
        let mut call = http::Request::new(());
        call.headers_mut().insert(
            "authorization",
            format!("Bearer {}", tokens[0]).parse().unwrap(),
        );
        assert_eq!(
            server.api_status(&call, now),
            200,
            "the grant was never revoked"
        );
        assert_eq!(refresh_token_in(file.path()), format!("rt-{}", round + 1));
        for cache in &caches {
            assert!(cache.last_failure().is_none() && cache.keep_failure().is_none());
        }
    }
}

#[test]
fn a_cache_whose_file_cannot_be_written_sends_no_refresh() {
    let dir = TempDir::new("cache-unwritable");
    fs::write(dir.path("a-file"), "").unwrap();
    // As root, permissions do not bind: a missing directory, a parent that
    // is a file.
    for path in [
        dir.path("missing/creds.json"),
        dir.path("a-file/creds.json"),
    ] {
        let cache = SharedToken::new(holding("ya29.old", 3600, at(0)))
            .with_keeper(CredentialsFile::new(&path));
        let nothing_sent = |_| panic!("the refresh must not be sent");

        let old = cache.token(|| at(3375), nothing_sent).unwrap();
        assert_eq!(secret(&old), "ya29.old", "served while valid");
        let failure = cache.last_failure().expect("reported");
        let Error::Store(error) = failure.error() else {
            panic!("{failure:?}")
        };
        assert_eq!(error.kind(), KeepErrorKind::Io);
        assert!(error.kept().is_none());

        let error = cache.token(|| at(3600), nothing_sent).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("no refresh was sent"), "{text}");
        assert!(
            text.contains(&path.parent().unwrap().display().to_string()),
            "{text}"
        );
        assert!(!text.contains("1//refresh"), "{text}");
    }
    assert_eq!(dir.entries(), ["a-file"]);
}

#[test]
fn a_cache_whose_file_cannot_be_replaced_serves_the_new_token_and_names_the_kept_file() {
    let dir = TempDir::new("cache-rename");
    let path = dir.path("creds.json");
    let file = CredentialsFile::new(&path);
    file.save(&holding("ya29.old", 3600, at(0))).unwrap();
    let cache = SharedToken::new(file.load().unwrap().unwrap()).with_keeper(file.clone());

    let token = cache
        .token(
            || at(3375),
            |_| {
                // While the request is out, something makes the rename impossible.
                fs::remove_file(&path).unwrap();
                fs::create_dir(&path).unwrap();
                fs::write(path.join("x"), "").unwrap();
                Ok(granted_rotating("ya29.new", 3600, "1//rotated"))
            },
        )
        .unwrap();

    assert_eq!(secret(&token), "ya29.new");
    let unkept = cache.keep_failure().expect("reported");
    let kept = PathBuf::from(unkept.kept().expect("kept beside the file"));
    assert_eq!(refresh_token_in(&kept), "1//rotated");
    assert!(
        unkept.to_string().contains(&kept.display().to_string()),
        "{unkept}"
    );
    assert!(!unkept.to_string().contains("1//rotated"), "{unkept}");
    assert!(cache.last_failure().is_none());

    // Once the path is free, the next process to load gets them.
    fs::remove_dir_all(&path).unwrap();
    let loaded = file.lock().unwrap().load().unwrap().unwrap();
    assert_eq!(loaded.refresh_token().unwrap().secret(), "1//rotated");
}
