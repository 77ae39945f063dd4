//! `lvsdeck daemon -f FILE`: the headless engine for systemd. Loads keepalived.conf, runs its
//! VRRP instances, reloads on SIGHUP, leaves cleanly on SIGTERM/SIGINT.

use std::path::{Path, PathBuf};

use anyhow::Context;
use tokio::signal::unix::{signal, SignalKind};

use super::vrrp::task::Shared;
use super::vrrp::{Instances, Spec};
use crate::config;

/// Reads `file` into instance specs; `Err` holds every error line (file:line: message).
pub fn load_specs(file: &Path) -> Result<Vec<Spec>, Vec<String>> {
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
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(errors)
    }
}

/// Runs until SIGTERM/SIGINT; returns the exit code.
pub fn main(file: PathBuf) -> anyhow::Result<i32> {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let specs = match load_specs(&file) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            return Ok(1);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    rt.block_on(run(file, specs))
}

async fn run(file: PathBuf, specs: Vec<Spec>) -> anyhow::Result<i32> {
    let mut term = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("SIGINT handler")?;
    let mut hup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
    let shared = Shared::open().await?;
    let mut instances = Instances::new(shared);
    let c = instances.reconcile(specs).await;
    tracing::info!(
        "started {} VRRP instances from {}",
        c.started,
        file.display()
    );
    if c.failed > 0 && c.started == 0 {
        return Ok(1);
    }
    loop {
        tokio::select! {
            _ = term.recv() => { tracing::info!("SIGTERM: leaving"); break; }
            _ = int.recv() => { tracing::info!("SIGINT: leaving"); break; }
            _ = hup.recv() => match load_specs(&file) {
                Ok(specs) => {
                    let c = instances.reconcile(specs).await;
                    tracing::info!(
                        "reloaded {}: {} kept, {} started, {} stopped, {} failed",
                        file.display(), c.kept, c.started, c.stopped, c.failed
                    );
                }
                Err(errors) => {
                    for e in errors {
                        tracing::error!("{e}");
                    }
                    tracing::error!("reload refused: the running configuration stays");
                }
            },
        }
    }
    instances.stop_all().await;
    tracing::info!("stopped");
    Ok(0)
}
