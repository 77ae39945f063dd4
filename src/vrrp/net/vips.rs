//! Virtual addresses through rtnetlink (neli): add, remove, and watch address events so a
//! VIP deleted behind the engine's back is noticed.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use neli::consts::nl::NlmF;
use neli::consts::rtnl::{Ifa, IfaF, RtAddrFamily, RtScope, Rtm};
use neli::consts::socket::NlFamily;
use neli::nl::NlPayload;
use neli::router::asynchronous::{NlRouter, NlRouterReceiverHandle};
use neli::rtnl::{Ifaddrmsg, IfaddrmsgBuilder, RtattrBuilder};
use neli::types::{Buffer, RtBuffer};
use neli::utils::Groups;
use tokio::sync::broadcast;

/// An address appeared or went away on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrEvent {
    Added { ifindex: u32, addr: IpAddr },
    Removed { ifindex: u32, addr: IpAddr },
}

/// The rtnetlink socket used for VIP changes.
pub struct Vips {
    router: NlRouter,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
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
                .map_err(other)?,
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
        .map_err(other)
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
        let (router, _) = NlRouter::connect(NlFamily::Route, None, Groups::empty())
            .await
            .map_err(other)?;
        Ok(Vips { router })
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
        .or_else(|e| ok_if(e, libc::EEXIST))
    }

    /// Removes `addr/prefix` from `ifindex`; already absent counts as done.
    pub async fn remove(&self, ifindex: u32, addr: IpAddr, prefix: u8) -> io::Result<()> {
        self.request(Rtm::Deladdr, NlmF::empty(), ifindex, addr, prefix)
            .await
            .or_else(|e| ok_if(e, libc::EADDRNOTAVAIL))
    }

    async fn request(
        &self,
        ty: Rtm,
        flags: NlmF,
        ifindex: u32,
        addr: IpAddr,
        prefix: u8,
    ) -> io::Result<()> {
        let msg = message(ifindex, addr, prefix)?;
        let mut rx: NlRouterReceiverHandle<Rtm, Ifaddrmsg> = self
            .router
            .send(ty, flags | NlmF::ACK, NlPayload::Payload(msg))
            .await
            .map_err(other)?;
        while let Some(r) = rx.next::<Rtm, Ifaddrmsg>().await {
            if let Err(e) = r {
                return Err(match e {
                    neli::err::RouterError::Nlmsgerr(m) => {
                        io::Error::from_raw_os_error(m.error().abs())
                    }
                    e => other(e),
                });
            }
        }
        Ok(())
    }
}

fn ok_if(e: io::Error, errno: i32) -> io::Result<()> {
    if e.raw_os_error() == Some(errno) {
        Ok(())
    } else {
        Err(e)
    }
}

/// Watches IPv4 and IPv6 address events and broadcasts them until the socket fails.
pub async fn monitor() -> io::Result<broadcast::Sender<AddrEvent>> {
    let groups = Groups::new_groups(&[libc::RTNLGRP_IPV4_IFADDR, libc::RTNLGRP_IPV6_IFADDR]);
    let (router, mut events) = NlRouter::connect(NlFamily::Route, None, groups)
        .await
        .map_err(other)?;
    let (tx, _) = broadcast::channel(256);
    let out = tx.clone();
    tokio::spawn(async move {
        // The router's background reader lives as long as `router`.
        let _router = router;
        while let Some(r) = events.next::<Rtm, Ifaddrmsg>().await {
            let msg = match r {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!("address monitor stopped: {e}");
                    break;
                }
            };
            let NlPayload::Payload(p) = msg.nl_payload() else {
                continue;
            };
            let Some(addr) = address_of(p) else { continue };
            let ifindex = *p.ifa_index();
            let ev = match msg.nl_type() {
                Rtm::Newaddr => AddrEvent::Added { ifindex, addr },
                Rtm::Deladdr => AddrEvent::Removed { ifindex, addr },
                _ => continue,
            };
            // No subscriber is fine: nobody is master.
            let _ = out.send(ev);
        }
    });
    Ok(tx)
}
