//! What the policy needs to know about the configuration, as plain values: tests build
//! these by hand, `build` derives them from a keepalived.conf.

use std::time::Duration;

use crate::ipvs::{DestConfig, ServiceKey};

/// Identifies a real server: virtual server index, real server index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RsIndex {
    pub vs: usize,
    pub rs: usize,
}

/// Identifies one checker of a real server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CheckerId {
    pub server: RsIndex,
    pub index: usize,
}

/// The timing of one checker (keepalived's defaults already applied by the parser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    /// `TCP_CHECK`, `HTTP_GET`, ...: shown in the status.
    pub name: &'static str,
    /// Retries after a first failure before the checker counts as down.
    pub retry: u32,
    pub delay_before_retry: Duration,
    pub delay_loop: Duration,
    /// The first check is delayed by a random fraction of this.
    pub warmup: Duration,
    /// Start down until the first success.
    pub alpha: bool,
}

/// A notify or quorum script as configured: the command line and its own user, if any
/// (`None`: global_defs' `script_user`, else lvsdeck's user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptCall {
    pub command: String,
    /// `user[:group]`.
    pub user: Option<String>,
    /// `file:line`, for logs.
    pub at: String,
}

impl From<&str> for ScriptCall {
    fn from(command: &str) -> ScriptCall {
        ScriptCall {
            command: command.to_string(),
            user: None,
            at: String::new(),
        }
    }
}

impl From<String> for ScriptCall {
    fn from(command: String) -> ScriptCall {
        ScriptCall::from(command.as_str())
    }
}

impl From<&crate::config::Script> for ScriptCall {
    fn from(s: &crate::config::Script) -> ScriptCall {
        ScriptCall {
            command: s.command.clone(),
            user: s.user.clone(),
            at: s.at.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsSpec {
    /// Address, port, forwarding and configured weight.
    pub dest: DestConfig,
    /// Weight 0 instead of removal when down.
    pub inhibit: bool,
    pub notify_up: Option<ScriptCall>,
    pub notify_down: Option<ScriptCall>,
    /// Mail an alert when it goes up or down (`smtp_alert`, resolved).
    pub smtp_alert: bool,
    /// No checkers: always up, as in keepalived.
    pub checkers: Vec<CheckSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VsSpec {
    /// `virtual_server` as written, for logs and actions.
    pub name: String,
    /// One kernel service per key (a `virtual_server_group` has several).
    pub services: Vec<ServiceKey>,
    pub servers: Vec<RsSpec>,
    pub quorum: u32,
    pub hysteresis: u32,
    pub sorry: Option<DestConfig>,
    /// Sorry server kept at weight 0 instead of removed while quorum holds.
    pub sorry_inhibit: bool,
    pub quorum_up: Option<ScriptCall>,
    pub quorum_down: Option<ScriptCall>,
    /// Clear the pool (and run the down notifiers) when the checker stops.
    pub omega: bool,
}
