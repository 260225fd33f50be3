//! Running one parser over its bad inputs: each under `catch_unwind`,
//! counted as accepted, refused with a typed error, or panicked; every
//! error's `Display` and `Debug` searched for the seed's secrets.

use std::fmt::{Debug, Display};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// One bad input, and whether the parser's documented rules say it must be
/// refused (`Some(rule)`) or leave it open (`None`).
pub struct Case {
    pub label: String,
    pub bytes: Vec<u8>,
    pub must_refuse: Option<&'static str>,
}

impl Case {
    pub fn new(
        label: impl Into<String>,
        bytes: Vec<u8>,
        must_refuse: Option<&'static str>,
    ) -> Self {
        Self {
            label: label.into(),
            bytes,
            must_refuse,
        }
    }
}

/// What a parser made of one input.
pub enum Outcome {
    Accepted,
    /// Refused with a typed error: its `Display` and `Debug`, and anything
    /// else the parser produced from it that a user sees (an HTTP page).
    Refused {
        shown: Vec<String>,
    },
    /// Not accepted, and no error either: the loopback listener's typed
    /// answers `NeedMore` (an incomplete head) and `KeepWaiting` (not the
    /// callback). Counted with the typed errors, and apart.
    KeptWaiting {
        shown: Vec<String>,
    },
}

/// `Outcome::Refused` for `error`.
pub fn refused<E: Display + Debug>(error: E) -> Outcome {
    Outcome::Refused {
        shown: vec![error.to_string(), format!("{error:?}")],
    }
}

/// `Ok` as accepted, `Err` as refused.
pub fn outcome<T, E: Display + Debug>(result: Result<T, E>) -> Outcome {
    match result {
        Ok(_) => Outcome::Accepted,
        Err(e) => refused(e),
    }
}

/// The counts of one parser, and what went wrong, to report.
#[derive(Default)]
pub struct Tally {
    pub name: &'static str,
    pub tried: usize,
    pub accepted: usize,
    pub refused: usize,
    pub panics: usize,
    pub leaks: usize,
    /// Of `refused`, the `Outcome::KeptWaiting` ones.
    pub kept_waiting: usize,
    /// Must-refuse inputs that were accepted.
    pub wrongly_accepted: usize,
    /// The first few failures, described.
    pub failures: Vec<String>,
}

const FAILURES_KEPT: usize = 5;

impl Tally {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            ..Self::default()
        }
    }

    /// Runs `parse` on every case; `secrets` (and each one's first eight
    /// characters) must appear in no error.
    pub fn run(
        &mut self,
        secrets: &[&str],
        cases: impl IntoIterator<Item = Case>,
        parse: impl Fn(&[u8]) -> Outcome,
    ) {
        let needles = needles(secrets);
        for case in cases {
            self.tried += 1;
            match catch_unwind(AssertUnwindSafe(|| parse(&case.bytes))) {
                Err(_) => {
                    self.panics += 1;
                    self.note(format!("panic on {}", case.label));
                }
                Ok(Outcome::Accepted) => {
                    self.accepted += 1;
                    if let Some(rule) = case.must_refuse {
                        self.wrongly_accepted += 1;
                        self.note(format!("accepted {} ({rule})", case.label));
                    }
                }
                Ok(refusal @ (Outcome::Refused { .. } | Outcome::KeptWaiting { .. })) => {
                    self.refused += 1;
                    let shown = match refusal {
                        Outcome::KeptWaiting { shown } => {
                            self.kept_waiting += 1;
                            shown
                        }
                        Outcome::Refused { shown } => shown,
                        Outcome::Accepted => unreachable!("matched as a refusal"),
                    };
                    let leaked = needles
                        .iter()
                        .find(|needle| shown.iter().any(|text| text.contains(needle.as_str())));
                    if let Some(needle) = leaked {
                        self.leaks += 1;
                        self.note(format!("{needle:?} shown for {}: {shown:?}", case.label));
                    }
                }
            }
        }
    }

    fn note(&mut self, failure: String) {
        if self.failures.len() < FAILURES_KEPT {
            self.failures.push(failure);
        }
    }

    /// The line the note is made of, for this parser.
    pub fn line(&self) -> String {
        let line = format!(
            "bad inputs tried {}, typed errors {}, accepted {}, panics {}, secrets leaked {}",
            self.tried, self.refused, self.accepted, self.panics, self.leaks
        );
        match self.kept_waiting {
            0 => line,
            n => format!("{line} ({n} of the errors: kept waiting)"),
        }
    }

    pub fn add(&mut self, other: &Tally) {
        self.tried += other.tried;
        self.accepted += other.accepted;
        self.refused += other.refused;
        self.panics += other.panics;
        self.leaks += other.leaks;
        self.kept_waiting += other.kept_waiting;
        self.wrongly_accepted += other.wrongly_accepted;
    }
}

/// Each secret and its first eight characters.
fn needles(secrets: &[&str]) -> Vec<String> {
    let mut needles = Vec::new();
    for secret in secrets {
        needles.push((*secret).to_owned());
        let prefix: String = secret.chars().take(8).collect();
        if prefix.chars().count() == 8 && !needles.contains(&prefix) {
            needles.push(prefix);
        }
    }
    needles
}
