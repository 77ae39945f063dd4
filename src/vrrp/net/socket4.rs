//! IPv4 VRRP sockets: one to receive (joined to 224.0.0.18 on one interface, or open to
//! unicast peers) and one to send (source bound, TTL 255, TOS 0xc0, loop off).
//!
//! Two sockets because a raw socket bound to a local address only receives packets sent to
//! that address: the receiver is bound to the group, the sender to our primary address so
//! the v3 pseudo-header source is the one we checksummed.

use std::io;
use std::mem::MaybeUninit;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::AsRawFd;

use socket2::{Domain, InterfaceIndexOrAddress, Protocol, SockFilter, Socket, Type};
use tokio::io::unix::AsyncFd;

use super::ipv4;
use crate::vrrp::advert::GROUP_V4;

/// IANA protocol number of VRRP.
pub const IPPROTO_VRRP: i32 = 112;

/// Where adverts go: the group, or each unicast peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peers {
    Multicast,
    Unicast(Vec<Ipv4Addr>),
}

/// One received packet, addresses and TTL from its IPv4 header.
#[derive(Debug, Clone)]
pub struct Packet {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub ttl: u8,
    pub payload: Vec<u8>,
}

pub struct Socket4 {
    rx: AsyncFd<Socket>,
    tx: Socket,
    peers: Peers,
}

fn raw() -> io::Result<Socket> {
    let s = Socket::new(
        Domain::IPV4,
        Type::RAW.cloexec(),
        Some(Protocol::from(IPPROTO_VRRP)),
    )?;
    s.set_nonblocking(true)?;
    Ok(s)
}

/// `IP_MULTICAST_IF` by interface index (`ip_mreqn`), not by an address that may move.
fn multicast_if_index(s: &Socket, ifindex: u32) -> io::Result<()> {
    let mreq = libc::ip_mreqn {
        imr_multiaddr: libc::in_addr { s_addr: 0 },
        imr_address: libc::in_addr { s_addr: 0 },
        imr_ifindex: ifindex as libc::c_int,
    };
    // SAFETY: `mreq` is a valid ip_mreqn for the length passed.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_IF,
            (&mreq as *const libc::ip_mreqn).cast(),
            std::mem::size_of::<libc::ip_mreqn>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl Socket4 {
    /// Opens both sockets on `ifname` (index `ifindex`), sending from `src`.
    pub fn open(ifname: &str, ifindex: u32, src: Ipv4Addr, peers: Peers) -> io::Result<Socket4> {
        Self::open_split((ifname, ifindex), (ifname, ifindex), src, peers)
    }

    /// Receives on `rx` and sends from `tx` (`use_vmac`: adverts leave from the vmac with the
    /// virtual MAC, while they are heard on the base interface).
    pub fn open_split(
        rx_if: (&str, u32),
        tx_if: (&str, u32),
        src: Ipv4Addr,
        peers: Peers,
    ) -> io::Result<Socket4> {
        let (ifname, ifindex) = rx_if;
        let rx = raw()?;
        rx.bind_device(Some(ifname.as_bytes()))?;
        if peers == Peers::Multicast {
            // Without this the kernel delivers every group any socket on the host joined.
            rx.set_multicast_all_v4(false)?;
            rx.join_multicast_v4_n(&GROUP_V4, &InterfaceIndexOrAddress::Index(ifindex))?;
            rx.bind(&SocketAddrV4::new(GROUP_V4, 0).into())?;
        }

        let (ifname, ifindex) = tx_if;
        let tx = raw()?;
        tx.bind_device(Some(ifname.as_bytes()))?;
        tx.set_multicast_ttl_v4(255)?;
        tx.set_ttl_v4(255)?;
        tx.set_tos_v4(0xc0)?;
        tx.set_multicast_loop_v4(false)?;
        multicast_if_index(&tx, ifindex)?;
        tx.bind(&SocketAddrV4::new(src, 0).into())?;
        // The sender never reads: drop whatever the kernel would queue for it.
        tx.attach_filter(&[SockFilter::new(0x06, 0, 0, 0)])?;

        // SAFETY: the Socket owns its descriptor for its whole life inside the AsyncFd.
        let rx = unsafe { AsyncFd::register(rx) }?;
        Ok(Socket4 { rx, tx, peers })
    }

    pub fn peers(&self) -> &Peers {
        &self.peers
    }

    /// Destinations of one advert.
    pub fn destinations(&self) -> Vec<Ipv4Addr> {
        match &self.peers {
            Peers::Multicast => vec![GROUP_V4],
            Peers::Unicast(p) => p.clone(),
        }
    }

    /// Sends one encoded advert to `dst` (the kernel writes the IPv4 header).
    pub fn send_to(&self, payload: &[u8], dst: Ipv4Addr) -> io::Result<()> {
        self.tx
            .send_to(payload, &SocketAddrV4::new(dst, 0).into())?;
        Ok(())
    }

    /// Waits for the next IPv4 packet that parses; malformed ones are skipped.
    pub async fn recv(&self) -> io::Result<Packet> {
        let mut buf = [MaybeUninit::<u8>::uninit(); 2048];
        loop {
            let mut guard = self.rx.readable().await?;
            let n = match guard.try_io(|s| s.get_ref().recv(&mut buf)) {
                Ok(r) => r?,
                Err(_would_block) => continue,
            };
            // SAFETY: recv initialised the first `n` bytes.
            let bytes: &[u8] = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), n) };
            let Some(h) = ipv4::parse(bytes) else {
                tracing::debug!(len = n, "dropped a packet that is not a whole IPv4 packet");
                continue;
            };
            if let Peers::Unicast(p) = &self.peers {
                if !p.contains(&h.src) {
                    tracing::debug!(src = %h.src, "dropped VRRP from a host that is no peer");
                    continue;
                }
            }
            return Ok(Packet {
                src: h.src,
                dst: h.dst,
                ttl: h.ttl,
                payload: bytes[h.payload].to_vec(),
            });
        }
    }
}
