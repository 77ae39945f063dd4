//! `lvsdeck daemon -f FILE`'s loop: signals, one [`Director`] and the control socket. Loads
//! keepalived.conf, runs its VRRP instances, its health checkers and the reconciler of its
//! virtual servers, reloads on SIGHUP, leaves cleanly on SIGTERM/SIGINT: VRRP hands over,
//! the configuration's virtual servers are removed unless `--dont-release-ipvs`
//! (keepalived's exit semantics, see [`crate::engine::ipvs::release`]).

use std::path::Path;

use anyhow::Context;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, oneshot, watch};

use crate::engine::control::server::{self, Pending};
use crate::engine::director::{Director, Front, Picture, StopPolicy};
use crate::engine::health::latency::LatencyBook;
use crate::engine::health::status::HealthStatus;
use crate::engine::load::Loaded;
use crate::linux::systemd;

/// A metrics scrape's question to the daemon loop: the director's picture and the checkers'
/// latency histograms, answered between two of the loop's other jobs.
pub type MetricsAsk = oneshot::Sender<(Picture, LatencyBook)>;

/// Runs `loaded` (read from `file`) until SIGTERM/SIGINT, answering `control`'s requests
/// and `metrics`' scrapes; returns the exit code (1: it could not start).
pub async fn run(
    file: &Path,
    loaded: Loaded,
    control: Option<mpsc::Receiver<Pending>>,
    metrics: Option<mpsc::Receiver<MetricsAsk>>,
    stop: StopPolicy,
) -> anyhow::Result<u8> {
    let mut term = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("SIGINT handler")?;
    let mut hup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
    let (status, _) = watch::channel(HealthStatus::default());
    // Every checker result, counted from the pictures the director publishes.
    let mut pictures = status.subscribe();
    let mut latency = LatencyBook::default();
    let mut metrics = metrics;
    // Headless: drift is reverted (nobody is there to be asked), a partial start is refused.
    let mut director = match Director::start(file, loaded, status, Front::Daemon).await {
        Ok((d, _)) => d,
        Err(e) => {
            tracing::error!("{e}");
            return Ok(1);
        }
    };
    systemd::ready(&director.summary());
    // Pinged from this loop, not a side task: a wedged engine stops the pings and systemd
    // restarts it (WatchdogSec=).
    let mut watchdog = systemd::watchdog_period().map(tokio::time::interval);
    let mut control = control;
    loop {
        tokio::select! {
            _ = tick(&mut watchdog) => systemd::watchdog(),
            _ = term.recv() => { tracing::info!("SIGTERM: leaving"); break; }
            _ = int.recv() => { tracing::info!("SIGINT: leaving"); break; }
            _ = hup.recv() => {
                systemd::reloading();
                match director.reload().await {
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
                }
                systemd::ready(&director.summary());
            }
            Some((req, reply)) = server::next(&mut control) => {
                let _ = reply.send(director.handle(req).await);
            }
            Some(ask) = next_ask(&mut metrics) => {
                let _ = ask.send((director.picture().await, latency.clone()));
            }
            Ok(()) = pictures.changed(), if metrics.is_some() => {
                latency.observe(&pictures.borrow_and_update());
            }
            wake = director.next() => director.on(wake).await,
        }
    }
    systemd::stopping();
    director.stop(stop).await;
    tracing::info!("stopped");
    Ok(0)
}

/// The next scrape's question; never, without a metrics endpoint.
async fn next_ask(metrics: &mut Option<mpsc::Receiver<MetricsAsk>>) -> Option<MetricsAsk> {
    match metrics {
        Some(rx) => match rx.recv().await {
            Some(ask) => Some(ask),
            // The endpoint is gone: wait for nothing rather than spin.
            None => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
}

/// The watchdog's next tick; never, when systemd asked for none.
async fn tick(watchdog: &mut Option<tokio::time::Interval>) {
    match watchdog {
        Some(i) => {
            i.tick().await;
        }
        None => std::future::pending().await,
    }
}
