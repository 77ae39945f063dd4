//! Ops written back as ipvsadm lines: `-A`/`-a` exactly as `ipvsadm -S` prints a service
//! and a server, everything else in a form `parse` reads back to the same `Op`.
//!
//! Kept from ipvsadm on purpose: `-M` only with `-p`; the Local forward prints as `-g`;
//! `-x`/`-y` are not saved (unless `keep_thresholds`, lvsdeck's extension, which adds
//! `-x N -y N` right after `-w`).

use std::fmt;
use std::net::Ipv4Addr;

use super::compat::tunnel_name;
use super::names::{ip_text, AddrFormat, Numeric};
use super::sched_flags::{format_sched_flags, SCHED_MASK};
use crate::ipvs::{
    tun_flags, Daemon, DaemonState, DestConfig, Family, Forward, Op, Protocol, ServiceConfig,
    ServiceKey, TunnelType,
};

/// How rules are written.
#[derive(Clone, Copy)]
pub struct SaveFormat<'a> {
    pub names: &'a dyn AddrFormat,
    /// Adds `-x N -y N` to server lines (lvsdeck's `--save-thresholds`).
    pub keep_thresholds: bool,
}

impl Default for SaveFormat<'_> {
    fn default() -> Self {
        SaveFormat {
            names: &Numeric,
            keep_thresholds: false,
        }
    }
}

/// The service selector: `-t 192.0.2.1:80`, `--sctp-service ...`, `-f 1`, `-f 1 -6`.
pub fn service_selector(key: &ServiceKey, names: &dyn AddrFormat) -> String {
    match key {
        ServiceKey::Fwmark { mark, family } => match family {
            Family::Inet => format!("-f {mark}"),
            Family::Inet6 => format!("-f {mark} -6"),
        },
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            let option = match protocol {
                Protocol::Tcp => "-t",
                Protocol::Udp => "-u",
                Protocol::Sctp => "--sctp-service",
            };
            format!("{option} {}", names.addr_port(addr, *port, Some(*protocol)))
        }
    }
}

fn key_protocol(key: &ServiceKey) -> Option<Protocol> {
    match key {
        ServiceKey::Addr { protocol, .. } => Some(*protocol),
        ServiceKey::Fwmark { .. } => None,
    }
}

/// `-A ...` (or `-E` with `command`) as `ipvsadm -S` prints a service, without newline.
pub fn service_line(command: &str, svc: &ServiceConfig, names: &dyn AddrFormat) -> String {
    let mut line = format!(
        "{command} {} -s {}",
        service_selector(&svc.key, names),
        svc.scheduler
    );
    if svc.persistent() {
        line.push_str(&format!(" -p {}", svc.timeout));
        match svc.key.family() {
            Family::Inet if svc.netmask != 0xffff_ffff => {
                line.push_str(&format!(" -M {}", Ipv4Addr::from(svc.netmask)));
            }
            Family::Inet6 if svc.netmask != 128 => {
                line.push_str(&format!(" -M {}", svc.netmask));
            }
            _ => {}
        }
    }
    if let Some(pe) = svc.pe_name.as_deref().filter(|p| !p.is_empty()) {
        line.push_str(&format!(" --pe {pe}"));
    }
    if svc.one_packet() {
        line.push_str(" -o");
    }
    if svc.flags & SCHED_MASK != 0 {
        line.push_str(&format!(
            " -b {}",
            format_sched_flags(&svc.scheduler, svc.flags)
        ));
    }
    line
}

/// `-a ...` (or `-e`) as `ipvsadm -S` prints a real server, without newline.
pub fn dest_line(
    command: &str,
    key: &ServiceKey,
    dest: &DestConfig,
    format: SaveFormat<'_>,
) -> String {
    let forward = match dest.forward {
        Forward::Masq => "-m",
        Forward::Tunnel => "-i",
        Forward::Local | Forward::Route => "-g",
    };
    let mut line = format!(
        "{command} {} -r {} {forward} -w {}",
        service_selector(key, format.names),
        format
            .names
            .addr_port(&dest.addr, dest.port, key_protocol(key)),
        // ipvsadm prints the weight as a C int.
        dest.weight as i32
    );
    if format.keep_thresholds {
        line.push_str(&format!(" -x {} -y {}", dest.u_threshold, dest.l_threshold));
    }
    if dest.forward == Forward::Tunnel {
        line.push_str(&format!(" --tun-type {}", tunnel_name(dest.tun_type)));
        if dest.tun_type == TunnelType::Gue {
            line.push_str(&format!(" --tun-port {}", dest.tun_port));
        }
        if dest.tun_type != TunnelType::Ipip {
            line.push_str(match dest.tun_flags {
                tun_flags::CSUM => " --tun-csum",
                tun_flags::REMCSUM => " --tun-remcsum",
                _ => " --tun-nocsum",
            });
        }
    }
    line
}

fn daemon_name(state: DaemonState) -> &'static str {
    match state {
        DaemonState::Master => "master",
        DaemonState::Backup => "backup",
    }
}

fn daemon_line(d: &Daemon) -> String {
    let mut line = format!(
        "--start-daemon {} --mcast-interface {} --syncid {}",
        daemon_name(d.state),
        d.mcast_ifn,
        d.syncid
    );
    if let Some(n) = d.sync_maxlen {
        line.push_str(&format!(" --sync-maxlen {n}"));
    }
    if let Some(g) = &d.mcast_group {
        line.push_str(&format!(" --mcast-group {}", ip_text(g)));
    }
    if let Some(p) = d.mcast_port {
        line.push_str(&format!(" --mcast-port {p}"));
    }
    if let Some(t) = d.mcast_ttl {
        line.push_str(&format!(" --mcast-ttl {t}"));
    }
    line
}

/// One `Op` as an ipvsadm line (no program name, no newline).
pub fn op_line(op: &Op, format: SaveFormat<'_>) -> String {
    let names = format.names;
    match op {
        Op::AddService(svc) => service_line("-A", svc, names),
        Op::EditService(svc) => service_line("-E", svc, names),
        Op::DelService(key) => format!("-D {}", service_selector(key, names)),
        Op::Flush => "-C".to_string(),
        Op::AddDest(key, dest) => dest_line("-a", key, dest, format),
        Op::EditDest(key, dest) => dest_line("-e", key, dest, format),
        Op::DelDest {
            service,
            addr,
            port,
        } => format!(
            "-d {} -r {}",
            service_selector(service, names),
            names.addr_port(addr, *port, key_protocol(service))
        ),
        Op::Zero(None) => "-Z".to_string(),
        Op::Zero(Some(key)) => format!("-Z {}", service_selector(key, names)),
        Op::SetTimeouts(t) => format!("--set {} {} {}", t.tcp, t.tcp_fin, t.udp),
        Op::StartDaemon(d) => daemon_line(d),
        Op::StopDaemon(state) => format!("--stop-daemon {}", daemon_name(*state)),
    }
}

/// Numeric, replayable: what the audit log and `-S -n` print.
impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&op_line(self, SaveFormat::default()))
    }
}

/// `Display for Op`, plus `-x`/`-y` when a server has thresholds: `-S` drops them, but a
/// replayed audit or operator log must not.
pub fn replay_line(op: &Op) -> String {
    let thresholds = |d: &DestConfig| d.u_threshold != 0 || d.l_threshold != 0;
    match op {
        Op::AddDest(_, d) | Op::EditDest(_, d) if thresholds(d) => op_line(
            op,
            SaveFormat {
                keep_thresholds: true,
                ..SaveFormat::default()
            },
        ),
        _ => op.to_string(),
    }
}
