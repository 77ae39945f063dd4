//! Gratuitous ARP on becoming master, so switches and neighbours learn where the VIP moved:
//! an ARP request with sender = target = VIP, broadcast, as keepalived sends it.

use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};

use super::packet_socket;

const ETH_P_ARP: u16 = 0x0806;

/// The 42-byte Ethernet frame of a gratuitous ARP for `vip` from `mac`.
pub fn frame(mac: [u8; 6], vip: Ipv4Addr) -> [u8; 42] {
    let mut f = [0u8; 42];
    f[0..6].copy_from_slice(&[0xff; 6]);
    f[6..12].copy_from_slice(&mac);
    f[12..14].copy_from_slice(&ETH_P_ARP.to_be_bytes());
    // Ethernet, IPv4, hardware length 6, protocol length 4, request.
    f[14..22].copy_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
    f[22..28].copy_from_slice(&mac);
    f[28..32].copy_from_slice(&vip.octets());
    f[32..38].copy_from_slice(&[0xff; 6]);
    f[38..42].copy_from_slice(&vip.octets());
    f
}

/// An AF_PACKET socket on one interface.
pub struct Garp {
    fd: OwnedFd,
    ifindex: u32,
    mac: [u8; 6],
}

impl Garp {
    pub fn open(ifindex: u32, mac: [u8; 6]) -> io::Result<Garp> {
        let fd = packet_socket::open(ETH_P_ARP)?;
        // Sending only: a filter that accepts nothing keeps the receive queue empty.
        let zero = libc::sock_filter {
            code: 0x06,
            jt: 0,
            jf: 0,
            k: 0,
        };
        let prog = libc::sock_fprog {
            len: 1,
            filter: &zero as *const libc::sock_filter as *mut libc::sock_filter,
        };
        // SAFETY: `prog` points at one valid instruction for the duration of the call.
        let rc = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_ATTACH_FILTER,
                (&prog as *const libc::sock_fprog).cast(),
                std::mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Garp { fd, ifindex, mac })
    }

    pub fn send(&self, vip: Ipv4Addr) -> io::Result<()> {
        let f = frame(self.mac, vip);
        packet_socket::send_frame(&self.fd, self.ifindex, ETH_P_ARP, [0xff; 6], &f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_is_a_broadcast_arp_request_for_the_vip() {
        let mac = [2, 0, 0, 0, 0, 1];
        let f = frame(mac, Ipv4Addr::new(192, 0, 2, 100));
        assert_eq!(&f[..6], &[0xff; 6]);
        assert_eq!(&f[6..12], &mac);
        assert_eq!(&f[12..14], &[8, 6]);
        assert_eq!(&f[20..22], &[0, 1], "opcode: request");
        assert_eq!(&f[22..28], &mac, "sender MAC");
        assert_eq!(&f[28..32], &[192, 0, 2, 100], "sender IP");
        assert_eq!(&f[32..38], &[0xff; 6], "target MAC as keepalived sends it");
        assert_eq!(&f[38..42], &[192, 0, 2, 100], "target IP = sender IP");
    }
}
