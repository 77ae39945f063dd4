//! One generation of health checkers, as the daemon runs them: built from the configuration,
//! started on the current runtime, stopped for good (omega applies) or dropped for a reload
//! (the table stays; verdicts carry over through [`Policy::assume_down`]).

use std::collections::BTreeSet;
use std::net::IpAddr;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;

use crate::check::build::build;
use crate::check::runner::{self, Event, Input};
use crate::check::{Health, Policy, RsIndex, ServerStatus, VsSpec};
use crate::config::Config;
use crate::ipvs::ServiceKey;

/// Servers known down: (first kernel service, address, port).
pub type Down = BTreeSet<(ServiceKey, IpAddr, u16)>;

pub struct Checks {
    pub specs: Vec<VsSpec>,
    inputs: mpsc::Sender<Input>,
    task: JoinHandle<Policy>,
}

fn key(spec: &VsSpec, rs: usize) -> Option<(ServiceKey, IpAddr, u16)> {
    let first = spec.services.first()?;
    let d = &spec.servers.get(rs)?.dest;
    Some((*first, d.addr, d.port))
}

impl Checks {
    /// Starts the checks; `down` are servers the previous generation had down. Checkers
    /// that cannot run are logged and left out.
    pub fn start(cfg: &Config, down: &Down, events: mpsc::UnboundedSender<Event>) -> Checks {
        let tls = crate::check::probe::tls::client_config_for(cfg.ssl.as_ref())
            .map_err(|e| tracing::warn!("TLS for SSL_GET unavailable: {e}"))
            .ok()
            .map(TlsConnector::from);
        let helo = cfg.global.router_id.as_deref().unwrap_or("lvsdeck");
        let built = build(cfg, helo, tls.as_ref());
        for p in &built.problems {
            tracing::warn!("checker left out: {p}");
        }
        let mut policy = Policy::new(built.specs.clone());
        for (v, spec) in built.specs.iter().enumerate() {
            for rs in 0..spec.servers.len() {
                if key(spec, rs).is_some_and(|k| down.contains(&k)) {
                    policy.assume_down(RsIndex { vs: v, rs });
                }
            }
        }
        let (inputs, rx) = mpsc::channel(64);
        let task = tokio::spawn(runner::run(policy, built.checks, rx, events));
        Checks {
            specs: built.specs,
            inputs,
            task,
        }
    }

    /// Every server's status, in configuration order; empty if the runner is gone.
    pub async fn statuses(&self) -> Vec<(RsIndex, ServerStatus)> {
        let (tx, rx) = oneshot::channel();
        if self.inputs.send(Input::Status(tx)).await.is_err() {
            return Vec::new();
        }
        rx.await.unwrap_or_default()
    }

    /// The servers down now, to carry over to the next generation.
    pub async fn down(&self) -> Down {
        self.statuses()
            .await
            .into_iter()
            .filter(|(_, s)| s.health == Health::Down)
            .filter_map(|(id, _)| key(self.specs.get(id.vs)?, id.rs))
            .collect()
    }

    pub async fn command(&self, c: crate::check::OperatorCommand) {
        let _ = self.inputs.send(Input::Operator(c)).await;
    }

    /// For a reload: the checks end, no shutdown decisions (the table stays as it is).
    pub fn abandon(self) {
        self.task.abort();
    }

    /// For good: the policy's shutdown decisions (omega) go out as a last event.
    pub async fn stop(self) {
        let _ = self.inputs.send(Input::Stop).await;
        if let Err(e) = self.task.await {
            tracing::error!("health checker task: {e}");
        }
    }
}
