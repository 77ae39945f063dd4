//! Unsolicited neighbour advertisements on becoming master, so neighbours' caches follow an
//! IPv6 VIP at once (the IPv6 counterpart of gratuitous ARP). As keepalived sends them
//! (`vrrp_ndisc.c`): a whole Ethernet frame to 33:33:00:00:00:01, IPv6 source = the VIP,
//! destination ff02::1, hop limit 255, ICMPv6 type 136 with the Override flag (and the Router
//! flag when the interface forwards IPv6), target = the VIP, target link-layer address = our MAC.
//!
//! A whole frame through AF_PACKET rather than a raw ICMPv6 socket: the source must be the VIP
//! itself, and the frame needs no route, no bound address and no kernel source selection.

use std::io;
use std::net::Ipv6Addr;
use std::os::fd::OwnedFd;

use super::packet_socket;

const ETH_P_IPV6: u16 = 0x86dd;
const IPPROTO_ICMPV6: u8 = 58;
const ND_NEIGHBOR_ADVERT: u8 = 136;
const FLAG_ROUTER: u8 = 0x80;
const FLAG_OVERRIDE: u8 = 0x20;
/// ICMPv6 NA (24) + target link-layer address option (8).
const ICMP_LEN: usize = 32;
/// Ethernet (14) + IPv6 (40) + ICMPv6.
pub const FRAME_LEN: usize = 14 + 40 + ICMP_LEN;

/// All-nodes link-local multicast, where unsolicited adverts go.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

/// RFC 1071 sum of the ICMPv6 message under the IPv6 pseudo-header (next header 58).
pub fn icmp6_checksum(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    let mut add = |bytes: &[u8]| {
        for c in bytes.chunks(2) {
            let hi = u64::from(c[0]) << 8;
            sum += hi | c.get(1).map_or(0, |b| u64::from(*b));
        }
    };
    add(&src.octets());
    add(&dst.octets());
    add(&(msg.len() as u32).to_be_bytes());
    add(&[0, 0, 0, IPPROTO_ICMPV6]);
    add(msg);
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The Ethernet frame of one unsolicited NA for `vip` from `mac`.
pub fn frame(mac: [u8; 6], vip: Ipv6Addr, router: bool) -> [u8; FRAME_LEN] {
    let mut f = [0u8; FRAME_LEN];
    f[0..6].copy_from_slice(&[0x33, 0x33, 0, 0, 0, 1]);
    f[6..12].copy_from_slice(&mac);
    f[12..14].copy_from_slice(&ETH_P_IPV6.to_be_bytes());
    let ip = &mut f[14..54];
    ip[0] = 0x60;
    ip[4..6].copy_from_slice(&(ICMP_LEN as u16).to_be_bytes());
    ip[6] = IPPROTO_ICMPV6;
    ip[7] = 255;
    ip[8..24].copy_from_slice(&vip.octets());
    ip[24..40].copy_from_slice(&ALL_NODES.octets());
    let icmp = &mut f[54..];
    icmp[0] = ND_NEIGHBOR_ADVERT;
    icmp[4] = FLAG_OVERRIDE | if router { FLAG_ROUTER } else { 0 };
    icmp[8..24].copy_from_slice(&vip.octets());
    // Option 2 (target link-layer address), length 1 (8 bytes).
    icmp[24] = 2;
    icmp[25] = 1;
    icmp[26..32].copy_from_slice(&mac);
    let ck = icmp6_checksum(vip, ALL_NODES, icmp);
    icmp[2..4].copy_from_slice(&ck.to_be_bytes());
    f
}

/// keepalived sets the Router flag when the interface forwards IPv6.
pub fn forwarding(ifname: &str) -> bool {
    std::fs::read_to_string(format!("/proc/sys/net/ipv6/conf/{ifname}/forwarding"))
        .is_ok_and(|s| s.trim() == "1")
}

/// An AF_PACKET socket that sends unsolicited NAs on one interface.
pub struct Ndisc {
    fd: OwnedFd,
    ifindex: u32,
    ifname: String,
    mac: [u8; 6],
}

impl Ndisc {
    pub fn open(ifname: &str, ifindex: u32, mac: [u8; 6]) -> io::Result<Ndisc> {
        // Protocol 0: a send-only packet socket receives nothing.
        let fd = packet_socket::open(0)?;
        Ok(Ndisc {
            fd,
            ifindex,
            ifname: ifname.to_string(),
            mac,
        })
    }

    pub fn send(&self, vip: Ipv6Addr) -> io::Result<()> {
        let f = frame(self.mac, vip, forwarding(&self.ifname));
        let dst = [f[0], f[1], f[2], f[3], f[4], f[5]];
        packet_socket::send_frame(&self.fd, self.ifindex, ETH_P_IPV6, dst, &f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];

    fn vip() -> Ipv6Addr {
        "2001:db8::100".parse().expect("address")
    }

    #[test]
    fn frame_is_an_override_na_for_the_vip_to_all_nodes() {
        let f = frame(MAC, vip(), false);
        assert_eq!(&f[0..6], &[0x33, 0x33, 0, 0, 0, 1]);
        assert_eq!(&f[6..12], &MAC);
        assert_eq!(&f[12..14], &[0x86, 0xdd]);
        assert_eq!(f[14] >> 4, 6);
        assert_eq!(&f[18..20], &[0, 32], "payload length");
        assert_eq!((f[20], f[21]), (58, 255), "ICMPv6, hop limit 255");
        assert_eq!(&f[22..38], &vip().octets(), "source = VIP");
        assert_eq!(&f[38..54], &ALL_NODES.octets());
        assert_eq!((f[54], f[55]), (136, 0), "type NA, code 0");
        assert_eq!(f[58], 0x20, "Override only, not solicited, not router");
        assert_eq!(&f[62..78], &vip().octets(), "target = VIP");
        assert_eq!(&f[78..80], &[2, 1], "target link-layer address option");
        assert_eq!(&f[80..86], &MAC);
        assert_eq!(frame(MAC, vip(), true)[58], 0xa0, "Router + Override");
    }

    #[test]
    fn checksum_verifies_under_the_pseudo_header() {
        let f = frame(MAC, vip(), false);
        // A message with its checksum filled in sums to zero.
        assert_eq!(icmp6_checksum(vip(), ALL_NODES, &f[54..]), 0);
        let mut bad = f;
        bad[70] ^= 1;
        assert_ne!(icmp6_checksum(vip(), ALL_NODES, &bad[54..]), 0);
        // The RFC 2460 §8.1 pseudo-header worked by hand for a 4-byte message.
        let src: Ipv6Addr = "fe80::1".parse().expect("address");
        let msg = [0x80, 0, 0, 0];
        // Words: fe80 + 1 + ff02 + 1 + 4 (length) + 3a (58) + 8000 = 0x27dc2 -> 0x7dc4.
        assert_eq!(icmp6_checksum(src, ALL_NODES, &msg), !0x7dc4);
    }
}
