//! Opening a URL (the flow's one-time start link) in the user's browser:
//! only `http` and `https` URLs, and always by running a program directly
//! with the URL as one argument, never through a shell (CVE-2025-6514 was
//! a URL reaching a shell command line).

use std::ffi::{OsStr, OsString};
use std::process::{Child, Command, Stdio};

use url::Url;

use super::error::BrowserError;

/// How the flow opens the sign-in link (the one-time start link that leads
/// to the authorization URL) for the user, besides printing it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Browser {
    /// The user's browser: the program named by the `BROWSER` environment
    /// variable (a program name or path; a list separated like `PATH` is
    /// tried in order), else `xdg-open` (Linux and other Unix), `open`
    /// (macOS) or `rundll32 url.dll,FileProtocolHandler` (Windows).
    #[default]
    System,
    /// This program, run with `args` and then the URL as its last argument
    /// (for example a headless browser and its flags).
    Command {
        /// The program's name (looked up in `PATH`) or path.
        program: OsString,
        /// Arguments placed before the URL.
        args: Vec<OsString>,
    },
    /// Open nothing: the user opens the printed URL (a remote shell, a
    /// machine without a browser, tests).
    Disabled,
}

impl Browser {
    /// `Browser::Command` for `program`, with the URL as its only argument.
    pub fn command(program: impl Into<OsString>) -> Self {
        Self::Command {
            program: program.into(),
            args: Vec::new(),
        }
    }

    /// `Browser::Command` for `program` with `args` before the URL.
    pub fn command_with_args<I, A>(program: impl Into<OsString>, args: I) -> Self
    where
        I: IntoIterator<Item = A>,
        A: Into<OsString>,
    {
        Self::Command {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
        }
    }

    /// Opens `url`, returning the started program (reap it with
    /// [`Child::try_wait`] or [`Child::wait`]), or `None` for
    /// [`Browser::Disabled`]. A URL that is not `http` or `https` is refused
    /// before anything is started. The program's output is discarded, so it
    /// cannot mix with the caller's.
    pub fn open(&self, url: &str) -> Result<Option<Child>, BrowserError> {
        let url = openable(url)?;
        let mut last_error = None;
        for mut command in self.commands(&url, std::env::var_os("BROWSER").as_deref()) {
            command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            match command.spawn() {
                Ok(child) => return Ok(Some(child)),
                Err(source) => {
                    last_error = Some(BrowserError::Spawn {
                        program: command.get_program().to_string_lossy().into_owned(),
                        source,
                    });
                }
            }
        }
        last_error.map_or(Ok(None), Err)
    }

    /// The commands to try in order, given the `BROWSER` variable's value.
    fn commands(&self, url: &Url, browser_env: Option<&OsStr>) -> Vec<Command> {
        match self {
            Browser::Disabled => Vec::new(),
            Browser::Command { program, args } => {
                let mut command = Command::new(program);
                command.args(args).arg(url.as_str());
                vec![command]
            }
            Browser::System => {
                let from_env: Vec<Command> = browser_env
                    .map(|value| {
                        std::env::split_paths(value)
                            .filter(|program| !program.as_os_str().is_empty())
                            .map(|program| direct(program.as_os_str(), url))
                            .collect()
                    })
                    .unwrap_or_default();
                if from_env.is_empty() {
                    vec![platform_default(url)]
                } else {
                    from_env
                }
            }
        }
    }
}

/// Parses `url` and accepts it only if it is `http` or `https` with a host.
fn openable(url: &str) -> Result<Url, BrowserError> {
    let url = Url::parse(url).map_err(|_| BrowserError::UnsupportedUrl)?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err(BrowserError::UnsupportedUrl),
    }
}

/// `program URL`, without a shell: the URL is one argument whatever it holds.
fn direct(program: &OsStr, url: &Url) -> Command {
    let mut command = Command::new(program);
    command.arg(url.as_str());
    command
}

#[cfg(target_os = "macos")]
fn platform_default(url: &Url) -> Command {
    direct(OsStr::new("open"), url)
}

