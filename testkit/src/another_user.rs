//! Processes that run as another local user, `nobody` (uid 65534), to
//! play an attacker who shares the machine: python3 scripts started with
//! `CommandExt::uid`, which needs root (CI runs as root). Linux only.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// The other user: `nobody`.
pub const NOBODY: u32 = 65534;

/// Where python3 is looked for (not on `PATH`: root's may point into
/// directories `nobody` cannot enter).
const PYTHONS: [&str; 3] = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"];

/// This process's effective uid, from `/proc/self/status`.
fn effective_uid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1)?.parse().ok())
        .expect("an effective uid in /proc/self/status")
}

/// `python3 -c script` to run as [`NOBODY`], or `None` after saying why
/// the caller's case is skipped: only root can start a process as another
/// user. Panics if python3 is missing.
pub fn python_as_nobody(case: &str, script: &str) -> Option<Command> {
    let uid = effective_uid();
    if uid != 0 {
        eprintln!(
            "NOTE: skipped {case}: it runs a client as uid {NOBODY}, which needs root (this test runs as uid {uid})"
        );
        return None;
    }
    let python = PYTHONS
        .into_iter()
        .find(|path| std::path::Path::new(path).is_file())
        .unwrap_or_else(|| panic!("{case} needs python3 in one of {PYTHONS:?}"));
    let mut command = Command::new(python);
    command
        .args(["-c", script])
        .uid(NOBODY)
        .gid(NOBODY)
        .current_dir("/")
        .env_clear();
    Some(command)
}
