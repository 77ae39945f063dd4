//! IPv6 VRRP sockets (next header 112): one receiver per interface, joined to ff02::12 and
//! asking for the hop limit and destination of each packet (a raw IPv6 socket hands over no
//! IPv6 header), and one sender per instance, bound to its source (the link-local address),
//! hop limit 255, with `IPV6_CHECKSUM` so the kernel fills in the pseudo-header checksum.
//!
//! The receiver leaves checksum verification to the core (`checks`), so a bad checksum is
//! counted per instance instead of silently dropped by the kernel.

use std::io;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv6Addr, SocketAddrV6};
use std::os::fd::AsRawFd;

use socket2::{Domain, Protocol, SockFilter, Socket, Type};
use tokio::io::unix::AsyncFd;

use super::packet::Packet;
use super::socket4::IPPROTO_VRRP;

/// Offset of the checksum in a VRRP message.
const CHECKSUM_OFFSET: libc::c_int = 6;

fn raw() -> io::Result<Socket> {
    let s = Socket::new(
        Domain::IPV6,
        Type::RAW.cloexec(),
        Some(Protocol::from(IPPROTO_VRRP)),
    )?;
    s.set_nonblocking(true)?;
    Ok(s)
}

fn set_int(s: &Socket, opt: libc::c_int, value: libc::c_int) -> io::Result<()> {
    // SAFETY: `value` is a valid int for the length passed.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::IPPROTO_IPV6,
            opt,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The scope a link-local address needs to be usable on `ifindex`.
fn scope(addr: &Ipv6Addr, ifindex: u32) -> u32 {
    if addr.segments()[0] & 0xffc0 == 0xfe80 || addr.is_multicast() {
        ifindex
    } else {
        0
    }
}

/// The receiving socket of one interface: every VRRP packet to ff02::12 or to one of our
/// addresses arriving on it.
pub struct Rx6 {
    fd: AsyncFd<Socket>,
}

impl Rx6 {
    /// Opens the receiver on `ifname`, joined to `group` (ff02::12 or `vrrp_mcast_group6`).
    pub fn open(ifname: &str, ifindex: u32, group: Ipv6Addr) -> io::Result<Rx6> {
        let s = raw()?;
        s.bind_device(Some(ifname.as_bytes()))?;
        // Only the groups this socket joined, not every group joined on the host.
        s.set_multicast_all_v6(false)?;
        s.join_multicast_v6(&group, ifindex)?;
        s.set_recv_hoplimit_v6(true)?;
        set_int(&s, libc::IPV6_RECVPKTINFO, 1)?;
        // SAFETY: the Socket owns its descriptor for its whole life inside the AsyncFd.
        let fd = unsafe { AsyncFd::register(s) }?;
        Ok(Rx6 { fd })
    }

    /// Waits for the next packet that came with its hop limit and destination.
    pub async fn recv(&self) -> io::Result<Packet> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|s| recv_one(s.get_ref())) {
                Ok(Ok(Some(p))) => return Ok(p),
                Ok(Ok(None)) => continue,
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
    }
}

/// One `recvmsg`; `None` when the control data lacked the hop limit or destination.
fn recv_one(s: &Socket) -> io::Result<Option<Packet>> {
    let mut buf = [MaybeUninit::<u8>::uninit(); 2048];
    // u64 keeps the control buffer aligned for cmsghdr.
    let mut control = [0u64; 32];
    // SAFETY: all-zero is a valid sockaddr_in6 and msghdr.
    let mut from: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&mut from as *mut libc::sockaddr_in6).cast();
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: every pointer in `msg` is valid for the lengths given.
    let n = unsafe { libc::recvmsg(s.as_raw_fd(), &mut msg, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = n as usize;
    let mut hops = None;
    let mut dst = None;
    // SAFETY: the CMSG_* walk stays inside the control buffer the kernel filled.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            let h = &*c;
            if h.cmsg_level == libc::IPPROTO_IPV6 {
                let data = libc::CMSG_DATA(c);
                if h.cmsg_type == libc::IPV6_HOPLIMIT {
                    let v = std::ptr::read_unaligned(data.cast::<libc::c_int>());
                    hops = u8::try_from(v).ok();
                } else if h.cmsg_type == libc::IPV6_PKTINFO {
                    let info = std::ptr::read_unaligned(data.cast::<libc::in6_pktinfo>());
                    dst = Some(Ipv6Addr::from(info.ipi6_addr.s6_addr));
                }
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    let (Some(ttl), Some(dst)) = (hops, dst) else {
        tracing::debug!(
            len = n,
            "dropped an IPv6 packet without hop limit or destination"
        );
        return Ok(None);
    };
    if msg.msg_flags & libc::MSG_TRUNC != 0 {
        tracing::debug!(len = n, "dropped a truncated IPv6 packet");
        return Ok(None);
    }
    // SAFETY: recvmsg initialised the first `n` bytes.
    let bytes: &[u8] = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast(), n) };
    Ok(Some(Packet {
        src: IpAddr::V6(Ipv6Addr::from(from.sin6_addr.s6_addr)),
        dst: IpAddr::V6(dst),
        ttl,
        payload: bytes.to_vec(),
    }))
}

/// The sending socket of one instance.
pub struct Tx6 {
    s: Socket,
    ifindex: u32,
}

impl Tx6 {
    /// Opens the sender on `ifname` (index `ifindex`), bound to `src`.
    pub fn open(ifname: &str, ifindex: u32, src: Ipv6Addr) -> io::Result<Tx6> {
        let s = raw()?;
        s.bind_device(Some(ifname.as_bytes()))?;
        s.set_multicast_hops_v6(255)?;
        s.set_unicast_hops_v6(255)?;
        s.set_multicast_loop_v6(false)?;
        s.set_multicast_if_v6(ifindex)?;
        set_int(&s, libc::IPV6_CHECKSUM, CHECKSUM_OFFSET)?;
        // A link-local address still in duplicate address detection cannot be bound without
        // this; adverts start going out as soon as it is usable.
        s.set_freebind_v6(true)?;
        s.bind(&SocketAddrV6::new(src, 0, 0, scope(&src, ifindex)).into())?;
        // The sender never reads: drop whatever the kernel would queue for it.
        s.attach_filter(&[SockFilter::new(0x06, 0, 0, 0)])?;
        Ok(Tx6 { s, ifindex })
    }

    /// Sends one encoded advert to `dst` (the kernel writes the IPv6 header and checksum).
    pub fn send_to(&self, payload: &[u8], dst: Ipv6Addr) -> io::Result<()> {
        let to = SocketAddrV6::new(dst, 0, 0, scope(&dst, self.ifindex));
        self.s.send_to(payload, &to.into())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vrrp::advert::GROUP_V6;

    #[test]
    fn link_local_and_multicast_get_the_interface_scope() {
        let ll: Ipv6Addr = "fe80::1".parse().expect("address");
        let global: Ipv6Addr = "2001:db8::1".parse().expect("address");
        assert_eq!(scope(&ll, 7), 7);
        assert_eq!(scope(&GROUP_V6, 7), 7);
        assert_eq!(scope(&global, 7), 0);
    }
}