#[cfg(windows)]
fn platform_default(url: &Url) -> Command {
    // Not `cmd /c start`, which is a shell.
    let mut command = Command::new("rundll32.exe");
    command.arg("url.dll,FileProtocolHandler").arg(url.as_str());
    command
}

#[cfg(not(any(target_os = "macos", windows)))]
fn platform_default(url: &Url) -> Command {
    direct(OsStr::new("xdg-open"), url)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A URL full of characters a shell would act on.
    const URL: &str = "https://as.example/auth?a=1&b=$(id)&c=`id`;d=|e'f";

    fn program_and_args(command: &Command) -> (String, Vec<String>) {
        (
            command.get_program().to_string_lossy().into_owned(),
            command
                .get_args()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
        )
    }

    #[test]
    fn only_http_and_https_urls_are_opened() {
        for refused in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://as.example/",
            "calc.exe",
            "-new-window",
            "",
            "vscode://open",
        ] {
            assert!(
                matches!(
                    Browser::command("no-such-program").open(refused),
                    Err(BrowserError::UnsupportedUrl)
                ),
                "{refused}"
            );
        }
        assert!(openable("http://127.0.0.1:8080/").is_ok());
        assert!(openable(URL).is_ok());
    }

    #[test]
    fn command_gets_the_url_as_its_single_argument() {
        let url = openable(URL).unwrap();
        let commands = Browser::command("/opt/browser").commands(&url, Some(OsStr::new("ignored")));
        assert_eq!(commands.len(), 1);
        assert_eq!(
            program_and_args(&commands[0]),
            ("/opt/browser".to_owned(), vec![url.as_str().to_owned()])
        );
        assert!(url.as_str().contains("&b=$(id)&c=`id`;d=|e"));

        let with_args = Browser::command_with_args("chromium", ["--headless", "--no-sandbox"]);
        assert_eq!(
            program_and_args(&with_args.commands(&url, None)[0]),
            (
                "chromium".to_owned(),
                vec![
                    "--headless".to_owned(),
                    "--no-sandbox".to_owned(),
                    url.as_str().to_owned()
                ]
            )
        );
    }

    #[test]
    fn browser_variable_names_programs_not_command_lines() {
        let url = openable(URL).unwrap();
        let commands = Browser::System.commands(&url, Some(OsStr::new("firefox")));
        assert_eq!(
            commands.iter().map(program_and_args).collect::<Vec<_>>(),
            vec![("firefox".to_owned(), vec![url.as_str().to_owned()])]
        );

        let list = std::env::join_paths(["/usr/bin/a b", "", "/usr/bin/c"]).unwrap();
        let programs: Vec<_> = Browser::System
            .commands(&url, Some(&list))
            .iter()
            .map(program_and_args)
            .collect();
        assert_eq!(
            programs,
            vec![
                ("/usr/bin/a b".to_owned(), vec![url.as_str().to_owned()]),
                ("/usr/bin/c".to_owned(), vec![url.as_str().to_owned()]),
            ]
        );
    }

    #[test]
    fn system_default_without_the_variable() {
        let url = openable(URL).unwrap();
        for env in [None, Some(OsStr::new(""))] {
            let commands = Browser::System.commands(&url, env);
            assert_eq!(commands.len(), 1);
            let (program, args) = program_and_args(&commands[0]);
            assert_eq!(args.last().map(String::as_str), Some(url.as_str()));
            let expected = if cfg!(target_os = "macos") {
                "open"
            } else if cfg!(windows) {
                "rundll32.exe"
            } else {
                "xdg-open"
            };
            assert_eq!(program, expected);
        }
    }

    #[test]
    fn disabled_starts_nothing() {
        let url = openable(URL).unwrap();
        assert!(Browser::Disabled
            .commands(&url, Some(OsStr::new("firefox")))
            .is_empty());
        assert!(Browser::Disabled.open(URL).unwrap().is_none());
        assert!(matches!(
            Browser::Disabled.open("file:///etc/passwd"),
            Err(BrowserError::UnsupportedUrl)
        ));
    }
}
