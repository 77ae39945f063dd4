//! `lvsdeck daemon -f FILE`: the headless engine for systemd. Loads keepalived.conf, runs its
//! VRRP instances, its health checkers and the reconciler of its virtual servers, reloads on
//! SIGHUP, leaves cleanly on SIGTERM/SIGINT: VRRP hands over, the configuration's virtual
//! servers are removed unless `--dont-release-ipvs` (keepalived's exit semantics, see
//! [`super::release`]).

use std::path::{Path, PathBuf};

use anyhow::Context;
use tokio::signal::unix::{signal, SignalKind};

use std::time::Duration;

use tokio::sync::watch;

use super::alerts::{vrrp_alerting, VrrpAlerter};
use super::desired::duplicates;
use super::health_status::HealthStatus;
use super::ipvs_run::{Ipvs, OnStop};
use super::vrrp::task::Shared;
use super::vrrp::{Instances, Spec};
use crate::config::{self, Config, IpvsService};

/// What stopping releases (keepalived's `--dont-release-ipvs` / `--dont-release-vrrp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    pub ipvs: OnStop,
    /// `false` (-V): the instances are not stopped — no priority-0 advert, VIPs stay.
    pub vrrp: bool,
}

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
    if let Err(e) = super::vrrp::group::apply(&mut specs, &loaded.config) {
        errors.extend(e);
    }
    let lines: Vec<&super::vrrp::notify::Line> =
        specs.iter().flat_map(|s| s.script_lines()).collect();
    if let Some(w) =
        super::vrrp::security::violation(&lines, loaded.config.global.enable_script_security)
    {
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

/// Runs until SIGTERM/SIGINT; returns the exit code. `control`: the control socket's path.
pub fn main(file: PathBuf, control: PathBuf, release: Release) -> anyhow::Result<i32> {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let loaded = match load(&file) {
        Ok(l) => l,
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
    rt.block_on(run(file, loaded, control, release))
}

async fn run(
    file: PathBuf,
    loaded: Loaded,
    control: PathBuf,
    release: Release,
) -> anyhow::Result<i32> {
    let (status, _) = watch::channel(HealthStatus::default());
    // Bound before anything starts: a second daemon on the same socket refuses to run.
    let (_listener, requests) = match super::control::server::bind(&control).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e:#}");
            return Ok(1);
        }
    };
    run_with_control(file, loaded, status, Some(requests), release).await
}

/// The daemon's loop, publishing the health picture on `status` (for an embedding console).
pub async fn run_with(
    file: PathBuf,
    loaded: Loaded,
    status: watch::Sender<HealthStatus>,
    release: Release,
) -> anyhow::Result<i32> {
    run_with_control(file, loaded, status, None, release).await
}

/// [`run_with`], also answering the control socket's requests.
pub async fn run_with_control(
    file: PathBuf,
    loaded: Loaded,
    status: watch::Sender<HealthStatus>,
    mut control: Option<tokio::sync::mpsc::Receiver<super::control::server::Pending>>,
    release: Release,
) -> anyhow::Result<i32> {
    let mut term = signal(SignalKind::terminate()).context("SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("SIGINT handler")?;
    let mut hup = signal(SignalKind::hangup()).context("SIGHUP handler")?;
    let mut vrrp: Option<Instances> = None;
    if !loaded.vrrp.is_empty() {
        let mut instances = Instances::new(Shared::open().await?);
        let c = instances.reconcile(loaded.vrrp.clone()).await;
        tracing::info!(
            "started {} VRRP instances from {}",
            c.started,
            file.display()
        );
        if c.failed > 0 && c.started == 0 {
            return Ok(1);
        }
        vrrp = Some(instances);
    }
    // keepalived's `lvs_flush`: the whole table, once, before our services go in.
    if loaded.config.global.lvs_flush && !loaded.services.is_empty() {
        match super::release::flush_at_start().await {
            Ok(()) => tracing::info!("lvs_flush: IPVS table flushed"),
            Err(e) => tracing::error!("lvs_flush: {e:#}"),
        }
    }
    let mut ipvs = match Ipvs::start(&loaded, status, super::DriftPolicy::Reconcile).await {
        Ok(i) => i,
        Err(e) => {
            tracing::error!("{}: {e:#}", file.display());
            if let Some(v) = &mut vrrp {
                v.stop_all().await;
            }
            return Ok(1);
        }
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut alerting = vrrp_alerting(&loaded.config);
    let mut vrrp_alerts = VrrpAlerter::default();
    loop {
        tokio::select! {
            _ = term.recv() => { tracing::info!("SIGTERM: leaving"); break; }
            _ = int.recv() => { tracing::info!("SIGINT: leaving"); break; }
            Some(ev) = ipvs.next_event() => ipvs.on_event(ev).await,
            Some((req, reply)) = super::control::server::next(&mut control) => {
                let _ = reply.send(super::control::handle(&mut ipvs, vrrp.as_ref(), req).await);
            }
            _ = tick.tick() => {
                if let (Some(v), Some(router_id)) = (&vrrp, ipvs.router_id()) {
                    for a in vrrp_alerts.changes(router_id, &v.states(), &alerting) {
                        ipvs.alert(a);
                    }
                }
                ipvs.publish().await
            }
            _ = hup.recv() => match load(&file) {
                Ok(new) => {
                    if !new.vrrp.is_empty() && vrrp.is_none() {
                        match Shared::open().await {
                            Ok(s) => vrrp = Some(Instances::new(s)),
                            Err(e) => tracing::error!("VRRP: {e:#}"),
                        }
                    }
                    if let Some(instances) = &mut vrrp {
                        let c = instances.reconcile(new.vrrp.clone()).await;
                        tracing::info!(
                            "reloaded {}: {} kept, {} started, {} stopped, {} failed",
                            file.display(), c.kept, c.started, c.stopped, c.failed
                        );
                    }
                    alerting = vrrp_alerting(&new.config);
                    if let Err(e) = ipvs.reload(&new).await {
                        tracing::error!("{}: {e:#}", file.display());
                    }
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
    ipvs.stop(release.ipvs).await;
    match &mut vrrp {
        Some(v) if release.vrrp => v.stop_all().await,
        Some(_) => tracing::info!("--dont-release-vrrp: VRRP instances left as they are"),
        None => {}
    }
    tracing::info!("stopped");
    Ok(0)
}
