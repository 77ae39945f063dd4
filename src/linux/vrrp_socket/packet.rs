//! One received VRRP packet, whatever the family: what the receive checks need.

use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// The VRRP message (after the IP header).
    pub payload: Vec<u8>,
}

impl Packet {
    /// The VRID byte, if the message is long enough to have one.
    pub fn vrid(&self) -> Option<u8> {
        self.payload.get(1).copied()
    }

    pub fn is_multicast(&self) -> bool {
        self.dst.is_multicast()
    }
}
