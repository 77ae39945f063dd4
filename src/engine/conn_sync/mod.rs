//! Connection sync as keepalived runs it: the kernel's sync daemons (`lvs_sync_daemon`)
//! started, switched and stopped with the named VRRP instance's state. [`policy`] decides
//! (pure, with keepalived 2.2.7's rules and where they are in its sources); this file reads
//! the instance's state and the kernel's daemons, applies the ops through the one IPVS
//! client one by one (as keepalived sends them: a refused start does not undo the stop
//! before it) and logs each as a replayable ipvsadm line, like every other change the
//! engine makes. [`status`] is what `lvsdeck control status` and the console show.

pub mod policy;
pub mod status;

use tokio::sync::watch;

use crate::config::{Config, SyncDaemon};
use crate::ipvs::conn::{read_sync_conns, Origin, CONN_SYNC_PATH};
use crate::ipvs::netlink::Client;
use crate::ipvs::{Daemon, DaemonState};
use crate::vrrp::{State, Status};

use crate::engine::ipvs::reconciler::log_ops;
use crate::engine::vrrp::Instances;
use policy::{decide, role_of, Inputs, Moment};
use status::SyncStatus;

/// The director's connection sync: the setting, the instance it follows, the role it runs.
#[derive(Default)]
pub struct ConnSync {
    setting: Option<SyncDaemon>,
    /// The configuration has virtual servers (keepalived's checker runs).
    checker: bool,
    /// The named instance's status channel while it runs.
    watch: Option<watch::Receiver<Status>>,
    /// The role last decided for the instance's state.
    role: Option<DaemonState>,
    /// The last connection count (local, synced) and when it was taken: the table is read
    /// whole, so status requests in a row share one count for [`COUNT_FOR`].
    counted: Option<(tokio::time::Instant, u64, u64)>,
}

/// How long one count of the connection table is reused.
const COUNT_FOR: std::time::Duration = std::time::Duration::from_secs(5);

impl ConnSync {
    /// Starts the daemons `config` asks for (after its instances started).
    pub async fn start(config: &Config, vrrp: Option<&Instances>) -> ConnSync {
        let mut c = ConnSync {
            setting: config.lvs_sync.clone(),
            checker: !config.virtual_servers.is_empty(),
            ..ConnSync::default()
        };
        c.follow(vrrp);
        c.run(Moment::Start, None).await;
        c
    }

    /// A reloaded configuration (its instances already reconciled).
    pub async fn reload(&mut self, config: &Config, vrrp: Option<&Instances>) {
        let old = std::mem::replace(&mut self.setting, config.lvs_sync.clone());
        self.checker = !config.virtual_servers.is_empty();
        self.follow(vrrp);
        self.run(Moment::Reload { old: old.as_ref() }, old.as_ref())
            .await;
    }

    /// Stops the daemons this director runs (before its instances leave).
    pub async fn stop(&mut self) {
        self.run(Moment::Stop, None).await;
        self.watch = None;
        self.setting = None;
    }

    /// Waits until the followed instance's state may have changed; never while none is
    /// followed. Cancel-safe.
    pub async fn changed(&mut self) {
        loop {
            match &mut self.watch {
                Some(rx) => match rx.changed().await {
                    Ok(()) => return,
                    // The instance's task ended (it is being replaced or stopped).
                    Err(_) => self.watch = None,
                },
                None => std::future::pending::<()>().await,
            }
        }
    }

    /// The followed instance's status changed: a new role switches the daemons.
    pub async fn on_change(&mut self) {
        let state = self.state();
        if self.role == Some(role_of(state)) {
            return;
        }
        self.run(Moment::Change, None).await;
    }

    /// The named instance's state; `None` when it does not run.
    fn state(&self) -> Option<State> {
        self.watch.as_ref().map(|rx| rx.borrow().state)
    }

    fn follow(&mut self, vrrp: Option<&Instances>) {
        let name = self.setting.as_ref().and_then(|s| s.instance.as_deref());
        self.watch = match (name, vrrp) {
            (Some(name), Some(v)) => v.handles().find(|h| h.spec.name == name).map(|h| {
                let mut rx = h.status.clone();
                rx.borrow_and_update();
                rx
            }),
            _ => None,
        };
        if let (Some(name), None) = (name, &self.watch) {
            tracing::warn!(
                "connection sync: vrrp_instance {name} does not run; its sync daemon runs as backup (keepalived's role for an instance in FAULT)"
            );
        }
    }

