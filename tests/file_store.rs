//! CredentialsFile: atomic replacement, private permissions, bounded reads.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;

use oauth2_sansio::transport::file_store::{write_atomically, CredentialsFile, FileStoreError};
use oauth2_sansio::{CredentialsStore, UserCredentials};

const OLD: &str = r#"{"type":"authorized_user","client_id":"id","client_secret":"s","refresh_token":"old-rt","token_uri":"https://oauth2.googleapis.com/token","scopes":["openid"]}"#;

/// A fresh directory under the target dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("oauth2-sansio-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn entries(&self) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
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

#[test]
fn save_then_load_round_trips() {
    let dir = TempDir::new("round-trip");
    let file = CredentialsFile::new(dir.0.join("creds.json"));
    assert!(file.load().unwrap().is_none());
    let creds = UserCredentials::from_authorized_user_json(OLD.as_bytes()).unwrap();
    file.save(&creds).unwrap();
    assert_eq!(file.load().unwrap(), Some(creds));
    assert_eq!(dir.entries(), ["creds.json"]);
}

#[cfg(unix)]
#[test]
fn saved_file_is_private_even_when_replacing_a_public_one() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode");
    let path = dir.0.join("creds.json");
    fs::write(&path, OLD).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let file = CredentialsFile::new(&path);
    file.save(&file.load().unwrap().unwrap()).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_write_that_fails_midway_leaves_the_old_file_whole() {
    let dir = TempDir::new("torn");
    let path = dir.0.join("creds.json");
    fs::write(&path, OLD).unwrap();
    let result = write_atomically(&path, |file| {
        file.write_all(&OLD.as_bytes()[..20])?;
        Err(io::Error::other("disk full"))
    });
    assert_eq!(result.unwrap_err().to_string(), "disk full");
    assert_eq!(fs::read_to_string(&path).unwrap(), OLD);
    assert_eq!(
        dir.entries(),
        ["creds.json"],
        "the temporary file is removed"
    );
}

#[test]
fn a_leftover_temporary_file_from_a_killed_writer_does_not_matter() {
    let dir = TempDir::new("killed");
    let path = dir.0.join("creds.json");
    fs::write(&path, OLD).unwrap();
    // What a writer killed before its rename leaves behind.
    fs::write(dir.0.join(".creds.json.tmp-1-0"), &OLD.as_bytes()[..20]).unwrap();
    let file = CredentialsFile::new(&path);
    let creds = file.load().unwrap().unwrap();
    assert_eq!(creds.refresh_token().unwrap().secret(), "old-rt");
    file.save(&creds).unwrap();
    assert_eq!(file.load().unwrap(), Some(creds));
}

#[test]
fn a_broken_file_is_a_typed_error_naming_the_path() {
    let dir = TempDir::new("broken");
    let path = dir.0.join("creds.json");
    fs::write(&path, &OLD[..40]).unwrap();
    let err = CredentialsFile::new(&path).load().unwrap_err();
    assert!(matches!(err, FileStoreError::Invalid { .. }), "{err:?}");
    assert!(err.to_string().contains("creds.json"), "{err}");
    assert!(!err.to_string().contains("old-rt"));
}

#[test]
fn a_huge_file_is_refused_without_reading_it_all() {
    let dir = TempDir::new("huge");
    let path = dir.0.join("creds.json");
    fs::write(&path, vec![b' '; 10 << 20]).unwrap();
    let err = CredentialsFile::new(&path).load().unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
}
