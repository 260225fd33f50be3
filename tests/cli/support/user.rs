//! Running the binary as an unprivileged user, so that permissions bind it
//! even when the tests run as root (as CI does).

use std::fs;
use std::path::Path;
use std::process::Command;

/// The user id a root test runs the binary as (`nobody` on Debian).
const NOBODY: u32 = 65534;

/// Whether this process's effective user is root.
pub fn running_as_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("Uid:"))?.to_owned();
            line.split_whitespace().nth(2).map(|euid| euid == "0")
        })
        .unwrap_or(false)
}

/// When running as root: hands `dir` and everything in it to `nobody` and
/// makes `command` run as `nobody`. Otherwise changes nothing.
#[cfg(unix)]
pub fn unprivileged<'c>(command: &'c mut Command, dir: &Path) -> &'c mut Command {
    use std::os::unix::process::CommandExt;
    if !running_as_root() {
        return command;
    }
    chown_all(dir);
    command.uid(NOBODY).gid(NOBODY)
}

#[cfg(unix)]
fn chown_all(path: &Path) {
    std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    if fs::symlink_metadata(path).unwrap().is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            chown_all(&entry.unwrap().path());
        }
    }
}
