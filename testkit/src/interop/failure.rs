//! What a failing scenario prints: the provider's own error events (its
//! HTTP errors are generic; the reason is only in the events) and its stderr.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The server's event log file and captured stderr.
pub(crate) struct Diagnostics {
    event_log: PathBuf,
    stderr: Arc<Mutex<String>>,
}

impl Diagnostics {
    pub(crate) fn new(event_log: PathBuf, stderr: Arc<Mutex<String>>) -> Self {
        Self { event_log, stderr }
    }

    /// The event log's text; empty while nothing was logged. The server
    /// writes each event before sending the response that caused it.
    fn event_text(&self) -> String {
        std::fs::read_to_string(&self.event_log).unwrap_or_default()
    }

    /// The logged events, one JSON object each (a line that is not JSON
    /// becomes a string value).
    pub(crate) fn events(&self) -> Vec<serde_json::Value> {
        self.event_text()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| line.into()))
            .collect()
    }

    /// A printable report: the events, then stderr.
    pub(crate) fn report(&self) -> String {
        let events = self.event_text();
        let stderr = self
            .stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        format!(
            "--- oidc-provider error events ({}) ---\n{}--- oidc-provider stderr ---\n{}--- end ---",
            self.event_log.display(),
            or_none(&events),
            or_none(&stderr),
        )
    }

    pub(crate) fn remove_log(&self) {
        let _ = std::fs::remove_file(&self.event_log);
    }
}

fn or_none(text: &str) -> String {
    if text.is_empty() {
        "(none)\n".to_owned()
    } else if text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}\n")
    }
}
