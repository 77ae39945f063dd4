//! The table's columns (`ipvsadm -Ln --stats --rate` side by side) and what each row holds in
//! them. Rows are named by key so selection and change marks survive re-sorts.

use std::net::IpAddr;

use crate::adm::fields::{forward_name, protocol_name, sched_flags_text};
use crate::ipvs::{Dest, Family, ServiceEntry, ServiceKey};
use crate::rules::{ip_text, join_host_port};
use crate::tui::ui::format::Unit;

/// A row's identity: the service key, or the service key plus the real server's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowKey {
    Service(ServiceKey),
    Dest(ServiceKey, IpAddr, u16),
}

/// A row borrowed from the table.
#[derive(Debug, Clone, Copy)]
pub enum RowData<'a> {
    Service(&'a ServiceEntry),
    Dest(&'a ServiceEntry, &'a Dest),
}

impl<'a> RowData<'a> {
    pub fn key(&self) -> RowKey {
        match self {
            RowData::Service(e) => RowKey::Service(e.service.config.key),
            RowData::Dest(e, d) => RowKey::Dest(e.service.config.key, d.config.addr, d.config.port),
        }
    }

    pub fn service(&self) -> &'a ServiceEntry {
        match self {
            RowData::Service(e) | RowData::Dest(e, _) => e,
        }
    }

    /// `TCP  192.0.2.1:80`, `FWM  42 IPv6`, or a real server's `10.0.0.1:80`.
    pub fn label(&self) -> String {
        match self {
            RowData::Service(e) => service_label(&e.service.config.key),
            RowData::Dest(_, d) => {
                let port = d.config.port.to_string();
                join_host_port(&d.config.addr, &ip_text(&d.config.addr), &port)
            }
        }
    }
}

/// ipvsadm's service column, numeric.
pub fn service_label(key: &ServiceKey) -> String {
    match key {
        ServiceKey::Fwmark { mark, family } => match family {
            Family::Inet => format!("FWM  {mark}"),
            Family::Inet6 => format!("FWM  {mark} IPv6"),
        },
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => format!(
            "{:<4} {}",
            protocol_name(*protocol),
            join_host_port(addr, &ip_text(addr), &port.to_string())
        ),
    }
}

/// Scheduler, its flags, persistence and one-packet mode, as ipvsadm words them.
pub fn scheduler_text(e: &ServiceEntry) -> String {
    let cfg = &e.service.config;
    let mut s = cfg.scheduler.clone();
    if let Some(flags) = sched_flags_text(cfg) {
        s.push_str(&format!(" ({flags})"));
    }
    if cfg.persistent() {
        s.push_str(&format!(" persistent {}", cfg.timeout));
    }
    if cfg.one_packet() {
        s.push_str(" ops");
    }
    s
}

/// The columns, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Name,
    Sched,
    Forward,
    Weight,
    Active,
    InAct,
    Conns,
    InPkts,
    OutPkts,
    InBytes,
    OutBytes,
    Cps,
    InPps,
    OutPps,
    InBps,
    OutBps,
}

impl Column {
    pub const ALL: [Column; 16] = [
        Column::Name,
        Column::Sched,
        Column::Forward,
        Column::Weight,
        Column::Active,
        Column::InAct,
        Column::Conns,
        Column::InPkts,
        Column::OutPkts,
        Column::InBytes,
        Column::OutBytes,
        Column::Cps,
        Column::InPps,
        Column::OutPps,
        Column::InBps,
        Column::OutBps,
    ];

    /// The number columns, whose changes are marked.
    pub const NUMBERS: [Column; 13] = [
        Column::Weight,
        Column::Active,
        Column::InAct,
        Column::Conns,
        Column::InPkts,
        Column::OutPkts,
        Column::InBytes,
        Column::OutBytes,
        Column::Cps,
        Column::InPps,
        Column::OutPps,
        Column::InBps,
        Column::OutBps,
    ];

