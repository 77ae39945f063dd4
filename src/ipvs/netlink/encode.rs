//! Model values to request bytes: the generic netlink header plus the attribute area.
//!
//! The attribute order and set follow libipvs so the kernel sees what ipvsadm would send;
//! names are checked against the kernel's limits first so a bad name is reported by field
//! instead of as the kernel's bare EINVAL.

use std::net::IpAddr;

use thiserror::Error;

use super::nla::NlaWriter;
use super::wire::{
    cmd, cmd_attr, daemon_attr, dest_attr, svc_attr, FAMILY_VERSION, IFNAME_MAX, PE_NAME_MAX,
    SCHED_NAME_MAX,
};
use crate::ipvs::model::{
    svc_flags, Daemon, DestConfig, Family, ServiceConfig, ServiceKey, Timeouts,
};
use crate::ipvs::op::Op;

/// A request that cannot be put on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    #[error("{field} {value:?} is too long (at most {max} bytes)")]
    NameTooLong {
        field: &'static str,
        value: String,
        max: usize,
    },
    #[error("{field} {value:?} contains a NUL byte")]
    NameHasNul { field: &'static str, value: String },
    #[error("{field} is empty")]
    NameEmpty { field: &'static str },
}

/// One encoded request: the genl command and the message payload (header + attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub cmd: u8,
    pub payload: Vec<u8>,
}

impl Request {
    /// Prefixes `attrs` with the generic netlink header (cmd, version, reserved).
    pub fn new(cmd: u8, attrs: &[u8]) -> Request {
        let mut payload = Vec::with_capacity(4 + attrs.len());
        payload.extend_from_slice(&[cmd, FAMILY_VERSION, 0, 0]);
        payload.extend_from_slice(attrs);
        Request { cmd, payload }
    }

    /// The attribute area after the generic netlink header.
    pub fn attrs(&self) -> &[u8] {
        self.payload.get(4..).unwrap_or_default()
    }
}

fn check_name(field: &'static str, value: &str, max_with_nul: usize) -> Result<(), EncodeError> {
    if value.is_empty() {
        return Err(EncodeError::NameEmpty { field });
    }
    if value.as_bytes().contains(&0) {
        return Err(EncodeError::NameHasNul {
            field,
            value: value.to_owned(),
        });
    }
    if value.len() >= max_with_nul {
        return Err(EncodeError::NameTooLong {
            field,
            value: value.to_owned(),
            max: max_with_nul - 1,
        });
    }
    Ok(())
}

/// The 16-byte `nf_inet_addr` form of an address.
fn inet_addr(addr: &IpAddr) -> [u8; 16] {
    let mut out = [0u8; 16];
    match addr {
        IpAddr::V4(a) => out[..4].copy_from_slice(&a.octets()),
        IpAddr::V6(a) => out = a.octets(),
    }
    out
}

/// AF plus FWMARK, or AF plus PROTOCOL, ADDR and PORT.
fn put_service_key(w: &mut NlaWriter, key: &ServiceKey) {
    w.put_u16(svc_attr::AF, key.family().af());
    match key {
        ServiceKey::Fwmark { mark, .. } => w.put_u32(svc_attr::FWMARK, *mark),
        ServiceKey::Addr {
            protocol,
            addr,
            port,
        } => {
            w.put_u16(svc_attr::PROTOCOL, protocol.number());
            w.put(svc_attr::ADDR, &inet_addr(addr));
            w.put_be16(svc_attr::PORT, *port);
        }
    }
}

/// The SERVICE attribute carrying only the key (lookups, deletes, dest operations).
fn put_service_key_nest(w: &mut NlaWriter, key: &ServiceKey) {
    w.nest(cmd_attr::SERVICE, |n| put_service_key(n, key));
}

