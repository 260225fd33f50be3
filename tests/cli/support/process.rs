//! The `oauth2-sansio` binary as a subprocess: stdout collected, stderr
//! read line by line while it runs, and always killed and reaped.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Instant;

use super::PATIENCE;

/// Where the metadata server is unless a test says otherwise: a loopback
/// port nothing listens on, so that no run can reach the real one.
pub const NO_METADATA_SERVER: &str = "127.0.0.1:1";

/// The binary with `args`, without a terminal, and with none of this
/// process's environment but `PATH`: no proxy, browser, home directory or
/// credentials of the developer's can change what it does. Application
/// Default Credentials skip the metadata server (`NO_GCE_CHECK=true`),
/// which would be at [`NO_METADATA_SERVER`] anyway; a test that wants one
/// removes `NO_GCE_CHECK` and points `GCE_METADATA_HOST` and
/// `GCE_METADATA_IP` at its fake.
pub fn oauth2_sansio(args: &[&str]) -> Command {
    isolated(Path::new(env!("CARGO_BIN_EXE_oauth2-sansio")), args)
}

/// The example `name` (built beside the binary by `cargo test`, with the
/// features it needs), run as [`oauth2_sansio`] runs the binary.
pub fn example(name: &str, args: &[&str]) -> Command {
    let binary = Path::new(env!("CARGO_BIN_EXE_oauth2-sansio"));
    let example = binary
        .with_file_name("examples")
        .join(name)
        .with_extension(std::env::consts::EXE_EXTENSION);
    assert!(
        example.is_file(),
        "the example {name} is not built: `cargo test --all-features` builds it \
         (or `cargo build --all-features --examples`)"
    );
    isolated(&example, args)
}

fn isolated(program: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_clear()
        .env("NO_GCE_CHECK", "true")
        .env("GCE_METADATA_HOST", NO_METADATA_SERVER)
        .env("GCE_METADATA_IP", NO_METADATA_SERVER);
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
}

/// A running binary. Dropping it kills and reaps the process, on every
/// path, a failing assertion included.
pub struct Running {
    child: Child,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Receiver<String>,
    stderr_seen: Vec<String>,
}

/// How a run ended.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    /// Every line written to stderr, without its newline.
    pub stderr: Vec<String>,
}

impl Finished {
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {self:?}"))
    }
}

impl Running {
    pub fn start(command: &mut Command) -> Self {
        let mut child = command.spawn().expect("the binary starts");
        let mut stdout = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stdout.read_to_end(&mut bytes);
            bytes
        });
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdout: Some(stdout),
            stderr: rx,
            stderr_seen: Vec::new(),
        }
    }

    /// Runs `command` to its end.
    pub fn run(command: &mut Command) -> Finished {
        Self::start(command).finish()
    }

    /// Kills the binary (SIGKILL on Unix) and returns when that was.
    pub fn kill(&mut self) -> Instant {
        let at = Instant::now();
        let _ = self.child.kill();
        at
    }

    /// The next line the binary writes to stderr.
    pub fn stderr_line(&mut self) -> String {
        let line = self
            .stderr
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("no stderr line ({e}); so far: {:?}", self.stderr_seen));
        self.stderr_seen.push(line.clone());
        line
    }

    /// Waits for the binary to exit (killing it after [`PATIENCE`]) and
    /// collects what it wrote.
    pub fn finish(mut self) -> Finished {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "the binary did not exit; stderr so far: {:?}",
                self.stderr_seen
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let stdout = self.stdout.take().unwrap().join().unwrap();
        let mut stderr = std::mem::take(&mut self.stderr_seen);
        loop {
            match self.stderr.recv_timeout(PATIENCE) {
                Ok(line) => stderr.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!("stderr stayed open: {stderr:?}"),
            }
        }
        Finished {
            status,
            stdout: String::from_utf8(stdout).unwrap(),
            stderr,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
