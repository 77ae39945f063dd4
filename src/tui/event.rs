//! What flows into `update` (events) and out of it (effects), and what a feature's key
//! handler hands back to `update` (`Handled`). The executor at the edge turns effects into
//! I/O and reports results back as events.

use std::time::Instant;

use ratatui::crossterm::event::KeyEvent;

use super::action::Action;
use super::conns::state::ConnMsg;
use crate::ipvs::conn::ConnFilter;
use crate::ipvs::{Info, Op, ServiceEntry};

/// Where a table read came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The netlink client: full counters, changes possible.
    Netlink,
    /// /proc/net/ip_vs: no per-service counters, no changes; `reason` says why.
    Procfs { reason: String },
}

/// One read of the kernel table.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub info: Option<Info>,
    pub entries: Vec<ServiceEntry>,
    pub taken_at: Instant,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    /// An action not from the keyboard (tests, later the `:` bar).
    Action(Action),
    /// How the table will be read, known at start before the first read succeeds.
    Opened(Source),
    /// The refresh timer fired.
    Tick,
    /// The peers' clock (a few times a second with peers): reachability is judged again.
    PeerClock,
    /// A table read finished.
    Table(Result<Snapshot, String>),
    /// Changes applied (results, in order); for the edit slices.
    Applied(Vec<Result<(), String>>),
    /// A change applied but its audit-log entry could not be written.
    AuditFailed(String),
    /// The terminal's size in cells.
    Resize(u16, u16),
    /// A message from connection scan number `id`.
    Conns(u64, ConnMsg),
    /// From the embedded VRRP instances.
    Vrrp(super::vrrp::Msg),
    /// From the embedded health checkers and reconciler.
    Health(super::health::Msg),
    /// From peer number `.0`'s transport.
    Peer(usize, super::directors::PeerMsg),
    /// This director's own stream (the producer `lvsdeck serve` runs, in-process).
    Local(crate::pair::wire::ServerFrame),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Read the table and report `Event::Table`.
    Refresh,
    /// Apply changes and report `Event::Applied`.
    Apply(Vec<Op>),
    /// Read /proc/net/ip_vs_conn in the background (replacing any scan under way) and report
    /// `Event::Conns(id, ..)` batch by batch.
    ScanConns { id: u64, filter: ConnFilter },
    /// No view needs connections any more: stop the scan.
    StopConns,
    /// Send a command to the VRRP instance of that name.
    Vrrp(String, crate::engine::vrrp::InstanceCommand),
    /// Send a command to the health engine (embedded, or the daemon attached over its
    /// control socket): drift reconcile/keep, operator drain/disable/undrain.
    Health(super::health::HealthCmd),
    /// Append these ops (applied by the health policy for an operator command) to the
    /// audit log.
    Audit(Vec<Op>),
    /// Send this frame on peer number `.0`'s stream.
    PeerSend(usize, crate::pair::wire::ClientFrame),
    /// Leave; the runner stops the VRRP instances first.
    Quit,
}

/// What a feature's key handler did with a key. Handlers never call back into `update`: a
/// console-wide action (quit, reconcile all, drain from the detail view, ...) comes back
/// for `update` to run as if pressed on the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Done here; these effects (maybe none) go out.
    Effects(Vec<Effect>),
    /// `update` runs this action.
    Action(Action),
}

impl From<Vec<Effect>> for Handled {
    fn from(effects: Vec<Effect>) -> Handled {
        Handled::Effects(effects)
    }
}
