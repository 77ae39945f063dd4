//! The director: everything one keepalived.conf runs on this machine, owned in one place —
//! its VRRP instances, the IPVS side (reconciler, health checkers, their scripts, mail
//! alerts on real server changes), VRRP mail alerts, `lvs_flush` — and the one answerer of
//! control requests. `lvsdeck daemon` drives one between its signals and its control socket;
//! the console with `-f` drives one in-process. Both therefore have every feature, and a
//! console sees a local director and an attached daemon through the same requests.
//!
//! Driving it: `next()` is cancel-safe (wait for it in a `select!`), `on()` does the work.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::watch;

use crate::engine::alerts::{vrrp_alerting, VrrpAlerter};
use crate::engine::conn_sync::ConnSync;
use crate::engine::control::protocol::{Reply, Request};
use crate::engine::health::status::HealthStatus;
use crate::engine::ipvs::reconcile::DriftPolicy;
use crate::engine::ipvs::release;
use crate::engine::ipvs::run::{Ipvs, OnStop};
use crate::engine::load::{self, Loaded};
use crate::engine::vrrp::set::Changes;
use crate::engine::vrrp::task::Shared;
use crate::engine::vrrp::Instances;

/// How often VRRP states are compared for mail alerts and the health picture is published.
const TICK: Duration = Duration::from_secs(1);
/// Every how many ticks a watching console gets connection sync read anew (the connection
/// table is read whole for its counts).
const SYNC_EVERY: u64 = 5;

/// What stopping releases (keepalived's `--dont-release-ipvs` / `--dont-release-vrrp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopPolicy {
    pub ipvs: OnStop,
    /// `false` (-V): the instances are not stopped — no priority-0 advert, VIPs stay.
    pub vrrp: bool,
}

impl StopPolicy {
    /// The console's: masters hand over, the IPVS table stays as it is.
    pub const CONSOLE: StopPolicy = StopPolicy {
        ipvs: OnStop::Leave,
        vrrp: true,
    };
}

/// Who drives the director, which decides what a partial start and drift mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    /// `lvsdeck daemon`: nobody is there to ask, so drift is reverted, and a director that
    /// could start none of its VRRP instances, or not its IPVS side, does not run at all.
    Daemon,
    /// The console: its operator is asked about drift (their own edits must not be undone
    /// behind their back), and what could not start is reported while the rest runs.
    Console,
}

impl Front {
    fn drift(self) -> DriftPolicy {
        match self {
            Front::Daemon => DriftPolicy::Reconcile,
            Front::Console => DriftPolicy::Ask,
        }
    }
}

/// Why a daemon's director did not start; nothing it started is left running.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{file}: {source:#}")]
    Vrrp {
        file: String,
        #[source]
        source: anyhow::Error,
    },
    #[error("{file}: no VRRP instance could start")]
    NoInstance { file: String },
    #[error("{file}: {source:#}")]
    Ipvs {
        file: String,
        #[source]
        source: anyhow::Error,
    },
}

/// What did not start (a console's director runs without it and shows it).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems {
    /// Why each VRRP instance that failed did not start (or why none could).
    pub vrrp: Vec<String>,
    /// Why the IPVS side (reconciler and checkers) did not start.
    pub ipvs: Option<String>,
}

/// What the metrics endpoint reads of a director ([`Director::picture`]).
#[derive(Debug, Clone)]
pub struct Picture {
    /// `None` only if the director could not answer a status request.
    pub status: Option<crate::engine::control::protocol::StatusReply>,
    /// The VRRP instances' clock when the picture was taken (`None`: no instance).
    pub now: Option<crate::clock::Instant>,
    pub vrrp: Vec<InstancePicture>,
}

/// One VRRP instance as the metrics endpoint reads it.
#[derive(Debug, Clone)]
pub struct InstancePicture {
    pub name: String,
    pub interface: String,
    pub status: crate::vrrp::status::Status,
}

/// What woke the director.
pub enum Wake {
    /// A decision of the health checkers.
    Checker(crate::check::runner::Event),
    /// The one-second tick.
    Tick,
    /// The VRRP instance connection sync follows may have changed state.
    SyncInstance,
}

/// One director's running engine.
pub struct Director {
    file: PathBuf,
    vrrp: Option<Instances>,
    ipvs: Ipvs,
    /// The instances whose state changes are mailed (`smtp_alert`).
    alerting: BTreeSet<String>,
    vrrp_alerts: VrrpAlerter,
    /// The kernel's sync daemons, following their instance (`lvs_sync_daemon`).
    sync: ConnSync,
    /// Ticks since start, to read connection sync for a watching console now and then.
    ticks: u64,
    tick: tokio::time::Interval,
}

