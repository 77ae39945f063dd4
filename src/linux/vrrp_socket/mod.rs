//! VRRP's raw sockets (IP protocol 112): one receiver per interface and multicast group, one
//! sender per instance, for IPv4 ([`socket4`]) and IPv6 ([`socket6`]). Each received packet
//! becomes a family-independent [`packet::Packet`] for the core's receive checks.

pub mod ipv4;
pub mod packet;
pub mod socket4;
pub mod socket6;
