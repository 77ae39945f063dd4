//! Virtual addresses through rtnetlink (neli): add, remove, and watch address events so a
//! VIP deleted behind the engine's back is noticed.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use neli::consts::nl::NlmF;
use neli::consts::rtnl::{Ifa, IfaF, RtAddrFamily, RtScope, Rtm};
use neli::router::asynchronous::NlRouter;
use neli::rtnl::{Ifaddrmsg, IfaddrmsgBuilder, RtattrBuilder};
use neli::types::{Buffer, RtBuffer};
use tokio::sync::broadcast;

use super::rtnl;

/// An address appeared or went away on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrEvent {
    Added {
        ifindex: u32,
        addr: IpAddr,
    },
    Removed {
        ifindex: u32,
        addr: IpAddr,
    },
    /// The kernel dropped events (ENOBUFS): a removal may have gone unseen, so the
    /// addresses must be read again.
    Resync,
}

/// The rtnetlink socket used for VIP changes.
pub struct Vips {
    router: NlRouter,
}

fn message(ifindex: u32, addr: IpAddr, prefix: u8) -> io::Result<Ifaddrmsg> {
    let (family, bytes, flags) = match addr {
        IpAddr::V4(a) => (RtAddrFamily::Inet, a.octets().to_vec(), IfaF::empty()),
        // No duplicate address detection: the VIP must answer at once after a takeover.
        IpAddr::V6(a) => (RtAddrFamily::Inet6, a.octets().to_vec(), IfaF::NODAD),
    };
    let mut attrs = RtBuffer::new();
    for kind in [Ifa::Local, Ifa::Address] {
        attrs.push(
            RtattrBuilder::default()
                .rta_type(kind)
                .rta_payload(Buffer::from(bytes.clone()))
                .build()
                .map_err(rtnl::other)?,
        );
    }
    IfaddrmsgBuilder::default()
        .ifa_family(family)
        .ifa_prefixlen(prefix)
        .ifa_flags(flags)
        .ifa_scope(RtScope::Universe)
        .ifa_index(ifindex)
        .rtattrs(attrs)
        .build()
        .map_err(rtnl::other)
}

/// Reads the address of an address message (IFA_LOCAL, else IFA_ADDRESS).
fn address_of(msg: &Ifaddrmsg) -> Option<IpAddr> {
    let find = |kind: Ifa| {
        msg.rtattrs()
            .iter()
            .find(|a| *a.rta_type() == kind)
            .map(|a| a.rta_payload().as_ref().to_vec())
    };
    let bytes = find(Ifa::Local).or_else(|| find(Ifa::Address))?;
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes.as_slice())
            .ok()
            .map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        16 => <[u8; 16]>::try_from(bytes.as_slice())
            .ok()
            .map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        _ => None,
    }
}

impl Vips {
    pub async fn open() -> io::Result<Vips> {
        Ok(Vips {
            router: rtnl::connect().await?,
        })
    }

    /// Adds `addr/prefix` on `ifindex`; already present counts as done.
    pub async fn add(&self, ifindex: u32, addr: IpAddr, prefix: u8) -> io::Result<()> {
        self.request(
            Rtm::Newaddr,
            NlmF::CREATE | NlmF::REPLACE,
            ifindex,
            addr,
            prefix,
        )
        .await
        .or_else(|e| rtnl::ok_if(e, libc::EEXIST))
    }

    /// Removes `addr/prefix` from `ifindex`; already absent counts as done.
    pub async fn remove(&self, ifindex: u32, addr: IpAddr, prefix: u8) -> io::Result<()> {
        self.request(Rtm::Deladdr, NlmF::empty(), ifindex, addr, prefix)
            .await
            .or_else(|e| rtnl::ok_if(e, libc::EADDRNOTAVAIL))
    }

    async fn request(
        &self,
        ty: Rtm,
        flags: NlmF,
        ifindex: u32,
        addr: IpAddr,
        prefix: u8,
    ) -> io::Result<()> {
        rtnl::request(&self.router, ty, flags, message(ifindex, addr, prefix)?).await
    }
}

