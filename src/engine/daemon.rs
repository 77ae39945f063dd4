//! `lvsdeck daemon -f FILE`'s loop: signals, one [`Director`] and the control socket. Loads
//! keepalived.conf, runs its VRRP instances, its health checkers and the reconciler of its
//! virtual servers, reloads on SIGHUP, leaves cleanly on SIGTERM/SIGINT: VRRP hands over,
//! the configuration's virtual servers are removed unless `--dont-release-ipvs`
//! (keepalived's exit semantics, see [`crate::engine::ipvs::release`]).

use std::path::Path;

use anyhow::Context;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, watch};

use crate::engine::control::server::{self, Pending};
use crate::engine::director::{Director, Front, StopPolicy};
use crate::engine::health::status::HealthStatus;
use crate::engine::load::Loaded;

/// Runs `loaded` (read from `file`) until SIGTERM/SIGINT, answering `control`'s requests;
/// returns the exit code (1: it could not start).
pub async fn run(
    file: &Path,
    loaded: Loaded,
    control: Option<mpsc::Receiver<Pending>>,
    stop: StopPolicy,
) -> anyhow::Result<u8> {
    let mut term = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("SIGINT handler")?;
    let mut hup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
    let (status, _) = watch::channel(HealthStatus::default());
    // Headless: drift is reverted (nobody is there to be asked), a partial start is refused.
    let mut director = match Director::start(file, loaded, status, Front::Daemon).await {
        Ok((d, _)) => d,
        Err(e) => {
            tracing::error!("{e}");
            return Ok(1);
        }
    };
    let mut control = control;
    loop {
        tokio::select! {
            _ = term.recv() => { tracing::info!("SIGTERM: leaving"); break; }
            _ = int.recv() => { tracing::info!("SIGINT: leaving"); break; }
            _ = hup.recv() => match director.reload().await {
                Ok(c) => tracing::info!(
                    "reloaded {}: {} kept, {} started, {} stopped, {} failed",
                    file.display(), c.kept, c.started, c.stopped, c.failed
                ),
                Err(errors) => {
                    for e in errors {
                        tracing::error!("{e}");
                    }
                    tracing::error!("reload refused: the running configuration stays");
                }
            },
            Some((req, reply)) = server::next(&mut control) => {
                let _ = reply.send(director.handle(req).await);
            }
            wake = director.next() => director.on(wake).await,
        }
    }
    director.stop(stop).await;
    tracing::info!("stopped");
    Ok(0)
}
