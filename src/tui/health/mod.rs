//! The embedded health checkers and reconciler as the console sees them: the last
//! [`HealthStatus`] the engine published, and the messages and commands between the two;
//! `view` has the texts the views show of it. Pure. The drift list's keys and view are in
//! `drift`, the health runner in `edge`.

pub mod view;

use std::net::IpAddr;

use crate::check::Intent;
use crate::engine::health::status::{HealthStatus, ServerView};
use crate::engine::ipvs::drift::{DriftItem, DriftKey};
use crate::engine::ServerId;
use crate::ipvs::ServiceKey;

/// What the engine reports to the console.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A new picture (after every decision and every second).
    Status(Box<HealthStatus>),
    /// The checkers or the reconciler could not start, or a command was refused.
    Failed(String),
    /// The health policy applied these ops for an operator command.
    Applied(Vec<crate::ipvs::Op>),
    /// The console is attached to a running daemon's control socket (its path).
    Attached(String),
    /// Something the operator must know that does not stop the engine (shown until quit).
    Warning(String),
}

/// What the console asks of the health engine; the runner turns it into a `task::Command`
/// or a policy command (or a control-socket request when attached to a daemon).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HealthCmd {
    /// Revert all drift (and release what was kept).
    ReconcileAll,
    /// Revert this drift item (and release it if it was kept).
    Reconcile(DriftKey),
    /// Leave this item as it is until released.
    Keep(DriftKey),
    /// The operator's drain (`Intent::Drain`), disable or undrain (`Intent::Auto`) of a
    /// real server the configuration checks.
    Operator(ServerId, Intent),
}

impl HealthCmd {
    /// The control request that carries it (to a daemon, or a peer's).
    pub fn request(&self) -> crate::engine::control::protocol::Request {
        use crate::engine::control::protocol::Request;
        match self {
            HealthCmd::ReconcileAll => Request::Reconcile { entry: None },
            HealthCmd::Reconcile(k) => Request::Reconcile {
                entry: Some(k.to_string()),
            },
            HealthCmd::Keep(k) => Request::Keep {
                entry: Some(k.to_string()),
            },
            HealthCmd::Operator(id, intent) => {
                let server = crate::engine::health::operator::server_text(id);
                match intent {
                    Intent::Drain => Request::Drain { server },
                    Intent::Disable => Request::Disable { server },
                    Intent::Auto => Request::Undrain { server },
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct HealthState {
    /// The checkers run (`-f FILE` has virtual servers).
    pub configured: bool,
    pub status: Option<HealthStatus>,
    pub failed: Option<String>,
    /// Attached to a daemon's control socket (this path) rather than running embedded.
    pub attached: Option<String>,
    pub warning: Option<String>,
}

impl HealthState {
    /// Takes a message; `true` when something visible changed.
    pub fn on_msg(&mut self, msg: Msg) -> bool {
        self.configured = true;
        match msg {
            Msg::Status(s) => {
                self.failed = None;
                if self.status.as_ref() == Some(&*s) {
                    return false;
                }
                self.status = Some(*s);
            }
            Msg::Failed(e) => self.failed = Some(e),
            Msg::Applied(_) => {}
            Msg::Attached(path) => self.attached = Some(path),
            Msg::Warning(w) => self.warning = Some(w),
        }
        true
    }

    /// The checked real server (not a sorry server, which has no status) of a kernel row,
    /// if the health engine owns it: its operator commands go to the policy, not the kernel.
    pub fn checked(&self, service: &ServiceKey, addr: IpAddr, port: u16) -> Option<&ServerView> {
        self.server(service, addr, port)
            .filter(|v| v.status.is_some())
    }

    /// The view of a real server (or sorry server) of a kernel service.
    pub fn server(&self, service: &ServiceKey, addr: IpAddr, port: u16) -> Option<&ServerView> {
        self.status
            .as_ref()?
            .servers
            .iter()
            .find(|v| v.addr == addr && v.port == port && v.services.iter().any(|s| s == service))
    }

    /// Drift items not kept yet, then the kept ones.
    pub fn drift(&self) -> &[DriftItem] {
        self.status
            .as_ref()
            .map_or(&[], |s| s.reconciler.drift.items.as_slice())
    }

    /// Drift items of one service (the service itself and its servers).
    pub fn drift_of<'a>(&'a self, service: &'a ServiceKey) -> impl Iterator<Item = &'a DriftItem> {
        self.drift()
            .iter()
            .filter(move |i| i.key.service == *service)
    }
}
