//! Errors of the IPVS client, worded for an operator.
//!
//! The kernel answers with a bare errno whose meaning depends on the operation (ENOENT is
//! "no such destination" for a dest edit but "scheduler not found" for a service add), so
//! errors are mapped per `Call`, like libipvs's `ipvs_strerror` table. Every variant born
//! from a kernel answer keeps the raw errno.

use std::fmt;

use thiserror::Error;

use super::model::{Family, Forward, TunnelType};
use super::netlink::decode::DecodeError;
use super::netlink::encode::EncodeError;
use super::op::Op;

/// What the client was doing when the kernel answered with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Connect,
    GetInfo,
    ListServices,
    GetService,
    ListDests,
    GetTimeouts,
    ListDaemons,
    AddService,
    EditService,
    DelService,
    Flush,
    AddDest,
    EditDest,
    DelDest,
    Zero,
    SetTimeouts,
    StartDaemon,
    StopDaemon,
}

impl Call {
    pub fn of(op: &Op) -> Call {
        match op {
            Op::AddService(_) => Call::AddService,
            Op::EditService(_) => Call::EditService,
            Op::DelService(_) => Call::DelService,
            Op::Flush => Call::Flush,
            Op::AddDest(..) => Call::AddDest,
            Op::EditDest(..) => Call::EditDest,
            Op::DelDest { .. } => Call::DelDest,
            Op::Zero(_) => Call::Zero,
            Op::SetTimeouts(_) => Call::SetTimeouts,
            Op::StartDaemon(_) => Call::StartDaemon,
            Op::StopDaemon(_) => Call::StopDaemon,
        }
    }

    fn is_dest_op(self) -> bool {
        matches!(self, Call::AddDest | Call::EditDest | Call::DelDest)
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Call::Connect => "connecting to IPVS",
            Call::GetInfo => "reading IPVS info",
            Call::ListServices => "listing services",
            Call::GetService => "reading a service",
            Call::ListDests => "listing real servers",
            Call::GetTimeouts => "reading timeouts",
            Call::ListDaemons => "listing sync daemons",
            Call::AddService => "adding a service",
            Call::EditService => "editing a service",
            Call::DelService => "deleting a service",
            Call::Flush => "flushing the table",
            Call::AddDest => "adding a real server",
            Call::EditDest => "editing a real server",
            Call::DelDest => "deleting a real server",
            Call::Zero => "zeroing counters",
            Call::SetTimeouts => "setting timeouts",
            Call::StartDaemon => "starting a sync daemon",
            Call::StopDaemon => "stopping a sync daemon",
        })
    }
}

#[derive(Debug, Error)]
pub enum IpvsError {
    #[error("Permission denied: run as root or grant cap_net_admin")]
    PermissionDenied { errno: i32 },
    #[error("IPVS is not loaded: modprobe ip_vs")]
    NotLoaded { errno: Option<i32> },
    #[error("Service already exists")]
    ServiceExists { errno: i32 },
    #[error("Destination already exists")]
    DestExists { errno: i32 },
    #[error("No such service")]
    NoSuchService { errno: i32 },
    #[error("No such destination")]
    NoSuchDest { errno: i32 },
    #[error("{}", not_found_text(scheduler, pe_name.as_deref()))]
    SchedulerNotFound {
        scheduler: String,
        pe_name: Option<String>,
        errno: i32,
    },
    #[error("Daemon has already run")]
    DaemonRunning { errno: i32 },
    #[error("No daemon is running")]
    NoDaemon { errno: i32 },
    /// The kernel refused a value; `what` names it as well as the request allows.
    #[error("Invalid {what}")]
    Invalid { what: String, errno: i32 },
    #[error("{action}: {}", std::io::Error::from_raw_os_error(*errno))]
    Kernel { action: Call, errno: i32 },
    #[error("invalid request: {0}")]
    Encode(#[from] EncodeError),
    #[error("malformed kernel reply while {action}: {source}")]
    Decode { action: Call, source: DecodeError },
    #[error("netlink socket error while {action}: {message}")]
    Socket { action: Call, message: String },
}

fn not_found_text(scheduler: &str, pe: Option<&str>) -> String {
    match pe {
        Some(pe) => format!("Scheduler {scheduler:?} or persistence engine {pe:?} not found"),
        None => format!("Scheduler {scheduler:?} not found"),
    }
}

impl IpvsError {
    /// The errno the kernel answered, when the error came from the kernel.
    pub fn errno(&self) -> Option<i32> {
        match self {
            IpvsError::PermissionDenied { errno }
            | IpvsError::ServiceExists { errno }
            | IpvsError::DestExists { errno }
            | IpvsError::NoSuchService { errno }
            | IpvsError::NoSuchDest { errno }
            | IpvsError::SchedulerNotFound { errno, .. }
            | IpvsError::DaemonRunning { errno }
            | IpvsError::NoDaemon { errno }
            | IpvsError::Invalid { errno, .. }
            | IpvsError::Kernel { errno, .. } => Some(*errno),
            IpvsError::NotLoaded { errno } => *errno,
            IpvsError::Encode(_) | IpvsError::Decode { .. } | IpvsError::Socket { .. } => None,
        }
    }

