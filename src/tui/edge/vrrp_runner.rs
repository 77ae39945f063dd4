//! The edge of the console's VRRP side: runs the instances of `-f FILE` embedded (the same
//! engine as `lvsdeck daemon`), forwards each status watch channel as `Event::Vrrp`, sends
//! drill commands, and stops every instance when the console ends.

use std::collections::HashMap;

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::engine::vrrp::task::Shared;
use crate::engine::vrrp::{Command, Instances, Spec};
use crate::tui::event::Event;
use crate::tui::vrrp::{InstanceInfo, Msg};

/// The running instances and where to send their commands.
#[derive(Default)]
pub struct Engine {
    instances: Option<Instances>,
    commands: HashMap<String, mpsc::Sender<Command>>,
    /// Reads the receivers' unknown-VRID counts for the panel.
    counts: Option<JoinHandle<()>>,
}

/// How often the unknown-VRID counts are read.
const COUNTS_EVERY: Duration = Duration::from_secs(1);

impl Engine {
    /// Starts `specs` and reports them (and those that failed) to the console.
    pub async fn start(specs: Vec<Spec>, tx: mpsc::UnboundedSender<Event>) -> Engine {
        let shared = match Shared::open().await {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.send(Event::Vrrp(Msg::Started {
                    running: Vec::new(),
                    failed: vec![format!("{e:#}")],
                }));
                return Engine::default();
            }
        };
        let receivers = shared.receivers.clone();
        let mut instances = Instances::new(shared);
        let changes = instances.reconcile(specs).await;
        let mut running = Vec::new();
        let mut commands = HashMap::new();
        for h in instances.handles() {
            running.push(InstanceInfo {
                name: h.spec.name.clone(),
                interface: h.spec.interface.clone(),
                vips: h
                    .spec
                    .vips
                    .iter()
                    .map(|v| format!("{}/{}", v.addr, v.prefix))
                    .collect(),
            });
            commands.insert(h.spec.name.clone(), h.commands.clone());
        }
        let _ = tx.send(Event::Vrrp(Msg::Started {
            running,
            failed: changes.errors,
        }));
        for h in instances.handles() {
            let (name, mut rx, tx) = (h.spec.name.clone(), h.status.clone(), tx.clone());
            tokio::spawn(async move {
                loop {
                    let s = rx.borrow_and_update().clone();
                    if tx
                        .send(Event::Vrrp(Msg::Status(name.clone(), Box::new(s))))
                        .is_err()
                    {
                        return;
                    }
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
            });
        }
        let counts = tokio::spawn(async move {
            let mut last = None;
            loop {
                let now = receivers.unknown_vrid_by_interface();
                if last.as_ref() != Some(&now) {
                    last = Some(now.clone());
                    if tx.send(Event::Vrrp(Msg::UnknownVrid(now))).is_err() {
                        return;
                    }
                }
                tokio::time::sleep(COUNTS_EVERY).await;
            }
        });
        Engine {
            instances: Some(instances),
            commands,
            counts: Some(counts),
        }
    }

    /// Hands a command to an instance without waiting; `Err` says why it could not.
    pub fn send(&self, name: &str, cmd: Command) -> Result<(), String> {
        let Some(tx) = self.commands.get(name) else {
            return Err(format!("{name} does not run"));
        };
        tx.try_send(cmd)
            .map_err(|e| format!("{name}: command not sent: {e}"))
    }

    /// Every instance leaves: masters send priority 0 and remove their VIPs.
    pub async fn stop(mut self) {
        if let Some(c) = self.counts.take() {
            c.abort();
        }
        if let Some(mut i) = self.instances.take() {
            i.stop_all().await;
        }
    }
}
