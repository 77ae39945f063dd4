//! The system's names for the rule language, as ipvsadm looks them up: host names through
//! the C library, ports from `/etc/services` (read once). The rule language asks for them
//! through its [`Resolver`] and [`AddrFormat`] traits and never reads a file itself; the
//! reverse lookups of listings are in [`super::names`].

use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs};
use std::sync::OnceLock;

use crate::ipvs::Protocol;
use crate::rules::{ip_text, join_host_port, AddrFormat, Resolver, Services};

/// The system's resolver: the C library for hosts, `/etc/services` for ports.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn host_v4(&self, name: &str) -> Option<Ipv4Addr> {
        if name.is_empty() || name.contains(char::is_whitespace) {
            return None;
        }
        let addrs = (name, 0u16).to_socket_addrs().ok()?;
        addrs.into_iter().find_map(|a| match a.ip() {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        })
    }

    fn service_port(&self, name: &str, protocol: Protocol) -> Option<u16> {
        services().port(name, protocol)
    }
}

/// The system's `/etc/services`, empty if unreadable.
pub fn services() -> &'static Services {
    static SERVICES: OnceLock<Services> = OnceLock::new();
    SERVICES.get_or_init(|| {
        Services::parse(&std::fs::read_to_string("/etc/services").unwrap_or_default())
    })
}

/// Numeric addresses with `/etc/services` port names (`192.0.2.1:http`): `-S` without
/// `-n` minus reverse DNS, for callers that must not wait on the network.
#[derive(Debug, Clone, Copy, Default)]
pub struct PortNames;

impl AddrFormat for PortNames {
    fn addr_port(&self, addr: &IpAddr, port: u16, protocol: Option<Protocol>) -> String {
        join_host_port(addr, &ip_text(addr), &port_text(port, protocol))
    }
}

/// A port's service name for `protocol` if `/etc/services` has one, else the number.
pub fn port_text(port: u16, protocol: Option<Protocol>) -> String {
    protocol
        .and_then(|p| services().name(port, p))
        .map_or_else(|| port.to_string(), str::to_string)
}