impl Director {
    /// Starts what `loaded` (read from `file`) describes: VRRP instances first, then
    /// `lvs_flush`, then the reconciler and the checkers. `status` carries the health
    /// picture to in-process watchers. For [`Front::Console`] it always returns a director
    /// (what failed is in [`Problems`]); for [`Front::Daemon`] a partial start is an error.
    pub async fn start(
        file: &Path,
        loaded: Loaded,
        status: watch::Sender<HealthStatus>,
        front: Front,
    ) -> Result<(Director, Problems), StartError> {
        let shown = file.display().to_string();
        let mut problems = Problems::default();
        let mut vrrp: Option<Instances> = None;
        if !loaded.vrrp.is_empty() {
            match Shared::open().await {
                Ok(shared) => {
                    let mut instances = Instances::new(shared);
                    let c = instances.reconcile(loaded.vrrp.clone()).await;
                    tracing::info!("started {} VRRP instances from {shown}", c.started);
                    if c.failed > 0 && c.started == 0 && front == Front::Daemon {
                        return Err(StartError::NoInstance { file: shown });
                    }
                    problems.vrrp = c.errors;
                    vrrp = Some(instances);
                }
                Err(source) if front == Front::Daemon => {
                    return Err(StartError::Vrrp {
                        file: shown,
                        source,
                    })
                }
                Err(e) => problems.vrrp.push(format!("{e:#}")),
            }
        }
        // keepalived's `lvs_flush`: the whole table, once, before our services go in.
        if loaded.config.global.lvs_flush && !loaded.services.is_empty() {
            match release::flush_at_start().await {
                Ok(()) => tracing::info!("lvs_flush: IPVS table flushed"),
                Err(e) => tracing::error!("lvs_flush: {e:#}"),
            }
        }
        let mut ipvs = Ipvs::new(&loaded, status, front.drift());
        if let Err(source) = ipvs.open(&loaded).await {
            if front == Front::Daemon {
                if let Some(v) = &mut vrrp {
                    v.stop_all().await;
                }
                return Err(StartError::Ipvs {
                    file: shown,
                    source,
                });
            }
            problems.ipvs = Some(format!("{source:#}"));
        }
        // keepalived's VRRP process opens IPVS when it runs a sync daemon and exits if it
        // cannot (`vrrp_daemon.c` `start_vrrp`: `ipvs_start()` fails, KEEPALIVED_EXIT_FATAL).
        if loaded.config.lvs_sync.is_some() && front == Front::Daemon {
            if let Err(e) = crate::ipvs::netlink::Client::connect().await {
                if let Some(v) = &mut vrrp {
                    v.stop_all().await;
                }
                return Err(StartError::Ipvs {
                    file: shown,
                    source: anyhow::anyhow!("lvs_sync_daemon: IPVS (generic netlink): {e}"),
                });
            }
        }
        // keepalived starts the sync daemon once its instances are set up
        // (`vrrp_init_state`), and the checker's once IPVS is open.
        let sync = ConnSync::start(&loaded.config, vrrp.as_ref()).await;
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let director = Director {
            file: file.to_path_buf(),
            alerting: vrrp_alerting(&loaded.config),
            vrrp,
            ipvs,
            vrrp_alerts: VrrpAlerter::default(),
            sync,
            ticks: 0,
            tick,
        };
        Ok((director, problems))
    }

    /// The running VRRP instances, if the configuration has any.
    pub fn instances(&self) -> Option<&Instances> {
        self.vrrp.as_ref()
    }

    /// Waits for the next thing to do; cancel-safe.
    pub async fn next(&mut self) -> Wake {
        tokio::select! {
            Some(ev) = self.ipvs.next_event() => Wake::Checker(ev),
            _ = self.tick.tick() => Wake::Tick,
            _ = self.sync.changed() => Wake::SyncInstance,
        }
    }

