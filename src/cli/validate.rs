//! `lvsdeck validate -f FILE`: keepalived.conf's diagnostics (file:line) and a summary of
//! what it configures; exit 1 when it has errors.

use std::path::Path;
use std::process::ExitCode;

pub async fn run(file: &Path) -> anyhow::Result<ExitCode> {
    match crate::config::load(file) {
        Ok(loaded) => {
            for d in &loaded.diagnostics.items {
                eprintln!("{d}");
            }
            // The SSL block's files are read as the daemon reads them.
            let ssl = match &loaded.config.ssl {
                Some(s) => crate::check::probe::tls::client_config_for(Some(s))
                    .map_err(|e| eprintln!("{e}"))
                    .is_ok(),
                None => true,
            };
            print!("{}", crate::config::summary::summary(&loaded.config));
            Ok(ExitCode::from(if loaded.is_ok() && ssl { 0 } else { 1 }))
        }
        Err(e) => {
            eprintln!("lvsdeck: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
