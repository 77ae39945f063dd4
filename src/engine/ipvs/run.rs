//! The daemon's IPVS side: the reconciler task owns the table; the health checkers' decisions
//! become its health layer ([`Verdicts`]); a reload swaps the configuration and the checkers
//! in one plan; the checkers' notify and quorum scripts run ([`HealthScripts`]); stopping
//! releases the configuration's services as keepalived does, or leaves the table
//! ([`OnStop`]).

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant as TokioInstant;

use crate::check::runner::Event;
use crate::check::ScriptAction;
use crate::clock::Instant;
use crate::config::global_defs::FlushOnStop;
use crate::ipvs::netlink::Client;
use crate::ipvs::ServiceKey;

use crate::engine::alerts::{Alerter, MailConfig, Mailer};
use crate::engine::health::checks::{Checks, Down};
use crate::engine::health::scripts::{self, HealthScripts};
use crate::engine::health::status::{views, HealthStatus};
use crate::engine::health::verdicts::Verdicts;
use crate::engine::ipvs::reconcile::{DriftPolicy, Reconciler};
use crate::engine::ipvs::reconciler::{self, ReconcilerCommand, ReconcilerHandle};
use crate::engine::load::Loaded;

/// How often the reconciler rereads the kernel when nothing happens (drift is reverted).
const PERIOD: Duration = Duration::from_secs(10);
/// How long a stopping reconciler may take to apply the last verdicts.
const STOP_WITHIN: Duration = Duration::from_secs(5);

pub struct Running {
    checks: Checks,
    pub events: mpsc::UnboundedReceiver<Event>,
    verdicts: Verdicts,
    rec: ReconcilerHandle,
    /// About when the checkers' clock started (the runner starts it as it is spawned).
    epoch: TokioInstant,
    alerter: Alerter,
    scripts: HealthScripts,
    /// The kernel services the configuration declares (what a release removes).
    owned: BTreeSet<ServiceKey>,
    flush_on_stop: FlushOnStop,
    script_user: Option<String>,
    /// Servers an operator command was sent for, whose policy ops are still to come.
    awaiting: Vec<crate::check::RsIndex>,
    /// The policy's ops for operator commands, for the caller's audit log.
    operator_ops: Vec<crate::ipvs::Op>,
}

impl Running {
    /// How many virtual servers the checkers cover.
    pub fn checks_len(&self) -> usize {
        self.checks.specs.len()
    }
}

/// Why the IPVS side refused a command; the text is what the operator reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no virtual server is configured")]
    NoVirtualServer,
    #[error("the reconciler has stopped")]
    ReconcilerStopped,
    /// The named server (ipvsadm's words) is not in the configuration's virtual servers.
    #[error("{0} is not a real server of the configuration")]
    NotConfigured(String),
}

/// What stopping does to the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnStop {
    /// keepalived's default: the configuration's virtual servers are removed (or the table
    /// flushed with `lvs_flush_on_stop`); with `omega`, the down notifiers run.
    Release,
    /// `--dont-release-ipvs`, and the console: the table stays as it is, no scripts run.
    Leave,
}

fn owned(loaded: &Loaded) -> BTreeSet<ServiceKey> {
    loaded.services.iter().map(|s| s.service.key).collect()
}

pub struct Ipvs {
    /// `None` until a configuration has virtual servers (a VRRP-only director never opens
    /// IPVS, so it runs on kernels without it).
    pub running: Option<Running>,
    status: watch::Sender<HealthStatus>,
    /// Mail alerts, when the configuration asks for them.
    mail: Option<(MailConfig, Mailer)>,
    /// What to do with changes nobody in lvsdeck made: the headless daemon reverts them; the
    /// console asks its operator (whose own edits must not be undone behind their back).
    drift: DriftPolicy,
    /// Connection sync as last read by the director, for the console's picture.
    sync: Option<crate::engine::conn_sync::status::SyncStatus>,
}

impl Ipvs {
    /// The IPVS side with nothing running yet (mail alerts set up); [`Ipvs::open`] starts
    /// the reconciler and the checkers.
    pub fn new(loaded: &Loaded, status: watch::Sender<HealthStatus>, drift: DriftPolicy) -> Ipvs {
        let mut ipvs = Ipvs {
            running: None,
            status,
            mail: None,
            drift,
            sync: None,
        };
        ipvs.set_mail(loaded);
        ipvs
    }

