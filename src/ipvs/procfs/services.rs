//! /proc/net/ip_vs: the service table for users without CAP_NET_ADMIN (netlink refuses them;
//! this file is world-readable). Format per `ip_vs_info_seq_show`:
//!
//! ```text
//! IP Virtual Server version 1.2.1 (size=4096)
//! Prot LocalAddress:Port Scheduler Flags
//!   -> RemoteAddress:Port Forward Weight ActiveConn InActConn
//! TCP  C633640A:0050 rr [ops] [persistent TIMEOUT_JIFFIES MASK]
//! TCP  [2001:0db8:...:0001]:0050 wlc [persistent ...]
//! FWM  0000002A sh [ops] [persistent ...]
//!   -> 7F000001:1F90      Masq    1      0          3
//! ```
//!
//! What the file does not carry, left at the model's defaults: service and real-server
//! statistics (zero; only the totals exist, in ip_vs_stats), the PE name, scheduler flags
//! (sh-port, ...), `ops` on IPv6 services, real-server thresholds, tunnel type/port/flags,
//! persistent-connection counts, and the family of a firewall-mark service (taken from its
//! first real server; IPv4 when it has none).

use std::net::IpAddr;

use super::error::ProcError;
use super::hex;
use crate::ipvs::model::{
    svc_flags, Dest, DestConfig, Family, Forward, Info, Protocol, Service, ServiceConfig,
    ServiceEntry, ServiceKey, Stats,
};

/// The table as /proc/net/ip_vs shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcTable {
    pub info: Info,
    pub services: Vec<ServiceEntry>,
}

/// A service line's persistence: the file prints the timeout in jiffies and the mask through
/// `ntohl`, which for IPv6 byte-swaps the prefix length (128 shows as 80000000 on x86).
struct Persistence {
    timeout_jiffies: u64,
    mask_printed: u32,
}

/// A service read so far, finished once its real servers (and so its family) are known.
struct Pending {
    entry: ServiceEntry,
    persistence: Option<Persistence>,
}

/// Parses the file's text. `hz` is the kernel's tick rate (see [`super::kernel_hz`]), needed
/// because persistence timeouts are printed in ticks.
pub fn parse_table(text: &str, hz: u32) -> Result<ProcTable, ProcError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let info = loop {
        match lines.next() {
            Some((n, l)) if l.starts_with("IP Virtual Server version") => break header(n, l)?,
            Some(_) => continue,
            None => return Err(ProcError::NoHeader),
        }
    };
    let mut services = Vec::new();
    let mut pending: Option<Pending> = None;
    for (n, line) in lines {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with("Prot ") || trimmed.contains("RemoteAddress") {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("->") {
            let p = pending
                .as_mut()
                .ok_or(ProcError::DestWithoutService { line: n })?;
            p.entry.dests.push(dest(n, rest)?);
        } else {
            if let Some(done) = pending.take() {
                services.push(finish(done, hz));
            }
            pending = Some(service(n, trimmed)?);
        }
    }
    if let Some(done) = pending.take() {
        services.push(finish(done, hz));
    }
    Ok(ProcTable { info, services })
}

/// `IP Virtual Server version 1.2.1 (size=4096)`
fn header(n: usize, line: &str) -> Result<Info, ProcError> {
    let rest = line
        .trim_start_matches("IP Virtual Server version")
        .trim_start();
    let (version, size) = rest.split_once(' ').ok_or(ProcError::Missing {
        line: n,
        field: "size",
    })?;
    let mut parts = version.split('.');
    let mut part = |name| {
        let s = parts.next().ok_or(ProcError::Missing {
            line: n,
            field: name,
        })?;
        s.parse::<u8>()
            .map_err(|_| ProcError::invalid(n, name, s, "a version number"))
    };
    let (major, minor, patch) = (
        part("major version")?,
        part("minor version")?,
        part("patch version")?,
    );
    let size_text = size
        .trim()
        .strip_prefix("(size=")
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| ProcError::invalid(n, "size", size, "\"(size=N)\""))?;
    let conn_tab_size = size_text
        .parse()
        .map_err(|_| ProcError::invalid(n, "size", size_text, "a decimal number"))?;
    Ok(Info {
        version: u32::from(major) << 16 | u32::from(minor) << 8 | u32::from(patch),
        conn_tab_size,
    })
}

