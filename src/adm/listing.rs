//! `ipvsadm -L`: the table listing in every layout, byte for byte as ipvsadm 1.31 prints it.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use super::fields::{forward_name, protocol_name, sched_flags_text, tunnel_info};
use super::largenum::push_largenum;
use super::names::{Naming, ReverseNames};
use super::sort::{cmp_dests, cmp_services};
use crate::ipvs::{Dest, Family, Info, Protocol, ServiceConfig, ServiceEntry, ServiceKey};
use crate::rules::ListOptions;

/// Which columns a listing shows. ipvsadm lets several modifiers through and picks the first of
/// stats, rate, thresholds, persistent-conn, tun-info; this is that choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Default,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    TunInfo,
}

impl Layout {
    pub fn of(opts: &ListOptions) -> Layout {
        if opts.stats {
            Layout::Stats
        } else if opts.rate {
            Layout::Rate
        } else if opts.thresholds {
            Layout::Thresholds
        } else if opts.persistent_conn {
            Layout::PersistentConn
        } else if opts.tun_info {
            Layout::TunInfo
        } else {
            Layout::Default
        }
    }
}

/// Why a listing cannot be printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    /// `-L -t ADDR:PORT` named a service the table lacks (ipvsadm's words for ESRCH).
    #[error("No such service")]
    NoSuchService(ServiceKey),
}

/// `ipvsadm -L [SERVICE]`: one service when `opts.service` names one, else the whole table.
pub fn list_table(
    entries: &[ServiceEntry],
    info: &Info,
    opts: &ListOptions,
    resolver: &dyn ReverseNames,
) -> Result<String, ListError> {
    match &opts.service {
        None => Ok(list_all(entries, info, opts, resolver)),
        Some(key) => entries
            .iter()
            .find(|e| e.service.config.key == *key)
            .map(|e| list_service(e, opts, resolver))
            .ok_or(ListError::NoSuchService(*key)),
    }
}

/// `ipvsadm -L` of the whole table: banner, title, services sorted unless `--nosort`.
pub fn list_all(
    entries: &[ServiceEntry],
    info: &Info,
    opts: &ListOptions,
    resolver: &dyn ReverseNames,
) -> String {
    // About 64 bytes a row: one allocation for the whole listing.
    let rows: usize = entries.iter().map(|e| 1 + e.dests.len()).sum();
    let mut out = String::with_capacity(128 + rows * 72);
    let _ = writeln!(
        out,
        "IP Virtual Server version {} (size={})",
        info.version_string(),
        info.conn_tab_size
    );
    out.push_str(title(Layout::of(opts)));
    let mut order: Vec<&ServiceEntry> = entries.iter().collect();
    if !opts.nosort {
        order.sort_by(|a, b| cmp_services(&a.service.config.key, &b.service.config.key));
    }
    let mut w = Writer::new(opts, resolver);
    for entry in order {
        w.entry(&mut out, entry);
    }
    out
}

/// `ipvsadm -L -t ADDR:PORT` (or `-u`, `-f`, ...): one service, no banner.
pub fn list_service(
    entry: &ServiceEntry,
    opts: &ListOptions,
    resolver: &dyn ReverseNames,
) -> String {
    let mut out = title(Layout::of(opts)).to_string();
    Writer::new(opts, resolver).entry(&mut out, entry);
    out
}

fn title(layout: Layout) -> &'static str {
    match layout {
        Layout::Stats => concat!(
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n",
            "  -> RemoteAddress:Port\n"
        ),
        Layout::Rate => concat!(
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n",
            "  -> RemoteAddress:Port\n"
        ),
        Layout::Thresholds => concat!(
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n",
            "  -> RemoteAddress:Port\n"
        ),
        Layout::PersistentConn => concat!(
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n",
            "  -> RemoteAddress:Port\n"
        ),
        Layout::TunInfo => concat!(
            "Prot LocalAddress:Port Scheduler Flags\n",
            "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
        ),
        Layout::Default => concat!(
            "Prot LocalAddress:Port Scheduler Flags\n",
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        ),
    }
}

/// The service column: `TCP  addr:port` (cut to 33 bytes for IPv4), `FWM  mark [IPv6]`.
fn push_service_label(out: &mut String, key: &ServiceKey, naming: Naming) {
    match key {
        ServiceKey::Fwmark { mark, family } => {
            let _ = match family {
                Family::Inet => write!(out, "FWM  {mark}"),
                Family::Inet6 => write!(out, "FWM  {mark} IPv6"),
            };
        }
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let start = out.len();
            let _ = write!(out, "{:<4} ", protocol_name(*protocol));
            naming.push_addr_port(out, addr, *port, Some(*protocol));
            if addr.is_ipv4() {
                truncate_from(out, start, 33);
            }
        }
    }
}

