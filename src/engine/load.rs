//! The one loader: keepalived.conf read, validated and turned into what the engine runs —
//! VRRP instance specs, the parsed file for the checkers, the IPVS services for the
//! reconciler. `lvsdeck daemon`, the console and `lvsdeck validate` all load through here
//! ([`load`], [`check`]), so a file one of them refuses the others refuse too.

use std::path::Path;

use crate::config::{self, Config, Diagnostic, IpvsService};
use crate::engine::ipvs::desired::duplicates;
use crate::engine::vrrp::spec::SpecError;
use crate::engine::vrrp::Spec;

/// One reason a configuration is refused; each one's text starts with its file:line (or
/// the file, when it cannot be read).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: {source}")]
    Read {
        file: String,
        #[source]
        source: config::ReadError,
    },
    /// The parser's error (unknown keyword in a strict place, bad value, missing block...).
    #[error("{0}")]
    Config(Diagnostic),
    /// A VRRP instance or sync group that cannot run as written.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Two virtual servers for one service, an unreadable SSL file.
    #[error("{0}")]
    Service(String),
}

/// A validated configuration: VRRP instance specs, the parsed file for the checkers, and
/// its IPVS services for the reconciler.
pub struct Loaded {
    pub vrrp: Vec<Spec>,
    pub config: Config,
    pub services: Vec<IpvsService>,
}

/// Everything the loader found in a file: what would run, and every reason it must not.
pub struct Checked {
    /// The parser's result, warnings and errors included (`validate` prints them all).
    pub parsed: config::ParsedConfig,
    pub vrrp: Vec<Spec>,
    pub services: Vec<IpvsService>,
    /// Every error: the parser's, then the instances', sync groups', services' and SSL's.
    pub errors: Vec<LoadError>,
    /// Warnings beyond the parser's (scripts running as root without script security).
    pub warnings: Vec<String>,
}

/// Reads `file` and checks it as the daemon will run it; only an unreadable file is `Err`.
pub fn check(file: &Path) -> Result<Checked, LoadError> {
    let parsed = config::load(file).map_err(|source| LoadError::Read {
        file: file.display().to_string(),
        source,
    })?;
    let mut errors: Vec<LoadError> = parsed
        .diagnostics
        .errors()
        .map(|d| LoadError::Config(d.clone()))
        .collect();
    let mut specs = Vec::new();
    for i in &parsed.config.instances {
        match Spec::from_config(i, &parsed.config.global, &parsed.config.scripts) {
            Ok(s) => specs.push(s),
            Err(e) => errors.push(e.into()),
        }
    }
    if let Err(e) = crate::engine::vrrp::group::apply(&mut specs, &parsed.config) {
        errors.extend(e.into_iter().map(LoadError::from));
    }
    let lines: Vec<&crate::engine::vrrp::notify::Line> =
        specs.iter().flat_map(|s| s.script_lines()).collect();
    let warnings = crate::engine::vrrp::security::violation(
        &lines,
        parsed.config.global.enable_script_security,
    )
    .map(|w| format!("{}: {w}", file.display()))
    .into_iter()
    .collect();
    let services = parsed.config.ipvs_services();
    errors.extend(duplicates(&services).into_iter().map(LoadError::Service));
    // The SSL block's files are read now, so a bad one is refused with its file:line.
    if parsed.config.ssl.is_some() {
        if let Err(e) = crate::check::probe::tls::client_config_for(parsed.config.ssl.as_ref()) {
            errors.push(LoadError::Service(e));
        }
    }
    Ok(Checked {
        parsed,
        vrrp: specs,
        services,
        errors,
        warnings,
    })
}

/// Reads and validates `file`; `Err` holds every error, and then nothing may change.
pub fn load(file: &Path) -> Result<Loaded, Vec<LoadError>> {
    let c = check(file).map_err(|e| vec![e])?;
    for d in c.parsed.diagnostics.warnings() {
        tracing::warn!("{d}");
    }
    for w in &c.warnings {
        tracing::warn!("{w}");
    }
    if c.errors.is_empty() {
        Ok(Loaded {
            vrrp: c.vrrp,
            config: c.parsed.config,
            services: c.services,
        })
    } else {
        Err(c.errors)
    }
}