/// The SERVICE attribute with every settable field, as NEW_SERVICE/SET_SERVICE require.
fn put_service_full(w: &mut NlaWriter, cfg: &ServiceConfig) -> Result<(), EncodeError> {
    check_name("scheduler", &cfg.scheduler, SCHED_NAME_MAX)?;
    if let Some(pe) = &cfg.pe_name {
        check_name("persistence engine", pe, PE_NAME_MAX)?;
    }
    w.nest(cmd_attr::SERVICE, |n| {
        put_service_key(n, &cfg.key);
        n.put_str(svc_attr::SCHED_NAME, &cfg.scheduler);
        if let Some(pe) = &cfg.pe_name {
            n.put_str(svc_attr::PE_NAME, pe);
        }
        // Mask all ones like libipvs: the kernel then takes our flags as the whole set.
        let flags = cfg.flags & !svc_flags::HASHED;
        let mut fm = [0u8; 8];
        fm[..4].copy_from_slice(&flags.to_ne_bytes());
        fm[4..].copy_from_slice(&u32::MAX.to_ne_bytes());
        n.put(svc_attr::FLAGS, &fm);
        n.put_u32(svc_attr::TIMEOUT, cfg.timeout);
        // IPv4 masks go in network order, IPv6 prefix lengths as a native u32.
        let netmask = match cfg.key.family() {
            Family::Inet => cfg.netmask.to_be_bytes(),
            Family::Inet6 => cfg.netmask.to_ne_bytes(),
        };
        n.put(svc_attr::NETMASK, &netmask);
    });
    Ok(())
}

/// The DEST attribute with every settable field, in libipvs's order.
fn put_dest_full(w: &mut NlaWriter, d: &DestConfig) {
    w.nest(cmd_attr::DEST, |n| {
        n.put_u16(dest_attr::ADDR_FAMILY, d.family().af());
        n.put(dest_attr::ADDR, &inet_addr(&d.addr));
        n.put_be16(dest_attr::PORT, d.port);
        n.put_u32(dest_attr::FWD_METHOD, d.forward.kernel_value());
        n.put_u32(dest_attr::WEIGHT, d.weight);
        n.put_u8(dest_attr::TUN_TYPE, d.tun_type.kernel_value());
        n.put_be16(dest_attr::TUN_PORT, d.tun_port);
        n.put_u16(dest_attr::TUN_FLAGS, d.tun_flags);
        n.put_u32(dest_attr::U_THRESH, d.u_threshold);
        n.put_u32(dest_attr::L_THRESH, d.l_threshold);
    });
}

fn put_daemon(w: &mut NlaWriter, d: &Daemon) -> Result<(), EncodeError> {
    check_name("sync daemon interface", &d.mcast_ifn, IFNAME_MAX)?;
    w.nest(cmd_attr::DAEMON, |n| {
        n.put_u32(daemon_attr::STATE, d.state.kernel_value());
        n.put_str(daemon_attr::MCAST_IFN, &d.mcast_ifn);
        n.put_u32(daemon_attr::SYNC_ID, d.syncid);
        if let Some(v) = d.sync_maxlen {
            n.put_u16(daemon_attr::SYNC_MAXLEN, v);
        }
        if let Some(v) = d.mcast_port {
            n.put_u16(daemon_attr::MCAST_PORT, v);
        }
        if let Some(v) = d.mcast_ttl {
            n.put_u8(daemon_attr::MCAST_TTL, v);
        }
        match d.mcast_group {
            Some(IpAddr::V4(a)) => n.put(daemon_attr::MCAST_GROUP, &a.octets()),
            Some(IpAddr::V6(a)) => n.put(daemon_attr::MCAST_GROUP6, &a.octets()),
            None => {}
        }
    });
    Ok(())
}

fn put_timeouts(w: &mut NlaWriter, t: &Timeouts) {
    w.put_u32(cmd_attr::TIMEOUT_TCP, t.tcp);
    w.put_u32(cmd_attr::TIMEOUT_TCP_FIN, t.tcp_fin);
    w.put_u32(cmd_attr::TIMEOUT_UDP, t.udp);
}

