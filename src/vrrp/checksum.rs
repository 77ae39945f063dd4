//! RFC 1071 Internet checksum and the pseudo-headers VRRPv3 puts under it.
//!
//! v2 sums the VRRP message alone; v3 over IPv4 adds the IPv4 pseudo-header the way keepalived
//! does (RFC 5798 §5.2.8), some vendors leave it out; v3 over IPv6 always has it (the kernel
//! computes it via `IPV6_CHECKSUM`, these functions are for tests and verification).

use std::net::{Ipv4Addr, Ipv6Addr};

/// IP protocol number of VRRP.
pub const PROTO_VRRP: u8 = 112;

/// One's-complement running sum; `finish` folds and complements.
#[derive(Debug, Default, Clone, Copy)]
struct Sum(u64);

impl Sum {
    fn add(mut self, bytes: &[u8]) -> Self {
        let mut chunks = bytes.chunks_exact(2);
        for c in &mut chunks {
            self.0 += u64::from(u16::from_be_bytes([c[0], c[1]]));
        }
        if let [last] = chunks.remainder() {
            self.0 += u64::from(*last) << 8;
        }
        self
    }

    fn finish(self) -> u16 {
        let mut s = self.0;
        while s > 0xffff {
            s = (s & 0xffff) + (s >> 16);
        }
        !(s as u16)
    }
}

/// Checksum of `msg` alone (VRRPv2; VRRPv3/IPv4 in the no-pseudo-header dialect).
/// Over a message whose checksum field is filled in, a correct one gives 0.
pub fn message(msg: &[u8]) -> u16 {
    Sum::default().add(msg).finish()
}

/// Checksum of `msg` under the IPv4 pseudo-header (src, dst, 0, 112, length).
pub fn ipv4_pseudo(src: Ipv4Addr, dst: Ipv4Addr, msg: &[u8]) -> u16 {
    let len = u16::try_from(msg.len()).unwrap_or(u16::MAX);
    let mut ph = [0u8; 12];
    ph[0..4].copy_from_slice(&src.octets());
    ph[4..8].copy_from_slice(&dst.octets());
    ph[9] = PROTO_VRRP;
    ph[10..12].copy_from_slice(&len.to_be_bytes());
    Sum::default().add(&ph).add(msg).finish()
}

/// Checksum of `msg` under the IPv6 pseudo-header (src, dst, 32-bit length, 0, next header 112).
pub fn ipv6_pseudo(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    let len = u32::try_from(msg.len()).unwrap_or(u32::MAX);
    let mut ph = [0u8; 40];
    ph[0..16].copy_from_slice(&src.octets());
    ph[16..32].copy_from_slice(&dst.octets());
    ph[32..36].copy_from_slice(&len.to_be_bytes());
    ph[39] = PROTO_VRRP;
    Sum::default().add(&ph).add(msg).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2 (before complement).
        assert_eq!(
            message(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            !0xddf2
        );
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(message(&[0x12]), message(&[0x12, 0x00]));
    }

    #[test]
    fn filled_in_checksum_sums_to_zero() {
        let mut msg = vec![0x31, 7, 100, 1, 0, 100, 0, 0, 192, 0, 2, 1];
        let ck = message(&msg);
        msg[6..8].copy_from_slice(&ck.to_be_bytes());
        assert_eq!(message(&msg), 0);
    }
}
