//! The console's director, wherever it runs: in-process (`-f FILE`: the same
//! [`engine::Director`] as `lvsdeck daemon`, in its own task) or a running daemon's,
//! attached over its control socket. Either way the console's health and drift commands
//! travel as control [`Request`]s on one channel and come back as [`Reply`]s, so each one
//! means the same on both paths. The health picture comes from the director's watch
//! channel in-process; attached, from the same stream a peer serves (the producer of
//! `lvsdeck serve`, in-process, its frames taken in by `App`'s follower of this director
//! as a peer's are), which notices a restart. Unattached, the same stream runs without a
//! daemon, for this director's sync daemons and connections by origin.
//!
//! VRRP drills go to the instances' own command channels, so they need the director
//! in-process; the control protocol carries the daemon's VRRP states but no drill yet.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::engine::control::protocol::Reply;
use crate::engine::control::server::Pending;
use crate::engine::director::{Director, Front, StopPolicy};
use crate::engine::health::status::HealthStatus;
use crate::engine::load::Loaded;
use crate::engine::vrrp::InstanceCommand;
use crate::tui::event::Event;
use crate::tui::health::{HealthCmd, Msg};
use crate::tui::vrrp::{InstanceInfo, Msg as VrrpMsg};

/// How often an attached console asks for the daemon's picture, and the receivers' counts
/// of unknown VRIDs are read.
const EVERY: Duration = Duration::from_secs(1);

/// Where the console's commands go; `Default` when no director runs for it.
#[derive(Default)]
pub struct DirectorLink {
    /// Control requests: to the in-process director's task, or to the attached socket's.
    requests: Option<mpsc::Sender<Pending>>,
    /// Prefixed to refusals, so the operator knows who refused ("daemon: ...").
    who: &'static str,
    /// Each in-process VRRP instance's command channel, by name.
    instances: HashMap<String, mpsc::Sender<InstanceCommand>>,
    /// The director's task (in-process: it stops the director when the requests end) or
    /// the attached socket's.
    task: Option<JoinHandle<()>>,
    /// Side tasks to end with the console (status forwarders, VRRP counts).
    watchers: Vec<JoinHandle<()>>,
    /// Whether checkers ran here (the console says it left the table as it was).
    checked: bool,
    /// This director's own stream runs (attached: it also carries the requests).
    streams: bool,
    /// Keeps the unattached stream's (unused) request channel open.
    stream_requests: Option<mpsc::Sender<Pending>>,
}

impl DirectorLink {
    /// Starts `loaded` (read from `file`) in-process and reports to the console what runs
    /// and what could not start.
    pub async fn local(
        file: &Path,
        loaded: Loaded,
        tx: mpsc::UnboundedSender<Event>,
    ) -> DirectorLink {
        let (status_tx, status_rx) = watch::channel(HealthStatus::default());
        let (director, problems) =
            match Director::start(file, loaded, status_tx, Front::Console).await {
                Ok(started) => started,
                // A console's director reports instead of failing; kept for safety.
                Err(e) => {
                    let _ = tx.send(Event::Health(Msg::Failed(e.to_string())));
                    return DirectorLink::default();
                }
            };
        let mut link = DirectorLink {
            who: "",
            checked: director.checks_servers(),
            ..DirectorLink::default()
        };
        link.watch_vrrp(&director, problems.vrrp, &tx);
        if let Some(e) = problems.ipvs {
            let _ = tx.send(Event::Health(Msg::Failed(e)));
        }
        if link.checked {
            link.watchers.push(forward_status(status_rx, tx.clone()));
        }
        let (requests, rx) = mpsc::channel(16);
        link.requests = Some(requests);
        link.task = Some(tokio::spawn(serve(director, rx)));
        link
    }

