//! `ipvsadm -L --timeout` and `ipvsadm -L --daemon`.

use std::fmt::Write as _;

use crate::ipvs::{Daemon, DaemonState, Timeouts};

/// `Timeout (tcp tcpfin udp): 900 120 300`.
pub fn list_timeouts(t: &Timeouts) -> String {
    format!(
        "Timeout (tcp tcpfin udp): {} {} {}\n",
        t.tcp, t.tcp_fin, t.udp
    )
}

/// One line per running sync daemon, in the order given (the kernel reports master first).
/// Optional fields print only when the kernel reported them (and, like ipvsadm, when non-zero).
pub fn list_daemons(daemons: &[Daemon]) -> String {
    let mut out = String::new();
    for d in daemons {
        let role = match d.state {
            DaemonState::Master => "master",
            DaemonState::Backup => "backup",
        };
        let _ = write!(
            out,
            "{role} sync daemon (mcast={}, syncid={}",
            d.mcast_ifn, d.syncid
        );
        if let Some(maxlen) = d.sync_maxlen.filter(|v| *v != 0) {
            let _ = write!(out, ", maxlen={maxlen}");
        }
        if let Some(group) = d.mcast_group {
            let _ = write!(out, ", group={group}");
        }
        if let Some(port) = d.mcast_port.filter(|v| *v != 0) {
            let _ = write!(out, ", port={port}");
        }
        if let Some(ttl) = d.mcast_ttl.filter(|v| *v != 0) {
            let _ = write!(out, ", ttl={ttl}");
        }
        out.push_str(")\n");
    }
    out
}