    /// Does what woke the director.
    pub async fn on(&mut self, wake: Wake) {
        match wake {
            Wake::Checker(ev) => self.ipvs.on_event(ev).await,
            Wake::Tick => {
                if let (Some(v), Some(router_id)) = (&self.vrrp, self.ipvs.router_id()) {
                    for a in self
                        .vrrp_alerts
                        .changes(router_id, &v.states(), &self.alerting)
                    {
                        self.ipvs.alert(a);
                    }
                }
                self.ticks += 1;
                if self.ticks % SYNC_EVERY == 1 && self.ipvs.watched() {
                    self.ipvs.set_sync(self.sync.status().await);
                }
                self.ipvs.publish().await
            }
            Wake::SyncInstance => self.sync.on_change().await,
        }
    }

    /// Answers one control request (from the socket, or from an in-process console).
    pub async fn handle(&mut self, req: Request) -> Reply {
        let status = matches!(req, Request::Status);
        let mut reply =
            crate::engine::control::handle(&mut self.ipvs, self.vrrp.as_ref(), req).await;
        if let (true, Reply::Status(s)) = (status, &mut reply) {
            s.sync = self
                .sync
                .status()
                .await
                .map(|st| crate::engine::control::sync_report(&st));
            // Absolute, so a peer's digest names the file whatever the daemon's cwd was.
            let file = std::path::absolute(&self.file).unwrap_or_else(|_| self.file.clone());
            s.config = Some(file.display().to_string());
        }
        reply
    }

    /// Re-reads the configuration file and, when it is valid, moves every part to it in
    /// place (instances kept where unchanged, the table in one plan). `Err`: every error
    /// line; the running configuration stays.
    pub async fn reload(&mut self) -> Result<Changes, Vec<load::LoadError>> {
        let new = load::load(&self.file)?;
        let mut done = Changes::default();
        if !new.vrrp.is_empty() && self.vrrp.is_none() {
            match Shared::open().await {
                Ok(s) => self.vrrp = Some(Instances::new(s)),
                Err(e) => tracing::error!("VRRP: {e:#}"),
            }
        }
        if let Some(instances) = &mut self.vrrp {
            done = instances.reconcile(new.vrrp.clone()).await;
        }
        self.sync.reload(&new.config, self.vrrp.as_ref()).await;
        self.alerting = vrrp_alerting(&new.config);
        if let Err(e) = self.ipvs.reload(&new).await {
            tracing::error!("{}: {e:#}", self.file.display());
        }
        Ok(done)
    }

    /// Stops every part as `how` says: the sync daemons first (keepalived's
    /// `vrrp_terminate_phase1` stops them before anything else, `-V` or not), then the VRRP
    /// instances (masters send priority 0 and remove their VIPs), then the IPVS side
    /// (checkers, reconciler, release).
    pub async fn stop(self, how: StopPolicy) {
        let Director {
            ipvs,
            mut vrrp,
            mut sync,
            ..
        } = self;
        sync.stop().await;
        // VRRP first: the priority-0 advert and the VIPs' removal send the traffic to the
        // backup before the virtual servers go. The other way round, packets reaching
        // this director between the two meet its own TCP stack, which resets them (seen
        // in the lab pair: 0 of 4 synced connections survived a SIGTERM).
        match &mut vrrp {
            Some(v) if how.vrrp => v.stop_all().await,
            Some(_) => tracing::info!("--dont-release-vrrp: VRRP instances left as they are"),
            None => {}
        }
        ipvs.stop(how.ipvs).await;
    }

    /// Everything the metrics endpoint shows of this director, read now: the status reply
    /// (servers, checkers, drift, sync), each VRRP instance's own status with its counters
    /// and transitions, on the instances' clock.
    pub async fn picture(&mut self) -> Picture {
        let status = match self.handle(Request::Status).await {
            Reply::Status(s) => Some(*s),
            _ => None,
        };
        let (now, vrrp) = match &self.vrrp {
            Some(v) => (
                Some(v.now()),
                v.handles()
                    .map(|h| InstancePicture {
                        name: h.spec.name.clone(),
                        interface: h.spec.interface.clone(),
                        status: h.status.borrow().clone(),
                    })
                    .collect(),
            ),
            None => (None, Vec::new()),
        };
        Picture { status, now, vrrp }
    }

    /// One line for `systemctl status`: what runs.
    pub fn summary(&self) -> String {
        let instances = self.vrrp.as_ref().map_or(0, |v| v.handles().count());
        let services = self.ipvs.running.as_ref().map_or(0, |r| r.checks_len());
        format!("{instances} VRRP instances, {services} virtual servers checked")
    }

    /// Whether the IPVS side runs (the configuration has virtual servers).
    pub fn checks_servers(&self) -> bool {
        self.ipvs.running.is_some()
    }
}
