//! The checks ipvsadm makes once every option is read, in its order, and the building
//! of the resulting [`Command`].

use super::compat::{check_command, check_list, check_tunnel};
use super::error::RuleError;
use super::options::{Bit, Cmd};
use super::parser::{timeout_value, Draft};
use super::sched_flags::{parse_sched_flags, SCHED_MASK};
use super::{Command, ListOptions};
use crate::ipvs::svc_flags::{ONEPACKET, PERSISTENT};
use crate::ipvs::{
    Daemon, DaemonState, DestConfig, Family, Forward, Op, Protocol, ServiceConfig, ServiceKey,
    Timeouts,
};

/// ipvsadm's default scheduler.
pub const DEFAULT_SCHEDULER: &str = "wlc";
/// ipvsadm's default sync-daemon interface.
pub const DEFAULT_MCAST_IFN: &str = "eth0";

pub fn finish(mut d: Draft<'_>, leftovers: &[&str]) -> Result<Command, RuleError> {
    let mut rest = leftovers;
    let mut timeouts = Timeouts::default();
    if d.cmd == Cmd::SetTimeouts {
        let [tcp, fin, udp, after @ ..] = leftovers else {
            return Err(RuleError::SetNeedsThree);
        };
        timeouts = Timeouts {
            tcp: timeout_value(tcp, 0)?,
            tcp_fin: timeout_value(fin, 0)?,
            udp: timeout_value(udp, 0)?,
        };
        rest = after;
    }
    if let Some(word) = rest.first() {
        return Err(RuleError::UnexpectedArgument {
            value: word.to_string(),
        });
    }
    if let Some(value) = d.sched_flags.filter(|v| !v.is_empty()) {
        let scheduler = if d.scheduler.is_empty() {
            DEFAULT_SCHEDULER
        } else {
            &d.scheduler
        };
        d.flags = (d.flags & !SCHED_MASK) | parse_sched_flags(scheduler, value)?;
    }
    check_command(d.cmd, d.given)?;

    if matches!(d.cmd, Cmd::Add | Cmd::Edit) {
        if d.fwmark == 0 && d.port == 0 && d.flags & PERSISTENT == 0 {
            return Err(RuleError::ZeroPort);
        }
        if d.flags & ONEPACKET != 0 && d.fwmark == 0 && d.protocol != Some(Protocol::Udp) {
            return Err(RuleError::OnePacket);
        }
        if d.scheduler.is_empty() {
            d.scheduler = DEFAULT_SCHEDULER.to_string();
        }
    }
    if matches!(d.cmd, Cmd::AddDest | Cmd::EditDest) {
        if d.fwmark == 0 && matches!(d.forward, Forward::Tunnel | Forward::Route) {
            d.dest_port = d.port;
        }
        let dest_family = d.dest_addr.as_ref().map(Family::of);
        if dest_family != d.family && d.forward != Forward::Tunnel {
            return Err(RuleError::MixedFamily);
        }
        let tunnel_bits = Bit::TunType.mask()
            | Bit::TunPort.mask()
            | Bit::TunNocsum.mask()
            | Bit::TunCsum.mask()
            | Bit::TunRemcsum.mask();
        if d.given & tunnel_bits != 0 && d.forward != Forward::Tunnel {
            return Err(RuleError::TunnelOptionsWithoutTunnel);
        }
        check_tunnel(d.tun_type, d.given)?;
    }
    if d.cmd == Cmd::List {
        check_list(d.given)?;
    }
    build(d, timeouts)
}

