//! Linux I/O for the VRRP core: raw sockets (protocol 112), VIPs through rtnetlink, and
//! gratuitous ARP. Everything here touches the kernel; the state machine above never does.

pub mod garp;
pub mod iface;
pub mod ipv4;
pub mod socket4;
pub mod vips;
pub mod vmac;