/// The event an RTM_NEWADDR / RTM_DELADDR message stands for.
fn event_of(ty: &Rtm, msg: &Ifaddrmsg) -> Option<AddrEvent> {
    let addr = address_of(msg)?;
    let ifindex = *msg.ifa_index();
    match ty {
        Rtm::Newaddr => Some(AddrEvent::Added { ifindex, addr }),
        Rtm::Deladdr => Some(AddrEvent::Removed { ifindex, addr }),
        _ => None,
    }
}

/// Watches IPv4 and IPv6 address events and broadcasts them until the socket fails for
/// another reason than an overrun; a lost event becomes [`AddrEvent::Resync`].
pub async fn monitor() -> io::Result<broadcast::Sender<AddrEvent>> {
    super::rtnl_monitor::spawn(
        "address",
        &[libc::RTNLGRP_IPV4_IFADDR, libc::RTNLGRP_IPV6_IFADDR],
        event_of,
        AddrEvent::Resync,
    )
}

/// The VIPs (interface, address) a dump of the interfaces' addresses lacks.
pub fn missing<'a, K: PartialEq + 'a>(
    wanted: impl IntoIterator<Item = (K, IpAddr)>,
    present: &'a [(K, IpAddr)],
) -> Vec<(K, IpAddr)> {
    wanted
        .into_iter()
        .filter(|(k, a)| !present.iter().any(|(pk, pa)| pk == k && pa == a))
        .collect()
}

/// The (interface, address) pairs not configured now, read from the interfaces
/// (getifaddrs). An interface that cannot be read is logged and its pairs left out: adding
/// to it would fail too.
pub fn absent(wanted: Vec<(String, IpAddr)>) -> Vec<(String, IpAddr)> {
    let mut present: Vec<(String, IpAddr)> = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    let mut read: Vec<&str> = Vec::new();
    for (dev, _) in &wanted {
        if read.contains(&dev.as_str()) {
            continue;
        }
        read.push(dev);
        // getifaddrs lists nothing for a missing interface: ask for its index first.
        match super::iface::index(dev).and_then(|_| super::iface::addresses(dev)) {
            Ok(addrs) => present.extend(addrs.into_iter().map(|a| (dev.clone(), a))),
            Err(e) => {
                tracing::warn!("reading the addresses of {dev}: {e}");
                unreadable.push(dev.clone());
            }
        }
    }
    let readable: Vec<(String, IpAddr)> = wanted
        .iter()
        .filter(|(d, _)| !unreadable.contains(d))
        .cloned()
        .collect();
    missing(readable, &present)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_compares_interface_and_address() {
        let a: IpAddr = "198.51.100.10".parse().expect("ip");
        let b: IpAddr = "2001:db8::10".parse().expect("ip");
        let present = vec![("veth0", a), ("veth1", b)];
        // Present on the right interface: nothing to do.
        assert!(missing([("veth0", a), ("veth1", b)], &present).is_empty());
        // The same address on another interface does not count.
        assert_eq!(missing([("veth1", a)], &present), vec![("veth1", a)]);
        // Gone entirely.
        assert_eq!(
            missing([("veth0", a), ("veth0", b)], &[("veth0", a)]),
            vec![("veth0", b)]
        );
        assert!(missing(Vec::<(&str, IpAddr)>::new(), &present).is_empty());
    }

    #[test]
    fn absent_reads_the_real_interfaces() {
        let lo = "lo".to_string();
        let here: IpAddr = "127.0.0.1".parse().expect("ip");
        let gone: IpAddr = "198.51.100.251".parse().expect("ip");
        let wanted = vec![
            (lo.clone(), here),
            (lo.clone(), gone),
            ("vvs-no-such-if".to_string(), gone),
        ];
        // getifaddrs found 127.0.0.1 on lo; the unknown interface is left out.
        assert_eq!(absent(wanted), vec![(lo, gone)]);
    }

    #[test]
    fn address_messages_become_events() {
        let a: IpAddr = "198.51.100.10".parse().expect("ip");
        let m = message(7, a, 24).expect("msg");
        assert_eq!(
            event_of(&Rtm::Newaddr, &m),
            Some(AddrEvent::Added {
                ifindex: 7,
                addr: a
            })
        );
        assert_eq!(
            event_of(&Rtm::Deladdr, &m),
            Some(AddrEvent::Removed {
                ifindex: 7,
                addr: a
            })
        );
        assert_eq!(event_of(&Rtm::Newlink, &m), None);
    }
}