/// Encodes one mutation.
pub fn encode_op(op: &Op) -> Result<Request, EncodeError> {
    let mut w = NlaWriter::new();
    let command = match op {
        Op::AddService(cfg) => {
            put_service_full(&mut w, cfg)?;
            cmd::NEW_SERVICE
        }
        Op::EditService(cfg) => {
            put_service_full(&mut w, cfg)?;
            cmd::SET_SERVICE
        }
        Op::DelService(key) => {
            put_service_key_nest(&mut w, key);
            cmd::DEL_SERVICE
        }
        Op::Flush => cmd::FLUSH,
        Op::AddDest(key, d) => {
            put_service_key_nest(&mut w, key);
            put_dest_full(&mut w, d);
            cmd::NEW_DEST
        }
        Op::EditDest(key, d) => {
            put_service_key_nest(&mut w, key);
            put_dest_full(&mut w, d);
            cmd::SET_DEST
        }
        Op::DelDest {
            service,
            addr,
            port,
        } => {
            put_service_key_nest(&mut w, service);
            w.nest(cmd_attr::DEST, |n| {
                n.put_u16(dest_attr::ADDR_FAMILY, Family::of(addr).af());
                n.put(dest_attr::ADDR, &inet_addr(addr));
                n.put_be16(dest_attr::PORT, *port);
            });
            cmd::DEL_DEST
        }
        Op::Zero(key) => {
            if let Some(key) = key {
                put_service_key_nest(&mut w, key);
            }
            cmd::ZERO
        }
        Op::SetTimeouts(t) => {
            put_timeouts(&mut w, t);
            cmd::SET_CONFIG
        }
        Op::StartDaemon(d) => {
            put_daemon(&mut w, d)?;
            cmd::NEW_DAEMON
        }
        Op::StopDaemon(state) => {
            w.nest(cmd_attr::DAEMON, |n| {
                n.put_u32(daemon_attr::STATE, state.kernel_value())
            });
            cmd::DEL_DAEMON
        }
    };
    Ok(Request::new(command, w.as_bytes()))
}

/// GET_SERVICE for one service (doit).
pub fn get_service(key: &ServiceKey) -> Request {
    let mut w = NlaWriter::new();
    put_service_key_nest(&mut w, key);
    Request::new(cmd::GET_SERVICE, w.as_bytes())
}

/// GET_DEST dump of one service.
pub fn get_dests(key: &ServiceKey) -> Request {
    let mut w = NlaWriter::new();
    put_service_key_nest(&mut w, key);
    Request::new(cmd::GET_DEST, w.as_bytes())
}

