//! What the daemon publishes for the console about health checking: per real server its
//! checkers' state and one plain reason for where it is in the table, plus the reconciler's
//! status (drift). Built purely from the policy's statuses and the health verdicts.

use std::net::IpAddr;

use crate::check::{Health, Intent, ServerStatus, VsSpec};
use crate::clock::Instant;
use crate::ipvs::ServiceKey;

use crate::engine::health::verdicts::Verdicts;
use crate::engine::ipvs::desired::ServerId;
use crate::engine::ipvs::reconciler;

/// Why a server is where it is, the first that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// In at the weight the configuration (or `misc_dynamic`) gives it.
    Weight(u32),
    /// Its checkers say down: out of the table.
    CheckerDown,
    /// Its checkers say down and `inhibit_on_failure`: in at weight 0.
    Inhibited,
    /// The operator drained it (weight 0).
    OperatorDrained,
    /// The operator took it out.
    OperatorDisabled,
    /// Up, but quorum is lost and the sorry server has the traffic.
    SorryServerInstead,
    /// The sorry server itself: `true` while it has the traffic.
    SorryServer(bool),
}

/// One real server (or sorry server) of one virtual server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerView {
    /// `virtual_server` as written ("198.51.100.10 80", "fwmark 1", "group web").
    pub virtual_server: String,
    /// The kernel services it belongs to (several for a group).
    pub services: Vec<ServiceKey>,
    pub addr: IpAddr,
    pub port: u16,
    pub why: Why,
    /// Health, checkers (last result with latency, failures in a row, next check),
    /// transitions; `None` for a sorry server, which is not checked.
    pub status: Option<ServerStatus>,
}

/// The daemon's health picture, refreshed after every decision and every second.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthStatus {
    /// The checkers' clock at the time of this picture: `next_check - now` is the wait.
    pub now: Option<Instant>,
    /// Wall-clock seconds since the Unix epoch at `now`, to show when things happened.
    pub wall_secs: Option<u64>,
    pub servers: Vec<ServerView>,
    /// The reconciler's last read: drift, last plan, error.
    pub reconciler: reconciler::ReconcilerStatus,
    /// Connection sync (`lvs_sync_daemon`), when configured or running.
    pub sync: Option<crate::engine::conn_sync::status::SyncStatus>,
}

/// Why a checked server is where it is.
pub fn why(s: &ServerStatus, inhibit: bool) -> Why {
    match (s.intent, s.health, s.in_table) {
        (Intent::Drain, ..) => Why::OperatorDrained,
        (Intent::Disable, ..) => Why::OperatorDisabled,
        (Intent::Auto, Health::Down, Some(_)) if inhibit => Why::Inhibited,
        (Intent::Auto, Health::Down, _) => Why::CheckerDown,
        (Intent::Auto, Health::Up, Some(w)) => Why::Weight(w),
        (Intent::Auto, Health::Up, None) => Why::SorryServerInstead,
    }
}

/// Why a server is where it is, in a sentence.
pub fn why_text(why: Why) -> String {
    match why {
        Why::Weight(w) => format!("in at weight {w}"),
        Why::CheckerDown => "checkers say down: out of the table".into(),
        Why::Inhibited => "checkers say down, inhibit_on_failure: weight 0".into(),
        Why::OperatorDrained => "drained by the operator (weight 0)".into(),
        Why::OperatorDisabled => "taken out by the operator".into(),
        Why::SorryServerInstead => {
            "up, but quorum is lost: the sorry server has the traffic".into()
        }
        Why::SorryServer(true) => "sorry server, has the traffic".into(),
        Why::SorryServer(false) => "sorry server, idle (quorum holds)".into(),
    }
}

/// The picture from the policy's statuses (in configuration order, as `specs`).
pub fn views(
    specs: &[VsSpec],
    statuses: &[(crate::check::RsIndex, ServerStatus)],
    verdicts: &Verdicts,
) -> Vec<ServerView> {
    let mut out = Vec::new();
    for (v, spec) in specs.iter().enumerate() {
        for (id, s) in statuses.iter().filter(|(id, _)| id.vs == v) {
            let Some(rs) = spec.servers.get(id.rs) else {
                continue;
            };
            out.push(ServerView {
                virtual_server: spec.name.clone(),
                services: spec.services.clone(),
                addr: rs.dest.addr,
                port: rs.dest.port,
                why: why(s, rs.inhibit),
                status: Some(s.clone()),
            });
        }
        if let (Some(sorry), Some(first)) = (&spec.sorry, spec.services.first()) {
            let id = ServerId {
                service: *first,
                addr: sorry.addr,
                port: sorry.port,
            };
            out.push(ServerView {
                virtual_server: spec.name.clone(),
                services: spec.services.clone(),
                addr: sorry.addr,
                port: sorry.port,
                why: Why::SorryServer(verdicts.sorry_in(&id)),
                status: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    fn status(health: Health, intent: Intent, in_table: Option<u32>) -> ServerStatus {
        ServerStatus {
            health,
            intent,
            weight: 3,
            in_table,
            checkers: Vec::new(),
            transitions: VecDeque::new(),
        }
    }

    #[test]
    fn reasons() {
        use Health::*;
        use Intent::*;
        assert_eq!(why(&status(Up, Auto, Some(3)), false), Why::Weight(3));
        assert_eq!(why(&status(Down, Auto, None), false), Why::CheckerDown);
        assert_eq!(why(&status(Down, Auto, Some(0)), true), Why::Inhibited);
        assert_eq!(
            why(&status(Up, Drain, Some(0)), false),
            Why::OperatorDrained
        );
        assert_eq!(
            why(&status(Down, Disable, None), true),
            Why::OperatorDisabled
        );
        assert_eq!(why(&status(Up, Auto, None), false), Why::SorryServerInstead);
    }
}
