//! Linux plumbing, at the edge: everything here talks to the kernel or the process table.
//!
//! - rtnetlink: [`links`] (link state events), [`vips`] (addresses and their events),
//!   [`vmac`] (keepalived's macvlan), one event loop ([`rtnl_monitor`]);
//! - interface facts from ioctls and /proc ([`iface`]);
//! - packet sockets for neighbour announcements: [`garp`] (IPv4), [`na`] (IPv6);
//! - VRRP's raw sockets (protocol 112, [`vrrp_socket`]);
//! - processes: [`script`] runs notify, track and check scripts as a given user;
//! - the C library's one-off calls behind safe functions ([`sys`]);
//! - systemd's notify protocol for the daemon ([`systemd`]).
//!
//! The protocol cores (`vrrp`, `check::policy`) never import this folder; the engine does.
//! `unsafe` is denied in the rest of the crate and allowed here, every block with its
//! `// SAFETY:` reason.

#![allow(unsafe_code)]

pub mod garp;
pub mod iface;
pub mod links;
pub mod na;
pub mod packet_socket;
pub mod rtnl;
pub mod rtnl_monitor;
pub mod script;
pub mod sys;
pub mod systemd;
pub mod vips;
pub mod vmac;
pub mod vrrp_socket;
