//! What an instance sends with: its source address (as keepalived picks it) and its own
//! sending socket, bound to that source. Receiving is shared per interface (`receiver`).

use std::net::IpAddr;

use anyhow::Context;

use super::spec::Spec;
use crate::linux::iface;
use crate::linux::vrrp_socket::socket4::Tx4;
use crate::linux::vrrp_socket::socket6::Tx6;
use crate::vrrp::Family;

/// The advert source: `unicast_src_ip`/`mcast_src_ip`, else the interface's primary IPv4
/// address (not a VIP) or its IPv6 link-local address, as keepalived picks them.
pub fn source(spec: &Spec, family: Family) -> anyhow::Result<IpAddr> {
    let name = &spec.name;
    if let Some(a) = spec.src {
        return Ok(a);
    }
    let found = match family {
        Family::V4 => {
            let vips: Vec<IpAddr> = spec.vips.iter().map(|v| v.addr).collect();
            iface::primary_v4(&spec.interface, &vips).map(IpAddr::V4)
        }
        Family::V6 => iface::link_local_v6(&spec.interface).map(IpAddr::V6),
    };
    found.with_context(|| format!("vrrp_instance {name}"))
}

/// Opens a gratuitous ARP / NA socket on the interface's MAC; without one the instance runs,
/// with a warning, as keepalived does.
pub fn announcer<T>(
    name: &str,
    ifname: &str,
    what: &str,
    mac: &std::io::Result<[u8; 6]>,
    open: impl FnOnce([u8; 6]) -> std::io::Result<T>,
) -> Option<T> {
    let r = match mac {
        Ok(m) => open(*m),
        Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
    };
    r.map_err(|e| tracing::warn!("VRRP_Instance({name}) no {what} on {ifname}: {e}"))
        .ok()
}

/// The instance's own sending socket, bound to its source.
pub enum Sender {
    V4(Tx4),
    V6(Tx6),
}

impl Sender {
    pub fn open(ifname: &str, ifindex: u32, src: IpAddr) -> std::io::Result<Sender> {
        Ok(match src {
            IpAddr::V4(a) => Sender::V4(Tx4::open(ifname, ifindex, a)?),
            IpAddr::V6(a) => Sender::V6(Tx6::open(ifname, ifindex, a)?),
        })
    }

    pub fn send_to(&self, payload: &[u8], dst: IpAddr) -> std::io::Result<()> {
        match (self, dst) {
            (Sender::V4(s), IpAddr::V4(d)) => s.send_to(payload, d),
            (Sender::V6(s), IpAddr::V6(d)) => s.send_to(payload, d),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{dst} is not of the instance's family"),
            )),
        }
    }
}
