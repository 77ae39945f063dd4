//! Linux I/O for the VRRP core: raw sockets (protocol 112), VIPs through rtnetlink, gratuitous
//! ARP and unsolicited neighbour advertisements. Everything here touches the kernel; the
//! state machine above never does.

pub mod garp;
pub mod iface;
pub mod ipv4;
pub mod links;
pub mod na;
pub mod packet;
pub mod rtnl_monitor;
pub mod socket4;
pub mod socket6;
pub mod vips;
pub mod vmac;
