//! IPv4 VRRP sockets: one receiver per interface (joined to 224.0.0.18, unbound so unicast
//! adverts reach it too) and one sender per instance (source bound, TTL 255, TOS 0xc0, loop
//! off).
//!
//! Separate sockets because a raw socket bound to a local address only receives packets sent
//! to that address: the sender is bound to our primary address so the v3 pseudo-header source
//! is the one we checksummed, the receiver is not bound at all.

use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, SocketAddrV4};
use std::os::fd::AsRawFd;

use socket2::{Domain, InterfaceIndexOrAddress, Protocol, SockFilter, Socket, Type};
use tokio::io::unix::AsyncFd;

use super::ipv4;
use super::packet::Packet;

/// IANA protocol number of VRRP.
pub const IPPROTO_VRRP: i32 = 112;

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

/// The receiving socket of one interface: every VRRP packet to 224.0.0.18 or to one of our
/// addresses arriving on it (unbound, so unicast adverts reach it too).
pub struct Rx4 {
    fd: AsyncFd<Socket>,
}

impl Rx4 {
    /// Opens the receiver on `ifname`, joined to `group` (224.0.0.18 or `vrrp_mcast_group4`).
    pub fn open(ifname: &str, ifindex: u32, group: Ipv4Addr) -> io::Result<Rx4> {
        let s = raw()?;
        s.bind_device(Some(ifname.as_bytes()))?;
        // Without this the kernel delivers every group any socket on the host joined.
        s.set_multicast_all_v4(false)?;
        s.join_multicast_v4_n(&group, &InterfaceIndexOrAddress::Index(ifindex))?;
        // SAFETY: the Socket owns its descriptor for its whole life inside the AsyncFd.
        let fd = unsafe { AsyncFd::register(s) }?;
        Ok(Rx4 { fd })
    }

    /// Waits for the next IPv4 packet that parses; malformed ones are skipped.
    pub async fn recv(&self) -> io::Result<Packet> {
        let mut buf = [MaybeUninit::<u8>::uninit(); 2048];
        loop {
            let mut guard = self.fd.readable().await?;
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
            return Ok(Packet {
                src: IpAddr::V4(h.src),
                dst: IpAddr::V4(h.dst),
                ttl: h.ttl,
                payload: bytes[h.payload].to_vec(),
            });
        }
    }
}

/// The sending socket of one instance: source bound, TTL 255, TOS 0xc0, loop off.
pub struct Tx4 {
    s: Socket,
}

impl Tx4 {
    /// Opens the sender on `ifname` (index `ifindex`), sending from `src`.
    pub fn open(ifname: &str, ifindex: u32, src: Ipv4Addr) -> io::Result<Tx4> {
        let s = raw()?;
        s.bind_device(Some(ifname.as_bytes()))?;
        s.set_multicast_ttl_v4(255)?;
        s.set_ttl_v4(255)?;
        s.set_tos_v4(0xc0)?;
        s.set_multicast_loop_v4(false)?;
        multicast_if_index(&s, ifindex)?;
        s.bind(&SocketAddrV4::new(src, 0).into())?;
        // The sender never reads: drop whatever the kernel would queue for it.
        s.attach_filter(&[SockFilter::new(0x06, 0, 0, 0)])?;
        Ok(Tx4 { s })
    }

    /// Sends one encoded advert to `dst` (the kernel writes the IPv4 header).
    pub fn send_to(&self, payload: &[u8], dst: Ipv4Addr) -> io::Result<()> {
        self.s.send_to(payload, &SocketAddrV4::new(dst, 0).into())?;
        Ok(())
    }
}