    /// Decides `moment` on the kernel's daemons and applies the ops.
    async fn run(&mut self, moment: Moment<'_>, old: Option<&SyncDaemon>) {
        if self.setting.is_none() && old.is_none() {
            return;
        }
        let state = self.state();
        // Decided for this role even when the kernel cannot be reached: the error is logged
        // once per role change, not at every advert.
        self.role = Some(role_of(state));
        let client = match Client::connect().await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!("connection sync: IPVS (generic netlink): {e}");
                return;
            }
        };
        let kernel = match client.daemons().await {
            Ok(d) => d,
            Err(e) => {
                tracing::error!("connection sync: listing the sync daemons: {e}");
                return;
            }
        };
        let d = decide(
            moment,
            Inputs {
                setting: self.setting.as_ref(),
                state,
                checker: self.checker,
                kernel: &kernel,
            },
        );
        for n in &d.notes {
            tracing::warn!("connection sync: {n}");
        }
        if d.ops.is_empty() {
            return;
        }
        if let Some(name) = self.setting.as_ref().and_then(|s| s.instance.as_deref()) {
            let word = state.map_or("not running", crate::engine::control::state_word);
            tracing::info!(
                "connection sync ({}): {name} is {word}, so the {} daemon",
                moment_word(moment),
                policy::role_name(role_of(state))
            );
        }
        for op in d.ops {
            match client.apply(&op).await {
                Ok(()) => log_ops(std::slice::from_ref(&op)),
                Err(e) => tracing::error!(target: "lvsdeck::audit", "ipvsadm {op} refused: {e}"),
            }
        }
    }

    /// What runs now, for `lvsdeck control status` and the console; `None` when the
    /// configuration has no sync and the kernel runs no daemon (or has no IPVS).
    pub async fn status(&mut self) -> Option<SyncStatus> {
        let daemons: Result<Vec<Daemon>, String> = match Client::connect().await {
            Ok(c) => c.daemons().await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if self.setting.is_none() && daemons.as_ref().map_or(true, Vec::is_empty) {
            return None;
        }
        let state = self.state();
        let mut s = SyncStatus::of(self.setting.as_ref(), Vec::new());
        s.instance_state = s
            .instance
            .as_ref()
            .and(state)
            .map(|st| crate::engine::control::state_word(st).to_string());
        s.wanted = policy::wanted(self.setting.as_ref(), state, self.checker);
        match daemons {
            Ok(d) => s.daemons = d,
            Err(e) => s.error = Some(e),
        }
        let now = tokio::time::Instant::now();
        let fresh = self
            .counted
            .filter(|(at, ..)| now.saturating_duration_since(*at) < COUNT_FOR);
        let counts = match fresh {
            Some((_, l, y)) => Some((l, y)),
            None => match tokio::task::spawn_blocking(count_origins).await {
                Ok(Ok((l, y))) => {
                    self.counted = Some((now, l, y));
                    Some((l, y))
                }
                _ => None,
            },
        };
        if let Some((local, synced)) = counts {
            s.local = Some(local);
            s.synced = Some(synced);
        }
        Some(s)
    }
}

fn moment_word(m: Moment<'_>) -> &'static str {
    match m {
        Moment::Start => "start",
        Moment::Change => "state change",
        Moment::Reload { .. } => "reload",
        Moment::Stop => "stop",
    }
}

/// Entries of /proc/net/ip_vs_conn_sync by origin: (local, synced).
fn count_origins() -> Result<(u64, u64), String> {
    let lines = read_sync_conns(std::path::Path::new(CONN_SYNC_PATH)).map_err(|e| e.to_string())?;
    let (mut local, mut synced) = (0, 0);
    for c in lines.flatten() {
        match c.origin {
            Origin::Local => local += 1,
            Origin::Sync => synced += 1,
        }
    }
    Ok((local, synced))
}