    /// ipvsadm's heading.
    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "Prot LocalAddress:Port",
            Column::Sched => "Scheduler",
            Column::Forward => "Forward",
            Column::Weight => "Weight",
            Column::Active => "ActiveConn",
            Column::InAct => "InActConn",
            Column::Conns => "Conns",
            Column::InPkts => "InPkts",
            Column::OutPkts => "OutPkts",
            Column::InBytes => "InBytes",
            Column::OutBytes => "OutBytes",
            Column::Cps => "CPS",
            Column::InPps => "InPPS",
            Column::OutPps => "OutPPS",
            Column::InBps => "InBPS",
            Column::OutBps => "OutBPS",
        }
    }

    /// Which columns go first when the terminal is too narrow for all (lower stays longer).
    pub fn priority(self) -> u8 {
        match self {
            Column::Name => 0,
            Column::Weight | Column::Active | Column::InAct => 1,
            Column::Cps | Column::InBps | Column::OutBps => 2,
            Column::Forward | Column::Sched => 3,
            Column::Conns | Column::InPps | Column::OutPps => 4,
            Column::InBytes | Column::OutBytes => 5,
            Column::InPkts | Column::OutPkts => 6,
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Column::InBytes | Column::OutBytes | Column::InBps | Column::OutBps => Unit::Bytes,
            _ => Unit::Count,
        }
    }

    /// Index into `NUMBERS`, for the change table.
    pub fn number_index(self) -> Option<usize> {
        Column::NUMBERS.iter().position(|c| *c == self)
    }

    /// The column's number for this row. Services have no weight; their connection counts
    /// are the sums over their real servers (what an operator compares them by).
    pub fn value(self, row: &RowData<'_>) -> Option<u64> {
        let stats = match row {
            RowData::Service(e) => match self {
                Column::Weight => return None,
                Column::Active => {
                    return Some(e.dests.iter().map(|d| u64::from(d.active_conns)).sum())
                }
                Column::InAct => {
                    return Some(e.dests.iter().map(|d| u64::from(d.inact_conns)).sum())
                }
                _ => &e.service.stats,
            },
            RowData::Dest(_, d) => match self {
                Column::Weight => return Some(u64::from(d.config.weight)),
                Column::Active => return Some(u64::from(d.active_conns)),
                Column::InAct => return Some(u64::from(d.inact_conns)),
                _ => &d.stats,
            },
        };
        Some(match self {
            Column::Conns => stats.conns,
            Column::InPkts => stats.inpkts,
            Column::OutPkts => stats.outpkts,
            Column::InBytes => stats.inbytes,
            Column::OutBytes => stats.outbytes,
            Column::Cps => stats.cps,
            Column::InPps => stats.inpps,
            Column::OutPps => stats.outpps,
            Column::InBps => stats.inbps,
            Column::OutBps => stats.outbps,
            Column::Name | Column::Sched | Column::Forward | Column::Weight => return None,
            Column::Active | Column::InAct => return None,
        })
    }

    /// The cell's text for the non-number columns.
    pub fn text(self, row: &RowData<'_>) -> Option<String> {
        match (self, row) {
            (Column::Name, RowData::Service(_)) => Some(row.label()),
            (Column::Name, RowData::Dest(..)) => Some(format!("  -> {}", row.label())),
            (Column::Sched, RowData::Service(e)) => Some(scheduler_text(e)),
            (Column::Forward, RowData::Dest(_, d)) => Some(forward_name(d.config.forward).into()),
            _ => None,
        }
    }

    /// Every number of a row, in `NUMBERS` order (absent ones as 0), for change marks.
    pub fn numbers(row: &RowData<'_>) -> [u64; 13] {
        let mut out = [0; 13];
        for (slot, col) in out.iter_mut().zip(Column::NUMBERS) {
            *slot = col.value(row).unwrap_or(0);
        }
        out
    }
}
