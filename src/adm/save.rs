//! `ipvsadm -S`: the table as the commands that rebuild it, as ipvsadm 1.31 prints them.
//!
//! The rule language (`crate::rules`) prints single `Op`s too; these lines are written from
//! `ServiceConfig`/`DestConfig` here so the two branches do not depend on each other, and are
//! meant to be folded into one printer.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use super::fields::{forward_switch, protocol_option, sched_flags_text, tunnel_flags_option};
use super::names::{Naming, Resolver};
use super::sort::sort_table;
use crate::ipvs::{
    DestConfig, Family, Forward, ServiceConfig, ServiceEntry, ServiceKey, TunnelType,
};
use crate::rules::ListOptions;

/// `ipvsadm -S` / `-S -n` of the whole table, sorted as ipvsadm sorts (unless `nosort`).
/// With `keep_thresholds`, real-server lines also carry `-x`/`-y`, which ipvsadm's `-R` accepts.
pub fn save(entries: &[ServiceEntry], opts: &ListOptions, resolver: &dyn Resolver) -> String {
    let naming = Naming::new(opts.numeric, resolver);
    let mut table = entries.to_vec();
    if !opts.nosort {
        sort_table(&mut table);
    }
    let mut out = String::new();
    for entry in &table {
        let key = &entry.service.config.key;
        out.push_str(&service_line(&entry.service.config, naming));
        out.push('\n');
        for dest in &entry.dests {
            out.push_str(&dest_line(key, &dest.config, naming, opts.keep_thresholds));
            out.push('\n');
        }
    }
    out
}

/// The service selector: `-t ADDR:PORT`, `-u ...`, `--sctp-service ...`, `-f MARK [-6]`.
pub fn service_selector(key: &ServiceKey, naming: Naming) -> String {
    match key {
        ServiceKey::Fwmark { mark, family } => match family {
            Family::Inet => format!("-f {mark}"),
            Family::Inet6 => format!("-f {mark} -6"),
        },
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => format!(
            "{} {}",
            protocol_option(*protocol),
            naming.addr_port(addr, *port, Some(*protocol))
        ),
    }
}

/// `-A SELECTOR -s SCHED [-p T [-M MASK]] [--pe NAME] [-o] [-b FLAGS]`, no newline.
pub fn service_line(cfg: &ServiceConfig, naming: Naming) -> String {
    let mut s = format!(
        "-A {} -s {}",
        service_selector(&cfg.key, naming),
        cfg.scheduler
    );
    if cfg.persistent() {
        let _ = write!(s, " -p {}", cfg.timeout);
        match cfg.key.family() {
            Family::Inet if cfg.netmask != 0xffff_ffff => {
                let _ = write!(s, " -M {}", Ipv4Addr::from(cfg.netmask));
            }
            Family::Inet6 if cfg.netmask != 128 => {
                let _ = write!(s, " -M {}", cfg.netmask);
            }
            _ => {}
        }
    }
    if let Some(pe) = &cfg.pe_name {
        let _ = write!(s, " --pe {pe}");
    }
    if cfg.one_packet() {
        s.push_str(" -o");
    }
    if let Some(flags) = sched_flags_text(cfg) {
        let _ = write!(s, " -b {flags}");
    }
    s
}

/// `-a SELECTOR -r ADDR:PORT -g|-i|-m -w W [-x U -y L] [--tun-type ...]`, no newline.
pub fn dest_line(
    service: &ServiceKey,
    dest: &DestConfig,
    naming: Naming,
    keep_thresholds: bool,
) -> String {
    let protocol = match service {
        ServiceKey::Addr { protocol, .. } => Some(*protocol),
        ServiceKey::Fwmark { .. } => None,
    };
    let mut s = format!(
        "-a {} -r {} {} -w {}",
        service_selector(service, naming),
        naming.addr_port(&dest.addr, dest.port, protocol),
        forward_switch(dest.forward),
        dest.weight
    );
    if keep_thresholds {
        let _ = write!(s, " -x {} -y {}", dest.u_threshold, dest.l_threshold);
    }
    if dest.forward == Forward::Tunnel {
        let _ = match dest.tun_type {
            TunnelType::Ipip => write!(s, " --tun-type ipip"),
            TunnelType::Gre => write!(s, " --tun-type gre"),
            TunnelType::Gue => write!(s, " --tun-type gue --tun-port {}", dest.tun_port),
        };
        if dest.tun_type != TunnelType::Ipip {
            if let Some(opt) = tunnel_flags_option(dest.tun_flags) {
                let _ = write!(s, " {opt}");
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adm::names::Numeric;
    use crate::ipvs::{tun_flags, Protocol};

    #[test]
    fn local_saves_as_route_and_thresholds_follow_weight() {
        let key = ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: "192.0.2.1".parse().unwrap(),
            port: 80,
        };
        let mut d = DestConfig::new("192.0.2.1".parse().unwrap(), 80);
        d.forward = Forward::Local;
        let naming = Naming::new(true, &Numeric);
        assert_eq!(
            dest_line(&key, &d, naming, false),
            "-a -t 192.0.2.1:80 -r 192.0.2.1:80 -g -w 1"
        );
        d.forward = Forward::Tunnel;
        d.tun_type = TunnelType::Gue;
        d.tun_port = 5555;
        d.tun_flags = tun_flags::REMCSUM;
        d.u_threshold = 9;
        assert_eq!(
            dest_line(&key, &d, naming, true),
            "-a -t 192.0.2.1:80 -r 192.0.2.1:80 -i -w 1 -x 9 -y 0 --tun-type gue --tun-port 5555 --tun-remcsum"
        );
    }

    #[test]
    fn pe_is_saved_even_without_persistence() {
        let mut cfg = ServiceConfig::new(ServiceKey::Fwmark {
            mark: 7,
            family: Family::Inet6,
        });
        cfg.pe_name = Some("sip".into());
        assert_eq!(
            service_line(&cfg, Naming::new(true, &Numeric)),
            "-A -f 7 -6 -s wlc --pe sip"
        );
    }
}
