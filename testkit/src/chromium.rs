//! A real system browser for the installed-app runner: Debian's headless
//! Chromium (`/usr/bin/chromium`, installed by `bash scripts/interop-setup.sh`)
//! with a fresh profile. `--dump-dom` makes it follow the whole redirect
//! chain, print the last page and exit by itself.
//!
//! Chromium forks helpers (zygotes, renderers, a network service) in the
//! caller's process group, so nothing is killed by group: [`finish`]
//! waits, bounded, until no process uses the profile, kills by PID any
//! that are left, then removes the profile.
//!
//! [`finish`]: HeadlessChromium::finish

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use oauth2_sansio::io::installed::Browser;

/// Debian's chromium launcher; it `exec`s the real binary, so the process
/// the runner starts is Chromium's main process.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Quiet headless flags (no GPU, QUIC, first-run, background or update
/// traffic); `--no-sandbox` because the tests run as root; the profile and
/// `--dump-dom` come after them.
pub const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// How long Chromium may take to exit after the flow returned; it usually
/// needs well under a second.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(20);

/// The pause between two looks at the process table while waiting.
const POLL: Duration = Duration::from_millis(20);

static NEXT_PROFILE: AtomicUsize = AtomicUsize::new(0);

/// One browser: a fresh, empty profile directory of its own.
pub struct HeadlessChromium {
    profile: PathBuf,
    finished: bool,
}

/// What [`HeadlessChromium::finish`] had to do.
#[derive(Debug, Default)]
pub struct Cleanup {
    /// PIDs still running with the profile after [`EXIT_TIMEOUT`], killed.
    pub killed: Vec<u32>,
    /// PIDs still listed by `pgrep` after the kill.
    pub survivors: Vec<u32>,
    /// Why the profile directory could not be removed, if it could not.
    pub profile_left: Option<String>,
    /// How long Chromium took to exit after `finish` was called.
    pub exit_wait: Duration,
}

impl Cleanup {
    /// Chromium exited by itself, and nothing of it is left.
    pub fn is_clean(&self) -> bool {
        self.killed.is_empty() && self.survivors.is_empty() && self.profile_left.is_none()
    }
}

impl HeadlessChromium {
    /// A browser with a new empty profile; panics, naming the setup script,
    /// if Chromium or `pgrep` is not installed.
    pub fn new() -> Self {
        if !Path::new(CHROMIUM).is_file() {
            panic!("{CHROMIUM} is missing: run `bash scripts/interop-setup.sh` (it installs Debian's chromium)");
        }
        if Command::new("pgrep").arg("--version").output().is_err() {
            panic!("pgrep is missing: install procps (`apt-get install -y procps`)");
        }
        let n = NEXT_PROFILE.fetch_add(1, Ordering::Relaxed);
        let profile =
            std::env::temp_dir().join(format!("oauth2-sansio-chromium-{}-{n}", std::process::id()));
        // A profile left by an earlier process with the same PID is stale.
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", profile.display()));
        Self {
            profile,
            finished: false,
        }
    }

    /// The profile directory (`--user-data-dir`).
    pub fn profile(&self) -> &Path {
        &self.profile
    }

    /// The runner's browser: Chromium with [`FLAGS`], this profile and
    /// `--dump-dom`, then the URL.
    pub fn browser(&self) -> Browser {
        let mut args: Vec<String> = FLAGS.iter().map(|flag| (*flag).to_owned()).collect();
        args.push(format!("--user-data-dir={}", self.profile.display()));
        args.push("--dump-dom".to_owned());
        Browser::command_with_args(CHROMIUM, args)
    }

    /// Opens `url` with this profile and `--dump-dom`, as a user's browser
    /// would (the profile keeps its cookies from one call to the next), and
    /// returns the DOM of the page the redirect chain ends on. Chromium is
    /// killed if it runs longer than `timeout`, and every process of the
    /// profile has exited when this returns.
    pub fn dump_dom(&self, url: &str, timeout: Duration) -> String {
        let mut child = Command::new(CHROMIUM)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", self.profile.display()))
            .arg("--dump-dom")
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
        let mut stdout = child.stdout.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut dom = String::new();
            let _ = std::io::Read::read_to_string(&mut stdout, &mut dom);
            dom
        });
        let deadline = Instant::now() + timeout;
        while child.try_wait().ok().flatten().is_none() {
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(POLL);
        }
        let left = self.wait_for_exit(EXIT_TIMEOUT);
        kill(&left);
        reader.join().unwrap_or_default()
    }

    /// The PIDs of the processes that run with this profile, by
    /// `pgrep -f '=<profile>(/| |$)'`, which finds every process
    /// `pgrep -f user-data-dir=<profile>` finds (an exited but unreaped
    /// process has no command line and is not listed).
    pub fn processes(&self) -> Vec<u32> {
        pgrep(&self.pattern()).unwrap_or_else(|e| panic!("pgrep failed: {e}"))
    }

    /// Waits up to [`EXIT_TIMEOUT`] for every process of this profile to
    /// exit, kills by PID those still running, and removes the profile.
    pub fn finish(mut self) -> Cleanup {
        self.finished = true;
        self.clean_up()
    }

    fn clean_up(&mut self) -> Cleanup {
        let started = Instant::now();
        let mut cleanup = Cleanup::default();
        let mut left = self.wait_for_exit(EXIT_TIMEOUT);
        cleanup.exit_wait = started.elapsed();
        if !left.is_empty() {
            kill(&left);
            cleanup.killed = left;
            left = self.wait_for_exit(EXIT_TIMEOUT);
        }
        cleanup.survivors = left;
        if let Err(e) = std::fs::remove_dir_all(&self.profile) {
            cleanup.profile_left = Some(format!("{}: {e}", self.profile.display()));
        }
        cleanup
    }

    /// Polls until no process uses the profile or `timeout` passes;
    /// returns those still running.
    fn wait_for_exit(&self, timeout: Duration) -> Vec<u32> {
        let deadline = Instant::now() + timeout;
        loop {
            let running = self.processes();
            if running.is_empty() || Instant::now() >= deadline {
                return running;
            }
            std::thread::sleep(POLL);
        }
    }

    /// The profile path as a whole argument or a directory in one
    /// (`--user-data-dir=<profile>`, the crash handler's
    /// `--database=<profile>/crash`); profile `-1` does not match `-10`.
    fn pattern(&self) -> String {
        format!("={}(/| |$)", escape_regex(&self.profile.to_string_lossy()))
    }
}

