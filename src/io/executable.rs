//! [`ExecutableSubjectTokens`]: an external account's `executable` source
//! (google-auth's pluggable source), run at each refresh: the core runs no
//! commands.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use zeroize::Zeroizing;

use crate::external::{
    executable_output, CredentialSource, ExecutableSource, ExternalAccountCredentials,
    SubjectTokenContext, SubjectTokenError, SubjectTokenSupplier, EXECUTABLE_OUTPUT_LIMIT,
};
use crate::SecurityToken;

/// The variable that must be `1` for an executable to run.
pub const ALLOW_EXECUTABLES: &str = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES";

/// Runs an `executable` source's command for each subject token, as
/// google-auth does (non-interactive mode): only when allowed
/// ([`ALLOW_EXECUTABLES`] is `1`); a still-valid answer in `output_file`
/// (one with an `expiration_time` not yet past) is used without running
/// it; otherwise the command line is split as a POSIX shell splits words
/// (quotes and backslashes, no shell: no expansion, pipes or globs) and run
/// with the process's environment plus `GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE`,
/// `_TOKEN_TYPE`, `_INTERACTIVE=0`, `_REVOKE=0`, and `_IMPERSONATED_EMAIL`,
/// `_ID` (the service account) and `_OUTPUT_FILE` when they apply; stdin
/// is empty and stderr discarded. It is killed at the source's timeout;
/// a non-zero exit status is an error; its stdout (at most
/// [`EXECUTABLE_OUTPUT_LIMIT`] bytes; `output_file` when stdout is empty)
/// is read by [`executable_output`]. Blocking.
#[derive(Debug, Clone)]
pub struct ExecutableSubjectTokens {
    source: ExecutableSource,
    allowed: bool,
    env: Vec<(&'static str, String)>,
}

impl ExecutableSubjectTokens {
    /// The runner of `credentials`' `executable` source, if that is its
    /// source; `allowed` says whether executables may run (see
    /// [`allowed_by_environment`](Self::allowed_by_environment)).
    pub fn for_source(credentials: &ExternalAccountCredentials, allowed: bool) -> Option<Self> {
        let CredentialSource::Executable(source) = credentials.credential_source()? else {
            return None;
        };
        let mut env = vec![
            (
                "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE",
                credentials.audience().to_owned(),
            ),
            (
                "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE",
                credentials.subject_token_type().to_owned(),
            ),
            ("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "0".to_owned()),
            ("GOOGLE_EXTERNAL_ACCOUNT_REVOKE", "0".to_owned()),
        ];
        if let Some(email) = credentials.service_account_email() {
            env.push((
                "GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL",
                email.to_owned(),
            ));
            env.push(("GOOGLE_EXTERNAL_ACCOUNT_ID", email.to_owned()));
        }
        if let Some(file) = &source.output_file {
            env.push((
                "GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE",
                file.to_string_lossy().into_owned(),
            ));
        }
        Some(Self {
            source: source.clone(),
            allowed,
            env,
        })
    }

    /// Whether this process allows executables: [`ALLOW_EXECUTABLES`] is
    /// exactly `1`.
    pub fn allowed_by_environment() -> bool {
        std::env::var(ALLOW_EXECUTABLES).is_ok_and(|v| v == "1")
    }

    /// The cached answer in `output_file`, if it is valid and unexpired
    /// (anything else, the command runs).
    fn cached(&self, now: SystemTime) -> Option<SecurityToken> {
        let output = read_bounded(self.source.output_file.as_deref()?).ok()?;
        let token = executable_output(&output, now).ok()?;
        token.expires_at.map(|_| token.token)
    }

    fn run(&self) -> Result<Zeroizing<Vec<u8>>, SubjectTokenError> {
        let words = split_command(&self.source.command).ok_or_else(|| {
            SubjectTokenError::supplier(
                "credential_source.executable.command is empty or has an unclosed quote",
            )
        })?;
        let mut child = Command::new(&words[0])
            .args(&words[1..])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                SubjectTokenError::supplier(format!(
                    "the credential source executable {} cannot be started ({e})",
                    words[0]
                ))
            })?;
        let mut stdout = child.stdout.take().expect("piped");
        let reader = thread::spawn(move || {
            let mut output = Zeroizing::new(Vec::new());
            let read = (&mut stdout)
                .take(EXECUTABLE_OUTPUT_LIMIT as u64 + 1)
                .read_to_end(&mut output);
            // Drain the rest so that the child never blocks on a full pipe.
            let _ = std::io::copy(&mut stdout, &mut std::io::sink());
            read.map(|_| output)
        });
        let status = wait(&mut child, self.source.timeout)?;
        let output = reader
            .join()
            .map_err(|_| SubjectTokenError::retryable("reading the executable's output failed"))?
            .map_err(|e| {
                SubjectTokenError::retryable(format!(
                    "reading the executable's output failed ({e})"
                ))
            })?;
        if !status.success() {
            return Err(SubjectTokenError::supplier(format!(
                "the credential source executable exited with {status}; run it by hand to see why"
            )));
        }
        Ok(output)
    }
}

