//! Errors reading /proc/net/ip_vs and /proc/net/ip_vs_stats, naming line and field.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ProcError {
    #[error("cannot read {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("line {line}: {field} is missing")]
    Missing { line: usize, field: &'static str },
    #[error("line {line}: {field}: {value:?} is not {expected}")]
    Invalid {
        line: usize,
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("line {line}: a real server before any service")]
    DestWithoutService { line: usize },
    #[error("no \"IP Virtual Server version\" header: not /proc/net/ip_vs")]
    NoHeader,
    #[error("expected {expected} rows of counters, found {found}")]
    StatsRows { expected: usize, found: usize },
}

impl ProcError {
    pub(crate) fn invalid(
        line: usize,
        field: &'static str,
        value: &str,
        expected: &'static str,
    ) -> ProcError {
        ProcError::Invalid {
            line,
            field,
            value: value.chars().take(64).collect(),
            expected,
        }
    }
}
