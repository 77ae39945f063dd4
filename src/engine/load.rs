//! The one loader: keepalived.conf read, validated and turned into what the engine runs —
//! VRRP instance specs, the parsed file for the checkers, the IPVS services for the
//! reconciler. `lvsdeck daemon`, `lvsdeck validate` and the console all load through here,
//! so a file one of them refuses the others refuse too.

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

/// Reads and validates `file`; `Err` holds every error, and then nothing may change.
pub fn load(file: &Path) -> Result<Loaded, Vec<LoadError>> {
    let loaded = config::load(file).map_err(|source| {
        vec![LoadError::Read {
            file: file.display().to_string(),
            source,
        }]
    })?;
    for d in loaded.diagnostics.warnings() {
        tracing::warn!("{d}");
    }
    let mut errors: Vec<LoadError> = loaded
        .diagnostics
        .errors()
        .map(|d| LoadError::Config(d.clone()))
        .collect();
    let mut specs = Vec::new();
    for i in &loaded.config.instances {
        match Spec::from_config(i, &loaded.config.global, &loaded.config.scripts) {
            Ok(s) => specs.push(s),
            Err(e) => errors.push(e.into()),
        }
    }
    if let Err(e) = crate::engine::vrrp::group::apply(&mut specs, &loaded.config) {
        errors.extend(e.into_iter().map(LoadError::from));
    }
    let lines: Vec<&crate::engine::vrrp::notify::Line> =
        specs.iter().flat_map(|s| s.script_lines()).collect();
    if let Some(w) = crate::engine::vrrp::security::violation(
        &lines,
        loaded.config.global.enable_script_security,
    ) {
        tracing::warn!("{}: {w}", file.display());
    }
    let services = loaded.config.ipvs_services();
    errors.extend(duplicates(&services).into_iter().map(LoadError::Service));
    // The SSL block's files are read now, so a bad one is refused with its file:line.
    if loaded.config.ssl.is_some() {
        if let Err(e) = crate::check::probe::tls::client_config_for(loaded.config.ssl.as_ref()) {
            errors.push(LoadError::Service(e));
        }
    }
    if errors.is_empty() {
        Ok(Loaded {
            vrrp: specs,
            config: loaded.config,
            services,
        })
    } else {
        Err(errors)
    }
}
