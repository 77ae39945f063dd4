//! What the director shows about connection sync: the setting, the roles it wants, the
//! daemons the kernel runs, and how many connections this director scheduled itself against
//! how many the peer's master daemon sent it (/proc/net/ip_vs_conn_sync's Origin column).
//! Plain data and its one-line-per-daemon text (the console's VRRP panel prints it); built
//! by [`super`].

use crate::ipvs::{Daemon, DaemonState};

use super::policy::{describe, role_name};
use crate::config::SyncDaemon;

/// Connection sync on this director now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// The configuration's setting (`lvs_sync_daemon eth0 VI_1 id 7`); `None` when the
    /// kernel runs daemons the configuration does not ask for.
    pub setting: Option<String>,
    /// The instance the daemons follow, and its state (`MASTER`, ...).
    pub instance: Option<String>,
    pub instance_state: Option<String>,
    /// The roles the setting wants now.
    pub wanted: Vec<DaemonState>,
    /// The daemons the kernel runs.
    pub daemons: Vec<Daemon>,
    /// Entries of the connection table this director scheduled.
    pub local: Option<u64>,
    /// Entries the peer's master daemon sent.
    pub synced: Option<u64>,
    /// Why the kernel could not be read, if it could not.
    pub error: Option<String>,
}

impl SyncStatus {
    /// The status of `setting` (if any) against what the kernel runs.
    pub fn of(setting: Option<&SyncDaemon>, daemons: Vec<Daemon>) -> SyncStatus {
        SyncStatus {
            setting: setting.map(SyncDaemon::line),
            instance: setting.and_then(|s| s.instance.clone()),
            daemons,
            ..SyncStatus::default()
        }
    }
}

/// One line per daemon, for an operator's glance:
/// `sync master on eth0 syncid 7 · follows VI_1 (MASTER) · 120 local, 0 synced conns`,
/// and a line for a wanted role that does not run.
pub fn lines(s: &SyncStatus) -> Vec<String> {
    let follows = match (&s.instance, &s.instance_state) {
        (Some(i), Some(st)) => format!(" · follows {i} ({st})"),
        (Some(i), None) => format!(" · follows {i} (not running)"),
        (None, _) if s.setting.is_some() => " · master and backup (no instance named)".into(),
        (None, _) => " · not configured here".into(),
    };
    let conns = match (s.local, s.synced) {
        (Some(l), Some(y)) => format!(" · {l} local, {y} synced conns"),
        _ => String::new(),
    };
    let mut out: Vec<String> = s
        .daemons
        .iter()
        .map(|d| {
            let extra = if s.wanted.contains(&d.state) {
                ""
            } else if s.setting.is_some() {
                " (not wanted)"
            } else {
                ""
            };
            format!("sync {}{extra}{follows}{conns}", describe(d))
        })
        .collect();
    for role in &s.wanted {
        if !s.daemons.iter().any(|d| d.state == *role) {
            out.push(format!("sync {} NOT RUNNING{follows}", role_name(*role)));
        }
    }
    if let Some(e) = &s.error {
        out.push(format!("sync: {e}"));
    }
    out
}

/// Whether the kernel runs exactly what is wanted (the view marks it otherwise).
pub fn healthy(s: &SyncStatus) -> bool {
    s.error.is_none()
        && s.wanted
            .iter()
            .all(|r| s.daemons.iter().any(|d| d.state == *r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Location;
    use std::path::Path;

    #[test]
    fn one_line_per_daemon_and_one_per_missing_role() {
        let setting = SyncDaemon {
            interface: "eth0".into(),
            instance: Some("VI_1".into()),
            syncid: 7,
            maxlen: None,
            port: None,
            ttl: None,
            group: None,
            at: Location::new(Path::new("k.conf"), 2),
        };
        let d = super::super::policy::daemon(&setting, DaemonState::Master);
        let mut s = SyncStatus::of(Some(&setting), vec![d]);
        s.instance_state = Some("MASTER".into());
        s.wanted = vec![DaemonState::Master];
        s.local = Some(120);
        s.synced = Some(0);
        assert_eq!(
            lines(&s),
            ["sync master on eth0 syncid 7 · follows VI_1 (MASTER) · 120 local, 0 synced conns"]
        );
        assert!(healthy(&s));
        s.wanted = vec![DaemonState::Backup];
        s.instance_state = Some("BACKUP".into());
        assert_eq!(
            lines(&s),
            [
                "sync master on eth0 syncid 7 (not wanted) · follows VI_1 (BACKUP) · 120 local, 0 synced conns",
                "sync backup NOT RUNNING · follows VI_1 (BACKUP)"
            ]
        );
        assert!(!healthy(&s));
        assert_eq!(s.setting.as_deref(), Some("lvs_sync_daemon eth0 VI_1 id 7"));
    }
}
