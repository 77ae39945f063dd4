//! The connections list's state: what is shown, what a running scan has brought so far, and
//! when to scan again. The scan itself runs at the edge (`Effect::ScanConns`); its batches
//! come back as `Event::Conns`, tagged with the scan's number so a stale scan is ignored.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::ipvs::conn::{ConnFilter, Endpoint, ScanSummary, StateCounts};
use crate::ipvs::{Connection, ServiceEntry, ServiceKey};

use crate::tui::table::columns::RowKey;

/// The connection table is re-read this often while a view shows it (the kernel walks its
/// whole hash table per read, so not at the table's 1 s).
pub const RESCAN: Duration = Duration::from_secs(5);
/// Connections kept for display; beyond this they are counted, not stored (a million
/// entries would take ~150 MB). The header says so, and a filter narrows the list.
pub const MAX_ROWS: usize = 100_000;

/// A message from a running scan.
#[derive(Debug, Clone)]
pub enum ConnMsg {
    Batch(Vec<Connection>),
    Done(ScanSummary),
    Failed(String),
}

/// Connections found by one scan.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub rows: Vec<Connection>,
    /// All that matched, stored or not.
    pub matched: u64,
    pub states: StateCounts,
}

impl Found {
    fn take(&mut self, c: Connection) {
        self.matched += 1;
        self.states.add(&c.state);
        if self.rows.len() < MAX_ROWS {
            self.rows.push(c);
        }
    }
}

/// A scan under way.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub started: Instant,
    pub id: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ConnsState {
    /// What the scan keeps (from the `/` query, or from the detailed row).
    pub filter: ConnFilter,
    /// Non-empty: keep only connections to these real servers (a firewall-mark service,
    /// whose connections carry the packet's address, not the mark).
    pub servers: Vec<(IpAddr, u16)>,
    /// The last complete scan (or the current one while `direct`).
    pub shown: Found,
    /// The scan under way, swapped in when it is done so the list does not flicker.
    incoming: Found,
    /// The filter changed: the old list is wrong, fill `shown` as batches come.
    direct: bool,
    pub scanning: Option<Progress>,
    /// The last complete scan's summary over the whole table.
    pub summary: Option<ScanSummary>,
    pub last_done: Option<Instant>,
    pub error: Option<String>,
    pub cursor: usize,
    pub offset: usize,
    next_id: u64,
}

impl ConnsState {
    /// Starts over with a new filter; returns the scan to run.
    pub fn retarget(
        &mut self,
        filter: ConnFilter,
        servers: Vec<(IpAddr, u16)>,
        now: Instant,
    ) -> (u64, ConnFilter) {
        self.filter = filter;
        self.servers = servers;
        self.shown = Found::default();
        self.summary = None;
        self.cursor = 0;
        self.offset = 0;
        self.direct = true;
        self.start(now)
    }

    /// Starts a scan with the current filter (a running one is replaced).
    pub fn start(&mut self, now: Instant) -> (u64, ConnFilter) {
        self.next_id += 1;
        self.incoming = Found::default();
        self.scanning = Some(Progress {
            started: now,
            id: self.next_id,
        });
        (self.next_id, self.filter.clone())
    }

    pub fn stop(&mut self) {
        self.scanning = None;
        self.incoming = Found::default();
    }

    /// Whether a periodic rescan is due.
    pub fn due(&self, now: Instant) -> bool {
        self.scanning.is_none()
            && self
                .last_done
                .is_none_or(|t| now.saturating_duration_since(t) >= RESCAN)
    }

    /// Matches so far in the running scan.
    pub fn progress(&self) -> u64 {
        if self.direct {
            self.shown.matched
        } else {
            self.incoming.matched
        }
    }

    /// Takes a scan's message; `false` if it was from a scan no longer wanted.
    pub fn on_msg(&mut self, id: u64, msg: ConnMsg, now: Instant) -> bool {
        if self.scanning.is_none_or(|p| p.id != id) {
            return false;
        }
        let into = if self.direct {
            &mut self.shown
        } else {
            &mut self.incoming
        };
        match msg {
            ConnMsg::Batch(batch) => {
                for c in batch {
                    if self.servers.is_empty()
                        || self
                            .servers
                            .iter()
                            .any(|&(a, p)| a == c.dest_addr && p == c.dest_port)
                    {
                        into.take(c);
                    }
                }
            }
            ConnMsg::Done(summary) => {
                if !self.direct {
                    self.shown = std::mem::take(&mut self.incoming);
                }
                self.direct = false;
                self.summary = Some(summary);
                self.scanning = None;
                self.last_done = Some(now);
                self.error = None;
                self.clamp();
            }
            ConnMsg::Failed(e) => {
                self.scanning = None;
                self.direct = false;
                self.last_done = Some(now);
                self.error = Some(e);
            }
        }
        true
    }

