//! The reconciler as a tokio task: reads the kernel every period and on every command,
//! publishes a [`ReconcilerStatus`] for the console, applies plans atomically through the one client,
//! and logs each op as an ipvsadm line.

use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::config::IpvsService;
use crate::ipvs::batch::apply_atomically;
use crate::ipvs::netlink::Client;
use crate::ipvs::Op;

use crate::engine::ipvs::desired::{Presence, ServerId};
use crate::engine::ipvs::drift::{Drift, DriftKey};
use crate::engine::ipvs::reconcile::{Reconciler, Scope};

/// What the rest of lvsdeck (config reload, health policy, console) asks of the reconciler.
#[derive(Debug, Clone)]
pub enum ReconcilerCommand {
    /// A new configuration (already validated).
    Reload(Vec<IpvsService>),
    /// The health policy's verdict on a server (`None`: back to its configured state).
    Health(ServerId, Option<Presence>),
    /// Every health verdict at once (the daemon's whole health layer), so one policy
    /// decision (quorum lost: sorry server in, the rest out) is one plan.
    HealthAll(crate::engine::Overrides),
    /// A new configuration with the health layer that goes with it, in one plan: no
    /// window where a server known to be down is back in.
    ReloadWithHealth(Vec<IpvsService>, crate::engine::Overrides),
    /// The operator's override (`None`: lifted).
    Operator(ServerId, Option<Presence>),
    /// Revert drift: all of it, or one item.
    Reconcile(Option<DriftKey>),
    /// Leave this drift item as it is until released by `Reconcile`.
    Keep(DriftKey),
}

/// What the console shows about reconciliation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcilerStatus {
    /// Drift seen in the last read (before it was reverted, if it was).
    pub drift: Drift,
    /// The ops of the last applied plan, as ipvsadm lines.
    pub last_plan: Vec<String>,
    /// Why the last read or apply failed, if it did.
    pub error: Option<String>,
    /// Kernel reads so far.
    pub reads: u64,
}

/// Logs the ops as ipvsadm lines (the audit trail).
pub fn log_ops(ops: &[Op]) {
    for op in ops {
        tracing::info!(target: "lvsdeck::audit", "ipvsadm {op}");
    }
}

/// One read, drift check and apply. Errors are recorded in `status`, never fatal: the next
/// period tries again.
pub async fn step(
    client: &Client,
    rec: &mut Reconciler,
    release: Scope,
    status: &mut ReconcilerStatus,
) {
    status.reads += 1;
    let kernel = match client.table().await {
        Ok(t) => t,
        Err(e) => {
            status.error = Some(format!("reading the IPVS table: {e}"));
            return;
        }
    };
    status.drift = rec.drift(&kernel);
    for item in status.drift.items.iter().filter(|i| !i.kept) {
        tracing::warn!(target: "lvsdeck::drift", "{item}");
    }
    let ops = rec.plan(&kernel, release);
    if ops.is_empty() {
        rec.committed(release);
        status.error = None;
        return;
    }
    match apply_atomically(client, &ops).await {
        Ok(()) => {
            log_ops(&ops);
            rec.committed(release);
            status.last_plan = ops.iter().map(ToString::to_string).collect();
            status.error = None;
        }
        Err(e) => {
            tracing::error!(target: "lvsdeck::audit", "ipvsadm {} refused: {e}", e.op);
            status.error = Some(format!("ipvsadm {}: {e}", e.op));
        }
    }
}

/// Runs until every command sender is dropped.
pub async fn run(
    client: Client,
    mut rec: Reconciler,
    period: Duration,
    mut commands: mpsc::Receiver<ReconcilerCommand>,
    publish: watch::Sender<ReconcilerStatus>,
) {
    let mut status = ReconcilerStatus::default();
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let release = tokio::select! {
            _ = tick.tick() => Scope::Nothing,
            cmd = commands.recv() => match cmd {
                None => return,
                Some(ReconcilerCommand::Reload(services)) => { rec.reload(services); Scope::Nothing }
                Some(ReconcilerCommand::Health(id, p)) => { set(&mut rec.health, id, p); Scope::Nothing }
                Some(ReconcilerCommand::HealthAll(h)) => { rec.health = h; Scope::Nothing }
                Some(ReconcilerCommand::ReloadWithHealth(services, h)) => {
                    rec.reload(services);
                    rec.health = h;
                    Scope::Nothing
                }
                Some(ReconcilerCommand::Operator(id, p)) => { set(&mut rec.operator, id, p); Scope::Nothing }
                Some(ReconcilerCommand::Reconcile(None)) => Scope::All,
                Some(ReconcilerCommand::Reconcile(Some(k))) => Scope::One(k),
                Some(ReconcilerCommand::Keep(k)) => { rec.keep(k); Scope::Nothing }
            },
        };
        step(&client, &mut rec, release, &mut status).await;
        publish.send_replace(status.clone());
    }
}

fn set(o: &mut crate::engine::Overrides, id: ServerId, p: Option<Presence>) {
    match p {
        Some(p) => o.set(id, p),
        None => o.clear(&id),
    }
}

/// How the console and the health policy talk to a running reconciler.
pub struct ReconcilerHandle {
    pub commands: mpsc::Sender<ReconcilerCommand>,
    pub status: watch::Receiver<ReconcilerStatus>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Starts the reconciler on the current runtime: it reconciles at once, then every `period`
/// and after every command. Dropping `commands` stops it.
pub fn spawn(client: Client, rec: Reconciler, period: Duration) -> ReconcilerHandle {
    let (tx, rx) = mpsc::channel(64);
    let (publish, status) = watch::channel(ReconcilerStatus::default());
    let task = tokio::spawn(run(client, rec, period, rx, publish));
    ReconcilerHandle {
        commands: tx,
        status,
        task,
    }
}