impl Default for HeadlessChromium {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for HeadlessChromium {
    /// A test that panicked before [`finish`](Self::finish) still leaves
    /// no browser and no profile behind.
    fn drop(&mut self) {
        if !self.finished {
            let cleanup = self.clean_up();
            if !cleanup.is_clean() {
                eprintln!("headless chromium cleanup: {cleanup:?}");
            }
        }
    }
}

/// A command line seen in `/proc/<pid>/cmdline`, arguments joined with
/// spaces, and when it was first seen.
#[derive(Debug, Clone)]
pub struct CommandLine {
    pub pid: u32,
    pub line: String,
    pub seen: Instant,
}

/// A thread reading, every [`WATCH_POLL`], the command line of every
/// process whose arguments name a profile: what any local user can read.
pub struct CommandLineWatch {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<CommandLine>>>,
}

/// The pause between two reads of the process table by a watch.
pub const WATCH_POLL: Duration = Duration::from_millis(2);

impl HeadlessChromium {
    /// Watches the command lines of this profile's processes (the launcher,
    /// Chromium and its helpers) from now until [`CommandLineWatch::stop`],
    /// calling `on_new` with each new one as soon as it is seen.
    pub fn watch_command_lines(
        &self,
        mut on_new: impl FnMut(&CommandLine) + Send + 'static,
    ) -> CommandLineWatch {
        let stop = Arc::new(AtomicBool::new(false));
        // As a whole argument's value or a directory in one, as `pattern`:
        // profile `-1` is not profile `-10`.
        let whole = format!("={}", self.profile.display());
        let within = format!("{whole}/");
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut seen: Vec<CommandLine> = Vec::new();
            while !stopped.load(Ordering::Relaxed) {
                for (pid, line) in command_lines() {
                    let ours = line
                        .split(' ')
                        .any(|arg| arg.ends_with(&whole) || arg.contains(&within));
                    if ours && !seen.iter().any(|s| s.pid == pid && s.line == line) {
                        let new = CommandLine {
                            pid,
                            line,
                            seen: Instant::now(),
                        };
                        on_new(&new);
                        seen.push(new);
                    }
                }
                std::thread::sleep(WATCH_POLL);
            }
            seen
        });
        CommandLineWatch {
            stop,
            thread: Some(thread),
        }
    }
}

impl CommandLineWatch {
    /// Stops watching; every command line seen, in the order first seen.
    pub fn stop(mut self) -> Vec<CommandLine> {
        self.stop.store(true, Ordering::Relaxed);
        let thread = self.thread.take().expect("stopped once");
        thread.join().expect("the watch does not panic")
    }
}

impl Drop for CommandLineWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Every process's command line, arguments joined with spaces (processes
/// that exit meanwhile, or that have none, are skipped). Linux only.
pub fn command_lines() -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<String> = raw
                .split(|b| *b == 0)
                .filter(|arg| !arg.is_empty())
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .collect();
            (!args.is_empty()).then(|| (pid, args.join(" ")))
        })
        .collect()
}

/// The children of the calling thread named `chromium`, with their state
/// letter from `/proc/<pid>/stat` (`Z`: exited, never reaped). Linux only.
pub fn chromium_children_of_this_thread() -> Vec<(u32, char)> {
    let children = std::fs::read_to_string("/proc/thread-self/children")
        .unwrap_or_else(|e| panic!("cannot read /proc/thread-self/children: {e}"));
    children
        .split_whitespace()
        .filter_map(|pid| pid.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ...`; comm may hold spaces and parentheses.
            let (head, tail) = stat.rsplit_once(')')?;
            let comm = head.split_once('(')?.1;
            let state = tail.trim_start().chars().next()?;
            (comm == "chromium").then_some((pid, state))
        })
        .collect()
}

/// `pgrep -f PATTERN`'s PIDs (none when it matches nothing).
fn pgrep(pattern: &str) -> Result<Vec<u32>, String> {
    let output = Command::new("pgrep")
        .arg("-f")
        .arg("--")
        .arg(pattern)
        .output()
        .map_err(|e| format!("cannot run pgrep: {e}"))?;
    match output.status.code() {
        Some(0) | Some(1) => Ok(String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .filter_map(|pid| pid.parse().ok())
            .collect()),
        _ => Err(format!(
            "pgrep {pattern:?}: {} {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )),
    }
}

/// `kill -KILL PID...`: only processes found with this test's own profile.
fn kill(pids: &[u32]) {
    let _ = Command::new("kill")
        .arg("-KILL")
        .args(pids.iter().map(u32::to_string))
        .status();
}

/// `text` as an extended regular expression that matches it literally.
fn escape_regex(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if ".[]()*+?{}|^$\\".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
