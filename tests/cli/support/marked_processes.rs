//! Every process a command started, however deep, found by a marker
//! variable in its environment (`/proc/PID/environ`, Linux): the CLI, the
//! browser wrapper it runs, and Chromium with its helpers, some of which
//! leave the process group and the session, so neither finds them all.
//! A scenario waits, bounded, for them to exit by themselves; whatever is
//! still running then, or when the [`Marker`] is dropped, is killed by PID.

use std::fs;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The marker variable.
const VARIABLE: &str = "OAUTH2_SANSIO_TEST_RUN";

/// The pause between two looks at the process table while waiting.
const POLL: Duration = Duration::from_millis(25);

/// A unique marker for the processes of one run.
pub struct Marker {
    value: String,
    /// `VARIABLE=value`, as it appears in `/proc/PID/environ`.
    entry: Vec<u8>,
}

impl Marker {
    pub fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let value = format!(
            "{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let entry = format!("{VARIABLE}={value}").into_bytes();
        Self { value, entry }
    }

    /// Marks `command`; every process it starts inherits the marker.
    pub fn mark<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        command.env(VARIABLE, &self.value)
    }

    /// The marked processes still running (`PID name` each; exited but
    /// unreaped ones have no environment and are not listed).
    pub fn running(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| self.marks(*pid))
            .map(|pid| {
                let name = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                format!("{pid} {}", name.trim_end())
            })
            .collect()
    }

    /// Waits up to `patience` for every marked process to exit; kills by
    /// PID those still running then and returns them (empty: all exited by
    /// themselves).
    pub fn wait_all_exited(&self, patience: Duration) -> Vec<String> {
        let deadline = Instant::now() + patience;
        loop {
            let running = self.running();
            if running.is_empty() {
                return running;
            }
            if Instant::now() >= deadline {
                kill(&running);
                return running;
            }
            std::thread::sleep(POLL);
        }
    }

    fn marks(&self, pid: u32) -> bool {
        // Unreadable: gone, or not ours.
        fs::read(format!("/proc/{pid}/environ"))
            .is_ok_and(|environ| environ.split(|b| *b == 0).any(|e| e == self.entry))
    }
}

impl Drop for Marker {
    fn drop(&mut self) {
        kill(&self.running());
    }
}

/// `kill -KILL` for each `PID name` in `processes`.
fn kill(processes: &[String]) {
    let pids: Vec<&str> = processes
        .iter()
        .filter_map(|p| p.split(' ').next())
        .collect();
    if !pids.is_empty() {
        // Fails only for processes that exited meanwhile, which is fine.
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg("--")
            .args(pids)
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn a_marked_process_is_found_and_killed_by_pid() {
        let marker = Marker::new();
        let unmarked = Marker::new();
        let mut child = marker
            .mark(Command::new("sleep").arg("60"))
            .spawn()
            .expect("sleep starts");
        // spawn() returns once the kernel has swapped in the new program,
        // a moment before it fills in the environment and the name.
        let expected = [format!("{} sleep", child.id())];
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut running = marker.running();
        while running != expected && Instant::now() < deadline {
            std::thread::sleep(POLL);
            running = marker.running();
        }
        assert_eq!(running, expected);
        assert!(unmarked.running().is_empty());
        assert_eq!(marker.wait_all_exited(Duration::ZERO), running);
        assert_eq!(child.wait().unwrap().signal(), Some(9));
        assert!(marker.running().is_empty());
    }
}
