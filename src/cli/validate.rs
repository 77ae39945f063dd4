//! `lvsdeck validate -f FILE`: keepalived.conf's diagnostics (file:line) and a summary of
//! what it configures; exit 1 when it has errors. It checks through the daemon's own
//! loader ([`crate::engine::load::check`]), so it refuses what the daemon would refuse.

use std::path::Path;
use std::process::ExitCode;

use crate::engine::load::{check, LoadError};

pub async fn run(file: &Path) -> anyhow::Result<ExitCode> {
    let c = match check(file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("lvsdeck: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    // The parser's warnings and errors, in file order.
    for d in &c.parsed.diagnostics.items {
        eprintln!("{d}");
    }
    for w in &c.warnings {
        eprintln!("{w}");
    }
    // What the parser accepted but the daemon would refuse.
    for e in c
        .errors
        .iter()
        .filter(|e| !matches!(e, LoadError::Config(_)))
    {
        eprintln!("{e}");
    }
    print!("{}", crate::config::summary::summary(&c.parsed.config));
    Ok(ExitCode::from(if c.errors.is_empty() { 0 } else { 1 }))
}