fn build(d: Draft<'_>, timeouts: Timeouts) -> Result<Command, RuleError> {
    let key = service_key(&d);
    let need_key = || {
        key.ok_or(RuleError::MissingOption {
            option: Bit::Service.name(),
            command: d.cmd.name(),
        })
    };
    let op = match d.cmd {
        Cmd::List => return Ok(Command::List(list_options(&d, key))),
        Cmd::Save => return Ok(Command::Save(list_options(&d, None))),
        Cmd::Restore => return Ok(Command::Restore),
        Cmd::Flush => Op::Flush,
        Cmd::Add => Op::AddService(service_config(&d, need_key()?)),
        Cmd::Edit => Op::EditService(service_config(&d, need_key()?)),
        Cmd::Del => Op::DelService(need_key()?),
        Cmd::Zero => Op::Zero(key),
        Cmd::AddDest => Op::AddDest(need_key()?, dest_config(&d, need_server(&d)?)),
        Cmd::EditDest => Op::EditDest(need_key()?, dest_config(&d, need_server(&d)?)),
        Cmd::DelDest => Op::DelDest {
            service: need_key()?,
            addr: need_server(&d)?,
            port: d.dest_port,
        },
        Cmd::SetTimeouts => Op::SetTimeouts(timeouts),
        Cmd::StartDaemon => Op::StartDaemon(Daemon {
            state: daemon_state(&d),
            mcast_ifn: if d.mcast_ifn.is_empty() {
                DEFAULT_MCAST_IFN.to_string()
            } else {
                d.mcast_ifn.clone()
            },
            syncid: d.syncid,
            sync_maxlen: d.sync_maxlen,
            mcast_group: d.mcast_group,
            mcast_port: d.mcast_port,
            mcast_ttl: d.mcast_ttl,
        }),
        Cmd::StopDaemon => Op::StopDaemon(daemon_state(&d)),
    };
    Ok(Command::Change(op))
}

fn daemon_state(d: &Draft<'_>) -> DaemonState {
    d.daemon_state.unwrap_or(DaemonState::Master)
}

fn need_server(d: &Draft<'_>) -> Result<std::net::IpAddr, RuleError> {
    d.dest_addr.ok_or(RuleError::MissingOption {
        option: Bit::Server.name(),
        command: d.cmd.name(),
    })
}

fn service_key(d: &Draft<'_>) -> Option<ServiceKey> {
    if d.fwmark != 0 {
        return Some(ServiceKey::Fwmark {
            mark: d.fwmark,
            family: d.family.unwrap_or(Family::Inet),
        });
    }
    Some(ServiceKey::Addr {
        protocol: d.protocol.unwrap_or(Protocol::Tcp),
        addr: d.addr?,
        port: d.port,
    })
}

fn service_config(d: &Draft<'_>, key: ServiceKey) -> ServiceConfig {
    ServiceConfig {
        key,
        scheduler: d.scheduler.clone(),
        flags: d.flags,
        timeout: d.timeout,
        netmask: d.netmask,
        pe_name: (!d.pe_name.is_empty()).then(|| d.pe_name.clone()),
    }
}

fn dest_config(d: &Draft<'_>, addr: std::net::IpAddr) -> DestConfig {
    DestConfig {
        addr,
        port: d.dest_port,
        forward: d.forward,
        weight: d.weight,
        u_threshold: d.u_threshold,
        l_threshold: d.l_threshold,
        tun_type: d.tun_type,
        tun_port: d.tun_port,
        tun_flags: d.tun_flags,
    }
}

fn list_options(d: &Draft<'_>, service: Option<ServiceKey>) -> ListOptions {
    ListOptions {
        service,
        numeric: d.has(Bit::Numeric),
        connections: d.has(Bit::Connection),
        timeout: d.has(Bit::Timeout),
        daemon: d.has(Bit::Daemon),
        stats: d.has(Bit::Stats),
        rate: d.has(Bit::Rate),
        thresholds: d.has(Bit::Thresholds),
        persistent_conn: d.has(Bit::PersistentConn),
        tun_info: d.has(Bit::TunInfo),
        nosort: d.has(Bit::NoSort),
        exact: d.has(Bit::Exact),
        keep_thresholds: d.has(Bit::SaveThresholds),
    }
}
