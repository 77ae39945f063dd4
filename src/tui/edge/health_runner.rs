//! The edge of the console's health side: runs the health checkers and the reconciler of
//! `-f FILE`'s virtual servers embedded (the same engine as `lvsdeck daemon`: `Ipvs`),
//! forwards its health picture as `Event::Health`, hands the console's drift commands to the
//! reconciler, and stops the engine when the console ends, leaving the table as it is.

use std::path::Path;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::check::Intent;
use crate::engine::control::client::Client;
use crate::engine::control::from_reply;
use crate::engine::control::protocol::{Reply, Request};
use crate::engine::health::operator::server_text;
use crate::engine::health::status::HealthStatus;
use crate::engine::ipvs::reconciler::Command;
use crate::engine::ipvs::run::Ipvs;
use crate::engine::load::Loaded;
use crate::tui::event::Event;
use crate::tui::health::{HealthCmd, Msg};

/// The running engine; `Default` when nothing runs.
#[derive(Default)]
pub struct Health {
    commands: Option<mpsc::Sender<HealthCmd>>,
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

    /// Hands a command to the engine (or the attached daemon) without waiting.
    pub fn send(&self, cmd: HealthCmd) -> Result<(), String> {
        let Some(tx) = &self.commands else {
            return Err(
                "the health checkers do not run here (-f FILE, or a daemon to attach to)".into(),
            );
        };
        tx.try_send(cmd)
            .map_err(|e| format!("command not sent to the health engine: {e}"))
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
    mut commands: mpsc::Receiver<HealthCmd>,
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
                    let sent = match cmd {
                        HealthCmd::ReconcileAll => ipvs.command(Command::Reconcile(None)).await,
                        HealthCmd::Reconcile(k) => ipvs.command(Command::Reconcile(Some(k))).await,
                        HealthCmd::Keep(k) => ipvs.command(Command::Keep(k)).await,
                        HealthCmd::Operator(id, intent) => ipvs.operator(&id, intent).await,
                    }
                    .map_err(|e| e.to_string());
                    if let Err(e) = sent {
                        let _ = tx.send(Event::Health(Msg::Failed(e)));
                    }
                    ipvs.publish().await;
                }
            },
        }
        let ops = ipvs.take_operator_ops();
        if !ops.is_empty() {
            let _ = tx.send(Event::Health(Msg::Applied(ops)));
        }
    }
    // The console never removes the table it was started on (keepalived's
    // --dont-release-ipvs): quitting leaves every service as it is.
    ipvs.stop(crate::engine::ipvs::run::OnStop::Leave).await;
}

/// Attaches to a running daemon's control socket if one answers at `path`: its picture
/// every second as `Event::Health`, the console's commands as requests. `None` when no
/// daemon answers (the console then works as without one).
pub async fn attach(path: &Path, tx: mpsc::UnboundedSender<Event>) -> Option<Health> {
    if !path.exists() {
        return None;
    }
    let client = Client::connect(path).await.ok()?;
    let _ = tx.send(Event::Health(Msg::Attached(path.display().to_string())));
    let (commands, rx) = mpsc::channel(16);
    let task = tokio::spawn(remote(client, rx, tx));
    Some(Health {
        commands: Some(commands),
        task: Some(task),
    })
}

/// The attached loop: status every second and after each command.
async fn remote(
    mut client: Client,
    mut commands: mpsc::Receiver<HealthCmd>,
    tx: mpsc::UnboundedSender<Event>,
) {
    let epoch = std::time::Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let req = tokio::select! {
            _ = tick.tick() => None,
            cmd = commands.recv() => match cmd {
                None => return,
                Some(cmd) => Some(request_of(cmd)),
            },
        };
        if let Some(req) = req {
            match client.request(&req).await {
                Ok(Reply::Error { message }) => {
                    let _ = tx.send(Event::Health(Msg::Failed(format!("daemon: {message}"))));
                }
                Ok(Reply::Done { applied, .. }) if !applied.is_empty() => {
                    let ops = applied_ops(&applied);
                    let _ = tx.send(Event::Health(Msg::Applied(ops)));
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = tx.send(Event::Health(Msg::Failed(format!("daemon: {e:#}"))));
                    return;
                }
            }
        }
        let now = crate::clock::Instant::from_since_epoch(epoch.elapsed());
        let msg = match client.request(&Request::Status).await {
            Ok(Reply::Status(s)) => {
                let (picture, problems) = from_reply(&s, now);
                for p in problems {
                    tracing::warn!("daemon status: {p}");
                }
                Msg::Status(Box::new(picture))
            }
            Ok(other) => Msg::Failed(format!("daemon: unexpected reply {other:?}")),
            Err(e) => Msg::Failed(format!("daemon: {e:#}")),
        };
        let gone = matches!(msg, Msg::Failed(_));
        if tx.send(Event::Health(msg)).is_err() || gone {
            return;
        }
    }
}

/// The daemon's applied lines as ops (for the audit log); a line that does not parse is
/// logged and left out.
fn applied_ops(lines: &[String]) -> Vec<crate::ipvs::Op> {
    lines
        .iter()
        .filter_map(
            |l| match crate::rules::parse_line(l, &crate::rules::NoResolver) {
                Ok(Some(crate::rules::Command::Change(op))) => Some(op),
                other => {
                    tracing::warn!("daemon reply: `{l}` is not a change: {other:?}");
                    None
                }
            },
        )
        .collect()
}

/// The control request for a console command.
fn request_of(cmd: HealthCmd) -> Request {
    match cmd {
        HealthCmd::ReconcileAll => Request::Reconcile { entry: None },
        HealthCmd::Reconcile(k) => Request::Reconcile {
            entry: Some(k.to_string()),
        },
        HealthCmd::Keep(k) => Request::Keep {
            entry: Some(k.to_string()),
        },
        HealthCmd::Operator(id, intent) => {
            let server = server_text(&id);
            match intent {
                Intent::Drain => Request::Drain { server },
                Intent::Disable => Request::Disable { server },
                Intent::Auto => Request::Undrain { server },
            }
        }
    }
}
