//! The edge of the console's health side: runs the health checkers and the reconciler of
//! `-f FILE`'s virtual servers embedded (the same engine as `lvsdeck daemon`: `Ipvs`),
//! forwards its health picture as `Event::Health`, hands the console's drift commands to the
//! reconciler, and stops the engine when the console ends, leaving the table as it is.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::event::Event;
use super::health::{DriftCmd, Msg};
use crate::engine::daemon::Loaded;
use crate::engine::health_status::HealthStatus;
use crate::engine::ipvs_run::Ipvs;
use crate::engine::task::Command;

/// The running engine; `Default` when nothing runs.
#[derive(Default)]
pub struct Health {
    commands: Option<mpsc::Sender<DriftCmd>>,
    task: Option<JoinHandle<()>>,
}

impl Health {
    /// Starts the checkers and the reconciler of `loaded`'s virtual servers.
    pub async fn start(loaded: Loaded, tx: mpsc::UnboundedSender<Event>) -> Health {
        let (status_tx, mut status_rx) = watch::channel(HealthStatus::default());
        let ipvs = match Ipvs::start(&loaded, status_tx, crate::engine::DriftPolicy::Ask).await {
            Ok(i) => i,
            Err(e) => {
                let _ = tx.send(Event::Health(Msg::Failed(format!("{e:#}"))));
                return Health::default();
            }
        };
        let forward = tx.clone();
        tokio::spawn(async move {
            while status_rx.changed().await.is_ok() {
                let s = status_rx.borrow_and_update().clone();
                if forward
                    .send(Event::Health(Msg::Status(Box::new(s))))
                    .is_err()
                {
                    return;
                }
            }
        });
        let (commands, rx) = mpsc::channel(16);
        let task = tokio::spawn(run(ipvs, rx, tx));
        Health {
            commands: Some(commands),
            task: Some(task),
        }
    }

    /// Hands a drift command to the reconciler without waiting.
    pub fn send(&self, cmd: DriftCmd) -> Result<(), String> {
        let Some(tx) = &self.commands else {
            return Err("the health checkers do not run".into());
        };
        tx.try_send(cmd)
            .map_err(|e| format!("drift command not sent: {e}"))
    }

    /// Stops the checkers and the reconciler; the table is left as it is. Returns whether
    /// they were running (so the console can say it left the table).
    pub async fn stop(mut self) -> bool {
        drop(self.commands.take());
        match self.task.take() {
            Some(t) => {
                let _ = t.await;
                true
            }
            None => false,
        }
    }
}

/// The daemon's IPVS loop without the signals: decisions, the one-second picture, and the
/// console's commands; ends when the console drops its sender.
async fn run(
    mut ipvs: Ipvs,
    mut commands: mpsc::Receiver<DriftCmd>,
    tx: mpsc::UnboundedSender<Event>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            Some(ev) = ipvs.next_event() => ipvs.on_event(ev).await,
            _ = tick.tick() => ipvs.publish().await,
            cmd = commands.recv() => match cmd {
                None => break,
                Some(cmd) => {
                    let cmd = match cmd {
                        DriftCmd::ReconcileAll => Command::Reconcile(None),
                        DriftCmd::Keep(k) => Command::Keep(k),
                    };
                    if let Err(e) = ipvs.command(cmd).await {
                        let _ = tx.send(Event::Health(Msg::Failed(e)));
                    }
                    ipvs.publish().await;
                }
            },
        }
    }
    // The console never removes the table it was started on (keepalived's
    // --dont-release-ipvs): quitting leaves every service as it is.
    ipvs.stop(crate::engine::ipvs_run::OnStop::Leave).await;
}
