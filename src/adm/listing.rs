//! `ipvsadm -L`: the table listing in every layout, byte for byte as ipvsadm 1.31 prints it.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};

use super::fields::{cut, forward_name, protocol_name, sched_flags_text, tunnel_info};
use super::largenum::largenum;
use super::names::{Naming, Resolver};
use super::sort::sort_table;
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
    resolver: &dyn Resolver,
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
    resolver: &dyn Resolver,
) -> String {
    let mut out = format!(
        "IP Virtual Server version {} (size={})\n",
        info.version_string(),
        info.conn_tab_size
    );
    out.push_str(title(Layout::of(opts)));
    let mut table = entries.to_vec();
    if !opts.nosort {
        sort_table(&mut table);
    }
    for entry in &table {
        write_entry(&mut out, entry, opts, resolver);
    }
    out
}

/// `ipvsadm -L -t ADDR:PORT` (or `-u`, `-f`, ...): one service, no banner.
pub fn list_service(entry: &ServiceEntry, opts: &ListOptions, resolver: &dyn Resolver) -> String {
    let mut out = title(Layout::of(opts)).to_string();
    let mut entry = entry.clone();
    if !opts.nosort {
        sort_table(std::slice::from_mut(&mut entry));
    }
    write_entry(&mut out, &entry, opts, resolver);
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
fn service_label(key: &ServiceKey, naming: Naming) -> String {
    match key {
        ServiceKey::Fwmark { mark, family } => match family {
            Family::Inet => format!("FWM  {mark}"),
            Family::Inet6 => format!("FWM  {mark} IPv6"),
        },
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let label = format!(
                "{:<4} {}",
                protocol_name(*protocol),
                naming.addr_port(addr, *port, Some(*protocol))
            );
            match addr {
                IpAddr::V4(_) => cut(label, 33),
                IpAddr::V6(_) => label,
            }
        }
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

fn write_entry(
    out: &mut String,
    entry: &ServiceEntry,
    opts: &ListOptions,
    resolver: &dyn Resolver,
) {
    let naming = Naming::new(opts.numeric, resolver);
    let layout = Layout::of(opts);
    let svc = &entry.service;
    let label = service_label(&svc.config.key, naming);
    let st = &svc.stats;
    let _ = match layout {
        Layout::Stats => writeln!(
            out,
            "{label:<33}{}",
            cells(
                &[st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes],
                opts.exact
            )
        ),
        Layout::Rate => writeln!(
            out,
            "{label:<33}{}",
            cells(
                &[st.cps, st.inpps, st.outpps, st.inbps, st.outbps],
                opts.exact
            )
        ),
        _ => writeln!(out, "{label}{}", service_settings(&svc.config)),
    };
    // Fwmark services carry no protocol (0 in the kernel), so their ports stay numbers.
    let protocol = service_protocol(&svc.config.key);
    for dest in &entry.dests {
        write_dest(out, dest, protocol, layout, opts.exact, naming);
    }
}

fn cells(values: &[u64], exact: bool) -> String {
    values.iter().map(|v| largenum(*v, exact)).collect()
}

fn write_dest(
    out: &mut String,
    dest: &Dest,
    protocol: Option<Protocol>,
    layout: Layout,
    exact: bool,
    naming: Naming,
) {
    let cfg = &dest.config;
    let name = naming.addr_port(&cfg.addr, cfg.port, protocol);
    let name = match cfg.addr {
        IpAddr::V4(_) => cut(name, 28),
        IpAddr::V6(_) => name,
    };
    let st = &dest.stats;
    let _ = match layout {
        Layout::Stats => writeln!(
            out,
            "  -> {name:<28}{}",
            cells(
                &[st.conns, st.inpkts, st.outpkts, st.inbytes, st.outbytes],
                exact
            )
        ),
        // ipvsadm's quirk, kept: per-server CPS and PPS are plain numbers, only BPS scale.
        Layout::Rate => writeln!(
            out,
            "  -> {name:<28} {:>8} {:>8} {:>8}{}",
            st.cps,
            st.inpps,
            st.outpps,
            cells(&[st.inbps, st.outbps], exact)
        ),
        Layout::Thresholds => writeln!(
            out,
            "  -> {name:<28} {:<10} {:<10} {:<10} {:<10}",
            cfg.u_threshold, cfg.l_threshold, dest.active_conns, dest.inact_conns
        ),
        Layout::PersistentConn => writeln!(
            out,
            "  -> {name:<28} {:<9} {:<11} {:<10} {:<10}",
            cfg.weight, dest.persist_conns, dest.active_conns, dest.inact_conns
        ),
        Layout::TunInfo => writeln!(
            out,
            "  -> {name:<28} {:<7} {:<13} {:<6} {:<10} {:<10}",
            forward_name(cfg.forward),
            tunnel_info(cfg).unwrap_or_else(|| "n/a".to_string()),
            cfg.weight,
            dest.active_conns,
            dest.inact_conns
        ),
        Layout::Default => writeln!(
            out,
            "  -> {name:<28} {:<7} {:<6} {:<10} {:<10}",
            forward_name(cfg.forward),
            cfg.weight,
            dest.active_conns,
            dest.inact_conns
        ),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adm::names::Numeric;
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
        list_service(entry, opts, &Numeric)
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
        let one_service = list_table(&table, &info, &opts, &Numeric).unwrap();
        assert_eq!(one_service, list_service(&entry, &opts, &Numeric));
        assert!(!one_service.starts_with("IP Virtual Server"));
        let all = list_table(&table, &info, &ListOptions::default(), &Numeric).unwrap();
        assert!(all.starts_with("IP Virtual Server version 1.2.1 (size=4096)\n"));
        let missing = ServiceKey::Fwmark {
            mark: 9,
            family: Family::Inet,
        };
        let opts = ListOptions {
            service: Some(missing),
            ..ListOptions::default()
        };
        let err = list_table(&table, &info, &opts, &Numeric).unwrap_err();
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
