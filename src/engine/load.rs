//! The one loader: keepalived.conf read, validated and turned into what the engine runs —
//! VRRP instance specs, the parsed file for the checkers, the IPVS services for the
//! reconciler. `lvsdeck daemon`, `lvsdeck validate` and the console all load through here,
//! so a file one of them refuses the others refuse too.

use std::path::Path;

use crate::config::{self, Config, IpvsService};
use crate::engine::ipvs::desired::duplicates;
use crate::engine::vrrp::Spec;

/// A validated configuration: VRRP instance specs, the parsed file for the checkers, and
/// its IPVS services for the reconciler.
pub struct Loaded {
    pub vrrp: Vec<Spec>,
    pub config: Config,
    pub services: Vec<IpvsService>,
}

/// Reads `file` into instance specs; `Err` holds every error line (file:line: message).
pub fn load_specs(file: &Path) -> Result<Vec<Spec>, Vec<String>> {
    load(file).map(|l| l.vrrp)
}

/// Reads and validates `file`; `Err` holds every error line (file:line: message), and then
/// nothing may change.
pub fn load(file: &Path) -> Result<Loaded, Vec<String>> {
    let loaded = config::load(file).map_err(|e| vec![format!("{}: {e}", file.display())])?;
    for d in loaded.diagnostics.warnings() {
        tracing::warn!("{d}");
    }
    let mut errors: Vec<String> = loaded.diagnostics.errors().map(|d| d.to_string()).collect();
    let mut specs = Vec::new();
    for i in &loaded.config.instances {
        match Spec::from_config(i, &loaded.config.global, &loaded.config.scripts) {
            Ok(s) => specs.push(s),
            Err(e) => errors.push(e),
        }
    }
    if let Err(e) = crate::engine::vrrp::group::apply(&mut specs, &loaded.config) {
        errors.extend(e);
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
    errors.extend(duplicates(&services));
    // The SSL block's files are read now, so a bad one is refused with its file:line.
    if loaded.config.ssl.is_some() {
        if let Err(e) = crate::check::probe::tls::client_config_for(loaded.config.ssl.as_ref()) {
            errors.push(e);
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
