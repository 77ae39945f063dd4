//! Kernel replies to model values: pure functions of bytes that never panic.
//!
//! Each `decode_*` takes the payload of one nested attribute (or a message's top-level
//! attribute area) and returns a model value or a `DecodeError` naming the field. Unknown
//! attributes are ignored so newer kernels keep working; STATS64 wins over STATS.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use thiserror::Error;

use super::nla::Attrs;
use super::wire::{cmd_attr, daemon_attr, dest_attr, info_attr, stats_attr, svc_attr};
use crate::ipvs::model::{
    svc_flags, Daemon, DaemonState, Dest, DestConfig, Family, Forward, Info, Protocol, Service,
    ServiceConfig, ServiceKey, Stats, Timeouts, TunnelType,
};

/// Why a kernel reply could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("attribute area truncated: {left} byte(s) left, less than an attribute header")]
    Truncated { left: usize },
    #[error("attribute length {len} is invalid with {left} byte(s) left")]
    BadAttrLength { len: usize, left: usize },
    #[error("netlink message length {len} is invalid with {left} byte(s) left")]
    BadMessageLength { len: usize, left: usize },
    #[error("{field} is missing")]
    Missing { field: &'static str },
    #[error("{field} has {len} byte(s), expected {expected}")]
    BadLength {
        field: &'static str,
        len: usize,
        expected: &'static str,
    },
    #[error("{field} has the unknown value {value}")]
    BadValue { field: &'static str, value: u64 },
    #[error("{field} is not valid UTF-8")]
    NotUtf8 { field: &'static str },
    #[error("generic netlink header truncated ({len} byte(s))")]
    ShortGenlHeader { len: usize },
}

type Result<T> = std::result::Result<T, DecodeError>;

fn fixed<const N: usize>(field: &'static str, p: &[u8], expected: &'static str) -> Result<[u8; N]> {
    p.get(..N)
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .ok_or(DecodeError::BadLength {
            field,
            len: p.len(),
            expected,
        })
}

fn get_u8(field: &'static str, p: &[u8]) -> Result<u8> {
    Ok(fixed::<1>(field, p, "1")?[0])
}

fn get_u16(field: &'static str, p: &[u8]) -> Result<u16> {
    fixed::<2>(field, p, "2").map(u16::from_ne_bytes)
}

fn get_be16(field: &'static str, p: &[u8]) -> Result<u16> {
    fixed::<2>(field, p, "2").map(u16::from_be_bytes)
}

fn get_u32(field: &'static str, p: &[u8]) -> Result<u32> {
    fixed::<4>(field, p, "4").map(u32::from_ne_bytes)
}

/// A counter of either width: STATS mixes u32 and u64, STATS64 is all u64.
fn get_counter(field: &'static str, p: &[u8]) -> Result<u64> {
    match p.len() {
        4 => get_u32(field, p).map(u64::from),
        8 => fixed::<8>(field, p, "4 or 8").map(u64::from_ne_bytes),
        len => Err(DecodeError::BadLength {
            field,
            len,
            expected: "4 or 8",
        }),
    }
}

/// A NUL-terminated (or unterminated) string.
fn get_string(field: &'static str, p: &[u8]) -> Result<String> {
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    let bytes = p.get(..end).unwrap_or_default();
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| DecodeError::NotUtf8 { field })
}

/// An address carried in a 16-byte `nf_inet_addr` (IPv4 in the first 4 bytes).
fn get_addr(field: &'static str, p: &[u8], family: Family) -> Result<IpAddr> {
    Ok(match family {
        Family::Inet => IpAddr::V4(Ipv4Addr::from(fixed::<4>(field, p, "4 or 16")?)),
        Family::Inet6 => IpAddr::V6(Ipv6Addr::from(fixed::<16>(field, p, "16")?)),
    })
}

fn get_family(field: &'static str, p: &[u8]) -> Result<Family> {
    let af = get_u16(field, p)?;
    Family::from_af(af).ok_or(DecodeError::BadValue {
        field,
        value: af.into(),
    })
}

fn required<T>(field: &'static str, v: Option<T>) -> Result<T> {
    v.ok_or(DecodeError::Missing { field })
}

/// Splits a generic netlink message payload into its command and attribute area.
pub fn split_genl(payload: &[u8]) -> Result<(u8, &[u8])> {
    match payload {
        [cmd, _version, _r0, _r1, rest @ ..] => Ok((*cmd, rest)),
        _ => Err(DecodeError::ShortGenlHeader { len: payload.len() }),
    }
}

/// The payload of top-level attribute `ty`, which the reply must carry.
pub fn top_level<'a>(area: &'a [u8], ty: u16, field: &'static str) -> Result<&'a [u8]> {
    required(field, super::nla::find(area, ty)?)
}

/// Decodes the content of a STATS or STATS64 attribute.
pub fn decode_stats(area: &[u8]) -> Result<Stats> {
    let mut s = Stats::default();
    for attr in Attrs::new(area) {
        let (ty, p) = attr?;
        match ty {
            stats_attr::CONNS => s.conns = get_counter("stats conns", p)?,
            stats_attr::INPKTS => s.inpkts = get_counter("stats inpkts", p)?,
            stats_attr::OUTPKTS => s.outpkts = get_counter("stats outpkts", p)?,
            stats_attr::INBYTES => s.inbytes = get_counter("stats inbytes", p)?,
            stats_attr::OUTBYTES => s.outbytes = get_counter("stats outbytes", p)?,
            stats_attr::CPS => s.cps = get_counter("stats cps", p)?,
            stats_attr::INPPS => s.inpps = get_counter("stats inpps", p)?,
            stats_attr::OUTPPS => s.outpps = get_counter("stats outpps", p)?,
            stats_attr::INBPS => s.inbps = get_counter("stats inbps", p)?,
            stats_attr::OUTBPS => s.outbps = get_counter("stats outbps", p)?,
            // PAD and anything newer carry nothing for us.
            _ => {}
        }
    }
    Ok(s)
}

/// Stats from the STATS64 payload if present, else the 32-bit STATS one, else zeros.
fn pick_stats(stats64: Option<&[u8]>, stats32: Option<&[u8]>) -> Result<Stats> {
    match (stats64, stats32) {
        (Some(p), _) | (None, Some(p)) => decode_stats(p),
        (None, None) => Ok(Stats::default()),
    }
}

/// Decodes the content of an `IPVS_CMD_ATTR_SERVICE` attribute.
pub fn decode_service(area: &[u8]) -> Result<Service> {
    let (mut af, mut protocol, mut addr, mut port, mut fwmark) = (None, None, None, None, None);
    let (mut sched, mut flags, mut timeout, mut netmask, mut pe) = (None, None, None, None, None);
    let (mut stats32, mut stats64) = (None, None);
    for attr in Attrs::new(area) {
        let (ty, p) = attr?;
        match ty {
            svc_attr::AF => af = Some(get_family("service af", p)?),
            svc_attr::PROTOCOL => protocol = Some(get_u16("service protocol", p)?),
            svc_attr::ADDR => addr = Some(p),
            svc_attr::PORT => port = Some(get_be16("service port", p)?),
            svc_attr::FWMARK => fwmark = Some(get_u32("service fwmark", p)?),
            svc_attr::SCHED_NAME => sched = Some(get_string("service scheduler", p)?),
            svc_attr::FLAGS => flags = Some(fixed::<8>("service flags", p, "8")?),
            svc_attr::TIMEOUT => timeout = Some(get_u32("service timeout", p)?),
            svc_attr::NETMASK => netmask = Some(fixed::<4>("service netmask", p, "4")?),
            svc_attr::PE_NAME => pe = Some(get_string("service pe name", p)?),
            svc_attr::STATS => stats32 = Some(p),
            svc_attr::STATS64 => stats64 = Some(p),
            _ => {}
        }
    }
    let family = required("service af", af)?;
    let key = match fwmark {
        Some(mark) => ServiceKey::Fwmark { mark, family },
        None => {
            let number = required("service protocol", protocol)?;
            let protocol = Protocol::from_number(number).ok_or(DecodeError::BadValue {
                field: "service protocol",
                value: number.into(),
            })?;
            ServiceKey::Addr {
                protocol,
                addr: get_addr("service addr", required("service addr", addr)?, family)?,
                port: required("service port", port)?,
            }
        }
    };
    let [f0, f1, f2, f3, m0, m1, m2, m3] = required("service flags", flags)?;
    let flags = u32::from_ne_bytes([f0, f1, f2, f3]) & u32::from_ne_bytes([m0, m1, m2, m3]);
    let netmask = required("service netmask", netmask)?;
    // IPv4 masks travel in network order; IPv6 prefix lengths as a plain native u32.
    let netmask = match family {
        Family::Inet => u32::from_be_bytes(netmask),
        Family::Inet6 => u32::from_ne_bytes(netmask),
    };
    Ok(Service {
        config: ServiceConfig {
            key,
            scheduler: required("service scheduler", sched)?,
            flags: flags & !svc_flags::HASHED,
            timeout: required("service timeout", timeout)?,
            netmask,
            pe_name: pe.filter(|name| !name.is_empty()),
        },
        stats: pick_stats(stats64, stats32)?,
    })
}

/// Decodes the content of an `IPVS_CMD_ATTR_DEST` attribute. `service_family` is the
/// family assumed when the kernel omits ADDR_FAMILY (kernels before mixed families).
pub fn decode_dest(area: &[u8], service_family: Family) -> Result<Dest> {
    let (mut addr, mut port, mut fwd, mut weight, mut uth, mut lth) =
        (None, None, None, None, None, None);
    let (mut active, mut inact, mut persist, mut af) = (0, 0, 0, None);
    let (mut tun_type, mut tun_port, mut tun_flags) = (TunnelType::Ipip, 0, 0);
    let (mut stats32, mut stats64) = (None, None);
    for attr in Attrs::new(area) {
        let (ty, p) = attr?;
        match ty {
            dest_attr::ADDR => addr = Some(p),
            dest_attr::PORT => port = Some(get_be16("dest port", p)?),
            dest_attr::FWD_METHOD => fwd = Some(get_u32("dest forward method", p)?),
            dest_attr::WEIGHT => weight = Some(get_u32("dest weight", p)?),
            dest_attr::U_THRESH => uth = Some(get_u32("dest upper threshold", p)?),
            dest_attr::L_THRESH => lth = Some(get_u32("dest lower threshold", p)?),
            dest_attr::ACTIVE_CONNS => active = get_u32("dest active conns", p)?,
            dest_attr::INACT_CONNS => inact = get_u32("dest inactive conns", p)?,
            dest_attr::PERSIST_CONNS => persist = get_u32("dest persistent conns", p)?,
            dest_attr::STATS => stats32 = Some(p),
            dest_attr::ADDR_FAMILY => af = Some(get_family("dest address family", p)?),
            dest_attr::STATS64 => stats64 = Some(p),
            dest_attr::TUN_TYPE => {
                let v = get_u8("dest tunnel type", p)?;
                tun_type = TunnelType::from_kernel(v).ok_or(DecodeError::BadValue {
                    field: "dest tunnel type",
                    value: v.into(),
                })?;
            }
            dest_attr::TUN_PORT => tun_port = get_be16("dest tunnel port", p)?,
            dest_attr::TUN_FLAGS => tun_flags = get_u16("dest tunnel flags", p)?,
            _ => {}
        }
    }
    let family = af.unwrap_or(service_family);
    let fwd = required("dest forward method", fwd)?;
    let forward = Forward::from_kernel(fwd).ok_or(DecodeError::BadValue {
        field: "dest forward method",
        value: fwd.into(),
    })?;
    Ok(Dest {
        config: DestConfig {
            addr: get_addr("dest addr", required("dest addr", addr)?, family)?,
            port: required("dest port", port)?,
            forward,
            weight: required("dest weight", weight)?,
            u_threshold: required("dest upper threshold", uth)?,
            l_threshold: required("dest lower threshold", lth)?,
            tun_type,
            tun_port,
            tun_flags,
        },
        active_conns: active,
        inact_conns: inact,
        persist_conns: persist,
        stats: pick_stats(stats64, stats32)?,
    })
}

/// Decodes the content of an `IPVS_CMD_ATTR_DAEMON` attribute.
pub fn decode_daemon(area: &[u8]) -> Result<Daemon> {
    let (mut state, mut ifn, mut syncid) = (None, None, None);
    let mut d = Daemon {
        state: DaemonState::Master,
        mcast_ifn: String::new(),
        syncid: 0,
        sync_maxlen: None,
        mcast_group: None,
        mcast_port: None,
        mcast_ttl: None,
    };
    let mut group6 = None;
    for attr in Attrs::new(area) {
        let (ty, p) = attr?;
        match ty {
            daemon_attr::STATE => state = Some(get_u32("daemon state", p)?),
            daemon_attr::MCAST_IFN => ifn = Some(get_string("daemon interface", p)?),
            daemon_attr::SYNC_ID => syncid = Some(get_u32("daemon sync id", p)?),
            daemon_attr::SYNC_MAXLEN => d.sync_maxlen = Some(get_u16("daemon maxlen", p)?),
            daemon_attr::MCAST_GROUP => {
                let a = fixed::<4>("daemon mcast group", p, "4")?;
                d.mcast_group = Some(IpAddr::V4(Ipv4Addr::from(a)));
            }
            daemon_attr::MCAST_GROUP6 => {
                let a = fixed::<16>("daemon mcast group6", p, "16")?;
                group6 = Some(IpAddr::V6(Ipv6Addr::from(a)));
            }
            daemon_attr::MCAST_PORT => d.mcast_port = Some(get_u16("daemon mcast port", p)?),
            daemon_attr::MCAST_TTL => d.mcast_ttl = Some(get_u8("daemon mcast ttl", p)?),
            _ => {}
        }
    }
    let state = required("daemon state", state)?;
    d.state = DaemonState::from_kernel(state).ok_or(DecodeError::BadValue {
        field: "daemon state",
        value: state.into(),
    })?;
    d.mcast_ifn = required("daemon interface", ifn)?;
    d.syncid = required("daemon sync id", syncid)?;
    if d.mcast_group.is_none() {
        d.mcast_group = group6;
    }
    Ok(d)
}

/// Decodes the top-level attributes of a GET_INFO reply.
pub fn decode_info(area: &[u8]) -> Result<Info> {
    let (mut version, mut size) = (None, None);
    for attr in Attrs::new(area) {
        let (ty, p) = attr?;
        match ty {
            info_attr::VERSION => version = Some(get_u32("info version", p)?),
            info_attr::CONN_TAB_SIZE => size = Some(get_u32("info conn table size", p)?),
            _ => {}
        }
    }
    Ok(Info {
        version: required("info version", version)?,
        conn_tab_size: required("info conn table size", size)?,
    })
}

/// Decodes the top-level attributes of a GET_CONFIG reply (absent timeouts read as 0).
pub fn decode_timeouts(area: &[u8]) -> Result<Timeouts> {
    let mut t = Timeouts::default();
    for attr in Attrs::new(area) {
        let (ty, p) = attr?;
        match ty {
            cmd_attr::TIMEOUT_TCP => t.tcp = get_u32("timeout tcp", p)?,
            cmd_attr::TIMEOUT_TCP_FIN => t.tcp_fin = get_u32("timeout tcpfin", p)?,
            cmd_attr::TIMEOUT_UDP => t.udp = get_u32("timeout udp", p)?,
            _ => {}
        }
    }
    Ok(t)
}