/// Cuts what was appended to `out` since `start` to `max` bytes (on a character boundary),
/// as ipvsadm's fixed buffers do.
fn truncate_from(out: &mut String, start: usize, max: usize) {
    if out.len() - start > max {
        let mut end = start + max;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
}

/// Pads what was appended to `out` since `start` with spaces to `width` bytes (`%-Ns`).
fn pad_from(out: &mut String, start: usize, width: usize) {
    let len = out[start..].chars().count();
    for _ in len..width {
        out.push(' ');
    }
}

/// Scheduler, flags, persistence, mask, persistence engine, one-packet: the rest of the row.
fn service_settings(cfg: &ServiceConfig) -> String {
    let mut s = format!(" {}", cfg.scheduler);
    if let Some(flags) = sched_flags_text(cfg) {
        let _ = write!(s, " ({flags})");
    }
    if cfg.persistent() {
        let _ = write!(s, " persistent {}", cfg.timeout);
        match cfg.key.family() {
            Family::Inet if cfg.netmask != 0xffff_ffff => {
                let _ = write!(s, " mask {}", Ipv4Addr::from(cfg.netmask));
            }
            Family::Inet6 if cfg.netmask != 128 => {
                let _ = write!(s, " mask {}", cfg.netmask);
            }
            _ => {}
        }
        if let Some(pe) = &cfg.pe_name {
            let _ = write!(s, " pe {pe}");
        }
    }
    if cfg.one_packet() {
        s.push_str(" ops");
    }
    s
}

fn service_protocol(key: &ServiceKey) -> Option<Protocol> {
    match key {
        ServiceKey::Addr { protocol, .. } => Some(*protocol),
        ServiceKey::Fwmark { .. } => None,
    }
}

/// Writes service and real-server rows; keeps one scratch list for sorting real servers.
struct Writer<'a> {
    opts: &'a ListOptions,
    naming: Naming<'a>,
    layout: Layout,
    dests: Vec<&'a Dest>,
}

impl<'a> Writer<'a> {
    fn new(opts: &'a ListOptions, resolver: &'a dyn ReverseNames) -> Writer<'a> {
        Writer {
            opts,
            naming: Naming::new(opts.numeric, resolver),
            layout: Layout::of(opts),
            dests: Vec::new(),
        }
    }

    fn entry(&mut self, out: &mut String, entry: &'a ServiceEntry) {
        let svc = &entry.service;
        let st = &svc.stats;
        let start = out.len();
        push_service_label(out, &svc.config.key, self.naming);
        match self.layout {
            Layout::Stats => {
                pad_from(out, start, 33);
                push_cells(
                    out,
                    &[st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes],
                    self.opts.exact,
                );
            }
            Layout::Rate => {
                pad_from(out, start, 33);
                push_cells(
                    out,
                    &[st.cps, st.inpps, st.outpps, st.inbps, st.outbps],
                    self.opts.exact,
                );
            }
            _ => out.push_str(&service_settings(&svc.config)),
        }
        out.push('\n');
        // Fwmark services carry no protocol (0 in the kernel), so their ports stay numbers.
        let protocol = service_protocol(&svc.config.key);
        let mut dests = std::mem::take(&mut self.dests);
        dests.clear();
        dests.extend(entry.dests.iter());
        if !self.opts.nosort {
            dests.sort_by(|a, b| cmp_dests(a, b));
        }
        for dest in &dests {
            self.dest(out, dest, protocol);
        }
        self.dests = dests;
    }

    fn dest(&self, out: &mut String, dest: &Dest, protocol: Option<Protocol>) {
        let cfg = &dest.config;
        let exact = self.opts.exact;
        out.push_str("  -> ");
        let start = out.len();
        self.naming
            .push_addr_port(out, &cfg.addr, cfg.port, protocol);
        if cfg.addr.is_ipv4() {
            truncate_from(out, start, 28);
        }
        pad_from(out, start, 28);
        let st = &dest.stats;
        let _ = match self.layout {
            Layout::Stats => {
                push_cells(
                    out,
                    &[st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes],
                    exact,
                );
                writeln!(out)
            }
            // ipvsadm's quirk, kept: per-server CPS and PPS are plain numbers, only BPS scale.
            Layout::Rate => {
                let _ = write!(out, " {:>8} {:>8} {:>8}", st.cps, st.inpps, st.outpps);
                push_cells(out, &[st.inbps, st.outbps], exact);
                writeln!(out)
            }
            Layout::Thresholds => writeln!(
                out,
                " {:<10} {:<10} {:<10} {:<10}",
                cfg.u_threshold, cfg.l_threshold, dest.active_conns, dest.inact_conns
            ),
            Layout::PersistentConn => writeln!(
                out,
                " {:<9} {:<11} {:<10} {:<10}",
                cfg.weight, dest.persist_conns, dest.active_conns, dest.inact_conns
            ),
            Layout::TunInfo => writeln!(
                out,
                " {:<7} {:<13} {:<6} {:<10} {:<10}",
                forward_name(cfg.forward),
                tunnel_info(cfg).unwrap_or_else(|| "n/a".to_string()),
                cfg.weight,
                dest.active_conns,
                dest.inact_conns
            ),
            Layout::Default => writeln!(
                out,
                " {:<7} {:<6} {:<10} {:<10}",
                forward_name(cfg.forward),
                cfg.weight,
                dest.active_conns,
                dest.inact_conns
            ),
        };
    }
}

