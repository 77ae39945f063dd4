//! A sync group's coordinator task: members report their [`MemberView`] after every step,
//! the pure [`SyncGroup`] answers, and the answers go to the members as commands. The
//! group's notify scripts run here (`GROUP NAME STATE 0`). The task ends when every member
//! task has ended (their report senders dropped).

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::group::GroupSpec;
use super::notify;
use super::task::InstanceCommand;
use crate::vrrp::{MemberView, State, SyncGroup};

/// How long a stopping group waits for its notify_stop.
const NOTIFY_DRAIN: Duration = Duration::from_secs(3);

/// A member task's way to its coordinator.
#[derive(Debug, Clone)]
pub struct Link {
    pub index: usize,
    pub reports: mpsc::UnboundedSender<(usize, MemberView)>,
}

/// Starts the coordinator of `spec`; `members[i]` is member i's command channel, `None` when
/// it did not start (it then stays STOPPED and holds the group in BACKUP, as an absent member
/// that never wants MASTER would in keepalived).
pub fn start(
    spec: GroupSpec,
    members: Vec<Option<mpsc::Sender<InstanceCommand>>>,
    mut reports: mpsc::UnboundedReceiver<(usize, MemberView)>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let who = format!("VRRP_Group({})", spec.name);
        let mut core = SyncGroup::new(members.len());
        let scripts = notify::Runner::start(who.clone());
        while let Some((i, view)) = reports.recv().await {
            let up = core.report(i, view);
            if let Some(state) = up.group {
                match state {
                    State::Initialize => tracing::info!("{who} stopped"),
                    s => tracing::info!("{who} Syncing instances to {} state", notify::word(s)),
                }
                scripts.run(spec.notify.commands("GROUP", &spec.name, state, 0));
            }
            for (j, input) in up.commands {
                let name = spec.members.get(j).map_or("?", String::as_str);
                tracing::debug!("{who} tells {name}: {input:?}");
                if let Some(Some(tx)) = members.get(j) {
                    // A member that already ended cannot be told; the others still are.
                    let _ = tx.send(InstanceCommand::Sync(input)).await;
                }
            }
        }
        scripts.drain(NOTIFY_DRAIN).await;
    })
}