    /// Opens IPVS and starts the reconciler and the checkers of `loaded`'s virtual servers
    /// (nothing when it has none: a VRRP-only director never opens IPVS).
    pub async fn open(&mut self, loaded: &Loaded) -> anyhow::Result<()> {
        if loaded.services.is_empty() {
            return Ok(());
        }
        let client = Client::connect().await.context("IPVS (generic netlink)")?;
        let rec = Reconciler::new(loaded.services.clone(), self.drift);
        let (tx, events) = mpsc::unbounded_channel();
        let epoch = TokioInstant::now();
        let checks = Checks::start(&loaded.config, &Down::new(), tx);
        tracing::info!(
            "{} virtual servers, {} real servers checked",
            checks.specs.len(),
            checks.specs.iter().map(|s| s.servers.len()).sum::<usize>()
        );
        self.running = Some(Running {
            checks,
            events,
            verdicts: Verdicts::new(&loaded.services),
            rec: reconciler::spawn(client, rec, PERIOD),
            epoch,
            alerter: Alerter::default(),
            scripts: HealthScripts::new(loaded.config.global.script_user.clone(), scripts::TIMEOUT),
            owned: owned(loaded),
            flush_on_stop: loaded.config.global.lvs_flush_on_stop,
            script_user: loaded.config.global.script_user.clone(),
            awaiting: Vec::new(),
            operator_ops: Vec::new(),
        });
        Ok(())
    }

    /// One decision of the checkers: new verdicts go to the reconciler as one plan.
    pub async fn on_event(&mut self, ev: Event) {
        let Some(r) = &mut self.running else {
            return;
        };
        for a in &ev.output.actions {
            r.scripts.run(a, &r.checks.specs);
        }
        if !r.awaiting.is_empty() {
            let (ops, rest) = crate::engine::health::operator::split_ops(
                &r.checks.specs,
                &r.awaiting,
                &ev.output.ops,
            );
            if !ops.is_empty() {
                r.awaiting = rest;
                r.operator_ops.extend(ops);
            }
        }
        if let Some((cfg, mailer)) = &self.mail {
            let statuses = r.checks.statuses().await;
            for a in r
                .alerter
                .changes(&cfg.router_id, &r.checks.specs, &statuses)
            {
                mailer.send(a);
            }
        }
        if r.verdicts.apply(&ev.output.ops) {
            let h = r.verdicts.overrides.clone();
            if r.rec
                .commands
                .send(ReconcilerCommand::HealthAll(h))
                .await
                .is_err()
            {
                tracing::error!("the reconciler has stopped");
            }
        }
        self.publish().await;
    }

    /// A new validated configuration: the reconciler gets it with the carried-over verdicts
    /// in one plan, then the checkers restart (servers down stay down until a success).
    pub async fn reload(&mut self, new: &Loaded) -> anyhow::Result<()> {
        self.set_mail(new);
        let Some(r) = &mut self.running else {
            return self.open(new).await;
        };
        let down = r.checks.down().await;
        let (tx, events) = mpsc::unbounded_channel();
        let mut verdicts = Verdicts::new(&new.services);
        verdicts.carry(&r.verdicts);
        let h = verdicts.overrides.clone();
        r.rec
            .commands
            .send(ReconcilerCommand::ReloadWithHealth(new.services.clone(), h))
            .await
            .context("the reconciler has stopped")?;
        let epoch = TokioInstant::now();
        let checks = Checks::start(&new.config, &down, tx);
        let old = std::mem::replace(&mut r.checks, checks);
        old.abandon();
        r.events = events;
        r.verdicts = verdicts;
        r.epoch = epoch;
        r.alerter = Alerter::default();
        // The old queues finish what they hold on their own; indices may mean other
        // servers now.
        r.scripts = HealthScripts::new(new.config.global.script_user.clone(), scripts::TIMEOUT);
        r.owned = owned(new);
        r.flush_on_stop = new.config.global.lvs_flush_on_stop;
        r.script_user = new.config.global.script_user.clone();
        r.awaiting.clear();
        tracing::info!(
            "health checks restarted, {} servers carried over as down",
            down.len()
        );
        Ok(())
    }

    /// The mailer for `loaded`'s global_defs; a new one only when they changed (the old
    /// one sends what it has queued, then ends).
    fn set_mail(&mut self, loaded: &Loaded) {
        let cfg = MailConfig::from_global(&loaded.config.global);
        if cfg.as_ref() != self.mail.as_ref().map(|(c, _)| c) {
            self.mail = cfg.map(|c| (c.clone(), Mailer::spawn(c)));
        }
    }

    /// Queues a mail alert if alerts are configured.
    pub fn alert(&self, alert: crate::engine::alerts::Alert) {
        if let Some((_, mailer)) = &self.mail {
            mailer.send(alert);
        }
    }

    pub fn router_id(&self) -> Option<&str> {
        self.mail.as_ref().map(|(c, _)| c.router_id.as_str())
    }