    /// Attaches to a running daemon's control socket if one answers at `path`; `None`
    /// when none does (the console then works as without one). The daemon's picture comes
    /// as a peer's does: the same producer `lvsdeck serve` runs, in-process, its frames
    /// taken in by the same follower; a daemon that stops answering (a restart) is asked
    /// again every second, and said to be gone meanwhile.
    pub async fn attach(path: &Path, tx: mpsc::UnboundedSender<Event>) -> Option<DirectorLink> {
        if !path.exists() || !crate::engine::control::server::live(path).await {
            return None;
        }
        let _ = tx.send(Event::Health(Msg::Attached(path.display().to_string())));
        let (requests, rx) = mpsc::channel(16);
        let task = tokio::spawn(crate::pair::edge::serve::run_local(
            Some(path.to_path_buf()),
            EVERY,
            move |f| tx.send(Event::Local(f)).is_ok(),
            rx,
        ));
        Some(DirectorLink {
            requests: Some(requests),
            who: "daemon: ",
            task: Some(task),
            streams: true,
            ..DirectorLink::default()
        })
    }

    /// This director's own stream when no daemon is attached (the sync daemons and the
    /// connections by origin, for the console's picture of itself): the same producer.
    pub fn with_local_stream(mut self, tx: mpsc::UnboundedSender<Event>) -> DirectorLink {
        if self.streams {
            return self;
        }
        // Nothing is asked of it: the receiver only needs a sender that lives.
        let (keep, rx) = mpsc::channel(1);
        self.stream_requests = Some(keep);
        self.watchers
            .push(tokio::spawn(crate::pair::edge::serve::run_local(
                None,
                EVERY,
                move |f| tx.send(Event::Local(f)).is_ok(),
                rx,
            )));
        self.streams = true;
        self
    }

    /// Hands a health or drift command to the director without waiting; its answer comes
    /// back as an `Event::Health`. `Err` says why it could not be sent.
    pub fn health(&self, cmd: HealthCmd, tx: &mpsc::UnboundedSender<Event>) -> Result<(), String> {
        let Some(requests) = &self.requests else {
            return Err(
                "the health checkers do not run here (-f FILE, or a daemon to attach to)".into(),
            );
        };
        let (reply_tx, reply_rx) = oneshot::channel();
        requests
            .try_send((cmd.request(), reply_tx))
            .map_err(|e| format!("command not sent to the health engine: {e}"))?;
        let (tx, who) = (tx.clone(), self.who);
        tokio::spawn(async move {
            let msg = match reply_rx.await {
                Ok(Reply::Error { message }) => Some(Msg::Failed(format!("{who}{message}"))),
                Ok(Reply::Done { applied, .. }) if !applied.is_empty() => {
                    Some(Msg::Applied(applied_ops(&applied)))
                }
                Ok(_) => None,
                Err(_) => Some(Msg::Failed(format!("{who}the engine has stopped"))),
            };
            if let Some(m) = msg {
                let _ = tx.send(Event::Health(m));
            }
        });
        Ok(())
    }

    /// Hands a drill command to an in-process instance without waiting.
    pub fn vrrp(&self, name: &str, cmd: InstanceCommand) -> Result<(), String> {
        let Some(tx) = self.instances.get(name) else {
            return Err(format!("{name} does not run"));
        };
        tx.try_send(cmd)
            .map_err(|e| format!("{name}: command not sent: {e}"))
    }

    /// Ends the director: the checkers and the reconciler stop and leave the IPVS table as
    /// it is, then masters hand over (priority 0, VIPs removed). Returns whether checkers
    /// ran here.
    pub async fn stop(mut self) -> bool {
        for w in self.watchers.drain(..) {
            w.abort();
        }
        self.instances.clear();
        drop(self.requests.take());
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        self.checked
    }

