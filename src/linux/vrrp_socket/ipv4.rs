//! The IPv4 header a raw socket hands back: the receive checks need its TTL and addresses.

use std::net::Ipv4Addr;
use std::ops::Range;

/// What the receive path needs from an IPv4 packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub ttl: u8,
    pub protocol: u8,
    /// Where the payload is in the buffer (total length honoured, padding cut off).
    pub payload: Range<usize>,
}

/// Parses the header of `buf`; `None` for anything that is not a whole IPv4 packet.
pub fn parse(buf: &[u8]) -> Option<Header> {
    let first = *buf.first()?;
    if first >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(first & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]));
    if ihl < 20 || total < ihl || total > buf.len() {
        return None;
    }
    let addr = |at: usize| -> Option<Ipv4Addr> {
        let b: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
        Some(Ipv4Addr::from(b))
    };
    Some(Header {
        src: addr(12)?,
        dst: addr(16)?,
        ttl: buf[8],
        protocol: buf[9],
        payload: ihl..total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(ttl: u8, payload: &[u8], pad: usize) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let mut p = vec![0x45, 0xc0];
        p.extend_from_slice(&total.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 0, ttl, 112, 0, 0]);
        p.extend_from_slice(&[192, 0, 2, 1, 224, 0, 0, 18]);
        p.extend_from_slice(payload);
        p.extend(std::iter::repeat_n(0, pad));
        p
    }

    #[test]
    fn reads_ttl_addresses_and_cuts_padding() {
        let p = packet(255, &[0x21, 7, 100], 5);
        let h = parse(&p).expect("valid");
        assert_eq!(h.ttl, 255);
        assert_eq!(h.protocol, 112);
        assert_eq!(h.src, Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(h.dst, Ipv4Addr::new(224, 0, 0, 18));
        assert_eq!(&p[h.payload], &[0x21, 7, 100]);
    }

    #[test]
    fn rejects_truncated_and_non_ipv4() {
        let p = packet(64, &[1, 2, 3, 4], 0);
        assert_eq!(parse(&p).map(|h| h.ttl), Some(64));
        assert!(parse(&p[..22]).is_none(), "total length beyond the buffer");
        assert!(parse(&p[..10]).is_none());
        let mut v6 = p.clone();
        v6[0] = 0x60;
        assert!(parse(&v6).is_none());
        let mut short_ihl = p;
        short_ihl[0] = 0x44;
        assert!(parse(&short_ihl).is_none());
        assert!(parse(&[]).is_none());
    }
}