    pub fn select(&mut self, pos: usize, page: usize) {
        self.cursor = pos.min(self.shown.rows.len().saturating_sub(1));
        self.clamp_offset(page);
    }

    fn clamp(&mut self) {
        self.cursor = self.cursor.min(self.shown.rows.len().saturating_sub(1));
    }

    pub fn clamp_offset(&mut self, page: usize) {
        let page = page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
    }
}

/// The scan filter for the connections through one row of the table.
pub fn row_filter(key: &RowKey, entries: &[ServiceEntry]) -> (ConnFilter, Vec<(IpAddr, u16)>) {
    let mut f = ConnFilter::default();
    let svc = match key {
        RowKey::Service(k) | RowKey::Dest(k, ..) => k,
    };
    if let ServiceKey::Addr {
        protocol,
        addr,
        port,
    } = svc
    {
        f.virtual_service = Some(Endpoint::with_port(*addr, *port));
        f.protocol = Some(crate::adm::fields::protocol_name(*protocol).to_string());
    }
    let mut servers = Vec::new();
    match key {
        RowKey::Dest(_, addr, port) => f.real_server = Some(Endpoint::with_port(*addr, *port)),
        RowKey::Service(k @ ServiceKey::Fwmark { .. }) => {
            // Connections carry the packet's address: find them by the mark's servers.
            if let Some(e) = entries.iter().find(|e| e.service.config.key == *k) {
                servers = e
                    .dests
                    .iter()
                    .map(|d| (d.config.addr, d.config.port))
                    .collect();
            }
            if servers.is_empty() {
                // No server, no connection: match nothing rather than everything.
                servers.push((IpAddr::from([0, 0, 0, 0]), 0));
            }
        }
        RowKey::Service(_) => {}
    }
    (f, servers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipvs::conn::parse_line;

    fn conn(state: &str) -> Connection {
        parse_line(&format!(
            "TCP C633640A E6D8 C633640B 0050 7F000001 1F91 {state} 900"
        ))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn stale_scans_are_ignored_and_rescans_swap_when_done() {
        let t0 = Instant::now();
        let mut s = ConnsState::default();
        let (first, _) = s.retarget(ConnFilter::default(), Vec::new(), t0);
        assert!(s.on_msg(first, ConnMsg::Batch(vec![conn("ESTABLISHED")]), t0));
        // Direct fill: the first scan shows as it arrives.
        assert_eq!(s.shown.rows.len(), 1);
        assert!(s.on_msg(first, ConnMsg::Done(ScanSummary::default()), t0));
        assert!(!s.due(t0));
        assert!(s.due(t0 + RESCAN));
        let (second, _) = s.start(t0 + RESCAN);
        assert!(!s.on_msg(first, ConnMsg::Batch(vec![conn("SYN_RECV")]), t0));
        assert!(s.on_msg(
            second,
            ConnMsg::Batch(vec![conn("TIME_WAIT"), conn("TIME_WAIT")]),
            t0
        ));
        // A rescan keeps the old list on screen until it is complete.
        assert_eq!(s.shown.rows.len(), 1);
        assert_eq!(s.progress(), 2);
        s.on_msg(second, ConnMsg::Done(ScanSummary::default()), t0);
        assert_eq!(s.shown.rows.len(), 2);
        assert_eq!(s.shown.states.get("TIME_WAIT"), 2);
    }

    #[test]
    fn rows_are_capped_but_counted() {
        let t0 = Instant::now();
        let mut s = ConnsState::default();
        let (id, _) = s.retarget(ConnFilter::default(), Vec::new(), t0);
        for _ in 0..(MAX_ROWS / 1000 + 2) {
            s.on_msg(id, ConnMsg::Batch(vec![conn("TIME_WAIT"); 1000]), t0);
        }
        assert_eq!(s.shown.rows.len(), MAX_ROWS);
        assert_eq!(s.shown.matched, MAX_ROWS as u64 + 2000);
    }
}