    /// Reports the instances to the console and forwards each one's status.
    fn watch_vrrp(
        &mut self,
        director: &Director,
        failed: Vec<String>,
        tx: &mpsc::UnboundedSender<Event>,
    ) {
        let mut running = Vec::new();
        if let Some(instances) = director.instances() {
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
                self.instances
                    .insert(h.spec.name.clone(), h.commands.clone());
                let (name, rx, tx) = (h.spec.name.clone(), h.status.clone(), tx.clone());
                self.watchers
                    .push(tokio::spawn(forward_instance(name, rx, tx)));
            }
            let receivers = instances.shared().receivers.clone();
            let tx = tx.clone();
            self.watchers.push(tokio::spawn(async move {
                let mut last = None;
                loop {
                    let now = receivers.unknown_vrid_by_interface();
                    if last.as_ref() != Some(&now) {
                        last = Some(now.clone());
                        if tx.send(Event::Vrrp(VrrpMsg::UnknownVrid(now))).is_err() {
                            return;
                        }
                    }
                    tokio::time::sleep(EVERY).await;
                }
            }));
        }
        let _ = tx.send(Event::Vrrp(VrrpMsg::Started { running, failed }));
    }
}

/// The in-process director's loop: the console's requests, the checkers' decisions and the
/// one-second tick; when the console drops its sender, the director stops as the
/// console's does (the table stays, masters hand over).
async fn serve(mut director: Director, mut requests: mpsc::Receiver<Pending>) {
    loop {
        tokio::select! {
            pending = requests.recv() => match pending {
                None => break,
                Some((req, reply)) => {
                    let _ = reply.send(director.handle(req).await);
                }
            },
            wake = director.next() => director.on(wake).await,
        }
    }
    director.stop(StopPolicy::CONSOLE).await;
}

fn forward_status(
    mut rx: watch::Receiver<HealthStatus>,
    tx: mpsc::UnboundedSender<Event>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            let s = rx.borrow_and_update().clone();
            if tx.send(Event::Health(Msg::Status(Box::new(s)))).is_err() {
                return;
            }
        }
    })
}

async fn forward_instance(
    name: String,
    mut rx: watch::Receiver<crate::vrrp::Status>,
    tx: mpsc::UnboundedSender<Event>,
) {
    loop {
        let s = rx.borrow_and_update().clone();
        if tx
            .send(Event::Vrrp(VrrpMsg::Status(name.clone(), Box::new(s))))
            .is_err()
        {
            return;
        }
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// The director's applied lines as ops (for the audit log); a line that does not parse is
/// logged and left out.
fn applied_ops(lines: &[String]) -> Vec<crate::ipvs::Op> {
    lines
        .iter()
        .filter_map(
            |l| match crate::rules::parse_line(l, &crate::rules::NoResolver) {
                Ok(Some(crate::rules::Command::Change(op))) => Some(op),
                other => {
                    tracing::warn!("reply: `{l}` is not a change: {other:?}");
                    None
                }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Intent;
    use crate::engine::control::protocol::Request;
    use crate::engine::DriftKey;
    use crate::ipvs::{Protocol, ServiceKey};

    /// A console command reaches the director as the same request `lvsdeck control` sends,
    /// and the director parses it back to the same entry.
    #[test]
    fn console_commands_are_control_requests() {
        let service = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "198.51.100.10".parse().unwrap(),
            port: 80,
        };
        let k = DriftKey {
            service,
            server: Some(("192.0.2.5".parse().unwrap(), 8080)),
        };
        let Request::Keep { entry: Some(e) } = HealthCmd::Keep(k).request() else {
            panic!("not a keep");
        };
        assert_eq!(crate::engine::control::protocol::parse_entry(&e), Ok(k));
        let id = crate::engine::ServerId {
            service,
            addr: "192.0.2.5".parse().unwrap(),
            port: 8080,
        };
        let Request::Drain { server } = HealthCmd::Operator(id, Intent::Drain).request() else {
            panic!("not a drain");
        };
        assert_eq!(
            crate::engine::control::protocol::parse_server(&server),
            Ok(id)
        );
    }
}
