//! Send-only AF_PACKET sockets for whole Ethernet frames (gratuitous ARP, unsolicited NA):
//! the neighbour announcements need a frame the IP stack would not build.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// A raw packet socket bound to no interface; `protocol` in host order (ETH_P_*), or 0 for
/// one that receives nothing.
pub fn open(protocol: u16) -> io::Result<OwnedFd> {
    // SAFETY: plain socket(2); the descriptor is owned right below.
    let fd = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
            i32::from(protocol.to_be()),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is fresh and ours.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Sends `frame` (Ethernet header included) out of `ifindex` to `dst_mac`; `protocol` in
/// host order.
pub fn send_frame(
    fd: &OwnedFd,
    ifindex: u32,
    protocol: u16,
    dst_mac: [u8; 6],
    frame: &[u8],
) -> io::Result<()> {
    // SAFETY: sockaddr_ll is plain old data; all-zero is valid.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = protocol.to_be();
    sll.sll_ifindex = ifindex as i32;
    sll.sll_halen = 6;
    sll.sll_addr[..6].copy_from_slice(&dst_mac);
    // SAFETY: `frame` and `sll` are valid for the lengths passed.
    let rc = unsafe {
        libc::sendto(
            fd.as_raw_fd(),
            frame.as_ptr().cast(),
            frame.len(),
            0,
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