/// Waits for `child` at most `timeout`, then kills it.
fn wait(
    child: &mut Child,
    timeout: Duration,
) -> Result<std::process::ExitStatus, SubjectTokenError> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SubjectTokenError::retryable(format!(
                    "the credential source executable ran longer than its timeout ({} ms) and was stopped",
                    timeout.as_millis()
                )));
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                let _ = child.kill();
                return Err(SubjectTokenError::retryable(format!(
                    "waiting for the credential source executable failed ({e})"
                )));
            }
        }
    }
}

fn read_bounded(path: &Path) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut content = Zeroizing::new(Vec::new());
    File::open(path)?
        .take(EXECUTABLE_OUTPUT_LIMIT as u64 + 1)
        .read_to_end(&mut content)?;
    Ok(content)
}

/// Splits a command line into words as Python's `shlex.split` does (POSIX
/// mode): whitespace separates; `'...'` keeps everything; `"..."` keeps
/// everything but `\` before `"`, `\`, `$`, `` ` `` and newline; `\` outside
/// quotes keeps the next character. `None` when no word or a quote is
/// left open.
fn split_command(command: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let word = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                let word = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`' | '\n') => word.push(c),
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    (!words.is_empty()).then_some(words)
}

impl SubjectTokenSupplier for ExecutableSubjectTokens {
    fn subject_token(
        &self,
        _context: &SubjectTokenContext<'_>,
    ) -> Result<SecurityToken, SubjectTokenError> {
        if !self.allowed {
            return Err(SubjectTokenError::ExecutablesNotAllowed);
        }
        if let Some(token) = self.cached(SystemTime::now()) {
            return Ok(token);
        }
        let mut output = self.run()?;
        if output.iter().all(u8::is_ascii_whitespace) {
            if let Some(file) = &self.source.output_file {
                output = read_bounded(file).map_err(|e| {
                    SubjectTokenError::supplier(format!(
                        "the credential source executable printed nothing and its output_file \
                         {} cannot be read ({e})",
                        file.display()
                    ))
                })?;
            }
        }
        Ok(executable_output(&output, SystemTime::now())?.token)
    }
}

#[cfg(test)]
mod tests {
    use super::split_command;

    #[test]
    fn command_lines_split_as_shlex_splits_them() {
        let split = |line| split_command(line).map(|w| w.join("|"));
        assert_eq!(split("/bin/tool --a b").as_deref(), Some("/bin/tool|--a|b"));
        assert_eq!(
            split(r#"  'a b'  "c \"d\" \x" e\ f g''h "#).as_deref(),
            Some(r#"a b|c "d" \x|e f|gh"#)
        );
        assert_eq!(split("x ''").as_deref(), Some("x|"));
        assert_eq!(split("$HOME;rm *").as_deref(), Some("$HOME;rm|*"));
        for bad in ["", "   ", "'open", "\"open", "trailing\\"] {
            assert_eq!(split(bad), None, "{bad}");
        }
    }
}