/// `HEX:PORT` or `[IPV6]:PORT`.
fn addr_port(n: usize, field: &'static str, s: &str) -> Result<(IpAddr, u16), ProcError> {
    let bad = || ProcError::invalid(n, field, s, "ADDR:PORT in hex");
    let (addr, port) = match s.strip_prefix('[') {
        Some(v6) => {
            let (a, p) = v6.split_once("]:").ok_or_else(bad)?;
            (hex::parse_ipv6(a).map(IpAddr::V6), p)
        }
        None => {
            let (a, p) = s.split_once(':').ok_or_else(bad)?;
            (hex::parse_ipv4(a).map(IpAddr::V4), p)
        }
    };
    Ok((
        addr.ok_or_else(bad)?,
        hex::parse_port(port).ok_or_else(bad)?,
    ))
}

fn service(n: usize, line: &str) -> Result<Pending, ProcError> {
    let mut tokens = line.split_ascii_whitespace();
    let mut next = |field| tokens.next().ok_or(ProcError::Missing { line: n, field });
    let proto = next("protocol")?;
    let key = if proto == "FWM" {
        let m = next("fwmark")?;
        let mark = hex::parse_u32(m).ok_or_else(|| ProcError::invalid(n, "fwmark", m, "hex"))?;
        ServiceKey::Fwmark {
            mark,
            family: Family::Inet,
        }
    } else {
        let protocol = match proto {
            "TCP" => Protocol::Tcp,
            "UDP" => Protocol::Udp,
            "SCTP" => Protocol::Sctp,
            _ => {
                return Err(ProcError::invalid(
                    n,
                    "protocol",
                    proto,
                    "TCP, UDP, SCTP or FWM",
                ))
            }
        };
        let (addr, port) = addr_port(n, "virtual address", next("virtual address")?)?;
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        }
    };
    let mut config = ServiceConfig::new(key);
    config.scheduler = next("scheduler")?.to_string();
    let mut persistence = None;
    while let Some(flag) = tokens.next() {
        match flag {
            "ops" => config.flags |= svc_flags::ONEPACKET,
            "persistent" => {
                let t = tokens.next().ok_or(ProcError::Missing {
                    line: n,
                    field: "persistence timeout",
                })?;
                let timeout_jiffies = t.parse().map_err(|_| {
                    ProcError::invalid(n, "persistence timeout", t, "a decimal number")
                })?;
                let m = tokens.next().ok_or(ProcError::Missing {
                    line: n,
                    field: "persistence netmask",
                })?;
                let mask_printed = hex::parse_u32(m)
                    .ok_or_else(|| ProcError::invalid(n, "persistence netmask", m, "hex"))?;
                config.flags |= svc_flags::PERSISTENT;
                persistence = Some(Persistence {
                    timeout_jiffies,
                    mask_printed,
                });
            }
            other => return Err(ProcError::invalid(n, "flags", other, "ops or persistent")),
        }
    }
    Ok(Pending {
        entry: ServiceEntry {
            service: Service {
                config,
                stats: Stats::default(),
            },
            dests: Vec::new(),
        },
        persistence,
    })
}

fn dest(n: usize, rest: &str) -> Result<Dest, ProcError> {
    let mut tokens = rest.split_ascii_whitespace();
    let mut next = |field| tokens.next().ok_or(ProcError::Missing { line: n, field });
    let (addr, port) = addr_port(n, "real server", next("real server")?)?;
    let fwd = next("forward")?;
    let forward = match fwd {
        "Masq" => Forward::Masq,
        "Local" => Forward::Local,
        "Tunnel" => Forward::Tunnel,
        "Route" => Forward::Route,
        _ => {
            return Err(ProcError::invalid(
                n,
                "forward",
                fwd,
                "Masq, Local, Tunnel or Route",
            ))
        }
    };
    let w = next("weight")?;
    let weight = w
        .parse::<u32>()
        .map_err(|_| ProcError::invalid(n, "weight", w, "a non-negative number"))?;
    // Printed with %d from atomics: a counter that went negative (seen on old kernels) is 0.
    let mut count = |field| -> Result<u32, ProcError> {
        let s = next(field)?;
        let v = s
            .parse::<i64>()
            .map_err(|_| ProcError::invalid(n, field, s, "a number"))?;
        Ok(u32::try_from(v.max(0)).unwrap_or(u32::MAX))
    };
    let active_conns = count("active connections")?;
    let inact_conns = count("inactive connections")?;
    let mut config = DestConfig::new(addr, port);
    config.forward = forward;
    config.weight = weight;
    Ok(Dest {
        config,
        active_conns,
        inact_conns,
        persist_conns: 0,
        stats: Stats::default(),
    })
}

