//! `virtual_server IP PORT | fwmark N | group NAME { }` and `virtual_server_group NAME { }`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::ipvs::{svc_flags, Family, Protocol};

use super::checker::{self, CheckDefaults};
use super::diag::{Diagnostics, Location};
use super::method::{self, Method};
use super::real_server::{self, RealServer};
use super::tree::Item;
use super::value::{self as v, Script};

/// What a virtual server listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VsTarget {
    Addr { addr: IpAddr, port: u16 },
    Fwmark(u32),
    Group(String),
}

/// `persistence_granularity`: a dotted IPv4 mask or an IPv6 prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    Mask4(Ipv4Addr),
    Prefix6(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualServer {
    pub target: VsTarget,
    pub at: Location,
    /// TCP.
    pub protocol: Protocol,
    /// `ip_family` for fwmark services; inet unless set (or implied by the servers).
    pub ip_family: Option<Family>,
    /// `lb_algo` / `lvs_sched`; wlc when not set (keepalived's IPVS_DEF_SCHED).
    pub scheduler: String,
    /// Scheduler flag bits (`flag-1`, `sh-port`, ...) as `svc_flags` values.
    pub sched_flags: u32,
    /// NAT unless set.
    pub method: Method,
    /// Seconds; `persistence_timeout` alone means 360.
    pub persistence_timeout: Option<u32>,
    pub persistence_granularity: Option<Granularity>,
    pub persistence_engine: Option<String>,
    pub ops: bool,
    pub sorry_server: Option<(IpAddr, u16, Location)>,
    pub sorry_server_inhibit: bool,
    pub omega: bool,
    /// Mail alerts for its real servers (they may say otherwise); unset: global_defs'.
    pub smtp_alert: Option<bool>,
    /// 1.
    pub quorum: u32,
    /// 0.
    pub hysteresis: u32,
    pub quorum_up: Option<Script>,
    pub quorum_down: Option<Script>,
    pub ha_suspend: bool,
    pub virtualhost: Option<String>,
    pub inhibit_on_failure: bool,
    /// delay_loop (60 s), alpha and the checker timing defaults set here.
    pub check: CheckDefaults,
    pub real_servers: Vec<RealServer>,
}

/// One line of a `virtual_server_group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupEntry {
    /// `IP[-END] PORT`: `last` == `first` unless a range was written.
    Addr {
        first: IpAddr,
        last: IpAddr,
        port: u16,
        at: Location,
    },
    Fwmark {
        mark: u32,
        at: Location,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualServerGroup {
    pub name: String,
    pub at: Location,
    pub entries: Vec<GroupEntry>,
}

/// keepalived's LVS_MAX_TIMEOUT: 31 days.
pub const MAX_PERSISTENCE: u64 = 86400 * 31;
/// keepalived's IPVS_SVC_PERSISTENT_TIMEOUT.
pub const DEFAULT_PERSISTENCE: u32 = 360;
const SCHEDULERS: &[&str] = &[
    "rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed", "nq", "twos",
];

/// `10.0.0.1-10`: the range's last address (last octet or last 16-bit group).
fn range_end(first: IpAddr, end: &str) -> Option<IpAddr> {
    match first {
        IpAddr::V4(a) => {
            let n: u8 = v::parse_u64(end).and_then(|n| u8::try_from(n).ok())?;
            let mut o = a.octets();
            (n >= o[3]).then(|| {
                o[3] = n;
                IpAddr::V4(Ipv4Addr::from(o))
            })
        }
        IpAddr::V6(a) => {
            let n = u16::from_str_radix(end, 16).ok()?;
            let mut s = a.segments();
            (n >= s[7]).then(|| {
                s[7] = n;
                IpAddr::V6(Ipv6Addr::from(s))
            })
        }
    }
}

pub fn parse_group(item: &Item, d: &mut Diagnostics) -> Option<VirtualServerGroup> {
    v::extra(item, 1, d);
    let name = v::need(item, 0, d)?.to_string();
    let mut g = VirtualServerGroup {
        name,
        at: item.at.clone(),
        entries: Vec::new(),
    };
    for e in v::block(item, d) {
        if e.keyword == "fwmark" {
            if let Some(m) = v::uint(e, 1, u64::from(u32::MAX), d) {
                g.entries.push(GroupEntry::Fwmark {
                    mark: m as u32,
                    at: e.at.clone(),
                });
            }
            continue;
        }
        let (first, end) = match e.keyword.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (e.keyword.as_str(), None),
        };
        let Ok(first) = first.parse::<IpAddr>() else {
            d.error(
                &e.at,
                format!(
                    "virtual_server_group {}: '{}' is neither an address nor 'fwmark'",
                    g.name, e.keyword
                ),
            );
            continue;
        };
        let last = match end {
            None => first,
            Some(end) => match range_end(first, end) {
                Some(l) => l,
                None => {
                    d.error(&e.at, format!("bad address range '{}'", e.keyword));
                    continue;
                }
            },
        };
        v::extra(e, 1, d);
        let port = match e.arg(0) {
            None => 0,
            Some(_) => match v::uint_at(e, 0, 0, 65535, d) {
                Some(p) => p as u16,
                None => continue,
            },
        };
        g.entries.push(GroupEntry::Addr {
            first,
            last,
            port,
            at: e.at.clone(),
        });
    }
    Some(g)
}

fn target(item: &Item, d: &mut Diagnostics) -> Option<VsTarget> {
    match item.arg(0) {
        Some("fwmark") => {
            v::extra(item, 2, d);
            v::uint_at(item, 1, 1, u64::from(u32::MAX), d).map(|m| VsTarget::Fwmark(m as u32))
        }
        Some("group") => {
            v::extra(item, 2, d);
            v::need(item, 1, d).map(|g| VsTarget::Group(g.to_string()))
        }
        _ => {
            v::extra(item, 2, d);
            let addr = v::ip_at(item, 0, d)?;
            let port = match item.arg(1) {
                // keepalived allows a port-less service; port 0 then.
                None => 0,
                Some(_) => v::uint_at(item, 1, 0, 65535, d)? as u16,
            };
            Some(VsTarget::Addr { addr, port })
        }
    }
}

pub fn parse(item: &Item, d: &mut Diagnostics) -> Option<VirtualServer> {
    let target = target(item, d)?;
    let section = format!("virtual_server {}", item.args.join(" "));
    let mut vs = VirtualServer {
        target,
        at: item.at.clone(),
        protocol: Protocol::Tcp,
        ip_family: None,
        scheduler: String::new(),
        sched_flags: 0,
        method: Method::default(),
        persistence_timeout: None,
        persistence_granularity: None,
        persistence_engine: None,
        ops: false,
        sorry_server: None,
        sorry_server_inhibit: false,
        omega: false,
        smtp_alert: None,
        quorum: 1,
        hysteresis: 0,
        quorum_up: None,
        quorum_down: None,
        ha_suspend: false,
        virtualhost: None,
        inhibit_on_failure: false,
        check: CheckDefaults::default(),
        real_servers: Vec::new(),
    };
    let children = v::block(item, d);
    // Settings first, so real servers see them wherever they were written.
    let mut real_servers = Vec::new();
    for c in children {
        if checker::common_keyword(c, &mut vs.check, d) {
            continue;
        }
        match c.keyword.as_str() {
            "real_server" => real_servers.push(c),
            "lb_algo" | "lvs_sched" => match v::string(c, d) {
                Some(s) if SCHEDULERS.contains(&s.as_str()) => vs.scheduler = s,
                Some(s) => d.error(
                    &c.at,
                    format!(
                        "'{}': unknown scheduler '{s}' (one of {})",
                        c.keyword,
                        SCHEDULERS.join(" ")
                    ),
                ),
                None => {}
            },
            "flag-1" | "sh-fallback" | "mh-fallback" => {
                v::flag(c, d);
                vs.sched_flags |= svc_flags::SCHED1
            }
            "flag-2" | "sh-port" | "mh-port" => {
                v::flag(c, d);
                vs.sched_flags |= svc_flags::SCHED2
            }
            "flag-3" => {
                v::flag(c, d);
                vs.sched_flags |= svc_flags::SCHED3
            }
            "lb_kind" | "lvs_method" => {
                if let Some(m) = method::parse(c, d) {
                    vs.method = m
                }
            }
            "persistence_timeout" => {
                v::extra(c, 1, d);
                match c.arg(0) {
                    None => vs.persistence_timeout = Some(DEFAULT_PERSISTENCE),
                    // keepalived rejects 0 and keeps persistence off, which is what
                    // operators writing it mean: a warning, not an error.
                    Some("0") => d.warning(
                        &c.at,
                        "persistence_timeout 0 is outside keepalived's 1..2678400; persistence stays off",
                    ),
                    Some(_) => {
                        vs.persistence_timeout =
                            v::uint_at(c, 0, 1, MAX_PERSISTENCE, d).map(|n| n as u32)
                    }
                }
            }
            "persistence_granularity" => {
                if let Some(s) = v::string(c, d) {
                    vs.persistence_granularity = if s.contains('.') {
                        s.parse().ok().map(Granularity::Mask4)
                    } else {
                        v::parse_u64(&s)
                            .filter(|n| (1..=128).contains(n))
                            .map(|n| Granularity::Prefix6(n as u8))
                    };
                    if vs.persistence_granularity.is_none() {
                        d.error(
                            &c.at,
                            format!("'persistence_granularity' needs a netmask or prefix length, not '{s}'"),
                        );
                    }
                }
            }
            "persistence_engine" => vs.persistence_engine = v::string(c, d),
            "protocol" => match v::string(c, d).as_deref() {
                Some("TCP") => vs.protocol = Protocol::Tcp,
                Some("UDP") => vs.protocol = Protocol::Udp,
                Some("SCTP") => vs.protocol = Protocol::Sctp,
                Some(p) => d.error(
                    &c.at,
                    format!("'protocol' must be TCP, UDP or SCTP, not '{p}'"),
                ),
                None => {}
            },
            "ip_family" => match v::string(c, d).as_deref() {
                Some("inet") => vs.ip_family = Some(Family::Inet),
                Some("inet6") => vs.ip_family = Some(Family::Inet6),
                Some(f) => d.error(
                    &c.at,
                    format!("'ip_family' must be inet or inet6, not '{f}'"),
                ),
                None => {}
            },
            "ops" => vs.ops = v::boolean(c, d).unwrap_or(true),
            "sorry_server" => {
                v::extra(c, 2, d);
                if let Some(a) = v::ip_at(c, 0, d) {
                    let port = match c.arg(1) {
                        None => Some(0),
                        Some(_) => v::uint_at(c, 1, 0, 65535, d).map(|p| p as u16),
                    };
                    if let Some(p) = port {
                        vs.sorry_server = Some((a, p, c.at.clone()));
                    }
                }
            }
            "sorry_server_inhibit" => vs.sorry_server_inhibit = v::boolean(c, d).unwrap_or(true),
            "omega" => vs.omega = v::boolean(c, d).unwrap_or(true),
            "smtp_alert" => vs.smtp_alert = Some(v::boolean(c, d).unwrap_or(true)),
            "quorum" => vs.quorum = v::uint(c, 1, u64::from(u32::MAX), d).map_or(1, |n| n as u32),
            "hysteresis" => {
                vs.hysteresis = v::uint(c, 0, u64::from(u32::MAX), d).map_or(0, |n| n as u32)
            }
            "quorum_up" => vs.quorum_up = v::script(c, d),
            "quorum_down" => vs.quorum_down = v::script(c, d),
            "ha_suspend" => vs.ha_suspend = v::flag(c, d),
            "virtualhost" => vs.virtualhost = v::string(c, d),
            "inhibit_on_failure" => vs.inhibit_on_failure = v::boolean(c, d).unwrap_or(true),
            _ => v::unsupported(c, &section, d),
        }
    }
    if vs.scheduler.is_empty() {
        vs.scheduler = "wlc".to_string();
    }
    if vs.ops && vs.protocol != Protocol::Udp {
        d.warning(
            &item.at,
            format!("{section}: 'ops' only applies to UDP services; ignored"),
        );
        vs.ops = false;
    }
    if vs.hysteresis >= vs.quorum && vs.hysteresis > 0 {
        d.warning(
            &item.at,
            format!(
                "{section}: hysteresis {} is not below quorum {}",
                vs.hysteresis, vs.quorum
            ),
        );
    }
    let default_port = match vs.target {
        VsTarget::Addr { port, .. } => port,
        _ => 0,
    };
    for c in real_servers {
        vs.real_servers.extend(real_server::parse(
            c,
            default_port,
            &vs.check,
            vs.inhibit_on_failure,
            d,
        ));
    }
    Some(vs)
}