/// A request without attributes (GET_INFO, GET_CONFIG, dumps of everything).
pub fn bare(command: u8) -> Request {
    Request::new(command, &[])
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::*;
    use crate::ipvs::model::{DaemonState, Forward, Protocol, TunnelType};

    fn vip() -> ServiceKey {
        ServiceKey::Addr {
            protocol: Protocol::Tcp,
            addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            port: 80,
        }
    }

    /// The SERVICE key attributes of tcp 192.0.2.1:80 (AF, PROTOCOL, ADDR, PORT).
    #[rustfmt::skip]
    const KEY_TCP_192_0_2_1_80: [u8; 44] = [
        6, 0, 1, 0,  2, 0, 0, 0,                       // AF = AF_INET
        6, 0, 2, 0,  6, 0, 0, 0,                       // PROTOCOL = 6
        20, 0, 3, 0, 192, 0, 2, 1, 0, 0, 0, 0,         // ADDR, 16 bytes
        0, 0, 0, 0, 0, 0, 0, 0,
        6, 0, 4, 0,  0, 80, 0, 0,                      // PORT 80, network order
    ];

    /// `ipvsadm -A -t 192.0.2.1:80 -s rr` as NEW_SERVICE.
    #[test]
    #[cfg(target_endian = "little")]
    fn new_service_bytes_match_the_layout() {
        let mut cfg = ServiceConfig::new(vip());
        cfg.scheduler = "rr".into();
        let req = encode_op(&Op::AddService(cfg)).unwrap();
        let mut want = vec![1, 1, 0, 0]; // cmd NEW_SERVICE, version 1
        want.extend_from_slice(&[84, 0, 1, 0x80]); // SERVICE | NLA_F_NESTED, len 84
        want.extend_from_slice(&KEY_TCP_192_0_2_1_80);
        #[rustfmt::skip]
        want.extend_from_slice(&[
            7, 0, 6, 0,  b'r', b'r', 0, 0,             // SCHED_NAME "rr\0" + pad
            12, 0, 7, 0, 0, 0, 0, 0, 255, 255, 255, 255, // FLAGS {0, mask ~0}
            8, 0, 8, 0,  0, 0, 0, 0,                   // TIMEOUT 0
            8, 0, 9, 0,  255, 255, 255, 255,           // NETMASK 255.255.255.255
        ]);
        assert_eq!(req.cmd, cmd::NEW_SERVICE);
        assert_eq!(req.payload, want);
    }

    /// `ipvsadm -a -t 192.0.2.1:80 -r 192.0.2.10:8080 -m -w 3` as NEW_DEST.
    #[test]
    #[cfg(target_endian = "little")]
    fn new_dest_bytes_match_the_layout() {
        let mut d = DestConfig::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)), 8080);
        d.forward = Forward::Masq;
        d.weight = 3;
        let req = encode_op(&Op::AddDest(vip(), d)).unwrap();
        let mut want = vec![5, 1, 0, 0];
        want.extend_from_slice(&[48, 0, 1, 0x80]);
        want.extend_from_slice(&KEY_TCP_192_0_2_1_80);
        want.extend_from_slice(&[96, 0, 2, 0x80]); // DEST | NLA_F_NESTED, len 96
        #[rustfmt::skip]
        want.extend_from_slice(&[
            6, 0, 11, 0, 2, 0, 0, 0,                   // ADDR_FAMILY AF_INET
            20, 0, 1, 0, 192, 0, 2, 10, 0, 0, 0, 0,    // ADDR
            0, 0, 0, 0, 0, 0, 0, 0,
            6, 0, 2, 0,  0x1f, 0x90, 0, 0,             // PORT 8080, network order
            8, 0, 3, 0,  0, 0, 0, 0,                   // FWD_METHOD masq
            8, 0, 4, 0,  3, 0, 0, 0,                   // WEIGHT 3
            5, 0, 13, 0, 0, 0, 0, 0,                   // TUN_TYPE ipip + pad
            6, 0, 14, 0, 0, 0, 0, 0,                   // TUN_PORT 0
            6, 0, 15, 0, 0, 0, 0, 0,                   // TUN_FLAGS nocsum
            8, 0, 5, 0,  0, 0, 0, 0,                   // U_THRESH
            8, 0, 6, 0,  0, 0, 0, 0,                   // L_THRESH
        ]);
        assert_eq!(req.payload, want);
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn ipv6_fwmark_service_carries_prefix_length_and_pe() {
        let mut cfg = ServiceConfig::new(ServiceKey::Fwmark {
            mark: 7,
            family: Family::Inet6,
        });
        cfg.flags = svc_flags::PERSISTENT | svc_flags::HASHED;
        cfg.timeout = 300;
        cfg.netmask = 64;
        cfg.pe_name = Some("sip".into());
        let req = encode_op(&Op::EditService(cfg)).unwrap();
        assert_eq!(req.cmd, cmd::SET_SERVICE);
        #[rustfmt::skip]
        let inner: &[u8] = &[
            6, 0, 1, 0,  10, 0, 0, 0,                  // AF_INET6
            8, 0, 5, 0,  7, 0, 0, 0,                   // FWMARK 7
            8, 0, 6, 0,  b'w', b'l', b'c', 0,          // SCHED_NAME "wlc"
            8, 0, 11, 0, b's', b'i', b'p', 0,          // PE_NAME "sip"
            12, 0, 7, 0, 1, 0, 0, 0, 255, 255, 255, 255, // FLAGS persistent, HASHED dropped
            8, 0, 8, 0,  44, 1, 0, 0,                  // TIMEOUT 300
            8, 0, 9, 0,  64, 0, 0, 0,                  // NETMASK /64 as a plain u32
        ];
        assert_eq!(&req.attrs()[4..], inner);
        assert_eq!(req.attrs()[..4], [(inner.len() + 4) as u8, 0, 1, 0x80]);
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn del_dest_and_zero_carry_only_keys() {
        let op = Op::DelDest {
            service: vip(),
            addr: IpAddr::V6(Ipv6Addr::LOCALHOST),
            port: 0,
        };
        let req = encode_op(&op).unwrap();
        assert_eq!(req.cmd, cmd::DEL_DEST);
        let dest = &req.attrs()[48..];
        assert_eq!(dest[..4], [4 + 8 + 20 + 8, 0, 2, 0x80]);
        assert_eq!(dest[4..12], [6, 0, 11, 0, 10, 0, 0, 0]);
        assert_eq!(dest[12 + 4 + 15], 1, "::1 ends in 1");
        assert_eq!(
            encode_op(&Op::Zero(None)).unwrap().payload,
            vec![16, 1, 0, 0]
        );
        let z = encode_op(&Op::Zero(Some(vip()))).unwrap();
        assert_eq!(&z.attrs()[4..], &KEY_TCP_192_0_2_1_80);
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn daemon_and_timeouts_layout() {
        let d = Daemon {
            state: DaemonState::Backup,
            mcast_ifn: "eth0".into(),
            syncid: 9,
            sync_maxlen: None,
            mcast_group: Some(IpAddr::V4(Ipv4Addr::new(224, 0, 0, 81))),
            mcast_port: Some(8848),
            mcast_ttl: None,
        };
        let req = encode_op(&Op::StartDaemon(d)).unwrap();
        #[rustfmt::skip]
        let want: &[u8] = &[
            9, 1, 0, 0,
            48, 0, 3, 0x80,
            8, 0, 1, 0,  2, 0, 0, 0,                   // STATE backup
            9, 0, 2, 0,  b'e', b't', b'h', b'0', 0, 0, 0, 0, // MCAST_IFN
            8, 0, 3, 0,  9, 0, 0, 0,                   // SYNC_ID
            6, 0, 7, 0,  0x90, 0x22, 0, 0,             // MCAST_PORT 8848 host order
            8, 0, 5, 0,  224, 0, 0, 81,                // MCAST_GROUP
        ];
        assert_eq!(req.payload, want);
        let t = Timeouts {
            tcp: 900,
            tcp_fin: 120,
            udp: 0,
        };
        let req = encode_op(&Op::SetTimeouts(t)).unwrap();
        #[rustfmt::skip]
        assert_eq!(req.payload, [
            12, 1, 0, 0,
            8, 0, 4, 0, 0x84, 3, 0, 0,
            8, 0, 5, 0, 120, 0, 0, 0,
            8, 0, 6, 0, 0, 0, 0, 0,
        ]);
    }

    #[test]
    fn names_are_checked_against_kernel_limits() {
        let mut cfg = ServiceConfig::new(vip());
        cfg.scheduler = "a".repeat(16);
        let e = encode_op(&Op::AddService(cfg.clone())).unwrap_err();
        assert!(matches!(
            e,
            EncodeError::NameTooLong {
                field: "scheduler",
                max: 15,
                ..
            }
        ));
        cfg.scheduler = "a".repeat(15);
        assert!(encode_op(&Op::AddService(cfg.clone())).is_ok());
        cfg.pe_name = Some("s\0p".into());
        let e = encode_op(&Op::AddService(cfg.clone())).unwrap_err();
        assert!(matches!(
            e,
            EncodeError::NameHasNul {
                field: "persistence engine",
                ..
            }
        ));
        cfg.pe_name = None;
        cfg.scheduler.clear();
        assert!(matches!(
            encode_op(&Op::EditService(cfg)).unwrap_err(),
            EncodeError::NameEmpty { field: "scheduler" }
        ));
        let tunnel = DestConfig {
            tun_type: TunnelType::Gue,
            ..DestConfig::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 1)
        };
        assert!(encode_op(&Op::EditDest(vip(), tunnel)).is_ok());
    }
}
