//! The IPVS table the virtual servers describe, in the kernel model's terms, so the
//! reconciler can apply it: lb_algo -> scheduler, lb_kind -> forward method,
//! persistence_timeout/granularity -> flags, timeout and netmask; fwmark and
//! virtual_server_group expand into one service per address and port.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::ipvs::{svc_flags, DestConfig, Family, Forward, ServiceConfig, ServiceKey};

use super::diag::{Diagnostics, Location};
use super::virtual_server::{Granularity, GroupEntry, VirtualServer, VsTarget};
use super::Config;

/// One kernel service with the real servers it starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpvsService {
    pub service: ServiceConfig,
    /// Every configured real server at its configured weight; health checks decide later
    /// which of them are really in the table.
    pub dests: Vec<DestConfig>,
    /// Put in place of the real servers when quorum is lost.
    pub sorry: Option<DestConfig>,
    /// The `virtual_server` it comes from.
    pub at: Location,
}

/// Addresses of an inclusive range that differs only in its last octet/group.
fn expand(first: IpAddr, last: IpAddr) -> Vec<IpAddr> {
    match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a)..=u32::from(b))
            .map(|n| IpAddr::V4(Ipv4Addr::from(n)))
            .collect(),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a)..=u128::from(b))
            .take(65536)
            .map(|n| IpAddr::V6(Ipv6Addr::from(n)))
            .collect(),
        _ => vec![first],
    }
}

fn fwmark_family(vs: &VirtualServer) -> Family {
    vs.ip_family
        .or_else(|| vs.real_servers.first().map(|r| Family::of(&r.addr)))
        .unwrap_or(Family::Inet)
}

/// Service keys of one virtual server (none when its group is missing).
fn keys(vs: &VirtualServer, c: &Config) -> Vec<ServiceKey> {
    let protocol = vs.protocol;
    match &vs.target {
        VsTarget::Addr { addr, port } => vec![ServiceKey::Addr {
            protocol,
            addr: *addr,
            port: *port,
        }],
        VsTarget::Fwmark(mark) => vec![ServiceKey::Fwmark {
            mark: *mark,
            family: fwmark_family(vs),
        }],
        VsTarget::Group(name) => c
            .vs_groups
            .iter()
            .filter(|g| &g.name == name)
            .flat_map(|g| g.entries.iter())
            .flat_map(|e| match e {
                GroupEntry::Addr {
                    first, last, port, ..
                } => expand(*first, *last)
                    .into_iter()
                    .map(|addr| ServiceKey::Addr {
                        protocol,
                        addr,
                        port: *port,
                    })
                    .collect::<Vec<_>>(),
                GroupEntry::Fwmark { mark, .. } => vec![ServiceKey::Fwmark {
                    mark: *mark,
                    family: fwmark_family(vs),
                }],
            })
            .collect(),
    }
}

fn prefix_mask(prefix: u8) -> u32 {
    match prefix {
        0 => 0,
        p if p >= 32 => u32::MAX,
        p => u32::MAX << (32 - p),
    }
}

fn service(vs: &VirtualServer, key: ServiceKey, d: &mut Diagnostics) -> ServiceConfig {
    let mut s = ServiceConfig::new(key);
    s.scheduler = vs.scheduler.clone();
    s.flags = vs.sched_flags;
    if vs.ops {
        s.flags |= svc_flags::ONEPACKET;
    }
    if let Some(t) = vs.persistence_timeout {
        s.flags |= svc_flags::PERSISTENT;
        s.timeout = t;
        match (key.family(), vs.persistence_granularity) {
            (_, None) => {}
            (Family::Inet, Some(Granularity::Mask4(m))) => s.netmask = u32::from(m),
            (Family::Inet, Some(Granularity::Prefix6(p))) if p <= 32 => s.netmask = prefix_mask(p),
            (Family::Inet6, Some(Granularity::Prefix6(p))) => s.netmask = u32::from(p),
            (_, Some(g)) => d.error(
                &vs.at,
                format!(
                    "persistence_granularity {g:?} does not fit an {:?} service",
                    key.family()
                ),
            ),
        }
    }
    s.pe_name = vs.persistence_engine.clone();
    s
}

fn dest(
    key: &ServiceKey,
    addr: IpAddr,
    port: u16,
    method: super::Method,
    at: &Location,
    d: &mut Diagnostics,
) -> Option<DestConfig> {
    if Family::of(&addr) != key.family() && method.forward != Forward::Tunnel {
        d.error(
            at,
            format!("real server {addr} is not of the address family of its virtual server"),
        );
        return None;
    }
    let mut dc = DestConfig::new(addr, port);
    dc.forward = method.forward;
    dc.tun_type = method.tun_type;
    dc.tun_port = method.tun_port;
    dc.tun_flags = method.tun_flags;
    Some(dc)
}

/// The services of every virtual server, with problems (family mismatches, unusable
/// granularity) reported in `d`.
pub fn convert(c: &Config, d: &mut Diagnostics) -> Vec<IpvsService> {
    let mut out = Vec::new();
    for vs in &c.virtual_servers {
        for key in keys(vs, c) {
            let service = service(vs, key, d);
            let mut dests = Vec::new();
            for rs in &vs.real_servers {
                let method = rs.method.unwrap_or(vs.method);
                if let Some(mut dc) = dest(&key, rs.addr, rs.port, method, &rs.at, d) {
                    dc.weight = rs.weight;
                    dc.u_threshold = rs.uthreshold;
                    dc.l_threshold = rs.lthreshold;
                    dests.push(dc);
                }
            }
            let sorry = vs
                .sorry_server
                .as_ref()
                .and_then(|(addr, port, at)| dest(&key, *addr, *port, vs.method, at, d));
            out.push(IpvsService {
                service,
                dests,
                sorry,
                at: vs.at.clone(),
            });
        }
    }
    out
}

impl Config {
    /// The IPVS table this configuration asks for (see [`convert`]; problems are reported
    /// when the configuration is loaded).
    pub fn ipvs_services(&self) -> Vec<IpvsService> {
        convert(self, &mut Diagnostics::default())
    }
}