    /// Maps a kernel errno (positive) answered to `action`; `op` is the mutation sent, if
    /// any, used to name the offending value.
    pub fn from_errno(action: Call, errno: i32, op: Option<&Op>) -> IpvsError {
        use Call as A;
        match (errno, action) {
            (libc::EPERM, _) => IpvsError::PermissionDenied { errno },
            (libc::ENOENT, A::Connect) => IpvsError::NotLoaded { errno: Some(errno) },
            (libc::EEXIST, A::AddService) => IpvsError::ServiceExists { errno },
            (libc::EEXIST, A::AddDest) => IpvsError::DestExists { errno },
            (libc::EEXIST, A::StartDaemon) => IpvsError::DaemonRunning { errno },
            (libc::ESRCH, A::StopDaemon) => IpvsError::NoDaemon { errno },
            (libc::ESRCH, _) => IpvsError::NoSuchService { errno },
            (libc::ENOENT, A::AddService | A::EditService) => match op {
                Some(Op::AddService(cfg) | Op::EditService(cfg)) => IpvsError::SchedulerNotFound {
                    scheduler: cfg.scheduler.clone(),
                    pe_name: cfg.pe_name.clone(),
                    errno,
                },
                _ => IpvsError::SchedulerNotFound {
                    scheduler: String::new(),
                    pe_name: None,
                    errno,
                },
            },
            (libc::ENOENT, a) if a.is_dest_op() => IpvsError::NoSuchDest { errno },
            (libc::EINVAL | libc::ERANGE | libc::ENODEV, _) => IpvsError::Invalid {
                what: invalid_what(action, errno, op),
                errno,
            },
            _ => IpvsError::Kernel { action, errno },
        }
    }
}

/// Names the value behind an EINVAL/ERANGE/ENODEV from what the request carried.
fn invalid_what(action: Call, errno: i32, op: Option<&Op>) -> String {
    match op {
        Some(Op::AddService(cfg) | Op::EditService(cfg)) => {
            if cfg.key.family() == Family::Inet6 && !(1..=128).contains(&cfg.netmask) {
                format!(
                    "netmask: IPv6 prefix length {} is not in 1..128",
                    cfg.netmask
                )
            } else {
                "service: the kernel rejected its address, netmask, flags or timeout".into()
            }
        }
        Some(Op::AddDest(key, d) | Op::EditDest(key, d)) => {
            if errno == libc::ERANGE && d.l_threshold > d.u_threshold {
                format!(
                    "thresholds: lower threshold {} is above upper threshold {}",
                    d.l_threshold, d.u_threshold
                )
            } else if d.weight > i32::MAX as u32 {
                format!("weight {}", d.weight)
            } else if d.family() != key.family() && d.forward != Forward::Tunnel {
                "real server: another address family than the service needs tunnel \
                 forwarding (-i)"
                    .into()
            } else if d.forward == Forward::Tunnel
                && d.tun_type == TunnelType::Gue
                && d.tun_port == 0
            {
                "real server: a GUE tunnel needs a tunnel port".into()
            } else if d.forward == Forward::Tunnel
                && d.tun_type != TunnelType::Gue
                && d.tun_flags & super::model::tun_flags::REMCSUM != 0
            {
                "real server: remote checksum offload (remcsum) needs a GUE tunnel".into()
            } else {
                "real server: the kernel rejected its address, port, weight or tunnel settings"
                    .into()
            }
        }
        Some(Op::StartDaemon(d)) if errno == libc::ENODEV => {
            format!("sync daemon interface {:?}: no such device", d.mcast_ifn)
        }
        // Besides bad settings, the kernel refuses sync while any real server has another
        // address family than its service: the sync protocol cannot carry those.
        Some(Op::StartDaemon(_)) => "sync daemon: the kernel refused its interface, sync id \
             or multicast settings, or the table holds a real server of another address \
             family than its service (sync cannot carry those)"
            .into(),
        Some(Op::SetTimeouts(_)) => "timeouts".into(),
        _ => format!(
            "request while {action}: {}",
            std::io::Error::from_raw_os_error(errno)
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::*;
    use crate::ipvs::model::{DestConfig, Protocol, ServiceConfig, ServiceKey};

    fn key() -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            port: 80,
        }
    }

    fn dest() -> DestConfig {
        DestConfig::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), 80)
    }

    #[test]
    fn eperm_is_permission_for_every_action() {
        for a in [Call::ListServices, Call::AddDest, Call::Flush] {
            let e = IpvsError::from_errno(a, libc::EPERM, None);
            assert_eq!(
                e.to_string(),
                "Permission denied: run as root or grant cap_net_admin"
            );
            assert_eq!(e.errno(), Some(libc::EPERM));
        }
    }

    #[test]
    fn enoent_depends_on_the_action() {
        let e = IpvsError::from_errno(Call::Connect, libc::ENOENT, None);
        assert_eq!(e.to_string(), "IPVS is not loaded: modprobe ip_vs");
        let e = IpvsError::from_errno(Call::DelDest, libc::ENOENT, None);
        assert_eq!(e.to_string(), "No such destination");
        let mut cfg = ServiceConfig::new(key());
        cfg.scheduler = "nope".into();
        let op = Op::AddService(cfg.clone());
        let e = IpvsError::from_errno(Call::of(&op), libc::ENOENT, Some(&op));
        assert_eq!(e.to_string(), "Scheduler \"nope\" not found");
        cfg.pe_name = Some("sipx".into());
        let op = Op::EditService(cfg);
        let e = IpvsError::from_errno(Call::of(&op), libc::ENOENT, Some(&op));
        assert_eq!(
            e.to_string(),
            "Scheduler \"nope\" or persistence engine \"sipx\" not found"
        );
        assert_eq!(e.errno(), Some(libc::ENOENT));
    }

    #[test]
    fn eexist_and_esrch_name_the_object() {
        let svc = IpvsError::from_errno(Call::AddService, libc::EEXIST, None);
        assert_eq!(svc.to_string(), "Service already exists");
        let dst = IpvsError::from_errno(Call::AddDest, libc::EEXIST, None);
        assert_eq!(dst.to_string(), "Destination already exists");
        for a in [
            Call::EditService,
            Call::AddDest,
            Call::Zero,
            Call::GetService,
        ] {
            let e = IpvsError::from_errno(a, libc::ESRCH, None);
            assert_eq!(e.to_string(), "No such service");
            assert_eq!(e.errno(), Some(libc::ESRCH));
        }
        let e = IpvsError::from_errno(Call::StopDaemon, libc::ESRCH, None);
        assert_eq!(e.to_string(), "No daemon is running");
        let e = IpvsError::from_errno(Call::StartDaemon, libc::EEXIST, None);
        assert_eq!(e.to_string(), "Daemon has already run");
    }

    #[test]
    fn einval_names_the_value() {
        let mut d = dest();
        d.addr = IpAddr::V6(Ipv6Addr::LOCALHOST);
        let op = Op::AddDest(key(), d.clone());
        let e = IpvsError::from_errno(Call::AddDest, libc::EINVAL, Some(&op));
        assert!(e.to_string().contains("tunnel forwarding"), "{e}");
        d = dest();
        d.forward = Forward::Tunnel;
        d.tun_type = TunnelType::Gue;
        let op = Op::AddDest(key(), d.clone());
        let e = IpvsError::from_errno(Call::AddDest, libc::EINVAL, Some(&op));
        assert!(e.to_string().contains("tunnel port"), "{e}");
        d = dest();
        d.u_threshold = 5;
        d.l_threshold = 9;
        let op = Op::EditDest(key(), d);
        let e = IpvsError::from_errno(Call::EditDest, libc::ERANGE, Some(&op));
        assert!(e.to_string().contains("lower threshold 9"), "{e}");
        assert_eq!(e.errno(), Some(libc::ERANGE));
        let mut cfg = ServiceConfig::new(ServiceKey::Fwmark {
            mark: 1,
            family: Family::Inet6,
        });
        cfg.netmask = 129;
        let op = Op::AddService(cfg);
        let e = IpvsError::from_errno(Call::AddService, libc::EINVAL, Some(&op));
        assert!(e.to_string().contains("prefix length 129"), "{e}");
    }

    #[test]
    fn other_errnos_keep_the_action_and_strerror() {
        let e = IpvsError::from_errno(Call::ListDests, libc::ENOMEM, None);
        let text = e.to_string();
        assert!(text.starts_with("listing real servers: "), "{text}");
        assert_eq!(e.errno(), Some(libc::ENOMEM));
        let e = IpvsError::from_errno(Call::StopDaemon, libc::EBUSY, None);
        assert!(matches!(e, IpvsError::Kernel { errno, .. } if errno == libc::EBUSY));
    }
}