fn push_cells(out: &mut String, values: &[u64], exact: bool) {
    for v in values {
        push_largenum(out, *v, exact);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adm::names::NoNames;
    use crate::ipvs::{DestConfig, Forward, Service, Stats};

    fn one(stats: Stats, forward: Forward) -> ServiceEntry {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        };
        let mut config = DestConfig::new("198.51.100.1".parse().unwrap(), 80);
        config.forward = forward;
        ServiceEntry {
            service: Service {
                config: ServiceConfig::new(key),
                stats,
            },
            dests: vec![Dest {
                config,
                active_conns: 3,
                inact_conns: 4_000_000_000,
                persist_conns: 0,
                stats,
            }],
        }
    }

    fn rows(entry: &ServiceEntry, opts: &ListOptions) -> Vec<String> {
        list_service(entry, opts, &NoNames)
            .lines()
            .skip(2)
            .map(String::from)
            .collect()
    }

    #[test]
    fn rate_scales_service_rates_but_not_server_cps_and_pps() {
        let big = 123_456_789;
        let stats = Stats {
            cps: big,
            inpps: big,
            outpps: big,
            inbps: big,
            outbps: big,
            ..Stats::default()
        };
        let opts = ListOptions {
            rate: true,
            ..ListOptions::default()
        };
        let r = rows(&one(stats, Forward::Route), &opts);
        assert_eq!(
            r[0],
            format!("{:<33}{}", "TCP  192.0.2.1:80", "  123456K".repeat(5))
        );
        assert_eq!(
            r[1],
            format!(
                "  -> {:<28} 123456789 123456789 123456789  123456K  123456K",
                "198.51.100.1:80"
            )
        );
    }

    #[test]
    fn exact_stats_widen_cells() {
        let stats = Stats {
            conns: 5,
            inbytes: 123_456_789_012,
            ..Stats::default()
        };
        let opts = ListOptions {
            stats: true,
            exact: true,
            ..ListOptions::default()
        };
        let r = rows(&one(stats, Forward::Route), &opts);
        assert_eq!(
            r[1],
            format!(
                "  -> {:<28}        5        0        0 123456789012        0",
                "198.51.100.1:80"
            )
        );
    }

    #[test]
    fn list_table_picks_the_named_service_or_fails() {
        let entry = one(Stats::default(), Forward::Route);
        let info = Info {
            version: 0x010201,
            conn_tab_size: 4096,
        };
        let key = entry.service.config.key;
        let table = [entry.clone()];
        let opts = ListOptions {
            service: Some(key),
            ..ListOptions::default()
        };
        let one_service = list_table(&table, &info, &opts, &NoNames).unwrap();
        assert_eq!(one_service, list_service(&entry, &opts, &NoNames));
        assert!(!one_service.starts_with("IP Virtual Server"));
        let all = list_table(&table, &info, &ListOptions::default(), &NoNames).unwrap();
        assert!(all.starts_with("IP Virtual Server version 1.2.1 (size=4096)\n"));
        let missing = ServiceKey::Fwmark {
            mark: 9,
            family: Family::Inet,
        };
        let opts = ListOptions {
            service: Some(missing),
            ..ListOptions::default()
        };
        let err = list_table(&table, &info, &opts, &NoNames).unwrap_err();
        assert_eq!(err.to_string(), "No such service");
    }

    #[test]
    fn local_forwarding_and_wide_counters() {
        let r = rows(
            &one(Stats::default(), Forward::Local),
            &ListOptions::default(),
        );
        assert_eq!(
            r[1],
            format!(
                "  -> {:<28} Local   1      3          4000000000",
                "198.51.100.1:80"
            )
        );
    }
}