    /// Stops the checkers and the reconciler, then does what `how` says (keepalived's
    /// `clear_services`): releasing removes the configuration's services and, with
    /// `omega`, runs the down notifiers (`quorum_down`; `notify_down` of the servers that
    /// were up unless the table is flushed whole), each bounded by 1 s as keepalived does.
    pub async fn stop(self, how: OnStop) {
        let Some(mut r) = self.running else {
            return;
        };
        let mut last: Vec<ScriptAction> = Vec::new();
        let specs = r.checks.specs.clone();
        match how {
            OnStop::Release => {
                r.checks.stop().await;
                while let Ok(ev) = r.events.try_recv() {
                    last.extend(ev.output.actions);
                }
            }
            OnStop::Leave => r.checks.abandon(),
        }
        drop(r.rec.commands);
        if tokio::time::timeout(STOP_WITHIN, r.rec.task).await.is_err() {
            tracing::error!("the reconciler did not finish within {STOP_WITHIN:?}");
        }
        // keepalived kills the scripts still running when it stops; ours get a moment.
        r.scripts.drain(scripts::STOP_TIMEOUT).await;
        if how == OnStop::Leave {
            tracing::info!("IPVS table left as it is");
            return;
        }
        if let Err(e) = crate::engine::ipvs::release::release(&r.owned, r.flush_on_stop).await {
            tracing::error!("releasing the virtual servers: {e:#}");
        }
        if r.flush_on_stop != FlushOnStop::No {
            last.retain(|a| !matches!(a, ScriptAction::NotifyDown { .. }));
        }
        let mut omega = HealthScripts::new(r.script_user.clone(), scripts::STOP_TIMEOUT);
        for a in &last {
            omega.run(a, &specs);
        }
        omega.drain(2 * scripts::STOP_TIMEOUT).await;
    }

    /// The checkers' next decision; never ready while no virtual server is configured.
    pub async fn next_event(&mut self) -> Option<Event> {
        match &mut self.running {
            Some(r) => r.events.recv().await,
            None => std::future::pending().await,
        }
    }

    /// Hands a command (the console's reconcile or keep) to the reconciler.
    pub async fn command(&self, cmd: ReconcilerCommand) -> Result<(), Refusal> {
        let Some(r) = &self.running else {
            return Err(Refusal::NoVirtualServer);
        };
        r.rec
            .commands
            .send(cmd)
            .await
            .map_err(|_| Refusal::ReconcilerStopped)
    }

    /// Whether anyone watches the health picture (the console does; the daemon does not).
    pub fn watched(&self) -> bool {
        self.status.receiver_count() > 0
    }

    /// Connection sync for the next pictures.
    pub fn set_sync(&mut self, sync: Option<crate::engine::conn_sync::status::SyncStatus>) {
        self.sync = sync;
    }

    /// Publishes the health picture for the console (not built when nobody watches).
    pub async fn publish(&self) {
        if self.status.receiver_count() == 0 {
            return;
        }
        if let Some(picture) = self.picture().await {
            self.status.send_replace(picture);
        }
    }

    /// The health picture now; `None` while no virtual server is configured.
    pub async fn picture(&self) -> Option<HealthStatus> {
        let r = self.running.as_ref()?;
        let statuses = r.checks.statuses().await;
        let wall_secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs());
        Some(HealthStatus {
            now: Some(Instant::from_since_epoch(r.epoch.elapsed())),
            wall_secs,
            servers: views(&r.checks.specs, &statuses, &r.verdicts),
            reconciler: r.rec.status.borrow().clone(),
            sync: self.sync.clone(),
        })
    }

    /// An operator's drain, disable or undrain of a configured real server (operator intent
    /// wins over its checks until undrained). `Err` when the configuration does not check it.
    pub async fn operator(
        &mut self,
        server: &crate::engine::ServerId,
        intent: crate::check::Intent,
    ) -> Result<(), Refusal> {
        let Some(r) = &mut self.running else {
            return Err(Refusal::NoVirtualServer);
        };
        let Some(id) = crate::engine::health::operator::resolve(&r.checks.specs, server) else {
            return Err(Refusal::NotConfigured(
                crate::engine::health::operator::server_text(server),
            ));
        };
        r.awaiting.retain(|a| *a != id);
        r.awaiting.push(id);
        r.checks
            .command(crate::engine::health::operator::command(id, intent))
            .await;
        Ok(())
    }

    /// The ops the policy decided for operator commands since the last call (replayable
    /// ipvsadm lines for an audit log).
    pub fn take_operator_ops(&mut self) -> Vec<crate::ipvs::Op> {
        self.running
            .as_mut()
            .map(|r| std::mem::take(&mut r.operator_ops))
            .unwrap_or_default()
    }
}
