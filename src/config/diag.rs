//! Where things are and what went wrong there: every item, error and warning carries a
//! `Location` so an operator can jump straight to the line keepalived.conf got wrong.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A file and a 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// Shared: thousands of items point at a handful of files.
    pub file: Arc<Path>,
    pub line: u32,
}

impl Location {
    pub fn new(file: &Path, line: u32) -> Location {
        Location {
            file: Arc::from(file),
            line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Errors make a configuration unusable; warnings are things lvsdeck ignores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One message about one line, printed as `FILE:LINE: error: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {severity}: {message}")]
pub struct Diagnostic {
    pub severity: Severity,
    pub at: Location,
    pub message: String,
}

/// The messages collected while reading one configuration, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error(&mut self, at: &Location, message: impl Into<String>) {
        self.push(Severity::Error, at, message.into());
    }

    pub fn warning(&mut self, at: &Location, message: impl Into<String>) {
        self.push(Severity::Warning, at, message.into());
    }

    fn push(&mut self, severity: Severity, at: &Location, message: String) {
        self.items.push(Diagnostic {
            severity,
            at: at.clone(),
            message,
        });
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}
