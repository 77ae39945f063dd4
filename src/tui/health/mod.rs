//! The embedded health checkers and reconciler as the console sees them: the last
//! [`HealthStatus`] the engine published, and the texts the views show of it. Pure.

use std::net::IpAddr;
use std::time::Duration;

use crate::check::{Health, Intent};
use crate::engine::drift::{DriftItem, DriftKey};
use crate::engine::health_status::{HealthStatus, ServerView, Why};
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

#[derive(Debug, Clone, Default)]
pub struct HealthState {
    /// The checkers run (`-f FILE` has virtual servers).
    pub configured: bool,
    pub status: Option<HealthStatus>,
    pub failed: Option<String>,
    /// Attached to a daemon's control socket (this path) rather than running embedded.
    pub attached: Option<String>,
    /// The selected entry of the drift list.
    pub drift_cursor: usize,
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

/// The compact marker next to a real server's address.
pub fn marker(v: &ServerView) -> &'static str {
    match v.why {
        Why::Weight(_) => "up",
        Why::CheckerDown => "DOWN",
        Why::Inhibited => "inhibited",
        Why::OperatorDrained => "drained",
        Why::OperatorDisabled => "disabled",
        Why::SorryServerInstead => "up, sorry",
        Why::SorryServer(true) => "sorry",
        Why::SorryServer(false) => "sorry idle",
    }
}

pub use crate::engine::health_status::why_text;

/// The header slot: `None` without the checkers.
pub fn header_text(h: &HealthState) -> Option<String> {
    if !h.configured {
        return None;
    }
    let attached = if h.attached.is_some() {
        "daemon: attached │ "
    } else {
        ""
    };
    if let Some(e) = &h.failed {
        return Some(format!("{attached}health: {e}"));
    }
    let Some(s) = &h.status else {
        return Some(format!("{attached}health: starting…"));
    };
    let down = s
        .servers
        .iter()
        .filter(|v| matches!(v.why, Why::CheckerDown | Why::Inhibited))
        .count();
    let mut out = String::new();
    if h.attached.is_some() {
        out.push_str("daemon: attached │ ");
    }
    out.push_str(&format!("health: {} checked, {down} down", s.servers.len()));
    let open = s.reconciler.drift.items.iter().filter(|i| !i.kept).count();
    let kept = s.reconciler.drift.items.len() - open;
    if open > 0 {
        out.push_str(&format!(" │ drift: {open} (w list, R reconcile, K keep)"));
    }
    if kept > 0 {
        out.push_str(&format!(" │ {kept} kept"));
    }
    if let Some(e) = &s.reconciler.error {
        out.push_str(&format!(" │ reconciler: {e}"));
    }
    if let Some(w) = &h.warning {
        out.push_str(&format!(" │ {w}"));
    }
    Some(out)
}

/// `3.2 s`, `12 ms`: a latency.
fn latency(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn health_name(h: Health) -> &'static str {
    match h {
        Health::Up => "up",
        Health::Down => "DOWN",
    }
}

/// The detail block of a real server: why, then per checker its last result, failures in a
/// row and next check, then the recent transitions (newest first).
pub fn detail_lines(
    v: &ServerView,
    now: Option<crate::vrrp::Instant>,
    wall_secs: Option<u64>,
    undrain_key: &str,
) -> Vec<(String, String)> {
    let mut out = vec![("Why".to_string(), why_text(v.why))];
    let Some(s) = &v.status else {
        return out;
    };
    if s.intent != Intent::Auto {
        let what = if s.intent == Intent::Drain {
            "drained"
        } else {
            "disabled"
        };
        // When: the newest transition that set this intent, on the wall clock.
        let at = s
            .transitions
            .iter()
            .rev()
            .find(|t| t.intent == s.intent)
            .zip(now.zip(wall_secs))
            .map(|(t, (now, wall))| {
                let ago = now.saturating_since(t.at).as_secs();
                format!(" at {}", hms(wall.saturating_sub(ago)))
            })
            .unwrap_or_default();
        out.push((
            "Operator".into(),
            format!("operator: {what}{at}; undrain with {undrain_key}"),
        ));
    }
    out.push((
        "Health".into(),
        format!(
            "{}, weight {}{}",
            health_name(s.health),
            s.weight,
            match s.in_table {
                Some(w) => format!(", in the table at {w}"),
                None => ", not in the table".into(),
            }
        ),
    ));
    for c in &s.checkers {
        let last = match &c.last {
            Some(l) => format!(
                "{} {} in {}",
                if l.ok { "ok" } else { "FAILED" },
                l.detail,
                latency(l.latency)
            ),
            None => "not run yet".into(),
        };
        let next = match (c.next_check, now) {
            (Some(n), Some(now)) => format!(", next in {} s", n.saturating_since(now).as_secs()),
            _ => String::new(),
        };
        out.push((
            c.name.to_string(),
            format!(
                "{}: {last}, {} failures in a row{next}",
                if c.up { "up" } else { "down" },
                c.consecutive_failures
            ),
        ));
    }
    for t in s.transitions.iter().rev().take(5) {
        let ago = match now {
            Some(now) => format!("{} s ago", now.saturating_since(t.at).as_secs()),
            None => String::new(),
        };
        out.push((
            "Transition".into(),
            format!("{ago}: {}, {}", health_name(t.health), t.reason),
        ));
    }
    out
}

/// One drift item as two lines: expected, found.
pub fn drift_lines(i: &DriftItem) -> [String; 2] {
    let side = |l: &Option<String>| l.clone().unwrap_or_else(|| "nothing".into());
    [
        format!(
            "{}expected {}",
            if i.kept { "(kept) " } else { "" },
            side(&i.expected)
        ),
        format!("   found {}", side(&i.found)),
    ]
}

/// `HH:MM:SS` (UTC) of Unix seconds.
pub fn hms(secs: u64) -> String {
    let d = secs % 86_400;
    format!("{:02}:{:02}:{:02}", d / 3600, d / 60 % 60, d % 60)
}