/// Fixes what needs the whole entry: a fwmark service's family, the timeout in seconds, and
/// the netmask in the model's form.
fn finish(p: Pending, hz: u32) -> ServiceEntry {
    let mut entry = p.entry;
    let config = &mut entry.service.config;
    if let ServiceKey::Fwmark { family, .. } = &mut config.key {
        if let Some(d) = entry.dests.first() {
            *family = d.config.family();
        }
    }
    if let Some(per) = p.persistence {
        config.timeout =
            u32::try_from(per.timeout_jiffies / u64::from(hz.max(1))).unwrap_or(u32::MAX);
        config.netmask = match config.key.family() {
            Family::Inet => per.mask_printed,
            // Undo the kernel's ntohl() of a host-order prefix length.
            Family::Inet6 => per.mask_printed.to_be(),
        };
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
TCP  [2001:0db8:0000:0000:0000:0000:0000:0002]:01BB lc persistent 75000 80000000
  -> [2001:0db8:0000:0000:0000:0000:0000:0020]:01BB      Route   1      0          0         
UDP  C633640A:0035 wrr ops  
  -> C0000206:0035      Tunnel  5      2          -1         
TCP  C633640B:0050 wlc  persistent 30000 FFFFFF00
FWM  0000002B rr 
  -> [2001:0db8:0000:0000:0000:0000:0000:0030]:0000      Route   1      0          0         
";

    #[test]
    fn services_and_dests() {
        let t = parse_table(TEXT, 250).unwrap();
        assert_eq!(t.info.version_string(), "1.2.1");
        assert_eq!(t.info.conn_tab_size, 4096);
        assert_eq!(t.services.len(), 4);

        let v6 = &t.services[0].service.config;
        assert!(v6.persistent());
        assert_eq!(
            (v6.timeout, v6.netmask, v6.scheduler.as_str()),
            (300, 128, "lc")
        );
        assert_eq!(t.services[0].dests[0].config.forward, Forward::Route);

        let udp = &t.services[1];
        assert!(udp.service.config.one_packet());
        assert!(!udp.service.config.persistent());
        let d = &udp.dests[0];
        assert_eq!((d.config.weight, d.active_conns, d.inact_conns), (5, 2, 0));
        assert_eq!(d.config.addr, "192.0.2.6".parse::<IpAddr>().unwrap());

        let v4 = &t.services[2];
        assert!(v4.dests.is_empty());
        assert_eq!(v4.service.config.timeout, 120);
        assert_eq!(v4.service.config.netmask, 0xFFFF_FF00);

        assert_eq!(
            t.services[3].service.config.key,
            ServiceKey::Fwmark {
                mark: 43,
                family: Family::Inet6
            }
        );
    }

    #[test]
    fn errors_name_line_and_field() {
        let err = parse_table(&TEXT.replace("Tunnel  5", "Tunnel  x"), 250).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 7: weight: \"x\" is not a non-negative number"
        );
        let err = parse_table(&TEXT.replace("C633640A:0035", "C633640A"), 250).unwrap_err();
        assert!(
            err.to_string().starts_with("line 6: virtual address"),
            "{err}"
        );
        let err = parse_table(&TEXT.replace("Route ", "Bounce"), 250).unwrap_err();
        assert!(err.to_string().contains("forward"), "{err}");
        assert!(matches!(
            parse_table("TCP x", 250),
            Err(ProcError::NoHeader)
        ));
        let orphan = "IP Virtual Server version 1.2.1 (size=4096)\n  -> 7F000001:1F90 Masq 1 0 0\n";
        assert!(matches!(
            parse_table(orphan, 250),
            Err(ProcError::DestWithoutService { line: 2 })
        ));
    }
}
